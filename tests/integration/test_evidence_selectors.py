"""Evidence selectors: the library list (filters, sort, constant queries), one
item, who can see it, the access log, document requests and the coverage grid."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import services as audit
from core.errors import NotFound, PermissionDenied, ValidationFailed
from evidence import selectors, services
from evidence.models import DocumentRequest
from evidence.selectors import EvidenceRow
from reviews import services as reviews
from tenancy.access import actor_for
from tests.evidence_factories import fieldwork, make_item, share_directly
from tests.factories import add_member

pytestmark = pytest.mark.django_db


def _row(item: EvidenceRow) -> tuple:
    """Everything a library row shows."""
    return (
        item.title,
        item.get_kind_display(),
        item.partnership.name if item.partnership else item.review_id,
        item.added_by.get_full_name(),
        [a.title for a in item.areas.all()],
        item.share_count,
    )


def _library(world, work, count: int) -> None:
    areas = list(work.review.areas.all()[:3])
    for n in range(count):
        item = make_item(world, title=f"Item {n}", kind=["document", "meeting", "other"][n % 3])
        item.areas.set(areas[: n % 4])
        share_directly(item, work.review, world.salford_manager)


@pytest.mark.parametrize("who", ["salford_member", "bolton_manager"])
def test_evidence_list_is_a_constant_number_of_queries_for_5_or_50_items(world, who):
    work = fieldwork(world)
    _library(world, work, 5)
    with time_machine.travel(work.during, tick=False):
        actor = actor_for(getattr(world, who))
        with CaptureQueriesContext(connection) as five:
            rows = [_row(i) for i in selectors.evidence_list(actor=actor)]
        assert len(rows) == 5
        _library(world, work, 45)
        with CaptureQueriesContext(connection) as fifty:
            rows = [_row(i) for i in selectors.evidence_list(actor=actor)]
        assert len(rows) == 50
    # The rows, their areas, and the share counts of the actor's own items, asked
    # whenever the actor has a partnership so that the page costs the same whatever
    # it holds.
    assert len(five) == len(fifty) == 3


def test_evidence_list_filters_and_sorts(world):
    work = fieldwork(world)
    area = work.review.areas.all()[0]
    board = make_item(world, kind="meeting", title="Board", description="quarterly board")
    board.areas.set([area])
    audit_doc = make_item(world, kind="document", title="Audit", sensitivity="sensitive")
    restricted = make_item(world, title="Zed", sensitivity="restricted")
    del restricted  # nobody holds a grant: listed for no one
    share_directly(audit_doc, work.review, world.salford_manager)
    member = actor_for(world.salford_member)

    def titles(**filters):
        return [i.title for i in selectors.evidence_list(actor=member, **filters)]

    assert titles() == ["Audit", "Board"]
    assert titles(kind="meeting") == ["Board"]
    assert titles(sensitivity="sensitive") == ["Audit"]
    assert titles(area_id=area.pk) == ["Board"]
    assert titles(q="QUARTERLY") == ["Board"]
    assert titles(review_id=work.review.pk) == ["Audit"]
    assert titles(partnership_id=world.salford.pk) == ["Audit", "Board"]
    assert titles(partnership_id=world.bolton.pk) == []
    assert titles(sort="title") == ["Audit", "Board"]
    assert titles(sort="-title") == ["Board", "Audit"]
    assert titles(sort="id") == ["Board", "Audit"]


def test_evidence_list_refuses_unknown_filter_values(world):
    with pytest.raises(ValidationFailed) as caught:
        selectors.evidence_list(
            actor=actor_for(world.salford_member),
            kind="video",
            sort="secret_column",
            area_id="x",
        )
    assert caught.value.message == "The evidence could not be listed."
    assert caught.value.field_errors == {
        "kind": ["Select a kind of evidence from the list"],
        "area": ["Select an area of focus from the list"],
        "sort": ["Sort by one of: -id, id, -added_at, added_at, title, -title, kind"],
    }


def test_share_count_is_for_the_owner_only(world):
    work = fieldwork(world)
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    [owned] = selectors.evidence_list(actor=actor_for(world.salford_member))
    assert owned.share_count == 1
    with time_machine.travel(work.during, tick=False):
        [seen] = selectors.evidence_list(actor=actor_for(world.bolton_manager))
    assert seen.share_count is None


def test_evidence_get_is_not_found_for_foreign_missing_and_malformed_ids(world):
    item = make_item(world)
    assert selectors.evidence_get(actor=actor_for(world.salford_member), item_id=item.pk) == item
    for who, item_id in (
        ("bolton_lead", item.pk),
        ("salford_member", 999_999),
        ("salford_member", "1 OR 1=1"),
        ("staff", item.pk),
    ):
        with pytest.raises(NotFound) as caught:
            selectors.evidence_get(actor=actor_for(getattr(world, who)), item_id=item_id)
        assert caught.value.message == "Not found."


# Who can see this ----------------------------------------------------------------------------


def test_who_can_see_a_shared_item_lists_members_by_role_and_the_team_with_its_window(world):
    work = fieldwork(world)
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    with time_machine.travel(work.during, tick=False):
        owner_view = selectors.who_can_see(actor=actor_for(world.salford_member), item=item)
    owners, team = owner_view.audiences
    assert owners.label == "Salford SCP"
    assert {p.email for p in owners.people} == {
        "lead@salford.test",
        "manager@salford.test",
        "member@salford.test",
    }
    assert team.review_id == work.review.pk
    assert [(p.email, p.role, p.can_see_now) for p in team.people] == [
        ("manager@bolton.test", "Lead reviewer", True)
    ]
    assert team.people[0].window_closes_at == work.closes

    with time_machine.travel(work.closes, tick=False):
        later = selectors.who_can_see(actor=actor_for(world.salford_member), item=item)
    assert later.audiences[1].count == 0


def test_a_reviewer_sees_the_owners_count_but_not_their_names(world):
    work = fieldwork(world)
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    with time_machine.travel(work.during, tick=False):
        view = selectors.who_can_see(actor=actor_for(world.bolton_manager), item=item)
    owners, team = view.audiences
    assert (owners.names_hidden, owners.people, owners.count) == (True, (), 3)
    assert [p.email for p in team.people] == ["manager@bolton.test"]


def test_who_can_see_a_restricted_item_is_the_granted_people(world):
    item = services.evidence_add(
        actor=actor_for(world.salford_manager),
        partnership_id=world.salford.pk,
        kind="other",
        title="Case file",
        sensitivity="restricted",
    )
    view = selectors.who_can_see(actor=actor_for(world.salford_manager), item=item)
    assert view.restricted
    assert [p.email for p in view.audiences[0].people] == ["manager@salford.test"]


def test_who_can_see_team_notes_adds_the_reviewed_leads_after_publication(world):
    work = fieldwork(world)
    add_member(world, work.review, world.adviser, "independent_adviser")
    note = make_item(world, review=work.review, by=world.bolton_manager)
    with time_machine.travel(work.during, tick=False):
        before = selectors.who_can_see(actor=actor_for(world.bolton_manager), item=note)
        bolton = actor_for(world.bolton_lead)
        for status in ("moderation", "reporting", "published"):
            reviews.review_transition(actor=bolton, review_id=work.review.pk, to_status=status)
        after = selectors.who_can_see(actor=actor_for(world.bolton_manager), item=note)
    team, leads = before.audiences
    assert {p.email for p in team.people if p.can_see_now} == {
        "manager@bolton.test",
        "adviser@independent.test",
    }
    assert [(p.email, p.can_see_now) for p in leads.people] == [("lead@salford.test", False)]
    assert [(p.email, p.can_see_now) for p in after.audiences[1].people] == [
        ("lead@salford.test", True)
    ]


# The access log ---------------------------------------------------------------------------------


def test_salfords_log_shows_every_read_by_the_bolton_reviewer(world):
    work = fieldwork(world)
    item = make_item(world)
    other = make_item(world, title="Other")
    share_directly(item, work.review, world.salford_manager)
    services.evidence_share(
        actor=actor_for(world.salford_manager), item_ids=[other.pk], review_id=work.review.pk
    )
    with time_machine.travel(work.during, tick=False):
        reviewer = actor_for(world.bolton_manager)
        page = list(selectors.evidence_list(actor=reviewer))
        services.evidence_listed(actor=reviewer, items=page)
        services.evidence_viewed(actor=reviewer, item=item)
    # A list page naming an id that merely contains this one's digits is not a read of it.
    audit.record(
        actor=reviewer,
        action="list",
        object_type="evidence.EvidenceItem",
        owning_partnership_id=world.salford.pk,
        detail={"ids": [int(f"{item.pk}0"), int(f"9{item.pk}")]},
    )
    manager = actor_for(world.salford_manager)
    item_log = list(selectors.access_log(actor=manager, item_id=item.pk))
    assert [(e.action, e.actor_email) for e in item_log] == [
        ("view", "manager@bolton.test"),
        ("list", "manager@bolton.test"),
    ]
    partnership_log = list(selectors.access_log(actor=manager, partnership_id=world.salford.pk))
    assert [e.action for e in partnership_log] == ["list", "view", "list", "share"]
    assert list(selectors.access_log(actor=manager)) == partnership_log


def test_only_the_owners_managers_read_the_log(world):
    item = make_item(world)
    with pytest.raises(PermissionDenied) as caught:
        selectors.access_log(actor=actor_for(world.salford_member), item_id=item.pk)
    assert caught.value.message == (
        "Only a lead or business manager of Salford SCP can see who has viewed this evidence."
    )
    with pytest.raises(PermissionDenied) as caught:
        selectors.access_log(actor=actor_for(world.salford_member), partnership_id=world.salford.pk)
    assert caught.value.message == (
        "Only a lead or business manager of Salford SCP can see who has viewed its evidence."
    )
    for who in ("bolton_lead", "staff", "analyst"):
        actor = actor_for(getattr(world, who))
        with pytest.raises(NotFound):
            selectors.access_log(actor=actor, item_id=item.pk)
        with pytest.raises(NotFound):
            selectors.access_log(actor=actor, partnership_id=world.salford.pk)
    services.evidence_viewed(actor=actor_for(world.salford_member), item=item)
    assert not selectors.access_log(actor=actor_for(world.bolton_lead)).exists()
    assert selectors.access_log(actor=actor_for(world.salford_lead)).count() == 1


# Document requests and coverage ---------------------------------------------------------------


def test_document_requests_show_only_answers_the_actor_can_see(world):
    work = fieldwork(world)
    request = DocumentRequest.objects.create(
        review=work.review, title="Threshold", requested_by=world.bolton_lead
    )
    item = make_item(world)
    services.evidence_share(
        actor=actor_for(world.salford_manager),
        item_ids=[item.pk],
        review_id=work.review.pk,
        request_id=request.pk,
    )
    [mine] = selectors.document_request_list(
        actor=actor_for(world.salford_member), review_id=work.review.pk
    )
    assert [s.item for s in mine.shares.all()] == [item]
    # The reviewing lead (no window) sees the request, not the evidence answering it.
    [theirs] = selectors.document_request_list(
        actor=actor_for(world.bolton_lead), review_id=work.review.pk
    )
    assert (theirs.status, list(theirs.shares.all())) == ("answered", [])
    with pytest.raises(NotFound):
        selectors.document_request_list(actor=actor_for(world.outsider), review_id=work.review.pk)


def test_coverage_counts_visible_items_by_area_and_kind(world):
    work = fieldwork(world)
    first_area, second_area = work.review.areas.all()[:2]
    board = make_item(world, kind="meeting")
    board.areas.set([first_area, second_area])
    doc = make_item(world, kind="document")
    doc.areas.set([first_area])
    loose = make_item(world, kind="data")
    make_item(world, kind="document").areas.set([first_area])  # not shared
    for item in (board, doc, loose):
        share_directly(item, work.review, world.salford_manager)
    with time_machine.travel(work.during, tick=False):
        note = make_item(world, review=work.review, by=world.bolton_manager, kind="interview")
        note.areas.set([second_area])
        reviewer = actor_for(world.bolton_manager)
        with CaptureQueriesContext(connection) as queries:
            grid = selectors.coverage(actor=reviewer, review_id=work.review.pk)
    assert len(queries) == 3  # the review, its areas, the (item, area) links
    first, second = grid.rows[:2]
    assert (first.counts["meeting"], first.counts["document"], first.total) == (1, 1, 2)
    assert (second.counts["meeting"], second.counts["interview"], second.total) == (1, 1, 2)
    assert (grid.unlinked.counts["data"], grid.unlinked.total) == (1, 1)
    assert grid.totals == {"document": 1, "meeting": 1, "interview": 1, "data": 1, "other": 0}
    assert grid.total == 4
    assert len(grid.gaps) == len(grid.rows) - 2

    # Salford sees what it shared, not the team's notes (not yet published).
    owner_grid = selectors.coverage(actor=actor_for(world.salford_member), review_id=work.review.pk)
    assert owner_grid.total == 3
    with pytest.raises(NotFound):
        selectors.coverage(actor=actor_for(world.outsider), review_id=work.review.pk)


def test_a_page_taken_rule_by_rule_is_exactly_the_page_of_the_or(world):
    """The list takes each page's ids rule by rule (tenancy.access.VisibleQuerySet):
    for every order, slice and filter, the page must be the one the plain OR gives.
    The Bolton manager reaches items by three rules (Bolton's own library, the team's
    notes, Salford's items shared with the team), interleaved in id order."""
    from evidence.models import EvidenceItem
    from tenancy import access

    work = fieldwork(world)
    for n in range(12):
        shared = make_item(world, title=f"S{n:02}", kind="meeting" if n % 3 else "other")
        if n % 2:
            share_directly(shared, work.review, world.salford_manager)
        make_item(world, world.bolton, title=f"B{n:02}", by=world.bolton_manager)
        if n % 4 == 0:
            make_item(world, review=work.review, title=f"N{n:02}", by=world.bolton_manager)
    with time_machine.travel(work.during, tick=False):
        actor = actor_for(world.bolton_manager)
        visible = access.visible(actor, EvidenceItem)
        assert len(visible._rules) == 3
        for order in (("-id",), ("id",), ("title", "id"), ("-title", "-id"), ("kind", "-id")):
            for narrowed in (visible, visible.filter(kind="meeting"), visible.exclude(pk=0)):
                plain = list(narrowed.order_by(*order).values_list("pk", flat=True))
                assert len(plain) >= 4
                by_rule = narrowed.paged_by_rule().order_by(*order)
                with CaptureQueriesContext(connection) as sent:
                    list(by_rule[0:5])
                assert " UNION " in sent.captured_queries[0]["sql"]
                for low, high in ((0, 5), (3, 9), (0, len(plain) + 5), (len(plain) - 2, 99)):
                    page = [item.pk for item in by_rule[low:high]]
                    assert page == plain[low:high], (order, low, high)
                after = plain[2]
                below = narrowed.filter(pk__lt=after).order_by(*order)
                expected = list(below.values_list("pk", flat=True)[:4])
                assert [i.pk for i in below.paged_by_rule()[:4]] == expected
