"""The chokepoint's rules for evidence (tenancy.access ROLE_MAPS, ARCHITECTURE.md
section 4): owners by role, restricted items by user grant, shared items through
the team's group grant only while a window is open, team notes for the team and,
after publication, the reviewed partnership's leads. Every rule has a tenant-B case.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from guardian.shortcuts import assign_perm

from accounts.models import User
from core.errors import NotFound
from evidence.models import (
    DocumentRequest,
    EvidenceItem,
    EvidenceItemGroupObjectPermission,
    EvidenceItemUserObjectPermission,
)
from reviews import services as reviews
from tenancy import access
from tenancy.access import actor_for
from tests.evidence_factories import fieldwork, make_item, share_directly
from tests.factories import add_member

pytestmark = pytest.mark.django_db

ONE_SECOND = timedelta(seconds=1)


def sees(user: User, item: EvidenceItem, perm: str = "view") -> bool:
    """visible(), can() and get_visible() must agree; a refusal is the plain NotFound."""
    actor = actor_for(user)
    listed = access.visible(actor, EvidenceItem, perm).filter(pk=item.pk).exists()
    assert access.can(actor, perm, item) is listed, "can() disagrees with visible()"
    try:
        access.get_visible(actor, EvidenceItem, item.pk, perm)
    except NotFound as error:
        assert str(error) == "Not found."
        fetched = False
    else:
        fetched = True
    assert fetched is listed, "get_visible() disagrees with visible()"
    return listed


# Owners, by role -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "view", "change", "share", "view_log"),
    [
        ("salford_member", True, False, False, False),
        ("salford_manager", True, True, True, True),
        ("salford_lead", True, True, True, True),
        ("bolton_member", False, False, False, False),
        ("bolton_manager", False, False, False, False),
        ("bolton_lead", False, False, False, False),
        ("adviser", False, False, False, False),
        ("analyst", False, False, False, False),
        ("staff", False, False, False, False),
        ("outsider", False, False, False, False),
    ],
)
def test_owning_partnership_sees_its_library_by_role(world, who, view, change, share, view_log):
    item = make_item(world)
    user = getattr(world, who)
    assert sees(user, item) is view
    assert sees(user, item, "change") is change
    assert sees(user, item, "share") is share
    assert sees(user, item, "view_log") is view_log


def test_members_list_their_own_library_and_never_the_other_partnerships(world):
    salford = make_item(world, title="Salford's")
    bolton = make_item(world, world.bolton, by=world.bolton_member, title="Bolton's")
    assert set(access.visible(actor_for(world.salford_member), EvidenceItem)) == {salford}
    assert set(access.visible(actor_for(world.bolton_member), EvidenceItem)) == {bolton}
    assert not access.visible(access.ANONYMOUS, EvidenceItem).exists()


# Restricted items -----------------------------------------------------------------


def test_restricted_item_needs_a_user_grant_even_for_a_lead(world):
    item = make_item(world, sensitivity="restricted")
    assert not sees(world.salford_lead, item)
    assert not sees(world.salford_lead, item, "change")
    assert not sees(world.salford_member, item)

    assign_perm("view_evidenceitem", world.salford_member, item)

    assert EvidenceItemUserObjectPermission.objects.filter(content_object=item).count() == 1
    assert sees(world.salford_member, item)
    assert not sees(world.salford_member, item, "change")  # the grant opens, the role decides
    assert not sees(world.salford_lead, item)


def test_user_grant_on_a_restricted_item_gives_another_partnership_nothing(world):
    item = make_item(world, sensitivity="restricted")
    assign_perm("view_evidenceitem", world.bolton_lead, item)
    assert not sees(world.bolton_lead, item)


def test_user_grant_on_an_ordinary_item_gives_another_partnership_nothing(world):
    item = make_item(world)
    assign_perm("view_evidenceitem", world.bolton_lead, item)
    assert not sees(world.bolton_lead, item)


def test_superuser_and_staff_flags_give_nothing(world):
    item = make_item(world)
    assert world.staff.is_superuser
    assert not sees(world.staff, item)


# Shared with a review team ----------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-ONE_SECOND, True), (timedelta(0), False), (ONE_SECOND, False)],
    ids=["end-minus-1s", "at-end", "end-plus-1s"],
)
def test_reviewer_sees_a_shared_item_only_while_the_window_is_open(world, offset, expected):
    work = fieldwork(world)
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    assert EvidenceItemGroupObjectPermission.objects.filter(
        content_object=item, group=work.review.team_group
    ).exists()

    with time_machine.travel(work.closes + offset, tick=False):
        assert sees(world.bolton_manager, item) is expected


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-ONE_SECOND, False), (timedelta(0), True)],
    ids=["opens-minus-1s", "at-opens"],
)
def test_reviewer_sees_nothing_before_the_window_opens(world, offset, expected):
    work = fieldwork(world)
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    with time_machine.travel(work.opens + offset, tick=False):
        assert sees(world.bolton_manager, item) is expected


def test_reviewer_sees_exactly_the_shared_items_and_cannot_change_them(world):
    work = fieldwork(world)
    shared = make_item(world, title="shared")
    make_item(world, title="not shared")
    share_directly(shared, work.review, world.salford_manager)
    with time_machine.travel(work.during, tick=False):
        listed = set(access.visible(actor_for(world.bolton_manager), EvidenceItem))
        assert listed == {shared}
        assert not sees(world.bolton_manager, shared, "change")
        assert not sees(world.bolton_manager, shared, "share")
        # The reviewing partnership's other members are not on the team.
        assert not sees(world.bolton_lead, shared)
        assert not sees(world.bolton_member, shared)


def test_shared_restricted_item_reaches_the_team_through_the_group_grant(world):
    """Sharing is an explicit grant to the team's group; rule 4 is about roles."""
    work = fieldwork(world)
    item = make_item(world, sensitivity="restricted")
    share_directly(item, work.review, world.salford_manager)
    with time_machine.travel(work.during, tick=False):
        assert sees(world.bolton_manager, item)
        assert not sees(world.salford_lead, item)


def test_removing_the_team_member_ends_access_on_the_next_request(world):
    work = fieldwork(world)
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    member = work.review.team.get(user=world.bolton_manager)
    with time_machine.travel(work.during, tick=False):
        assert sees(world.bolton_manager, item)
        reviews.team_member_remove(
            actor=actor_for(world.bolton_lead), review_id=work.review.pk, member_id=member.pk
        )
        assert not sees(world.bolton_manager, item)


def test_independent_adviser_on_the_team_sees_shared_items_in_the_window(world):
    work = fieldwork(world)
    add_member(world, work.review, world.adviser, "independent_adviser")
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    with time_machine.travel(work.during, tick=False):
        assert sees(world.adviser, item)
    with time_machine.travel(work.closes, tick=False):
        assert not sees(world.adviser, item)


def test_deleting_the_group_grant_ends_access_at_once(world):
    work = fieldwork(world)
    item = make_item(world)
    share_directly(item, work.review, world.salford_manager)
    with time_machine.travel(work.during, tick=False):
        assert sees(world.bolton_manager, item)
        EvidenceItemGroupObjectPermission.objects.filter(content_object=item).delete()
        assert not sees(world.bolton_manager, item)


# A review team's own notes ------------------------------------------------------------


def _publish(world, review) -> None:
    bolton = actor_for(world.bolton_lead)
    for status in ("moderation", "reporting", "published"):
        reviews.review_transition(actor=bolton, review_id=review.pk, to_status=status)


def test_team_notes_are_seen_by_the_team_while_its_window_is_open(world):
    work = fieldwork(world)
    note = make_item(world, review=work.review, by=world.bolton_manager, kind="meeting")
    with time_machine.travel(work.during, tick=False):
        assert sees(world.bolton_manager, note)
        assert sees(world.bolton_manager, note, "change")
        # Neither partnership reaches them by role while the review is under way.
        for who in ("bolton_lead", "bolton_member", "salford_lead", "salford_member"):
            assert not sees(getattr(world, who), note), who
    with time_machine.travel(work.closes, tick=False):
        assert not sees(world.bolton_manager, note)


def test_team_notes_reach_the_reviewed_leads_only_after_publication(world):
    work = fieldwork(world)
    note = make_item(world, review=work.review, by=world.bolton_manager, kind="interview")
    with time_machine.travel(work.during, tick=False):
        assert not sees(world.salford_lead, note)
        _publish(world, work.review)
        assert sees(world.salford_lead, note)
        assert not sees(world.salford_lead, note, "change")
        assert not sees(world.salford_manager, note)
        assert not sees(world.salford_member, note)
        assert not sees(world.bolton_lead, note)


def test_restricted_team_notes_need_a_user_grant_for_the_team_too(world):
    work = fieldwork(world)
    add_member(world, work.review, world.adviser, "independent_adviser")
    note = make_item(world, review=work.review, by=world.adviser, sensitivity="restricted")
    assign_perm("view_evidenceitem", world.adviser, note)
    with time_machine.travel(work.during, tick=False):
        assert sees(world.adviser, note)
        assert not sees(world.bolton_manager, note)


# Document requests ---------------------------------------------------------------------


def test_document_requests_are_seen_by_both_partnerships_and_withdrawn_by_the_team(world):
    work = fieldwork(world)
    request = DocumentRequest.objects.create(
        review=work.review, title="Threshold document", requested_by=world.bolton_manager
    )
    with time_machine.travel(work.during, tick=False):
        for who in ("salford_member", "salford_lead", "bolton_member", "bolton_lead"):
            assert (
                access.visible(actor_for(getattr(world, who)), DocumentRequest)
                .filter(pk=request.pk)
                .exists()
            ), who
        assert access.can(actor_for(world.bolton_manager), "withdraw", request)
        assert access.can(actor_for(world.bolton_lead), "withdraw", request)
        assert not access.can(actor_for(world.bolton_member), "withdraw", request)
        assert not access.can(actor_for(world.salford_lead), "withdraw", request)
        assert access.can(actor_for(world.salford_manager), "answer", request)
        assert not access.can(actor_for(world.salford_member), "answer", request)
        for who in ("adviser", "analyst", "staff", "outsider"):
            assert not access.visible(actor_for(getattr(world, who)), DocumentRequest).exists()


# The partnership's evidence permissions ---------------------------------------------------


@pytest.mark.parametrize(
    ("who", "add", "log"),
    [
        ("salford_member", True, False),
        ("salford_manager", True, True),
        ("salford_lead", True, True),
        ("bolton_lead", False, False),
        ("adviser", False, False),
    ],
)
def test_any_member_adds_evidence_and_managers_read_the_log(world, who, add, log):
    actor = actor_for(getattr(world, who))
    assert access.can(actor, "add_evidence", world.salford) is add
    assert access.can(actor, "view_evidence_log", world.salford) is log
