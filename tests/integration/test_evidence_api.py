"""REST for the evidence library: each endpoint, its refusals (a message per field,
nothing written), the upload limits, downloads in and out of the window, the audit
events reading writes, and constant query counts for the list."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from audit.models import AuditEvent
from evidence import services
from evidence.api import EvidenceItemSerializer, EvidenceSummarySerializer
from evidence.models import DocumentRequest, EvidenceItem, EvidenceShare
from reviews.models import Review
from tenancy.access import actor_for
from tests.evidence_factories import fieldwork, make_item, share_directly

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found.", "code": "not_found"}
PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
SERVER_NAME = re.compile(r"^evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")
CHANGES = ["create", "update", "delete", "share", "revoke", "grant"]


def post_json(client: Client, url: str, body: object) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def patch_json(client: Client, url: str, body: object) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def changes() -> int:
    return AuditEvent.objects.filter(action__in=CHANGES).count()


def ready_document(world, *, title: str = "Threshold document", data: bytes = PDF):
    """A Salford document whose scan has passed, stored under a server name."""
    item = make_item(
        world,
        kind="document",
        title=title,
        original_name="threshold.pdf",
        content_type="application/pdf",
        size=len(data),
        scan_status="ready",
    )
    item.file.save(f"evidence/tests/{item.pk}.pdf", ContentFile(data))
    return item


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "not a pdf")
    return buffer.getvalue()


# --- the list -----------------------------------------------------------------------------


def test_members_list_their_own_library_with_row_data_and_flags(world, client_for):
    work = fieldwork(world)
    board = make_item(world, kind="meeting", title="Board", by=world.salford_lead)
    board.areas.set([work.review.areas.all()[0]])
    share_directly(board, work.review, world.salford_lead)
    make_item(world, world.bolton, by=world.bolton_member, title="Bolton's")

    body = client_for(world.salford_manager).get("/api/v1/evidence/").json()

    assert body["next"] is None
    (row,) = body["results"]
    assert set(row) == set(EvidenceSummarySerializer().fields)
    area = work.review.areas.all()[0]
    assert row | {"added_at": None, "updated_at": None} == {
        "id": board.pk,
        "kind": "meeting",
        "title": "Board",
        "description": "",
        "sensitivity": "official",
        "partnership": world.salford.pk,
        "partnership_name": "Salford SCP",
        "review": None,
        "areas": [{"id": area.pk, "review": work.review.pk, "title": area.title}],
        "added_by": "Lead",
        "added_at": None,
        "updated_at": None,
        "share_count": 1,
        "file": None,
        "can_change": True,
        "can_share": True,
    }


def test_a_member_may_change_only_what_they_added(world, client_for):
    mine = make_item(world, title="Mine", by=world.salford_member)
    theirs = make_item(world, title="Theirs", by=world.salford_lead)

    rows = client_for(world.salford_member).get("/api/v1/evidence/").json()["results"]

    flags = {row["id"]: (row["can_change"], row["can_share"]) for row in rows}
    assert flags == {mine.pk: (True, False), theirs.pk: (False, False)}


def test_strangers_list_nothing(world, client_for):
    make_item(world)
    for user in (world.bolton_lead, world.adviser, world.analyst, world.staff):
        assert client_for(user).get("/api/v1/evidence/").json()["results"] == []
    assert Client().get("/api/v1/evidence/").status_code == 401


def test_a_reviewer_lists_shared_items_only_while_the_window_is_open(world, client_for):
    work = fieldwork(world)
    shared = make_item(world, title="Shared")
    make_item(world, title="Private")
    share_directly(shared, work.review, world.salford_manager)

    with time_machine.travel(work.during, tick=False):
        rows = client_for(world.bolton_manager).get("/api/v1/evidence/").json()["results"]
    with time_machine.travel(work.closes, tick=False):
        after = client_for(world.bolton_manager).get("/api/v1/evidence/").json()["results"]

    assert [row["title"] for row in rows] == ["Shared"]
    # Not theirs: no share count, no adder's name, no flags.
    assert (rows[0]["share_count"], rows[0]["added_by"]) == (None, None)
    assert (rows[0]["can_change"], rows[0]["can_share"]) == (False, False)
    assert after == []


def test_list_filters_and_sorts(world, client_for):
    work = fieldwork(world)
    make_item(world, kind="meeting", title="Board", description="quarterly board")
    audit_doc = make_item(world, kind="document", title="Audit", sensitivity="sensitive")
    share_directly(audit_doc, work.review, world.salford_manager)
    client = client_for(world.salford_member)

    def titles(query: str) -> list[str]:
        response = client.get(f"/api/v1/evidence/?{query}")
        assert response.status_code == 200, response.json()
        return [row["title"] for row in response.json()["results"]]

    assert titles("") == ["Audit", "Board"]
    assert titles("kind=meeting") == ["Board"]
    assert titles("sensitivity=sensitive") == ["Audit"]
    assert titles("q=QUARTERLY") == ["Board"]
    assert titles(f"review={work.review.pk}") == ["Audit"]
    assert titles(f"partnership={world.bolton.pk}") == []
    assert titles("sort=title") == ["Audit", "Board"]
    assert titles("sort=-title") == ["Board", "Audit"]


def test_unknown_filter_values_are_named_not_ignored(world, client_for):
    response = client_for(world.salford_member).get(
        "/api/v1/evidence/?kind=letters&sensitivity=secret&review=abc&sort=colour"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The evidence could not be listed.",
        "code": "invalid",
        "errors": {
            "review": ["Select a review from the list"],
            "kind": ["Select a kind of evidence from the list"],
            "sensitivity": ["Select a sensitivity from the list"],
            "sort": ["Sort by one of: -id, id, -added_at, added_at, title, -title, kind"],
        },
    }
    assert not AuditEvent.objects.exists()


def test_the_list_pages_by_cursor_in_its_sort_order(world, client_for):
    for title in ("C", "A", "E", "B", "D"):
        make_item(world, title=title)
    client = client_for(world.salford_member)

    seen: list[str] = []
    url = "/api/v1/evidence/?sort=title&page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["title"] for row in body["results"]]
        url = body["next"]

    assert seen == ["A", "B", "C", "D", "E"]


def test_each_list_page_is_recorded_in_the_owners_log(world, client_for):
    work = fieldwork(world)
    shared = make_item(world, title="Shared")
    share_directly(shared, work.review, world.salford_manager)
    note = make_item(world, review=work.review, kind="meeting", by=world.bolton_manager)

    with time_machine.travel(work.during, tick=False):
        client_for(world.bolton_manager).get("/api/v1/evidence/")

    events = {
        e.owning_partnership_id: e.detail
        for e in AuditEvent.objects.filter(action="list", actor_id=world.bolton_manager.pk)
    }
    # The team's note is in the reviewing partnership's log; Salford's item in Salford's.
    assert events == {
        world.salford.pk: {"ids": [shared.pk], "count": 1},
        world.bolton.pk: {"ids": [note.pk], "count": 1},
    }


def _bearer(user) -> Client:
    raw = account_services.api_token_create(user=user, name="count").raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _queries(client: Client, url: str) -> list[str]:
    client.get(url)  # warm-up: the token's last use and per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _fixed(sql: str) -> bool:
    """The per-request cost every audited API read pays whatever it lists: the token,
    the actor's one query, the audit append (a lane, its tail, the insert) and its
    savepoints."""
    return bool(
        re.match(r"^(SAVEPOINT|RELEASE SAVEPOINT|SELECT lane FROM)", sql)
        or re.search(
            r'FROM "(accounts_apitoken|tenancy_membership|tenancy_allianceanalyst|'
            r'tenancy_accesswindow|auth_group|audit_auditevent)"',
            sql,
        )
        or sql.startswith('INSERT INTO "audit_auditevent"')
    )


@pytest.mark.parametrize("who", ["salford_manager", "salford_member", "bolton_manager"])
def test_the_list_costs_the_same_queries_for_5_or_50_items(world, who):
    """P2: 5 and 50 rows cost the same. The list itself is the page (three queries:
    the rows, their areas, and the share counts of the actor's own items; or, for
    someone reached by more than one rule, the page's ids rule by rule, the rows and
    their areas); the permission flags are answered in memory from the rows, plus, for
    someone whose role reaches the items, one query for their own grants on the page's
    items (P5: page + 1)."""
    work = fieldwork(world)
    areas = list(work.review.areas.all()[:3])

    def library(count: int) -> None:
        for n in range(count):
            item = make_item(world, title=f"Item {n}", by=world.salford_lead)
            item.areas.set(areas[: n % 4])
            share_directly(item, work.review, world.salford_lead)

    client = _bearer(getattr(world, who))
    with time_machine.travel(work.during, tick=False):
        library(5)
        five = _queries(client, "/api/v1/evidence/")
        library(45)
        fifty = _queries(client, "/api/v1/evidence/?page_size=50")
        assert len(client.get("/api/v1/evidence/").json()["results"]) == 50

    assert len(five) == len(fifty)
    listing = [sql for sql in fifty if not _fixed(sql)]
    # The page (3), then the flags: the member holds no role that could change or
    # share, so nothing is asked; a manager (of Salford, or of Bolton reviewing it) is
    # asked their own grants on the page once, whichever rows it holds. The reviewer's
    # page takes its ids rule by rule (one more).
    expected = {"salford_manager": 4, "salford_member": 3, "bolton_manager": 5}
    assert len(listing) == expected[who], listing
    # 1 token + 1 actor + 3 audit (a lane, its tail and ids, the insert) + 2 savepoint
    # statements.
    assert len(fifty) - len(listing) == 7


# --- one item -------------------------------------------------------------------------------


def test_an_item_shows_its_kinds_fields_and_the_view_is_recorded(world, client_for):
    item = make_item(
        world,
        kind="interview",
        title="Head of service",
        interviewee_role="Head of children's services",
        interviewed_by="peer_team",
        notes="Thresholds are understood.",
    )

    response = client_for(world.salford_member).get(f"/api/v1/evidence/{item.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(EvidenceItemSerializer().fields)
    assert (body["interviewee_role"], body["interviewed_by"], body["notes"]) == (
        "Head of children's services",
        "peer_team",
        "Thresholds are understood.",
    )
    event = AuditEvent.objects.get(action="view")
    assert (event.object_id, event.owning_partnership_id, event.actor_id) == (
        str(item.pk),
        world.salford.pk,
        world.salford_member.pk,
    )


def test_a_foreign_item_is_the_same_404_as_a_missing_one(world, client_for):
    item = make_item(world)
    client = client_for(world.bolton_lead)

    foreign = client.get(f"/api/v1/evidence/{item.pk}/")
    missing = client.get("/api/v1/evidence/999999/")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert foreign.json() == NOT_FOUND
    assert not AuditEvent.objects.exists()


def test_a_restricted_item_is_not_found_for_members_without_a_grant(world, client_for):
    restricted = services.evidence_add(
        actor=actor_for(world.salford_lead),
        partnership_id=world.salford.pk,
        kind="other",
        title="Case notes",
        sensitivity="restricted",
    )
    for user in (world.salford_member, world.salford_manager):
        response = client_for(user).get(f"/api/v1/evidence/{restricted.pk}/")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert (
        client_for(world.salford_lead).get(f"/api/v1/evidence/{restricted.pk}/").status_code == 200
    )


# --- adding ---------------------------------------------------------------------------------


def test_a_member_adds_a_meeting_observation_as_json(world, client_for):
    work = fieldwork(world)
    area = work.review.areas.all()[0]
    response = post_json(
        client_for(world.salford_member),
        "/api/v1/evidence/",
        {
            "partnership": world.salford.pk,
            "kind": "meeting",
            "title": "Strategic board",
            "meeting_name": "Strategic board",
            "meeting_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
            "working_well": "Partners challenge each other.",
            "areas": [area.pk],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    item = EvidenceItem.objects.get()
    assert body["id"] == item.pk
    assert (body["kind"], body["meeting_name"], body["working_well"]) == (
        "meeting",
        "Strategic board",
        "Partners challenge each other.",
    )
    assert [a["id"] for a in body["areas"]] == [area.pk]
    assert (body["can_change"], body["can_share"]) == (True, False)
    assert AuditEvent.objects.filter(
        action="create", object_type="evidence.EvidenceItem", object_id=str(item.pk)
    ).exists()


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        pytest.param(
            {"kind": "meeting", "title": "  "},
            {
                "title": ["Enter a title"],
                "meeting_name": ["Enter the name of the meeting"],
                "meeting_date": ["Enter the date of the meeting"],
                "working_well": ["Enter what is working well, or what is not working so well"],
            },
            id="meeting-blank",
        ),
        pytest.param(
            {"kind": "interview", "title": "T", "interviewee_name": "Jo Bloggs"},
            {
                "interviewee_role": ["Enter the interviewee's role"],
                "interviewee_name": [
                    "Only record the interviewee's name if they consented to being named"
                ],
                "interviewed_by": ["Select who carried out the interview"],
            },
            id="interview-named-without-consent",
        ),
        pytest.param(
            {"kind": "document", "title": "Policy"},
            {"file": ["Select a file to upload"]},
            id="document-without-file",
        ),
    ],
)
def test_service_rules_give_a_message_per_field_and_write_nothing(
    world, client_for, payload, errors
):
    response = post_json(
        client_for(world.salford_member),
        "/api/v1/evidence/",
        {"partnership": world.salford.pk, **payload},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The evidence could not be added.",
        "code": "invalid",
        "errors": errors,
    }
    assert not EvidenceItem.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        pytest.param(
            {"kind": "letters", "sensitivity": "secret", "title": "T"},
            {
                "kind": ["Select the kind of evidence"],
                "sensitivity": ["Select how sensitive the evidence is"],
            },
            id="unknown-choices",
        ),
        pytest.param(
            {"kind": "meeting", "title": "T", "meeting_date": "2026-02-30"},
            {"meeting_date": ["Date of the meeting must be a real date"]},
            id="not-a-date",
        ),
        pytest.param(
            {"kind": "other", "title": "T\x00"},
            {"title": ["Null characters are not allowed."]},
            id="nul-byte",
        ),
        pytest.param(
            {"kind": "other", "title": "T", "areas": ["x"]},
            {"areas": {"0": ["A valid integer is required."]}},
            id="malformed-area",
        ),
    ],
)
def test_malformed_input_is_a_400_per_field_and_writes_nothing(world, client_for, payload, errors):
    response = post_json(
        client_for(world.salford_member),
        "/api/v1/evidence/",
        {"partnership": world.salford.pk, **payload},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request has errors. Nothing was saved.",
        "code": "invalid",
        "errors": errors,
    }
    assert not EvidenceItem.objects.exists()


def test_adding_to_another_partnerships_library_is_not_found(world, client_for):
    response = post_json(
        client_for(world.bolton_lead),
        "/api/v1/evidence/",
        {"partnership": world.salford.pk, "kind": "other", "title": "Planted"},
    )

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert not EvidenceItem.objects.exists()


def test_the_team_adds_its_own_notes_while_its_window_is_open(world, client_for):
    work = fieldwork(world)
    note = {"kind": "other", "title": "Hub visit", "description": "x"}
    url = f"/api/v1/reviews/{work.review.pk}/evidence/"

    with time_machine.travel(work.during, tick=False):
        added = post_json(client_for(world.bolton_manager), url, note)
    with time_machine.travel(work.closes, tick=False):
        late = post_json(client_for(world.bolton_manager), url, note)

    assert added.status_code == 201, added.json()
    assert (added.json()["review"], added.json()["partnership"]) == (work.review.pk, None)
    assert added.json()["added_by"] == "Manager"
    assert late.status_code == 403
    assert late.json()["detail"] == (
        "Only members of the review team can add its notes, while their access is open."
    )
    assert EvidenceItem.objects.count() == 1


def test_a_document_is_uploaded_as_multipart_under_a_server_name(world, client_for):
    """Uploads have their own route: the one body that is not JSON."""
    response = client_for(world.salford_member).post(
        "/api/v1/evidence/upload/",
        {
            "partnership": world.salford.pk,
            "kind": "document",
            "title": "Threshold document",
            "file": SimpleUploadedFile("../../etc/threshold.pdf", PDF, "text/html"),
        },
    )

    assert response.status_code == 201, response.json()
    item = EvidenceItem.objects.get()
    assert SERVER_NAME.match(str(item.file.name))
    assert (item.original_name, item.content_type, item.size) == (
        "threshold.pdf",
        "application/pdf",
        len(PDF),
    )
    assert response.json()["file"] == {
        "name": "threshold.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        # The scan runs after commit, so the answer still says "scanning".
        "scan_status": "scanning",
    }
    with default_storage.open(str(item.file.name)) as stored:
        assert stored.read() == PDF


def test_a_file_sent_to_the_json_route_is_415_and_nothing_is_written(world, client_for):
    response = client_for(world.salford_member).post(
        "/api/v1/evidence/",
        {
            "partnership": world.salford.pk,
            "kind": "document",
            "title": "T",
            "file": SimpleUploadedFile("a.pdf", PDF),
        },
    )

    assert response.status_code == 415
    assert response.json() == {
        "detail": 'Unsupported media type "multipart/form-data; boundary=BoUnDaRyStRiNg" '
        "in request.",
        "code": "unsupported_media_type",
    }
    assert not EvidenceItem.objects.exists()


def test_an_upload_without_a_file_or_as_json_is_refused(world, client_for):
    client = client_for(world.salford_member)
    fields = {"partnership": world.salford.pk, "kind": "data", "title": "Figures"}

    without_file = client.post("/api/v1/evidence/upload/", fields)
    as_json = post_json(client, "/api/v1/evidence/upload/", fields)

    assert without_file.status_code == 400
    assert without_file.json()["errors"] == {"file": ["Select a file to upload"]}
    assert as_json.status_code == 415
    assert not EvidenceItem.objects.exists()


@override_settings(EVIDENCE_MAX_UPLOAD_BYTES=64)
def test_an_oversize_upload_is_413_with_the_limit_and_nothing_is_written(world, client_for):
    response = client_for(world.salford_member).post(
        "/api/v1/evidence/upload/",
        {
            "partnership": world.salford.pk,
            "kind": "document",
            "title": "Big",
            "file": SimpleUploadedFile("big.pdf", PDF),
        },
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The selected file must be smaller than 64 bytes",
        "code": "file_too_large",
        "errors": {"file": ["The selected file must be smaller than 64 bytes"]},
    }
    assert not EvidenceItem.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        pytest.param(
            "renamed.pdf",
            _zip(),
            "The selected file is a ZIP archive, not a PDF",
            id="renamed-zip",
        ),
        pytest.param(
            "tool.exe",
            b"MZ\x90\x00",
            "The selected file must be a PDF, DOCX, XLSX, PPTX, CSV, TXT, PNG or JPEG",
            id="not-on-the-list",
        ),
    ],
)
def test_a_file_of_the_wrong_type_is_415_naming_the_types(world, client_for, name, data, message):
    response = client_for(world.salford_member).post(
        "/api/v1/evidence/upload/",
        {
            "partnership": world.salford.pk,
            "kind": "document",
            "title": "Policy",
            "file": SimpleUploadedFile(name, data, "application/pdf"),
        },
    )

    assert response.status_code == 415
    assert response.json() == {
        "detail": message,
        "code": "unsupported_media_type",
        "errors": {"file": [message]},
    }
    assert not EvidenceItem.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_refused_file_with_other_errors_is_one_400(world, client_for):
    response = client_for(world.salford_member).post(
        "/api/v1/evidence/upload/",
        {
            "partnership": world.salford.pk,
            "kind": "document",
            "title": "",
            "file": SimpleUploadedFile("renamed.pdf", _zip()),
        },
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "title": ["Enter a title"],
        "file": ["The selected file is a ZIP archive, not a PDF"],
    }


# --- changing and deleting ----------------------------------------------------------------


def test_a_manager_changes_an_item_and_a_member_is_told_why_not(world, client_for):
    item = make_item(world, title="Old", by=world.salford_lead)
    url = f"/api/v1/evidence/{item.pk}/"

    refused = patch_json(client_for(world.salford_member), url, {"title": "Mine now"})
    changed = patch_json(client_for(world.salford_manager), url, {"title": "New"})

    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Only the person who added this evidence, or a lead or business manager "
        "of Salford SCP, can change it.",
        "code": "permission_denied",
    }
    assert changed.status_code == 200
    assert changed.json()["title"] == "New"
    assert AuditEvent.objects.filter(action="update").count() == 1


def test_an_invalid_change_writes_nothing(world, client_for):
    item = make_item(world, title="Old", by=world.salford_member)

    response = patch_json(
        client_for(world.salford_member),
        f"/api/v1/evidence/{item.pk}/",
        {"title": "", "description": "Fine"},
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"title": ["Enter a title"]}
    item.refresh_from_db()
    assert (item.title, item.description) == ("Old", "")
    assert not AuditEvent.objects.exists()


def test_deleting_an_item_and_not_while_it_is_shared(world, client_for):
    work = fieldwork(world)
    private = make_item(world, by=world.salford_lead)
    shared = make_item(world, by=world.salford_lead)
    share_directly(shared, work.review, world.salford_lead)
    manager = client_for(world.salford_manager)

    deleted = manager.delete(f"/api/v1/evidence/{private.pk}/")
    kept = manager.delete(f"/api/v1/evidence/{shared.pk}/")
    foreign = client_for(world.bolton_lead).delete(f"/api/v1/evidence/{shared.pk}/")

    assert deleted.status_code == 204
    assert kept.status_code == 409
    assert kept.json()["detail"] == (
        "This evidence is shared with the review by Bolton SCP. Stop sharing it before deleting it."
    )
    assert (foreign.status_code, foreign.json()) == (404, NOT_FOUND)
    assert list(EvidenceItem.objects.all()) == [shared]


# --- downloads ------------------------------------------------------------------------------


def test_a_download_is_an_attachment_that_is_never_sniffed_and_is_audited(world, client_for):
    item = ready_document(world)

    response = client_for(world.salford_member).get(f"/api/v1/evidence/{item.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="threshold.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="download")
    assert (event.object_id, event.owning_partnership_id) == (str(item.pk), world.salford.pk)


def test_a_download_accepts_any_accept_header_and_errors_stay_json(world, client_for):
    item = ready_document(world)
    client = client_for(world.salford_member)

    served = client.get(f"/api/v1/evidence/{item.pk}/download/", HTTP_ACCEPT="application/pdf")
    missing = client.get("/api/v1/evidence/999999/download/", HTTP_ACCEPT="application/pdf")

    assert served.status_code == 200
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert missing.json() == NOT_FOUND


def test_a_file_still_being_scanned_is_not_served(world, client_for):
    item = ready_document(world)
    EvidenceItem.objects.filter(pk=item.pk).update(scan_status="scanning")

    response = client_for(world.salford_member).get(f"/api/v1/evidence/{item.pk}/download/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "This file is still being checked for viruses. Try again in a few minutes."
    )
    assert not AuditEvent.objects.filter(action="download").exists()


def test_a_reviewer_downloads_in_the_window_and_gets_404_once_it_closes(world, client_for):
    work = fieldwork(world)
    item = ready_document(world)
    share_directly(item, work.review, world.salford_manager)
    url = f"/api/v1/evidence/{item.pk}/download/"

    with time_machine.travel(work.during, tick=False):
        during = client_for(world.bolton_manager).get(url)
    with time_machine.travel(work.closes, tick=False):
        after = client_for(world.bolton_manager).get(url)
        detail = client_for(world.bolton_manager).get(f"/api/v1/evidence/{item.pk}/")

    assert during.status_code == 200
    assert b"".join(during.streaming_content) == PDF
    assert (after.status_code, after.json()) == (404, NOT_FOUND)
    assert (detail.status_code, detail.json()) == (404, NOT_FOUND)
    assert AuditEvent.objects.filter(action="download").count() == 1


# --- sharing --------------------------------------------------------------------------------


def test_a_manager_shares_items_and_the_team_sees_them_until_unshared(world, client_for):
    work = fieldwork(world)
    item = make_item(world, title="Audit schedule")
    manager = client_for(world.salford_manager)

    shared = post_json(
        manager, "/api/v1/evidence/share/", {"item_ids": [item.pk], "review": work.review.pk}
    )
    with time_machine.travel(work.during, tick=False):
        seen = client_for(world.bolton_manager).get(f"/api/v1/evidence/{item.pk}/")
    unshared = post_json(
        manager, f"/api/v1/evidence/{item.pk}/unshare/", {"review": work.review.pk}
    )
    with time_machine.travel(work.during, tick=False):
        gone = client_for(world.bolton_manager).get(f"/api/v1/evidence/{item.pk}/")

    assert shared.status_code == 200, shared.json()
    (share,) = shared.json()
    assert (share["item"], share["title"], share["review"], share["request"]) == (
        item.pk,
        "Audit schedule",
        work.review.pk,
        None,
    )
    assert seen.status_code == 200
    assert unshared.status_code == 204
    assert gone.status_code == 404
    actions = list(
        AuditEvent.objects.filter(object_id=str(item.pk), action__in=["share", "revoke"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["share", "revoke"]


def test_a_foreign_or_missing_item_id_in_a_share_is_404_and_nothing_is_written(world, client_for):
    work = fieldwork(world)
    ours = make_item(world)
    bolton = make_item(world, world.bolton, by=world.bolton_member)
    manager = client_for(world.salford_manager)
    before = changes()

    for ids in ([ours.pk, bolton.pk], [ours.pk, 999_999]):
        response = post_json(
            manager, "/api/v1/evidence/share/", {"item_ids": ids, "review": work.review.pk}
        )
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert not EvidenceShare.objects.exists()
    assert changes() == before


def test_sharing_with_a_review_of_another_partnership_is_refused(world, client_for):
    work = fieldwork(world)
    # Bolton's own review, by Salford: Salford sees it, but it is not a review of Salford.
    other = Review.objects.get(exchange=work.review.exchange, reviewed_partnership=world.bolton)
    item = make_item(world)
    before = changes()

    response = post_json(
        client_for(world.salford_lead),
        "/api/v1/evidence/share/",
        {"item_ids": [item.pk], "review": other.pk},
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Evidence can only be shared with a review of the partnership that owns it.",
        "code": "permission_denied",
    }
    assert not EvidenceShare.objects.exists()
    assert changes() == before


def test_a_share_needs_items_and_names_malformed_ids(world, client_for):
    work = fieldwork(world)
    manager = client_for(world.salford_manager)

    empty = post_json(
        manager, "/api/v1/evidence/share/", {"item_ids": [], "review": work.review.pk}
    )
    malformed = post_json(
        manager, "/api/v1/evidence/share/", {"item_ids": ["x"], "review": work.review.pk}
    )

    assert empty.status_code == 400
    assert empty.json()["errors"] == {"item_ids": ["Select the evidence to share"]}
    assert malformed.status_code == 400
    assert malformed.json()["errors"] == {"item_ids": {"0": ["A valid integer is required."]}}


def test_a_member_may_not_share_or_unshare(world, client_for):
    work = fieldwork(world)
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    member = client_for(world.salford_member)
    before = changes()

    share = post_json(
        member, "/api/v1/evidence/share/", {"item_ids": [item.pk], "review": work.review.pk}
    )
    unshare = post_json(member, f"/api/v1/evidence/{item.pk}/unshare/", {"review": work.review.pk})

    assert (share.status_code, share.json()["detail"]) == (
        403,
        "Only a lead or business manager of Salford SCP can share its evidence.",
    )
    assert (unshare.status_code, unshare.json()["detail"]) == (
        403,
        "Only a lead or business manager of Salford SCP can stop sharing its evidence.",
    )
    assert changes() == before


# --- who can see it, restricted access ------------------------------------------------------


def test_who_can_see_names_members_for_the_owner_and_counts_them_for_the_team(world, client_for):
    work = fieldwork(world)
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    url = f"/api/v1/evidence/{item.pk}/who-can-see/"

    owner = client_for(world.salford_member).get(url).json()
    with time_machine.travel(work.during, tick=False):
        team = client_for(world.bolton_manager).get(url).json()

    assert owner["restricted"] is False
    salford = owner["audiences"][0]
    assert (salford["label"], salford["count"], salford["names_hidden"]) == (
        "Salford SCP",
        3,
        False,
    )
    assert {p["email"] for p in salford["people"]} == {
        "lead@salford.test",
        "manager@salford.test",
        "member@salford.test",
    }
    assert owner["audiences"][1]["review"] == work.review.pk
    hidden = team["audiences"][0]
    assert (hidden["count"], hidden["names_hidden"], hidden["people"]) == (3, True, [])


def test_the_lead_opens_a_restricted_item_to_a_member_and_closes_it_again(world, client_for):
    lead = actor_for(world.salford_lead)
    item = services.evidence_add(
        actor=lead,
        partnership_id=world.salford.pk,
        kind="other",
        title="Case notes",
        sensitivity="restricted",
    )
    client = client_for(world.salford_lead)
    member = client_for(world.salford_member)

    granted = post_json(
        client, f"/api/v1/evidence/{item.pk}/grants/", {"user": world.salford_member.pk}
    )
    opened = member.get(f"/api/v1/evidence/{item.pk}/")
    revoked = post_json(
        client, f"/api/v1/evidence/{item.pk}/grants/{world.salford_member.pk}/revoke/", {}
    )
    closed = member.get(f"/api/v1/evidence/{item.pk}/")
    last = post_json(
        client, f"/api/v1/evidence/{item.pk}/grants/{world.salford_lead.pk}/revoke/", {}
    )
    stranger = post_json(
        client, f"/api/v1/evidence/{item.pk}/grants/", {"user": world.bolton_member.pk}
    )

    assert granted.status_code == 200
    people = {p["email"] for p in granted.json()["audiences"][0]["people"]}
    assert people == {"lead@salford.test", "member@salford.test"}
    assert opened.status_code == 200
    assert revoked.status_code == 200
    assert closed.status_code == 404
    assert (last.status_code, last.json()["detail"]) == (
        409,
        "At least one person must keep access to restricted evidence. "
        "Give someone else access first.",
    )
    assert stranger.status_code == 400
    assert stranger.json()["errors"] == {"user": ["Select a member of Salford SCP"]}


# --- the access log -------------------------------------------------------------------------


def test_managers_read_an_items_access_log_and_members_are_told_why_not(world, client_for):
    item = make_item(world)
    client_for(world.salford_member).get(f"/api/v1/evidence/{item.pk}/")
    client_for(world.salford_member).get("/api/v1/evidence/")
    url = f"/api/v1/evidence/{item.pk}/log/"

    log = client_for(world.salford_manager).get(url)
    refused = client_for(world.salford_member).get(url)
    foreign = client_for(world.bolton_lead).get(url)

    assert log.status_code == 200
    events = log.json()["results"]
    assert [(e["action"], e["actor_email"], e["item"], e["count"]) for e in events] == [
        ("list", "member@salford.test", None, 1),
        ("view", "member@salford.test", item.pk, None),
    ]
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Only a lead or business manager of Salford SCP can see who has viewed "
        "this evidence.",
        "code": "permission_denied",
    }
    assert (foreign.status_code, foreign.json()) == (404, NOT_FOUND)


def test_the_partnership_access_log(world, client_for):
    item = make_item(world)
    client_for(world.salford_member).get(f"/api/v1/evidence/{item.pk}/")
    bolton_item = make_item(world, world.bolton, by=world.bolton_member)
    client_for(world.bolton_member).get(f"/api/v1/evidence/{bolton_item.pk}/")
    url = f"/api/v1/evidence/log/?partnership={world.salford.pk}"

    ours = client_for(world.salford_lead).get(url)
    every = client_for(world.salford_lead).get("/api/v1/evidence/log/")
    member = client_for(world.salford_member).get(url)
    foreign = client_for(world.bolton_lead).get(url)
    missing = client_for(world.bolton_lead).get("/api/v1/evidence/log/?partnership=999999")

    assert [e["item"] for e in ours.json()["results"]] == [item.pk]
    assert every.json()["results"] == ours.json()["results"]
    assert member.status_code == 403
    assert member.json()["detail"] == (
        "Only a lead or business manager of Salford SCP can see who has viewed its evidence."
    )
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


# --- document requests and coverage -----------------------------------------------------------


def test_the_team_asks_for_a_document_and_the_partnership_answers_it(world, client_for):
    work = fieldwork(world)
    item = make_item(world, title="Threshold document")
    url = f"/api/v1/reviews/{work.review.pk}/document-requests/"

    with time_machine.travel(work.during, tick=False):
        asked = post_json(
            client_for(world.bolton_manager), url, {"title": "Your threshold document"}
        )
    request_id = asked.json()["id"]
    post_json(
        client_for(world.salford_manager),
        "/api/v1/evidence/share/",
        {"item_ids": [item.pk], "review": work.review.pk, "request": request_id},
    )
    listed = client_for(world.salford_member).get(url)

    assert asked.status_code == 201, asked.json()
    assert (asked.json()["status"], asked.json()["requested_by"]) == ("open", "Manager")
    (row,) = listed.json()["results"]
    assert (row["id"], row["status"]) == (request_id, "answered")
    assert [(a["item"], a["title"]) for a in row["answers"]] == [(item.pk, "Threshold document")]


def test_a_request_needs_a_title_and_nothing_is_written(world, client_for):
    work = fieldwork(world)

    response = post_json(
        client_for(world.bolton_lead),
        f"/api/v1/reviews/{work.review.pk}/document-requests/",
        {"title": " "},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request could not be sent.",
        "code": "invalid",
        "errors": {"title": ["Enter what you are asking for"]},
    }
    assert not DocumentRequest.objects.exists()


def test_a_foreign_request_id_in_a_share_is_404_and_nothing_is_written(world, client_for):
    work = fieldwork(world)
    item = make_item(world)
    # The exchange's other review (Salford reviews Bolton), where Salford's lead may ask.
    other = Review.objects.get(exchange=work.review.exchange, reviewed_partnership=world.bolton)
    foreign_request = services.document_request_create(
        actor=actor_for(world.salford_lead), review_id=other.pk, title="Yours"
    )

    response = post_json(
        client_for(world.salford_manager),
        "/api/v1/evidence/share/",
        {"item_ids": [item.pk], "review": work.review.pk, "request": foreign_request.pk},
    )

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert not EvidenceShare.objects.exists()


def test_withdrawing_a_request(world, client_for):
    work = fieldwork(world)
    request = services.document_request_create(
        actor=actor_for(world.bolton_lead), review_id=work.review.pk, title="Audit schedule"
    )
    url = f"/api/v1/document-requests/{request.pk}/withdraw/"

    refused = post_json(client_for(world.salford_lead), url, {})
    withdrawn = post_json(client_for(world.bolton_lead), url, {})
    again = post_json(client_for(world.bolton_lead), url, {})
    foreign = post_json(client_for(world.analyst), url, {})

    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Only the review team, or a lead of Bolton SCP, can withdraw a request."
    )
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "Only an open request can be withdrawn.",
    )
    assert (foreign.status_code, foreign.json()) == (404, NOT_FOUND)


def test_coverage_counts_what_the_caller_can_see_per_area_and_kind(world, client_for):
    work = fieldwork(world)
    first, *others = list(work.review.areas.order_by("position"))
    board = make_item(world, kind="meeting")
    board.areas.set([first])
    share_directly(board, work.review, world.salford_manager)
    share_directly(make_item(world, kind="document"), work.review, world.salford_manager)

    body = (
        client_for(world.salford_member)
        .get(f"/api/v1/reviews/{work.review.pk}/evidence-coverage/")
        .json()
    )
    foreign = client_for(world.analyst).get(f"/api/v1/reviews/{work.review.pk}/evidence-coverage/")

    assert body["review"] == work.review.pk
    assert body["kinds"][0] == {"value": "document", "label": "Document"}
    assert body["rows"][0]["area"]["id"] == first.pk
    assert body["rows"][0]["counts"]["meeting"] == 1
    assert body["unlinked"]["counts"]["document"] == 1
    assert (body["total"], body["totals"]["meeting"], body["totals"]["document"]) == (2, 1, 1)
    assert body["gaps"] == [area.pk for area in others]
    assert (foreign.status_code, foreign.json()) == (404, NOT_FOUND)
