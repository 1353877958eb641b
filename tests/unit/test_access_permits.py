"""access.Permits answers "may this actor do X" for rows in hand, in memory, by
exactly the rules of `visible`: the flags every face shows rest on it."""

from __future__ import annotations

import pytest
import time_machine
from guardian.shortcuts import assign_perm

from evidence.models import DocumentRequest, EvidenceItem
from reviews.models import Review
from tenancy import access
from tenancy.models import Partnership
from tests.evidence_factories import fieldwork, make_item, share_directly

pytestmark = pytest.mark.django_db

PERMS = {
    EvidenceItem: ("view", "change", "share", "view_log"),
    DocumentRequest: ("view", "answer", "withdraw"),
    Review: ("view", "lead", "manage_team", "manage_access", "agree_scope", "advance"),
    Partnership: ("view", "add_evidence", "share_evidence", "view_evidence_log"),
}


def _rows(world):
    """Library items (open, restricted with and without a grant), a shared item,
    the team's notes (one restricted), a request, the review and both partnerships."""
    work = fieldwork(world)
    review = work.review
    restricted = make_item(world, title="Restricted", sensitivity="restricted")
    granted = make_item(world, title="Granted", sensitivity="restricted")
    assign_perm("view_evidenceitem", world.salford_lead, granted)
    shared = make_item(world, title="Shared", by=world.salford_lead)
    share_directly(shared, review, world.salford_lead)
    note = make_item(world, review=review, title="Note", by=world.bolton_manager)
    secret = make_item(
        world, review=review, title="Secret", by=world.bolton_manager, sensitivity="restricted"
    )
    assign_perm("view_evidenceitem", world.bolton_manager, secret)
    items = [make_item(world), make_item(world, world.bolton), restricted, granted, shared]
    items += [note, secret]
    request = DocumentRequest.objects.create(
        review=review, title="Audit", requested_by=world.bolton_lead
    )
    return work, items, request


def _agree(actor, rows) -> None:
    for model, perms in PERMS.items():
        mine = [row for row in rows if type(row) is model]
        page = access.permits(actor, mine)
        for perm in perms:
            expected = set(
                access.visible(actor, model, perm)
                .filter(pk__in=[r.pk for r in mine])
                .values_list("pk", flat=True)
            )
            assert {r.pk for r in mine if page.can(perm, r)} == expected, (model, perm)


@pytest.mark.parametrize("published", [False, True], ids=["fieldwork", "published"])
def test_permits_agree_with_visible_for_every_principal_and_permission(world, published):
    work, items, request = _rows(world)
    if published:
        Review.objects.filter(pk=work.review.pk).update(status="published")
    principals = [f"{p}_{r}" for p in ("salford", "bolton") for r in ("lead", "manager", "member")]
    principals += ["adviser", "staff", "outsider"]
    for moment in (work.during, work.closes):
        with time_machine.travel(moment, tick=False):
            rows = [
                *EvidenceItem.objects.select_related("review").filter(pk__in=[i.pk for i in items]),
                DocumentRequest.objects.select_related("review").get(pk=request.pk),
                Review.objects.get(pk=work.review.pk),
                world.salford,
                world.bolton,
            ]
            for name in principals:
                _agree(access.actor_for(getattr(world, name)), rows)
            _agree(access.ANONYMOUS, rows)


def test_a_page_of_items_costs_one_query_whichever_rows_are_restricted(
    world, django_assert_num_queries
):
    _, items, _ = _rows(world)
    rows = list(EvidenceItem.objects.select_related("review").filter(pk__in=[i.pk for i in items]))
    open_rows = [row for row in rows if row.sensitivity != "restricted"]
    lead = access.actor_for(world.salford_lead)
    member = access.actor_for(world.salford_member)

    for page_rows in (open_rows, rows):
        with django_assert_num_queries(1):
            page = access.permits(lead, page_rows)
            [page.can(perm, row) for perm in ("change", "share", "view_log") for row in page_rows]
    # No role of the member's reaches "change", "share" or "view_log": nothing to ask.
    with django_assert_num_queries(0):
        page = access.permits(member, rows)
        [page.can(perm, row) for perm in ("change", "share", "view_log") for row in rows]
