"""GraphQL for the evidence library: the same selectors and services as REST, the
same refusals (in `errors`, nothing written), audited reads, and a list whose
query count does not grow with the page."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from audit.models import AuditEvent
from evidence import services
from evidence.models import DocumentRequest, EvidenceItem, EvidenceShare
from tenancy.access import actor_for
from tests.evidence_factories import fieldwork, make_item, share_directly

pytestmark = pytest.mark.django_db

CHANGES = ["create", "update", "delete", "share", "revoke", "grant"]


def gql(client: Client, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = client.post(
        "/graphql/",
        json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def changes() -> int:
    return AuditEvent.objects.filter(action__in=CHANGES).count()


ITEMS = """
query($first: Int, $after: ID, $kind: EvidenceKind, $review: ID) {
  evidenceItems(first: $first, after: $after, kind: $kind, review: $review) {
    id title kind partnershipName addedBy shareCount canChange canShare
    areas { id title }
  }
}
"""


# --- reading --------------------------------------------------------------------------------


def test_members_list_their_library_with_flags_and_the_page_is_audited(world, client_for):
    mine = make_item(world, title="Mine", by=world.salford_member)
    theirs = make_item(world, title="Theirs", by=world.salford_lead)
    make_item(world, world.bolton, by=world.bolton_member, title="Bolton's")

    body = gql(client_for(world.salford_member), ITEMS)

    assert body["data"]["evidenceItems"] == [
        {
            "id": str(item.pk),
            "title": item.title,
            "kind": "other",
            "partnershipName": "Salford SCP",
            "addedBy": adder,
            "shareCount": 0,
            "canChange": can_change,
            "canShare": False,
            "areas": [],
        }
        for item, adder, can_change in ((theirs, "Lead", False), (mine, "Member", True))
    ]
    event = AuditEvent.objects.get(action="list")
    assert event.detail == {"ids": [theirs.pk, mine.pk], "count": 2}


def test_strangers_and_anonymous_get_an_empty_list(world, client_for):
    make_item(world)
    for client in (client_for(world.bolton_lead), client_for(world.staff)):
        assert gql(client, ITEMS)["data"]["evidenceItems"] == []
    assert Client().post("/graphql/", {"query": ITEMS}, "application/json").status_code == 401
    assert not AuditEvent.objects.filter(action="list").exists()


def test_the_list_pages_by_keyset(world, client_for):
    items = [make_item(world, title=f"Item {n}") for n in range(5)]
    client = client_for(world.salford_member)

    first = gql(client, ITEMS, {"first": 2})["data"]["evidenceItems"]
    second = gql(client, ITEMS, {"first": 2, "after": first[-1]["id"]})["data"]["evidenceItems"]
    last = gql(client, ITEMS, {"first": 2, "after": second[-1]["id"]})["data"]["evidenceItems"]

    newest_first = [str(item.pk) for item in reversed(items)]
    assert [row["id"] for row in first + second + last] == newest_first


def test_a_page_size_out_of_range_is_an_error(world, client_for):
    body = gql(client_for(world.salford_member), ITEMS, {"first": 201})

    assert body["data"] is None
    assert body["errors"][0]["message"] == "The page could not be read."


def test_a_reviewer_sees_shared_items_only_while_the_window_is_open(world, client_for):
    work = fieldwork(world)
    shared = make_item(world, title="Shared", kind="meeting")
    make_item(world, title="Private")
    share_directly(shared, work.review, world.salford_manager)

    with time_machine.travel(work.during, tick=False):
        during = gql(client_for(world.bolton_manager), ITEMS, {"review": work.review.pk})
    with time_machine.travel(work.closes, tick=False):
        after = gql(client_for(world.bolton_manager), ITEMS)

    (row,) = during["data"]["evidenceItems"]
    assert (row["title"], row["addedBy"], row["shareCount"], row["canShare"]) == (
        "Shared",
        None,
        None,
        False,
    )
    assert after["data"]["evidenceItems"] == []


ITEM = "query($id: ID!) { evidenceItem(id: $id) { id title workingWell canChange } }"


def test_one_item_is_audited_and_a_foreign_one_is_null_like_a_missing_one(world, client_for):
    item = make_item(world, kind="meeting", title="Board", working_well="Challenge")

    owner = gql(client_for(world.salford_manager), ITEM, {"id": item.pk})
    foreign = gql(client_for(world.bolton_lead), ITEM, {"id": item.pk})
    missing = gql(client_for(world.bolton_lead), ITEM, {"id": 999999})

    assert owner["data"]["evidenceItem"] == {
        "id": str(item.pk),
        "title": "Board",
        "workingWell": "Challenge",
        "canChange": True,
    }
    assert foreign == missing == {"data": {"evidenceItem": None}}
    assert AuditEvent.objects.filter(action="view").count() == 1


def _bearer(user) -> Client:
    raw = account_services.api_token_create(user=user, name="count").raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _queries(client: Client, query: str) -> list[str]:
    gql(client, query)  # warm-up: the token's last use and per-process caches
    with CaptureQueriesContext(connection) as captured:
        body = gql(client, query)
    assert "errors" not in body, body
    return [q["sql"] for q in captured.captured_queries]


def _fixed(sql: str) -> bool:
    """What every audited read pays whatever it lists (see test_evidence_api)."""
    return bool(
        re.match(r"^(SAVEPOINT|RELEASE SAVEPOINT|SELECT pg_advisory_xact_lock)", sql)
        or re.search(
            r'FROM "(accounts_apitoken|tenancy_membership|tenancy_allianceanalyst|'
            r'tenancy_accesswindow|auth_group|audit_auditevent)"',
            sql,
        )
        or sql.startswith('INSERT INTO "audit_auditevent"')
    )


@pytest.mark.parametrize(
    ("selection", "flags"),
    [("id title areas { id title } partnershipName addedBy", 0), ("id canChange canShare", 2)],
    ids=["without-flags", "with-flags"],
)
def test_the_list_costs_the_same_queries_for_5_or_50_items(world, selection, flags):
    """P2: 5 and 50 rows cost the same. P5: the flags cost one query each for the
    page, and nothing when they are not asked for."""
    work = fieldwork(world)
    areas = list(work.review.areas.all()[:3])
    query = f"{{ evidenceItems(first: 50) {{ {selection} }} }}"

    def library(count: int) -> None:
        for n in range(count):
            item = make_item(world, title=f"Item {n}", by=world.salford_lead)
            item.areas.set(areas[: n % 4])
            share_directly(item, work.review, world.salford_lead)

    client = _bearer(world.salford_manager)
    library(5)
    five = _queries(client, query)
    library(45)
    fifty = _queries(client, query)

    assert len(gql(client, query)["data"]["evidenceItems"]) == 50
    assert len(five) == len(fifty)
    listing = [sql for sql in fifty if not _fixed(sql)]
    assert len(listing) == 2 + flags, listing
    assert len(fifty) - len(listing) == (9 if connection.vendor == "sqlite" else 10)


def test_document_requests_coverage_and_the_access_log(world, client_for):
    work = fieldwork(world)
    item = make_item(world, kind="meeting")
    item.areas.set([work.review.areas.order_by("position")[0]])
    share_directly(item, work.review, world.salford_manager)
    request = services.document_request_create(
        actor=actor_for(world.bolton_lead), review_id=work.review.pk, title="Audit schedule"
    )
    services.evidence_viewed(actor=actor_for(world.salford_member), item=item)
    query = """
    query($r: ID!, $i: ID!) {
      documentRequests(review: $r) { id title status requestedBy }
      evidenceCoverage(review: $r) { total rows { total counts { kind count } } }
      evidenceAccessLog(item: $i) { action actorEmail itemId }
    }
    """
    variables = {"r": work.review.pk, "i": item.pk}

    manager = gql(client_for(world.salford_manager), query, variables)["data"]
    member = gql(client_for(world.salford_member), query, variables)["data"]
    stranger = gql(client_for(world.analyst), query, variables)["data"]

    assert manager["documentRequests"] == [
        {"id": str(request.pk), "title": "Audit schedule", "status": "open", "requestedBy": "Lead"}
    ]
    assert manager["evidenceCoverage"]["total"] == 1
    assert {"kind": "meeting", "count": 1} in manager["evidenceCoverage"]["rows"][0]["counts"]
    assert manager["evidenceAccessLog"] == [
        {"action": "view", "actorEmail": "member@salford.test", "itemId": str(item.pk)}
    ]
    # A member sees the item but may not read its log; a stranger sees nothing at all.
    assert member["evidenceAccessLog"] is None
    assert member["documentRequests"][0]["title"] == "Audit schedule"
    assert stranger == {
        "documentRequests": [],
        "evidenceCoverage": None,
        "evidenceAccessLog": None,
    }


# --- writing --------------------------------------------------------------------------------

ADD = """
mutation($p: ID, $r: ID, $kind: EvidenceKind!, $title: String!, $date: Date, $well: String,
         $name: String, $areas: [ID!]) {
  addEvidence(partnership: $p, review: $r, kind: $kind, title: $title, meetingName: $name,
              meetingDate: $date, workingWell: $well, areas: $areas) {
    item { id title kind meetingName workingWell canChange areas { id } }
    errors { field messages }
  }
}
"""


def test_a_member_adds_a_meeting_observation(world, client_for):
    work = fieldwork(world)
    area = work.review.areas.all()[0]
    body = gql(
        client_for(world.salford_member),
        ADD,
        {
            "p": world.salford.pk,
            "kind": "MEETING",
            "title": "Strategic board",
            "name": "Strategic board",
            "date": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "well": "Partners challenge each other.",
            "areas": [area.pk],
        },
    )["data"]["addEvidence"]

    item = EvidenceItem.objects.get()
    assert body == {
        "item": {
            "id": str(item.pk),
            "title": "Strategic board",
            "kind": "meeting",
            "meetingName": "Strategic board",
            "workingWell": "Partners challenge each other.",
            "canChange": True,
            "areas": [{"id": str(area.pk)}],
        },
        "errors": [],
    }
    assert (
        AuditEvent.objects.filter(action="create", object_type="evidence.EvidenceItem").count() == 1
    )


def test_refusals_come_back_per_field_and_nothing_is_written(world, client_for):
    body = gql(
        client_for(world.salford_member),
        ADD,
        {"p": world.salford.pk, "kind": "MEETING", "title": " "},
    )["data"]["addEvidence"]

    assert body == {
        "item": None,
        "errors": [
            {"field": None, "messages": ["The evidence could not be added."]},
            {"field": "title", "messages": ["Enter a title"]},
            {"field": "meeting_name", "messages": ["Enter the name of the meeting"]},
            {"field": "meeting_date", "messages": ["Enter the date of the meeting"]},
            {
                "field": "working_well",
                "messages": ["Enter what is working well, or what is not working so well"],
            },
        ],
    }
    assert not EvidenceItem.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_item_needs_exactly_one_owner(world, client_for):
    work = fieldwork(world)
    body = gql(
        client_for(world.salford_member),
        ADD,
        {"p": world.salford.pk, "r": work.review.pk, "kind": "OTHER", "title": "Both"},
    )["data"]["addEvidence"]

    assert body["errors"][1] == {
        "field": "partnership",
        "messages": ["Give a partnership, or a review for the team's own notes"],
    }
    assert not EvidenceItem.objects.exists()


def test_adding_to_another_partnerships_library_is_not_found(world, client_for):
    body = gql(
        client_for(world.bolton_lead), ADD, {"p": world.salford.pk, "kind": "OTHER", "title": "x"}
    )["data"]["addEvidence"]

    assert body["errors"] == [{"field": None, "messages": ["Not found."]}]
    assert not EvidenceItem.objects.exists()


UPDATE = """
mutation($i: ID!, $t: String) {
  updateEvidence(item: $i, title: $t) { item { id title } errors { field messages } }
}
"""
DELETE = "mutation($i: ID!) { deleteEvidence(item: $i) { deletedId errors { messages } } }"


def test_update_and_delete_for_managers_and_the_reason_for_members(world, client_for):
    item = make_item(world, title="Old", by=world.salford_lead)
    member, manager = client_for(world.salford_member), client_for(world.salford_manager)

    refused = gql(member, UPDATE, {"i": item.pk, "t": "Mine"})["data"]["updateEvidence"]
    changed = gql(manager, UPDATE, {"i": item.pk, "t": "New"})["data"]["updateEvidence"]
    not_deleted = gql(member, DELETE, {"i": item.pk})["data"]["deleteEvidence"]
    deleted = gql(manager, DELETE, {"i": item.pk})["data"]["deleteEvidence"]

    assert refused["errors"] == [
        {
            "field": None,
            "messages": [
                "Only the person who added this evidence, or a lead or business manager of "
                "Salford SCP, can change it."
            ],
        }
    ]
    assert changed == {"item": {"id": str(item.pk), "title": "New"}, "errors": []}
    assert not_deleted["deletedId"] is None
    assert deleted == {"deletedId": str(item.pk), "errors": []}
    assert not EvidenceItem.objects.exists()


SHARE = """
mutation($ids: [ID!]!, $r: ID!, $q: ID) {
  shareEvidence(itemIds: $ids, review: $r, request: $q) {
    shares { itemId title reviewId requestId }
    errors { field messages }
  }
}
"""
UNSHARE = """
mutation($i: ID!, $r: ID!) {
  unshareEvidence(item: $i, review: $r) { item { id shareCount } errors { messages } }
}
"""


def test_share_answer_a_request_and_unshare(world, client_for):
    work = fieldwork(world)
    item = make_item(world, title="Audit schedule")
    request = services.document_request_create(
        actor=actor_for(world.bolton_lead), review_id=work.review.pk, title="Audit"
    )
    manager = client_for(world.salford_manager)

    shared = gql(manager, SHARE, {"ids": [item.pk], "r": work.review.pk, "q": request.pk})
    request.refresh_from_db()
    status_after_share = request.status
    unshared = gql(manager, UNSHARE, {"i": item.pk, "r": work.review.pk})

    assert shared["data"]["shareEvidence"] == {
        "shares": [
            {
                "itemId": str(item.pk),
                "title": "Audit schedule",
                "reviewId": str(work.review.pk),
                "requestId": str(request.pk),
            }
        ],
        "errors": [],
    }
    assert status_after_share == "answered"
    assert unshared["data"]["unshareEvidence"] == {
        "item": {"id": str(item.pk), "shareCount": 0},
        "errors": [],
    }
    assert not EvidenceShare.objects.exists()


def test_a_foreign_item_in_a_share_is_not_found_and_nothing_is_written(world, client_for):
    work = fieldwork(world)
    ours = make_item(world)
    bolton = make_item(world, world.bolton, by=world.bolton_member)
    before = changes()

    body = gql(
        client_for(world.salford_manager), SHARE, {"ids": [ours.pk, bolton.pk], "r": work.review.pk}
    )["data"]["shareEvidence"]

    assert body == {"shares": None, "errors": [{"field": None, "messages": ["Not found."]}]}
    assert not EvidenceShare.objects.exists()
    assert changes() == before


REQUEST = """
mutation($r: ID!, $t: String!) {
  requestDocument(review: $r, title: $t) { request { id title status } errors { field messages } }
}
"""
WITHDRAW = """
mutation($q: ID!) {
  withdrawDocumentRequest(request: $q) { request { id status } errors { messages } }
}
"""


def test_the_team_requests_a_document_and_withdraws_it(world, client_for):
    work = fieldwork(world)

    with time_machine.travel(work.during, tick=False):
        reviewer = client_for(world.bolton_manager)
        asked = gql(reviewer, REQUEST, {"r": work.review.pk, "t": "Threshold document"})
        blank = gql(reviewer, REQUEST, {"r": work.review.pk, "t": " "})
        request_id = asked["data"]["requestDocument"]["request"]["id"]
        withdrawn = gql(reviewer, WITHDRAW, {"q": request_id})
    refused = gql(client_for(world.salford_lead), REQUEST, {"r": work.review.pk, "t": "x"})

    assert asked["data"]["requestDocument"]["request"]["status"] == "open"
    assert blank["data"]["requestDocument"]["errors"][1] == {
        "field": "title",
        "messages": ["Enter what you are asking for"],
    }
    assert withdrawn["data"]["withdrawDocumentRequest"] == {
        "request": {"id": request_id, "status": "withdrawn"},
        "errors": [],
    }
    assert refused["data"]["requestDocument"]["errors"][0]["messages"] == [
        "Only the review team, or a lead of Bolton SCP, can ask for documents."
    ]
    assert DocumentRequest.objects.count() == 1
