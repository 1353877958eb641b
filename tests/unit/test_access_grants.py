"""Cross-tenant sharing in the access chokepoint: guardian group grants honoured only
while an AccessWindow is open (ARCHITECTURE.md section 4, SECURITY.md section 1).

The scenario: Salford shares one dossier with the team reviewing it (a guardian
group); a Bolton member on that team sees it only inside their access window.
`tests/fixtures_app` provides the Dossier model and its direct permission tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from guardian.shortcuts import assign_perm

from accounts.models import User
from core.errors import NotFound
from tenancy import access
from tenancy.models import AccessWindow
from tests.fixtures_app.models import (
    Dossier,
    DossierGroupObjectPermission,
    DossierUserObjectPermission,
    Note,
)

pytestmark = pytest.mark.django_db

OPENS = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
CLOSES = datetime(2026, 4, 30, 17, 0, tzinfo=UTC)
DURING = OPENS + timedelta(days=10)
ONE_SECOND = timedelta(seconds=1)


@dataclass
class Sharing:
    reviewer: User
    team: Group
    window: AccessWindow
    shared: Dossier
    unshared: Dossier
    own: Dossier


@pytest.fixture
def sharing(world) -> Sharing:
    team = Group.objects.create(name="Bolton reviews Salford: team")
    reviewer = world.bolton_member
    reviewer.groups.add(team)
    window = AccessWindow.objects.create(
        user=reviewer, group=team, opens_at=OPENS, closes_at=CLOSES, reason="Fieldwork"
    )
    shared = Dossier.objects.create(partnership=world.salford, title="Salford: shared")
    unshared = Dossier.objects.create(partnership=world.salford, title="Salford: not shared")
    own = Dossier.objects.create(partnership=world.bolton, title="Bolton: own")
    assign_perm("view_dossier", team, shared)
    return Sharing(reviewer, team, window, shared, unshared, own)


def sees(user: User, dossier: Dossier, perm: str = "view") -> bool:
    """Whether `user`, resolved now, may `perm` the dossier. visible(), can() and
    get_visible() must give the same answer; a refusal is the plain NotFound."""
    actor = access.actor_for(user)
    listed = access.visible(actor, Dossier, perm).filter(pk=dossier.pk).exists()
    assert access.can(actor, perm, dossier) is listed, "can() disagrees with visible()"
    try:
        access.get_visible(actor, Dossier, dossier.pk, perm)
    except NotFound as error:
        assert str(error) == "Not found."
        fetched = False
    else:
        fetched = True
    assert fetched is listed, "get_visible() disagrees with visible()"
    return listed


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param(OPENS - ONE_SECOND, False, id="before-opens"),
        pytest.param(OPENS, True, id="at-opens"),
        pytest.param(DURING, True, id="during"),
        pytest.param(CLOSES - ONE_SECOND, True, id="one-second-before-close"),
        pytest.param(CLOSES, False, id="at-close"),
        pytest.param(CLOSES + ONE_SECOND, False, id="one-second-after-close"),
    ],
)
def test_reviewer_sees_shared_dossier_only_while_window_is_open(sharing, moment, expected):
    with time_machine.travel(moment, tick=False):
        assert sees(sharing.reviewer, sharing.shared) is expected


def test_reviewer_loses_access_when_removed_from_team_though_window_remains(sharing):
    with time_machine.travel(DURING, tick=False):
        assert sees(sharing.reviewer, sharing.shared)

        sharing.reviewer.groups.remove(sharing.team)

        assert AccessWindow.objects.filter(pk=sharing.window.pk).exists()
        assert not sees(sharing.reviewer, sharing.shared)


def test_window_resolved_for_a_request_is_not_changed_by_time_passing_within_it(sharing):
    """An actor is resolved once per request; the next request sees the close."""
    with time_machine.travel(CLOSES - ONE_SECOND, tick=False):
        actor = access.actor_for(sharing.reviewer)
    with time_machine.travel(CLOSES + ONE_SECOND, tick=False):
        assert access.visible(actor, Dossier).filter(pk=sharing.shared.pk).exists()
        assert not sees(sharing.reviewer, sharing.shared)


def test_grant_to_a_user_directly_gives_nothing(world, sharing):
    """Only group grants cross tenants; a user object permission is ignored."""
    outsider = world.bolton_manager
    assign_perm("view_dossier", outsider, sharing.unshared)
    assert DossierUserObjectPermission.objects.filter(user=outsider).exists()

    with time_machine.travel(DURING, tick=False):
        assert not sees(outsider, sharing.unshared)
        # Even for someone whose group window is open.
        assign_perm("view_dossier", sharing.reviewer, sharing.unshared)
        assert not sees(sharing.reviewer, sharing.unshared)


def test_global_table_level_permission_gives_nothing(world, sharing):
    user = world.bolton_manager
    user.user_permissions.add(Permission.objects.get(codename="view_dossier"))
    user = User.objects.get(pk=user.pk)  # drop Django's permission cache
    assert user.has_perm("fixtures_app.view_dossier")

    with time_machine.travel(DURING, tick=False):
        assert not sees(user, sharing.shared)
        assert not sees(user, sharing.unshared)


def test_global_permission_on_a_group_gives_nothing(sharing):
    sharing.team.permissions.add(Permission.objects.get(codename="view_dossier"))

    with time_machine.travel(DURING, tick=False):
        assert not sees(sharing.reviewer, sharing.unshared)


def test_superuser_gives_nothing(world, sharing):
    sharing.reviewer.is_superuser = True
    sharing.reviewer.is_staff = True
    sharing.reviewer.save()

    with time_machine.travel(DURING, tick=False):
        assert not sees(sharing.reviewer, sharing.unshared)
        assert not sees(world.staff, sharing.shared)
        assert not sees(world.staff, sharing.unshared)


def test_change_grant_is_not_honoured_because_only_view_is_shareable(sharing):
    assign_perm("change_dossier", sharing.team, sharing.unshared)
    assign_perm("change_dossier", sharing.team, sharing.shared)
    assert (
        DossierGroupObjectPermission.objects.filter(permission__codename="change_dossier").count()
        == 2
    )

    with time_machine.travel(DURING, tick=False):
        assert not sees(sharing.reviewer, sharing.shared, "change")
        assert not sees(sharing.reviewer, sharing.unshared, "change")
        # A change grant does not imply view either.
        assert not sees(sharing.reviewer, sharing.unshared)
        assert sees(sharing.reviewer, sharing.shared)


def test_window_on_another_group_gives_nothing(sharing):
    """A reviewer on another review: their open window is on a different team."""
    other_team = Group.objects.create(name="Bolton reviews Wigan: team")
    sharing.reviewer.groups.remove(sharing.team)
    sharing.reviewer.groups.add(other_team)
    AccessWindow.objects.filter(pk=sharing.window.pk).update(group=other_team)

    with time_machine.travel(DURING, tick=False):
        assert not sees(sharing.reviewer, sharing.shared)


def test_team_membership_without_a_window_gives_nothing(sharing):
    AccessWindow.objects.filter(pk=sharing.window.pk).delete()

    with time_machine.travel(DURING, tick=False):
        assert sharing.reviewer.groups.filter(pk=sharing.team.pk).exists()
        assert not sees(sharing.reviewer, sharing.shared)


def test_window_of_another_user_on_the_team_gives_nothing(world, sharing):
    colleague = world.bolton_lead
    colleague.groups.add(sharing.team)  # on the team, but no window of their own

    with time_machine.travel(DURING, tick=False):
        assert sees(sharing.reviewer, sharing.shared)
        assert not sees(colleague, sharing.shared)


def test_reviewer_lists_own_partnership_rows_plus_exactly_the_granted_ones(world, sharing):
    more_shared = Dossier.objects.create(partnership=world.salford, title="Salford: shared 2")
    assign_perm("view_dossier", sharing.team, more_shared)

    with time_machine.travel(DURING, tick=False):
        actor = access.actor_for(sharing.reviewer)
        listed = set(access.visible(actor, Dossier))

    assert listed == {sharing.own, sharing.shared, more_shared}


def test_owners_see_their_own_rows_and_never_the_reviewers_partnership(world, sharing):
    with time_machine.travel(DURING, tick=False):
        actor = access.actor_for(world.salford_member)
        assert set(access.visible(actor, Dossier)) == {sharing.shared, sharing.unshared}
        assert sees(world.salford_member, sharing.unshared)
        assert not sees(world.salford_member, sharing.own)
        # Changing is for managers of the owning partnership only.
        assert not sees(world.salford_member, sharing.unshared, "change")
        assert sees(world.salford_manager, sharing.unshared, "change")


def test_anonymous_sees_no_dossier(sharing):
    assert not access.visible(access.ANONYMOUS, Dossier).exists()
    assert not access.can(access.ANONYMOUS, "view", sharing.shared)


@pytest.mark.parametrize("grants", [1, 12])
def test_reviewer_list_is_one_query_whatever_the_number_of_grants(
    world, sharing, grants, django_assert_num_queries
):
    for n in range(grants - 1):
        extra = Dossier.objects.create(partnership=world.salford, title=f"Salford: extra {n}")
        assign_perm("view_dossier", sharing.team, extra)
    with time_machine.travel(DURING, tick=False):
        actor = access.actor_for(sharing.reviewer)

    with django_assert_num_queries(1):
        rows = list(access.visible(actor, Dossier))

    assert len(rows) == grants + 1  # the granted ones and Bolton's own


def test_shareable_model_without_direct_group_permission_model_is_refused(
    world, sharing, monkeypatch
):
    monkeypatch.setitem(
        access.ROLE_MAPS,
        "fixtures_app.Note",
        access.RoleMap(
            partnership_path="partnership_id",
            roles={"view": access.ALL_ROLES},
            shareable=frozenset({"view"}),
        ),
    )
    note = Note.objects.create(partnership=world.salford, text="Salford note")
    with time_machine.travel(DURING, tick=False):
        actor = access.actor_for(sharing.reviewer)

    with pytest.raises(ImproperlyConfigured, match="no direct group-permission model"):
        list(access.visible(actor, Note))
    with pytest.raises(ImproperlyConfigured, match="no direct group-permission model"):
        access.can(actor, "view", note)
