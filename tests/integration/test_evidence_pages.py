"""Evidence pages (UX screens 7-9) through the Django test client: the library with
its filter, sort and pages; adding each kind (check answers, or saved with its file);
an item with "Who can see this", its access log, download, change, delete and who
a restricted item is open to; sharing with a review and stopping; document
requests; the coverage grid; the partnership's access log.

Who may see and do each; every form's GOV.UK messages with nothing written; every
list, view, download, share and unshare audited and shown in the access log;
constant query counts on the library."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from evidence import services
from evidence.models import DocumentRequest, EvidenceItem, EvidenceShare
from reviews import services as review_services
from reviews.models import Review, TeamMember
from tenancy.access import actor_for
from tenancy.models import Membership, Role
from tests.evidence_factories import fieldwork, make_item, share_directly
from tests.factories import add_member, review_in_fieldwork, review_of_salford

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
SERVER_NAME = re.compile(r"^evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")
UPLOAD_HINT = "Upload a file (PDF, DOCX, XLSX, PPTX, CSV, TXT, PNG or JPEG, smaller than 20MB)"


def url(name: str, *args: object) -> str:
    return reverse(f"evidence:{name}", args=args)


def text(response) -> str:
    return html.unescape(response.content.decode())


def squash(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def without_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))


def error_summary(response) -> list[str]:
    match = re.search(r'govuk-error-summary__list">(.*?)</ul>', text(response), re.S)
    assert match, "no error summary on the page"
    return [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", match[1])
    ]


def titles(response) -> list[str]:
    """The titles in the evidence table, in order."""
    body = text(response)
    table = body[body.index("<tbody") :] if "<tbody" in body else ""
    return re.findall(r'href="/evidence/\d+/">([^<]+)</a>', table)


def events(action: str, **lookup) -> list[AuditEvent]:
    """Audit events on evidence items (not the reviews and exchanges set up around them)."""
    return list(
        AuditEvent.objects.filter(
            action=action, object_type="evidence.EvidenceItem", **lookup
        ).order_by("id")
    )


def changes() -> int:
    return AuditEvent.objects.exclude(action__in=["list", "view", "download"]).count()


def on_team(world, review: Review, user, days: tuple[int, int] = (-1, 60)) -> TeamMember:
    """`user` on the review's team, declared, with a window from `days[0]` to `days[1]`
    days from now (set by Salford's lead)."""
    member = add_member(world, review, user, "independent_adviser")
    now = timezone.now()
    review_services.team_member_set_window(
        actor=actor_for(world.salford_lead),
        review_id=review.pk,
        member_id=member.pk,
        opens_at=now + timedelta(days=days[0]),
        closes_at=now + timedelta(days=days[1]),
    )
    return member


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "not a pdf")
    return buffer.getvalue()


def ready_document(world, title="Threshold document", name="threshold.pdf") -> EvidenceItem:
    item = make_item(
        world,
        kind="document",
        title=title,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        scan_status="ready",
    )
    item.file.save(f"evidence/test/{item.pk}.pdf", ContentFile(PDF))
    return item


# --- the library ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["salford_lead", "salford_manager", "salford_member"])
def test_every_member_sees_the_library_with_its_status_tags(world, client_for, who):
    review = review_in_fieldwork(world)
    shared = make_item(world, title="Board minutes")
    make_item(world, title="Referral figures", kind="data")
    make_item(world, title="Scanned file", kind="document", scan_status="scanning")
    share_directly(shared, review, world.salford_lead)

    response = client_for(getattr(world, who)).get(url("library"))

    assert response.status_code == 200
    page = squash(response)
    assert titles(response) == ["Scanned file", "Referral figures", "Board minutes"]
    assert "Shared with 1 review" in page
    assert page.count("Private") >= 2
    assert "Scanning" in page
    assert "Evidence library – " in text(response)


def test_a_restricted_item_is_listed_only_for_the_people_granted_it(world, client_for):
    services.evidence_add(
        actor=actor_for(world.salford_lead),
        partnership_id=world.salford.pk,
        kind="other",
        title="Case notes",
        sensitivity="restricted",
    )
    assert titles(client_for(world.salford_lead).get(url("library"))) == ["Case notes"]
    assert "Restricted" in squash(client_for(world.salford_lead).get(url("library")))
    assert titles(client_for(world.salford_manager).get(url("library"))) == []


def test_another_partnership_sees_its_own_empty_library_and_none_of_salfords(world, client_for):
    make_item(world, title="Salford's minutes")
    response = client_for(world.bolton_member).get(url("library"))
    page = squash(response)
    assert response.status_code == 200
    assert "Salford's minutes" not in page
    assert "There is no evidence in the library yet" in page
    assert "Add your first piece of evidence" in page
    assert not events("list")  # an empty page lists nothing


def test_someone_without_a_partnership_is_pointed_to_their_reviews(world, client_for):
    review = review_in_fieldwork(world)
    on_team(world, review, world.adviser)
    response = client_for(world.adviser).get(url("library"))
    page = squash(response)
    assert "You do not belong to a partnership" in page
    assert reverse("evidence:review-library", args=[review.pk]) in text(response)
    # No library of their own, so no Evidence in the service navigation.
    assert ">Evidence</a>" not in text(response)
    assert ">Evidence</a>" in text(client_for(world.salford_member).get(reverse("web:home")))


def test_someone_in_two_partnerships_chooses_which_library(world, client_for):
    Membership.objects.create(user=world.salford_lead, partnership=world.bolton, role=Role.LEAD)
    make_item(world, title="Salford's minutes")
    client = client_for(world.salford_lead)

    choose = client.get(url("library"))
    assert "Which partnership's evidence do you want to see?" in text(choose)
    assert "?partnership=salford" in text(choose) and "?partnership=bolton" in text(choose)
    assert titles(client.get(url("library") + "?partnership=salford")) == ["Salford's minutes"]
    assert titles(client.get(url("library") + "?partnership=bolton")) == []
    assert client.get(url("library") + "?partnership=wigan").status_code == 404


def test_the_library_filters_by_kind_area_sensitivity_and_text(world, client_for):
    review = review_of_salford(world)
    area = review.areas.all()[0]
    minutes = make_item(world, title="Board minutes", description="Quarterly")
    minutes.areas.set([area])
    make_item(world, title="Audit figures", kind="data", sensitivity="sensitive")
    client = client_for(world.salford_member)

    assert titles(client.get(url("library") + "?kind=data")) == ["Audit figures"]
    assert titles(client.get(url("library") + f"?area={area.pk}")) == ["Board minutes"]
    assert titles(client.get(url("library") + "?sensitivity=sensitive")) == ["Audit figures"]
    assert titles(client.get(url("library") + "?q=quarterly")) == ["Board minutes"]
    nothing = client.get(url("library") + "?q=nothing+like+this")
    assert "No evidence matches your filters" in squash(nothing)


def test_a_filter_value_from_elsewhere_is_refused_by_name(world, client_for):
    review_of_salford(world)
    bolton_area = Review.objects.get(reviewed_partnership=world.bolton).areas.all()[0]
    make_item(world, title="Board minutes")
    response = client_for(world.salford_member).get(
        url("library") + f"?area={bolton_area.pk}&kind=poem"
    )
    assert response.status_code == 400
    assert error_summary(response) == [
        "Select a kind of evidence from the list",
        "Select an area of focus from the list",
    ]
    assert titles(response) == []
    assert "<title>Error: " in text(response)


def test_the_library_sorts_by_title_kind_and_date(world, client_for):
    make_item(world, title="Bravo", kind="other")
    make_item(world, title="Alpha", kind="data")
    make_item(world, title="Charlie", kind="meeting")
    client = client_for(world.salford_member)
    assert titles(client.get(url("library") + "?sort=title")) == ["Alpha", "Bravo", "Charlie"]
    assert titles(client.get(url("library") + "?sort=-title")) == ["Charlie", "Bravo", "Alpha"]
    assert titles(client.get(url("library") + "?sort=kind")) == ["Alpha", "Charlie", "Bravo"]
    assert titles(client.get(url("library") + "?sort=added_at")) == ["Bravo", "Alpha", "Charlie"]
    page = text(client.get(url("library") + "?sort=title"))
    assert (
        'aria-sort="ascending"><a class="govuk-link govuk-link--no-visited-state" '
        'href="?sort=-title">Title' in page
    )
    # An unknown sort is the default order, not an error.
    assert titles(client.get(url("library") + "?sort=secret")) == ["Charlie", "Alpha", "Bravo"]


def test_the_library_pages_fifty_at_a_time_by_keyset(world, client_for):
    items = [make_item(world, title=f"Item {n:03}") for n in range(60)]
    client = client_for(world.salford_member)

    first = client.get(url("library"))
    assert len(titles(first)) == 50
    assert titles(first)[0] == "Item 059"
    next_href = f"?after={items[10].pk}"
    assert f'href="{next_href}" rel="next"' in text(first)

    second = client.get(url("library") + next_href)
    assert titles(second) == [f"Item {n:03}" for n in range(9, -1, -1)]
    assert 'rel="next"' not in text(second)
    back = re.search(r'href="(\?before=\d+)" rel="prev"', text(second))
    assert back
    assert titles(client.get(url("library") + back[1])) == titles(first)

    by_title = client.get(url("library") + "?sort=title&page=2")
    assert titles(by_title) == [f"Item {n:03}" for n in range(50, 60)]
    assert "Page 2 of 2" in text(by_title)


def test_the_library_query_count_is_constant(world, client_for):
    review = review_of_salford(world)
    area = review.areas.all()[0]
    client = client_for(world.salford_member)

    def page_with(n: int) -> int:
        EvidenceItem.objects.all().delete()
        for index in range(n):
            item = make_item(world, title=f"Item {index}")
            item.areas.set([area])
            share_directly(item, review, world.salford_lead)
        client.get(url("library"))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("library"))
        assert len(titles(response)) == n
        return len(queries)

    assert page_with(5) == page_with(50)


def test_every_page_of_the_library_is_audited_and_shown_in_the_access_log(world, client_for):
    items = [make_item(world, title=f"Item {n}") for n in range(3)]
    client_for(world.salford_member).get(url("library"))

    (listed,) = events("list")
    assert listed.detail == {"ids": [i.pk for i in reversed(items)], "count": 3}
    assert listed.owning_partnership_id == world.salford.pk
    log = squash(client_for(world.salford_lead).get(url("access-log")))
    assert "member@salford.test Listed 3 items" in log


# --- a review's evidence ---------------------------------------------------------------------


def test_a_reviewer_sees_exactly_the_shared_items_and_the_team_notes(world, client_for):
    review = review_in_fieldwork(world)
    on_team(world, review, world.adviser)
    shared = make_item(world, title="Shared minutes")
    make_item(world, title="Private figures")
    share_directly(shared, review, world.salford_lead)
    note = services.review_evidence_add(
        actor=actor_for(world.adviser),
        review_id=review.pk,
        kind="other",
        title="Team's own note",
    )

    response = client_for(world.adviser).get(url("review-library", review.pk))

    assert response.status_code == 200
    assert titles(response) == ["Team's own note", "Shared minutes"]
    page = squash(response)
    assert "Team notes" in page and "Shared" in page
    assert "Add the team's notes" in page
    (listed,) = events("list", owning_partnership_id=world.salford.pk)
    assert listed.detail["ids"] == [shared.pk]
    (team_listed,) = events("list", owning_partnership_id=world.bolton.pk)
    assert team_listed.detail["ids"] == [note.pk]


def test_the_reviewed_partnership_sees_what_it_shared_with_the_review(world, client_for):
    review = review_in_fieldwork(world)
    shared = make_item(world, title="Shared minutes")
    make_item(world, title="Private figures")
    share_directly(shared, review, world.salford_lead)
    response = client_for(world.salford_manager).get(url("review-library", review.pk))
    assert titles(response) == ["Shared minutes"]
    assert "Share evidence with the team" in text(response)


def test_the_reviewing_partnership_off_the_team_sees_the_review_but_no_evidence(world, client_for):
    review = review_in_fieldwork(world)
    share_directly(make_item(world, title="Shared minutes"), review, world.salford_lead)
    response = client_for(world.bolton_member).get(url("review-library", review.pk))
    assert response.status_code == 200
    assert titles(response) == []
    assert "There is no evidence for you to see yet" in squash(response)


def test_a_reviewer_whose_window_has_closed_gets_the_same_404_as_a_missing_review(
    world, client_for
):
    review = review_in_fieldwork(world)
    on_team(world, review, world.adviser, days=(-10, -1))
    client = client_for(world.adviser)
    closed = client.get(url("review-library", review.pk))
    missing = client.get(url("review-library", 999_999))
    assert closed.status_code == missing.status_code == 404
    assert without_token(closed) == without_token(missing)


# --- adding evidence ---------------------------------------------------------------------------


def test_adding_a_meeting_observation_checks_the_answers_before_saving(world, client_for):
    review = review_of_salford(world)
    area = review.areas.all()[0]
    client = client_for(world.salford_member)

    kinds = client.get(url("add"))
    assert "What kind of evidence are you adding?" in text(kinds)
    chosen = client.post(url("add"), {"kind": "meeting"})
    assert chosen["Location"] == url("add-details", "meeting")
    form = client.get(url("add-details", "meeting"))
    assert "Add a meeting observation" in text(form)
    assert "(review by Bolton SCP)" in text(form)
    answers = {
        "title": "Strategic board, March",
        "meeting_name": "Strategic board",
        "meeting_date-day": "2",
        "meeting_date-month": "3",
        "meeting_date-year": "2020",
        "working_well": "Partners challenge each other.",
        "areas": [str(area.pk)],
        "sensitivity": "official",
    }
    sent = client.post(url("add-details", "meeting"), answers)
    assert sent["Location"] == url("add-check")
    assert not EvidenceItem.objects.exists()  # nothing is saved before "Save"

    check = client.get(url("add-check"))
    page = squash(check)
    assert "Check your answers before saving" in page
    assert "Meeting name Strategic board" in page
    assert "Date of the meeting 2 March 2020" in page
    assert f"Which areas of focus does it inform? {area.title}" in page
    assert f'href="{url("add-details", "meeting")}#title"' in text(check)
    assert not EvidenceItem.objects.exists()

    saved = client.post(url("add-check"))
    item = EvidenceItem.objects.get()
    assert saved["Location"] == url("item", item.pk)
    assert (item.kind, item.partnership, item.meeting_name) == (
        "meeting",
        world.salford,
        "Strategic board",
    )
    assert list(item.areas.all()) == [area]
    assert events("create")[0].object_id == str(item.pk)
    assert "‘Strategic board, March’ has been added." in text(client.get(saved["Location"]))
    # The answers are gone: the check page starts again.
    assert client.get(url("add-check"))["Location"] == url("add")


def test_choosing_no_kind_says_so(world, client_for):
    response = client_for(world.salford_member).post(url("add"), {})
    assert response.status_code == 400
    assert error_summary(response) == ["Select the kind of evidence"]


def test_a_meeting_observation_with_nothing_typed_gets_every_message(world, client_for):
    response = client_for(world.salford_member).post(url("add-details", "meeting"), {})
    assert response.status_code == 400
    assert error_summary(response) == [
        "Enter a title",
        "Enter the name of the meeting",
        "Enter the date of the meeting",
        "Enter what is working well, or what is not working so well",
        "Select how sensitive the evidence is",
    ]
    assert "<title>Error: Add a meeting observation" in text(response)
    assert not EvidenceItem.objects.exists() and not AuditEvent.objects.exists()


def test_a_meeting_date_must_be_real_and_past(world, client_for):
    client = client_for(world.salford_member)
    base = {"title": "Board", "meeting_name": "Board", "working_well": "Yes"}
    base["sensitivity"] = "official"
    future = timezone.localdate() + timedelta(days=3)
    cases = [
        (
            {"meeting_date-day": "31", "meeting_date-month": "2", "meeting_date-year": "2026"},
            "Date of the meeting must be a real date",
        ),
        (
            {"meeting_date-day": "1", "meeting_date-month": "", "meeting_date-year": "2026"},
            "Date of the meeting must include a month",
        ),
        (
            {
                "meeting_date-day": str(future.day),
                "meeting_date-month": str(future.month),
                "meeting_date-year": str(future.year),
            },
            "Date of the meeting must be today or in the past",
        ),
    ]
    for dates, message in cases:
        response = client.post(url("add-details", "meeting"), {**base, **dates})
        assert error_summary(response) == [message]
    assert not EvidenceItem.objects.exists()


def test_an_interviewee_is_named_only_with_their_consent(world, client_for):
    client = client_for(world.salford_member)
    answers = {
        "title": "Designated nurse",
        "interviewee_role": "Designated nurse",
        "interviewee_name": "Pat Smith",
        "interviewed_by": "peer_team",
        "sensitivity": "sensitive",
    }
    refused = client.post(url("add-details", "interview"), answers)
    assert refused.status_code == 400
    assert error_summary(refused) == [
        "Only record the interviewee's name if they consented to being named"
    ]
    consented = client.post(url("add-details", "interview"), {**answers, "name_consented": "on"})
    assert consented["Location"] == url("add-check")
    assert "Pat Smith" in squash(client.get(url("add-check")))
    client.post(url("add-check"))
    item = EvidenceItem.objects.get()
    assert (item.interviewee_name, item.name_consented) == ("Pat Smith", True)


def test_an_interview_needs_a_role_and_who_interviewed(world, client_for):
    response = client_for(world.salford_member).post(
        url("add-details", "interview"), {"title": "Nurse", "sensitivity": "official"}
    )
    assert error_summary(response) == [
        "Enter the interviewee's role",
        "Select who carried out the interview",
    ]


def test_an_unknown_kind_is_not_found(world, client_for):
    assert client_for(world.salford_member).get(url("add-details", "poem")).status_code == 404


def test_a_document_is_uploaded_stored_under_a_server_name_and_shows_scanning(world, client_for):
    client = client_for(world.salford_member)
    form = client.get(url("add-details", "document"))
    assert 'enctype="multipart/form-data"' in text(form)
    assert UPLOAD_HINT in text(form)

    response = client.post(
        url("add-details", "document"),
        {
            "title": "Threshold document",
            "sensitivity": "official",
            "file": SimpleUploadedFile("../../etc/threshold.pdf", PDF),
        },
    )

    item = EvidenceItem.objects.get()
    assert response["Location"] == url("item", item.pk)
    assert SERVER_NAME.match(str(item.file.name))
    assert (item.original_name, item.scan_status) == ("threshold.pdf", "scanning")
    page = squash(client.get(response["Location"]))
    assert "The file is being checked for viruses" in page
    assert "Scanning" in page
    assert "Download" not in page


def test_an_oversize_file_is_refused_with_the_limit_and_nothing_is_written(world, client_for):
    too_big = PDF + b"0" * (20 * 1024 * 1024)
    response = client_for(world.salford_member).post(
        url("add-details", "document"),
        {
            "title": "Big",
            "sensitivity": "official",
            "file": SimpleUploadedFile("big.pdf", too_big),
        },
    )
    assert response.status_code == 413
    assert error_summary(response) == ["The selected file must be smaller than 20MB"]
    assert not EvidenceItem.objects.exists() and not AuditEvent.objects.exists()


def test_a_renamed_zip_is_refused_by_what_it_is_and_nothing_is_written(world, client_for):
    response = client_for(world.salford_member).post(
        url("add-details", "document"),
        {
            "title": "Renamed",
            "sensitivity": "official",
            "file": SimpleUploadedFile("renamed.pdf", zip_bytes()),
        },
    )
    assert response.status_code == 415
    assert error_summary(response) == ["The selected file is a ZIP archive, not a PDF"]
    assert not EvidenceItem.objects.exists() and not AuditEvent.objects.exists()


def test_a_document_with_no_file_and_other_mistakes_gets_every_message(world, client_for):
    response = client_for(world.salford_member).post(
        url("add-details", "document"), {"areas": ["999999"]}
    )
    assert response.status_code == 400
    assert error_summary(response) == [
        "Enter a title",
        "Select a file to upload",
        "Select areas of focus from the list",
        "Select how sensitive the evidence is",
    ]
    assert not EvidenceItem.objects.exists()


def test_someone_without_a_partnership_cannot_add_to_a_library(world, client_for):
    response = client_for(world.adviser).get(url("add"))
    assert response.status_code == 403
    assert "Review team members add their notes from the review's evidence page" in text(response)


def test_a_team_member_adds_the_teams_notes_from_the_review(world, client_for):
    review = review_in_fieldwork(world)
    on_team(world, review, world.adviser)
    client = client_for(world.adviser)
    kinds = client.get(url("review-add", review.pk))
    assert "Document" not in text(kinds)  # files belong to a partnership's library
    client.post(url("review-add", review.pk), {"kind": "other"})
    sent = client.post(
        url("review-add-details", review.pk, "other"),
        {"title": "Hub visit", "sensitivity": "official"},
    )
    assert sent["Location"] == url("review-add-check", review.pk)
    saved = client.post(url("review-add-check", review.pk))
    note = EvidenceItem.objects.get()
    assert saved["Location"] == url("item", note.pk)
    assert (note.review, note.partnership) == (review, None)


def test_only_the_team_with_an_open_window_adds_notes(world, client_for):
    review = review_in_fieldwork(world)
    on_team(world, review, world.adviser, days=(5, 60))
    for user in (world.salford_lead, world.bolton_member):
        response = client_for(user).get(url("review-add", review.pk))
        assert response.status_code == 403
        assert "Only members of the review team can add its notes" in text(response)
    assert client_for(world.adviser).get(url("review-add", review.pk)).status_code == 403
    assert client_for(world.outsider).get(url("review-add", review.pk)).status_code == 404


# --- an item -------------------------------------------------------------------------------------


def test_the_item_page_shows_every_field_who_can_see_it_and_its_access_log(world, client_for):
    review = review_in_fieldwork(world)
    item = services.evidence_add(
        actor=actor_for(world.salford_member),
        partnership_id=world.salford.pk,
        kind="meeting",
        title="Strategic board",
        meeting_name="Strategic board",
        meeting_date=timezone.localdate() - timedelta(days=2),
        working_well="Challenge",
        not_working_well="Attendance",
    )
    services.evidence_share(
        actor=actor_for(world.salford_manager), item_ids=[item.pk], review_id=review.pk
    )

    response = client_for(world.salford_lead).get(url("item", item.pk))

    page = squash(response)
    assert "What is working well Challenge" in page
    assert "What is not working so well Attendance" in page
    assert "Who can see this" in page
    assert "Salford SCP Members, by role. 3 people can see it now." in page
    assert "Team reviewing Salford SCP, from Bolton SCP" in page
    assert "Who has seen this" in page
    assert "lead@salford.test Viewed" in page
    assert "manager@salford.test Shared with the team from Bolton SCP" in page
    assert f'href="{url("unshare", item.pk, review.pk)}"' in text(response)
    (viewed,) = events("view")
    assert viewed.object_id == str(item.pk)


def test_a_member_sees_why_they_cannot_read_the_access_log(world, client_for):
    item = make_item(world, by=world.salford_lead)
    page = squash(client_for(world.salford_member).get(url("item", item.pk)))
    assert (
        "Only a lead or business manager of Salford SCP can see who has viewed this evidence"
        in page
    )
    assert "lead@salford.test" not in page  # the log is not shown
    assert url("edit", item.pk) not in page


def test_a_reviewer_sees_a_shared_item_without_the_owners_names(world, client_for):
    review = review_in_fieldwork(world)
    on_team(world, review, world.adviser)
    item = make_item(world, title="Shared minutes", by=world.salford_lead)
    share_directly(item, review, world.salford_lead)
    response = client_for(world.adviser).get(url("item", item.pk))
    page = squash(response)
    assert response.status_code == 200
    assert "by a member of Salford SCP" in page
    assert "Only members of Salford SCP see their names" in page
    assert "lead@salford.test" not in page
    assert "Stop sharing" not in page


@pytest.mark.parametrize("page", ["item", "download", "edit", "delete", "access"])
@pytest.mark.parametrize("who", ["bolton_lead", "bolton_member", "adviser", "outsider", "staff"])
def test_a_foreign_item_is_the_same_404_as_a_missing_one(world, client_for, page, who):
    item = ready_document(world)
    client = client_for(getattr(world, who))
    foreign = client.get(url(page, item.pk))
    missing = client.get(url(page, 999_999))
    assert foreign.status_code == missing.status_code == 404
    assert without_token(foreign) == without_token(missing)
    assert not events("view") and not events("download")


def test_a_download_is_an_audited_attachment_that_is_never_sniffed(world, client_for):
    item = ready_document(world, name="Threshold ‘2026’.pdf")
    response = client_for(world.salford_member).get(url("download", item.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert "Threshold%20%E2%80%982026%E2%80%99.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    (downloaded,) = events("download")
    assert downloaded.object_id == str(item.pk)
    log = squash(client_for(world.salford_lead).get(url("access-log")))
    assert "member@salford.test Downloaded Threshold document" in log


def test_a_file_still_being_scanned_is_not_served(world, client_for):
    item = ready_document(world)
    EvidenceItem.objects.filter(pk=item.pk).update(scan_status="scanning")
    response = client_for(world.salford_member).get(url("download", item.pk))
    assert response.status_code == 409
    assert "This file is still being checked for viruses" in text(response)
    assert not events("download")


def test_a_reviewer_downloads_in_the_window_and_gets_404_after_it_closes(world, client_for):
    work = fieldwork(world)
    item = ready_document(world)
    share_directly(item, work.review, world.salford_lead)
    with time_machine.travel(work.during, tick=False):
        during = client_for(world.bolton_manager).get(url("download", item.pk))
        assert during.status_code == 200
        assert b"".join(during.streaming_content) == PDF
    with time_machine.travel(work.closes + timedelta(minutes=1), tick=False):
        # Bolton's manager is on the team only: Bolton's membership reaches no evidence.
        after = client_for(world.bolton_manager).get(url("download", item.pk))
        missing = client_for(world.bolton_manager).get(url("download", 999_999))
    assert after.status_code == missing.status_code == 404
    assert without_token(after) == without_token(missing)
    assert len(events("download")) == 1


def test_changing_an_item_checks_the_answers_and_saves(world, client_for):
    item = make_item(world, kind="other", title="Old title", by=world.salford_member)
    client = client_for(world.salford_member)
    form = client.get(url("edit", item.pk))
    assert 'value="Old title"' in text(form)
    refused = client.post(url("edit", item.pk), {"title": "", "sensitivity": "official"})
    assert refused.status_code == 400
    assert error_summary(refused) == ["Enter a title"]
    item.refresh_from_db()
    assert item.title == "Old title"
    saved = client.post(url("edit", item.pk), {"title": "New title", "sensitivity": "official"})
    assert saved["Location"] == url("item", item.pk)
    item.refresh_from_db()
    assert item.title == "New title"
    assert events("update")[0].detail["fields"] == ["title"]


def test_a_member_who_did_not_add_an_item_cannot_change_it(world, client_for):
    item = make_item(world, by=world.salford_lead)
    for page in ("edit", "delete"):
        response = client_for(world.salford_member).get(url(page, item.pk))
        assert response.status_code == 403
        assert (
            "Only the person who added this evidence, or a lead or business manager of "
            "Salford SCP, can" in text(response)
        )


def test_deleting_asks_first_and_refuses_while_shared(world, client_for):
    review = review_in_fieldwork(world)
    item = make_item(world, title="Minutes")
    share_directly(item, review, world.salford_lead)
    client = client_for(world.salford_manager)
    confirm = client.get(url("delete", item.pk))
    assert "Are you sure you want to delete ‘Minutes’?" in text(confirm)
    refused = client.post(url("delete", item.pk))
    assert refused.status_code == 409
    assert error_summary(refused) == [
        "This evidence is shared with the review by Bolton SCP. Stop sharing it before deleting it."
    ]
    assert EvidenceItem.objects.filter(pk=item.pk).exists()
    EvidenceShare.objects.all().delete()
    deleted = client.post(url("delete", item.pk))
    assert deleted["Location"] == url("library")
    assert not EvidenceItem.objects.exists()


def test_a_restricted_item_is_opened_to_a_member_and_closed_again(world, client_for):
    item = services.evidence_add(
        actor=actor_for(world.salford_lead),
        partnership_id=world.salford.pk,
        kind="other",
        title="Case notes",
        sensitivity="restricted",
    )
    client = client_for(world.salford_lead)
    page = client.get(url("access", item.pk))
    assert "Who can see this restricted evidence" in text(page)
    assert f'value="{world.salford_member.pk}"' in text(page)
    assert client_for(world.salford_member).get(url("item", item.pk)).status_code == 404

    nobody = client.post(url("access", item.pk), {"user": str(world.bolton_member.pk)})
    assert nobody.status_code == 400
    assert error_summary(nobody) == ["Select a member of Salford SCP"]

    given = client.post(url("access", item.pk), {"user": str(world.salford_member.pk)})
    assert given["Location"] == url("access", item.pk)
    assert client_for(world.salford_member).get(url("item", item.pk)).status_code == 200
    assert len(events("grant")) == 1

    removing = url("access-remove", item.pk, world.salford_member.pk)
    assert "Are you sure you want to remove" in text(client.get(removing))
    client.post(removing)
    assert client_for(world.salford_member).get(url("item", item.pk)).status_code == 404
    last = client.post(url("access-remove", item.pk, world.salford_lead.pk))
    assert last.status_code == 409
    assert "At least one person must keep access to restricted evidence" in text(last)


# --- sharing ------------------------------------------------------------------------------------


def test_sharing_chooses_the_review_then_the_items_then_checks_the_answers(world, client_for):
    review = review_in_fieldwork(world)
    minutes = make_item(world, title="Board minutes")
    figures = make_item(world, title="Referral figures", kind="data")
    make_item(world, title="Not this one")
    client = client_for(world.salford_manager)

    start = client.get(url("share"))
    assert "Review of Salford SCP by Bolton SCP" in text(start)
    assert "Review of Bolton SCP by Salford SCP" not in text(start)  # not Salford's to share
    chose = client.post(url("share"), {"review": str(review.pk)})
    assert chose["Location"] == url("share-items", review.pk)
    items = client.get(url("share-items", review.pk))
    assert "Which evidence do you want to share?" in text(items)
    ticked = client.post(
        url("share-items", review.pk),
        {"shown": [minutes.pk, figures.pk], "item_ids": [minutes.pk, figures.pk]},
    )
    assert ticked["Location"] == url("share-check", review.pk)
    assert not EvidenceShare.objects.exists()

    check = client.get(url("share-check", review.pk))
    assert (
        "You are about to share 2 items with the Bolton SCP review team. They will see them "
        "while their access is open." in squash(check)
    )
    assert not EvidenceShare.objects.exists()

    shared = client.post(url("share-check", review.pk))
    assert shared["Location"] == url("share-done", review.pk)
    assert {s.item_id for s in EvidenceShare.objects.filter(review=review)} == {
        minutes.pk,
        figures.pk,
    }
    assert {e.object_id for e in events("share")} == {str(minutes.pk), str(figures.pk)}
    done = squash(client.get(shared["Location"]))
    assert "Evidence shared 2 items shared with the Bolton SCP review team" in done
    log = squash(client_for(world.salford_lead).get(url("access-log")))
    assert "manager@salford.test Shared with the team from Bolton SCP Board minutes" in log


def test_ticks_on_other_filtered_views_are_kept(world, client_for):
    review = review_in_fieldwork(world)
    minutes = make_item(world, title="Board minutes")
    figures = make_item(world, title="Referral figures", kind="data")
    client = client_for(world.salford_manager)
    client.post(url("share-items", review.pk), {"shown": [minutes.pk], "item_ids": [minutes.pk]})
    client.post(url("share-items", review.pk), {"shown": [figures.pk], "item_ids": [figures.pk]})
    check = squash(client.get(url("share-check", review.pk)))
    assert "Board minutes" in check and "Referral figures" in check
    # Unticking one on its own view keeps the other.
    client.post(url("share-items", review.pk), {"shown": [figures.pk]})
    check = squash(client.get(url("share-check", review.pk)))
    assert "Board minutes" in check and "Referral figures" not in check


def test_sharing_nothing_says_so(world, client_for):
    review = review_in_fieldwork(world)
    item = make_item(world)
    response = client_for(world.salford_manager).post(
        url("share-items", review.pk), {"shown": [item.pk]}
    )
    assert response.status_code == 400
    assert error_summary(response) == ["Select the evidence to share"]


def test_a_foreign_item_in_a_share_is_not_found_and_nothing_is_written(world, client_for):
    review = review_in_fieldwork(world)
    mine = make_item(world, title="Salford's")
    bolton_item = make_item(world, world.bolton, by=world.bolton_member, title="Bolton's")
    client = client_for(world.salford_manager)
    for ids in ([mine.pk, bolton_item.pk], [mine.pk, 999_999], ["1 OR 1=1"]):
        response = client.post(url("share-items", review.pk), {"shown": ids, "item_ids": ids})
        assert response.status_code == 404
    # Nor through the check page, if the session were tampered with.
    session = client.session
    session["evidence_share_draft"] = {"review": review.pk, "items": [bolton_item.pk]}
    session.save()
    assert client.post(url("share-check", review.pk)).status_code == 302
    assert not EvidenceShare.objects.exists() and not events("share")


def test_sharing_with_another_partnerships_review_is_refused(world, client_for):
    review_in_fieldwork(world)
    bolton_review = Review.objects.get(reviewed_partnership=world.bolton)
    item = make_item(world)
    client = client_for(world.salford_lead)
    before = changes()
    for page in ("share-items", "share-check"):
        response = client.get(url(page, bolton_review.pk))
        assert response.status_code == 403
        assert "Evidence can only be shared with a review of the partnership that owns it" in (
            text(response)
        )
    posted = client.post(
        url("share-items", bolton_review.pk), {"shown": [item.pk], "item_ids": [item.pk]}
    )
    assert posted.status_code == 403
    assert not EvidenceShare.objects.exists() and changes() == before


def test_a_member_cannot_share(world, client_for):
    review = review_in_fieldwork(world)
    for page, args in (("share", ()), ("share-items", (review.pk,))):
        response = client_for(world.salford_member).get(url(page, *args))
        assert response.status_code == 403
        assert "Only a lead or business manager of Salford SCP can share its evidence." in (
            text(response)
        )


def test_a_file_still_being_scanned_cannot_be_ticked(world, client_for):
    review = review_in_fieldwork(world)
    make_item(world, title="Scanning file", kind="document", scan_status="scanning")
    page = squash(client_for(world.salford_manager).get(url("share-items", review.pk)))
    assert "Cannot be shared yet" in page


def test_stopping_sharing_asks_first_then_the_team_loses_the_item(world, client_for):
    review = review_in_fieldwork(world)
    on_team(world, review, world.adviser)
    item = make_item(world, title="Minutes")
    services.evidence_share(
        actor=actor_for(world.salford_manager), item_ids=[item.pk], review_id=review.pk
    )
    assert client_for(world.adviser).get(url("item", item.pk)).status_code == 200
    client = client_for(world.salford_manager)
    confirm = client.get(url("unshare", item.pk, review.pk))
    assert "Are you sure you want to stop sharing ‘Minutes’ with the team from Bolton SCP?" in (
        text(confirm)
    )
    assert EvidenceShare.objects.exists()
    stopped = client.post(url("unshare", item.pk, review.pk))
    assert stopped["Location"] == url("item", item.pk)
    assert not EvidenceShare.objects.exists()
    assert client_for(world.adviser).get(url("item", item.pk)).status_code == 404
    (revoked,) = events("revoke")
    assert revoked.object_id == str(item.pk)
    log = squash(client_for(world.salford_lead).get(url("access-log") + "?action=revoke"))
    assert "manager@salford.test Stopped sharing with the team from Bolton SCP Minutes" in log
    # Not shared any more: the confirmation is not found.
    assert client.get(url("unshare", item.pk, review.pk)).status_code == 404


def test_only_managers_stop_sharing(world, client_for):
    review = review_in_fieldwork(world)
    item = make_item(world)
    share_directly(item, review, world.salford_lead)
    response = client_for(world.salford_member).post(url("unshare", item.pk, review.pk))
    assert response.status_code == 403
    assert EvidenceShare.objects.exists() and not events("revoke")


# --- document requests ----------------------------------------------------------------------


def test_the_team_asks_for_a_document_and_the_owner_answers_by_sharing(world, client_for):
    review = review_in_fieldwork(world)
    on_team(world, review, world.adviser)
    team = client_for(world.adviser)

    empty = team.post(url("requests", review.pk), {"title": ""})
    assert empty.status_code == 400
    assert error_summary(empty) == ["Enter what you are asking for"]
    assert not DocumentRequest.objects.exists()

    asked = team.post(url("requests", review.pk), {"title": "Threshold document"})
    assert asked["Location"] == url("requests", review.pk)
    request = DocumentRequest.objects.get()
    page = squash(team.get(url("requests", review.pk)))
    assert "Threshold document" in page and "Open" in page

    owner = client_for(world.salford_manager)
    listing = text(owner.get(url("requests", review.pk)))
    answer = f"{url('share-items', review.pk)}?request={request.pk}"
    assert answer in listing
    item = make_item(world, title="Our thresholds")
    assert "You are answering the team's request for Threshold document" in squash(
        owner.get(answer)
    )
    owner.post(url("share-items", review.pk), {"shown": [item.pk], "item_ids": [item.pk]})
    assert "Answers the request Threshold document" in squash(
        owner.get(url("share-check", review.pk))
    )
    owner.post(url("share-check", review.pk))
    request.refresh_from_db()
    assert request.status == "answered"
    answered = squash(team.get(url("requests", review.pk)))
    assert "Answered" in answered and "Answered with: Our thresholds" in answered


def test_a_request_is_withdrawn_after_a_confirmation(world, client_for):
    review = review_in_fieldwork(world)
    request = services.document_request_create(
        actor=actor_for(world.bolton_lead), review_id=review.pk, title="Audit schedule"
    )
    withdraw = url("request-withdraw", review.pk, request.pk)
    assert withdraw in text(client_for(world.bolton_lead).get(url("requests", review.pk)))
    assert withdraw not in text(client_for(world.salford_lead).get(url("requests", review.pk)))
    assert client_for(world.salford_lead).get(withdraw).status_code == 403
    client = client_for(world.bolton_lead)
    assert "Are you sure you want to withdraw the request for ‘Audit schedule’?" in text(
        client.get(withdraw)
    )
    client.post(withdraw)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    again = client.post(withdraw)
    assert again.status_code == 409
    assert error_summary(again) == ["Only an open request can be withdrawn."]


def test_only_the_team_and_the_reviewing_lead_may_ask(world, client_for):
    review = review_in_fieldwork(world)
    assert "Ask for a document" not in text(
        client_for(world.salford_lead).get(url("requests", review.pk))
    )
    refused = client_for(world.salford_lead).post(url("requests", review.pk), {"title": "X"})
    assert refused.status_code == 403
    assert not DocumentRequest.objects.exists()


# --- coverage ------------------------------------------------------------------------------------


def test_coverage_counts_evidence_by_area_and_kind_and_flags_gaps(world, client_for):
    review = review_in_fieldwork(world)
    on_team(world, review, world.adviser)
    first, second = list(review.areas.all())[:2]
    meeting = make_item(world, kind="meeting", title="Board")
    meeting.areas.set([first])
    data = make_item(world, kind="data", title="Figures")
    data.areas.set([first, second])
    make_item(world, kind="other", title="Not shared").areas.set([second])
    for item in (meeting, data):
        share_directly(item, review, world.salford_lead)

    response = client_for(world.adviser).get(url("coverage", review.pk))

    page = squash(response)
    assert response.status_code == 200
    assert f"{first.title} 0 1 0 1 0 2" in page
    assert f"{second.title} 0 0 0 1 0 1" in page
    assert "All evidence 0 1 0 1 0 2" in page
    others = [a.title for a in review.areas.all()][2:]
    assert others and f"{others[0]} No evidence 0 0 0 0 0 0" in page
    assert not events("list")  # counts only
    # Bolton's lead is not on the team: the same grid, with nothing in it.
    outside = squash(client_for(world.bolton_lead).get(url("coverage", review.pk)))
    assert f"{first.title} No evidence 0 0 0 0 0 0" in outside


def test_the_review_overview_links_to_its_evidence_pages(world, client_for):
    review = review_in_fieldwork(world)
    page = text(client_for(world.salford_member).get(reverse("reviews:detail", args=[review.pk])))
    for name in ("review-library", "requests", "coverage"):
        assert url(name, review.pk) in page


# --- the partnership's access log -------------------------------------------------------------


def test_the_access_log_is_for_leads_and_business_managers(world, client_for):
    assert client_for(world.salford_lead).get(url("access-log")).status_code == 200
    assert client_for(world.salford_manager).get(url("access-log")).status_code == 200
    refused = client_for(world.salford_member).get(url("access-log"))
    assert refused.status_code == 403
    assert "Only a lead or business manager of Salford SCP can see who has viewed" in text(refused)
    assert client_for(world.adviser).get(url("access-log")).status_code == 403


def test_the_access_log_filters_by_action_and_pages(world, client_for):
    item = ready_document(world)
    member = client_for(world.salford_member)
    member.get(url("item", item.pk))
    member.get(url("download", item.pk))
    client = client_for(world.salford_lead)

    viewed = squash(client.get(url("access-log") + "?action=view"))
    assert "member@salford.test Viewed Threshold document" in viewed
    assert "member@salford.test Downloaded" not in viewed
    refused = client.get(url("access-log") + "?action=delete")
    assert refused.status_code == 400
    assert error_summary(refused) == ["Select what happened from the list"]

    for _ in range(55):
        member.get(url("item", item.pk))
    first = client.get(url("access-log"))
    assert text(first).count("member@salford.test") == 50
    next_href = re.search(r'href="(\?after=\d+)" rel="next"', text(first))
    assert next_href
    assert text(client.get(url("access-log") + next_href[1])).count("member@salford.test") == 7
