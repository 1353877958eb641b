"""The access chokepoint (tenancy/access.py): each rule with a tenant-B case."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.errors import NotFound
from tenancy import access
from tenancy.models import Membership, Partnership, Role

pytestmark = pytest.mark.django_db


def test_member_sees_only_own_partnership(world):
    actor = access.actor_for(world.salford_member)
    assert list(access.visible(actor, Partnership)) == [world.salford]


def test_other_partnership_is_not_found_like_a_missing_one(world):
    actor = access.actor_for(world.salford_lead)
    with pytest.raises(NotFound) as foreign:
        access.get_visible(actor, Partnership, world.bolton.pk)
    with pytest.raises(NotFound) as missing:
        access.get_visible(actor, Partnership, 999_999)
    assert str(foreign.value) == str(missing.value) == "Not found."


def test_malformed_id_is_not_found(world):
    actor = access.actor_for(world.salford_lead)
    with pytest.raises(NotFound):
        access.get_visible(actor, Partnership, "1 OR 1=1")


@pytest.mark.parametrize("principal", ["staff", "adviser", "analyst", "outsider"])
def test_principals_without_membership_see_no_partnership(world, principal):
    actor = access.actor_for(getattr(world, principal))
    assert not access.visible(actor, Partnership).exists()


def test_superuser_flag_grants_nothing(world):
    assert world.staff.is_superuser
    actor = access.actor_for(world.staff)
    with pytest.raises(NotFound):
        access.get_visible(actor, Partnership, world.salford.pk)


def test_anonymous_sees_nothing(world):
    assert not access.visible(access.ANONYMOUS, Partnership).exists()


def test_role_map_limits_change_to_leads(world):
    lead = access.actor_for(world.salford_lead)
    member = access.actor_for(world.salford_member)
    assert list(access.visible(lead, Partnership, "change")) == [world.salford]
    assert not access.visible(member, Partnership, "change").exists()
    assert access.can(lead, "change", world.salford)
    assert not access.can(member, "change", world.salford)
    assert not access.can(lead, "change", world.bolton)


def test_memberships_of_another_partnership_are_invisible(world):
    actor = access.actor_for(world.bolton_lead)
    visible = access.visible(actor, Membership)
    assert visible.exists()
    assert not visible.filter(partnership=world.salford).exists()


def test_unregistered_model_is_refused():
    from accounts.models import ApiToken

    with pytest.raises(ImproperlyConfigured, match="has no role map"):
        access.visible(access.ANONYMOUS, ApiToken)


def test_unknown_permission_is_refused(world):
    actor = access.actor_for(world.salford_lead)
    with pytest.raises(ImproperlyConfigured, match="no rule for permission 'delete'"):
        access.visible(actor, Partnership, "delete")


def test_inactive_user_is_anonymous(world):
    world.salford_lead.is_active = False
    world.salford_lead.save()
    assert access.actor_for(world.salford_lead) == access.ANONYMOUS


def _actor_by_four_queries(user, now) -> access.Actor:
    """The resolution as it was written before it became one statement: the
    reference the one statement must match field for field."""
    from tenancy.models import AccessWindow, AllianceAnalyst

    memberships = list(
        Membership.objects.filter(user_id=user.pk).values_list(
            "partnership_id", "role", "partnership__alliance_id"
        )
    )
    return access.Actor(
        user_id=user.pk,
        email=user.email,
        display_name=user.get_full_name() or user.email,
        roles={pid: Role(role) for pid, role, _ in memberships},
        analyst_alliance_ids=frozenset(
            AllianceAnalyst.objects.filter(user_id=user.pk).values_list("alliance_id", flat=True)
        ),
        open_group_ids=frozenset(
            AccessWindow.objects.filter(
                user_id=user.pk, opens_at__lte=now, closes_at__gt=now, group__user=user.pk
            ).values_list("group_id", flat=True)
        ),
        group_ids=frozenset(user.groups.values_list("id", flat=True)),
        alliance_ids=frozenset(a for _, _, a in memberships if a is not None),
        is_independent_adviser=user.is_independent_adviser,
        is_platform_staff=user.is_staff,
        resolved_at=now,
    )


def _windows(world):
    """The adviser in two teams with an open window each, one closed, one not yet
    open, and one open window on a group they have since left."""
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from tenancy.models import AccessWindow

    now = timezone.now()
    spans = {
        "open-a": (-1, 1),
        "open-b": (-2, 3),
        "closed": (-5, -1),
        "future": (1, 4),
        "left": (-1, 1),
    }
    for name, (opens, closes) in spans.items():
        group = Group.objects.create(name=f"team {name}")
        if name != "left":
            world.adviser.groups.add(group)
        AccessWindow.objects.create(
            user=world.adviser,
            group=group,
            opens_at=now + timedelta(days=opens),
            closes_at=now + timedelta(days=closes),
        )
    world.bolton_member.groups.add(Group.objects.get(name="team open-a"))
    return now


@pytest.mark.parametrize(
    "principal",
    [
        "salford_lead",
        "salford_member",
        "bolton_lead",
        "bolton_member",
        "adviser",
        "analyst",
        "staff",
        "outsider",
    ],
)
def test_actor_resolution_is_one_query_and_the_same_actor(
    world, principal, django_assert_num_queries
):
    now = _windows(world)
    user = getattr(world, principal)

    with django_assert_num_queries(1):
        actor = access.actor_for(user, now=now)

    assert actor == _actor_by_four_queries(user, now)


def test_actor_holds_open_windows_only_on_groups_still_held(world):
    now = _windows(world)

    actor = access.actor_for(world.adviser, now=now)

    assert {g.name for g in _groups(actor.open_group_ids)} == {"team open-a", "team open-b"}
    assert {g.name for g in _groups(actor.group_ids)} == {
        "team open-a",
        "team open-b",
        "team closed",
        "team future",
    }


def _groups(ids):
    from django.contrib.auth.models import Group

    return Group.objects.filter(pk__in=ids)


# permitted_ids: per-row flags for a page, one query ------------------------------------


def _items(world, count: int):
    from evidence.models import EvidenceItem

    salford = [
        EvidenceItem.objects.create(
            partnership=world.salford, kind="other", title=f"S{n}", added_by=world.salford_member
        )
        for n in range(count)
    ]
    bolton = EvidenceItem.objects.create(
        partnership=world.bolton, kind="other", title="B", added_by=world.bolton_member
    )
    return salford, bolton


def test_permitted_ids_answers_for_a_whole_page_in_one_query(world, django_assert_num_queries):
    from evidence.models import EvidenceItem

    salford, bolton = _items(world, 50)
    manager = access.actor_for(world.salford_manager)
    ids = [item.pk for item in salford] + [bolton.pk, 999_999]
    access.permitted_ids(manager, EvidenceItem, "share", ids[:1])  # the content type, cached

    with django_assert_num_queries(1):
        allowed = access.permitted_ids(manager, EvidenceItem, "share", ids)

    # Bolton's item and a missing id are simply left out.
    assert allowed == frozenset(item.pk for item in salford)


def test_permitted_ids_agrees_with_visible_and_can(world):
    from evidence.models import EvidenceItem

    salford, bolton = _items(world, 3)
    ids = [item.pk for item in salford] + [bolton.pk]
    for user in (world.salford_member, world.salford_lead, world.bolton_lead, world.staff):
        actor = access.actor_for(user)
        for perm in ("view", "change", "share", "view_log"):
            expected = {i for i in ids if access.can(actor, perm, EvidenceItem.objects.get(pk=i))}
            assert access.permitted_ids(actor, EvidenceItem, perm, ids) == expected
            assert expected == set(
                access.visible(actor, EvidenceItem, perm)
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )


def test_permitted_ids_asks_nothing_of_an_actor_who_cannot_hold_the_permission(
    world, django_assert_num_queries
):
    from evidence.models import EvidenceItem

    salford, _ = _items(world, 3)
    member = access.actor_for(world.salford_member)  # no team, no manager role

    with django_assert_num_queries(0):
        assert access.permitted_ids(member, EvidenceItem, "share", [i.pk for i in salford]) == (
            frozenset()
        )
        assert access.permitted_ids(access.ANONYMOUS, EvidenceItem, "view", [1, 2]) == frozenset()
        assert access.permitted_ids(member, EvidenceItem, "view", []) == frozenset()


def test_permitted_ids_keeps_the_restricted_rule(world):
    from guardian.shortcuts import assign_perm

    from evidence.models import EvidenceItem

    open_item, restricted = _items(world, 2)[0]
    restricted.sensitivity = "restricted"
    restricted.save()
    lead = access.actor_for(world.salford_lead)
    ids = [open_item.pk, restricted.pk]

    assert access.permitted_ids(lead, EvidenceItem, "change", ids) == {open_item.pk}
    assign_perm("view_evidenceitem", world.salford_lead, restricted)
    assert access.permitted_ids(lead, EvidenceItem, "change", ids) == {open_item.pk, restricted.pk}


def test_permitted_ids_refuses_an_unknown_permission(world):
    from evidence.models import EvidenceItem

    with pytest.raises(ImproperlyConfigured, match="no rule for permission 'delete'"):
        access.permitted_ids(access.actor_for(world.salford_lead), EvidenceItem, "delete", [1])
