"""The access chokepoint (tenancy/access.py): each rule with a tenant-B case."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.errors import NotFound
from tenancy import access
from tenancy.models import Membership, Partnership

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


def test_actor_resolution_is_four_queries(world, django_assert_num_queries):
    with django_assert_num_queries(4):
        access.actor_for(world.salford_lead)
