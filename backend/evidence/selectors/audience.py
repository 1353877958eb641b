"""Who can see an item now ("Who can see this" on every item page), worked out
from the same rules as the chokepoint: the role map and the guardian grants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from reviews import selectors as review_selectors
from reviews.models import Review, TeamMember
from tenancy import access, grants
from tenancy.access import Actor
from tenancy.models import AccessWindow, Membership, Role

from ..models import EvidenceItem


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    email: str
    role: str  # "Partnership lead", "Reviewer", ...
    can_see_now: bool
    # For review team members: their access window on the team (None for owners).
    window_opens_at: datetime | None = None
    window_closes_at: datetime | None = None


@dataclass(frozen=True)
class Audience:
    """One way people reach the item: the owning partnership by role, a review team
    it is shared with, the team that wrote it, the reviewed partnership's leads."""

    label: str
    reason: str
    people: tuple[Person, ...]
    count: int  # how many of them can see it now
    names_hidden: bool = False
    review_id: int | None = None


@dataclass(frozen=True)
class WhoCanSee:
    restricted: bool
    audiences: tuple[Audience, ...]


def _members(partnership_id: int, roles: frozenset[Role], granted: set[int] | None) -> list[Person]:
    memberships = Membership.objects.filter(
        partnership_id=partnership_id, role__in=roles, user__is_active=True
    ).select_related("user")
    return [
        Person(m.user_id, m.user.get_full_name(), m.user.email, m.get_role_display(), True)
        for m in memberships.order_by("role", "user__full_name", "user_id")
        if granted is None or m.user_id in granted
    ]


def _teams(reviews: list[Review], granted: set[int] | None) -> list[Audience]:
    """Each review's team: the users in its group, with their access windows. A
    member can see the item now only while one of their windows is open (and, for
    a restricted team note, with their own grant)."""
    if not reviews:
        return []
    now = timezone.now()
    group_ids = [r.team_group_id for r in reviews]
    in_group: dict[int, list[int]] = {g: [] for g in group_ids}
    users = {}
    from accounts.models import User

    for link in User.groups.through.objects.filter(group_id__in=group_ids).select_related("user"):
        in_group[link.group_id].append(link.user_id)
        users[link.user_id] = link.user
    windows: dict[tuple[int, int], AccessWindow] = {}
    for row in AccessWindow.objects.filter(group_id__in=group_ids).order_by("closes_at"):
        key = (row.user_id, row.group_id)
        if key not in windows or row.opens_at <= now < row.closes_at:
            windows[key] = row
    roles = {
        (m.review_id, m.user_id): m.get_team_role_display()
        for m in TeamMember.objects.filter(review__in=reviews, status=TeamMember.Status.ACTIVE)
    }
    audiences = []
    for review in reviews:
        people = []
        for user_id in sorted(in_group[review.team_group_id], key=lambda u: users[u].full_name):
            window = windows.get((user_id, review.team_group_id))
            open_now = window is not None and window.opens_at <= now < window.closes_at
            if granted is not None and user_id not in granted:
                open_now = False
            user = users[user_id]
            people.append(
                Person(
                    user_id,
                    user.get_full_name(),
                    user.email,
                    roles.get((review.pk, user_id), "Team member"),
                    open_now and user.is_active,
                    window.opens_at if window else None,
                    window.closes_at if window else None,
                )
            )
        audiences.append(
            Audience(
                label=f"Team reviewing {review.reviewed_partnership.name}, "
                f"from {review.reviewing_partnership.name}",
                reason="Shared with the review",
                people=tuple(people),
                count=sum(p.can_see_now for p in people),
                review_id=review.pk,
            )
        )
    return audiences


def who_can_see(*, actor: Actor, item: EvidenceItem) -> WhoCanSee:
    """The people and groups who can see `item` now, worked out from the same rules
    as the chokepoint (the role map and the grants). `item` must come from
    evidence_get for this actor.

    Names of the owning partnership's members are shown to its own members only;
    anyone else (a reviewer) gets the count. Review teams are listed for the owner;
    a reviewer sees only the teams they are on. A few queries, whatever the size."""
    role_map = access.role_map_for(EvidenceItem)
    restricted = item.sensitivity == EvidenceItem.Sensitivity.RESTRICTED
    granted = grants.user_ids(item) if restricted else None
    audiences: list[Audience] = []
    reviews = Review.objects.select_related("reviewed_partnership", "reviewing_partnership")
    if item.partnership_id is not None:
        partnership = item.partnership
        assert partnership is not None
        people = _members(partnership.pk, role_map.roles["view"], granted)
        hidden = actor.role_in(partnership.pk) is None
        audiences.append(
            Audience(
                label=partnership.name,
                reason="Named people only (restricted)" if restricted else "Members, by role",
                people=() if hidden else tuple(people),
                count=len(people),
                names_hidden=hidden,
            )
        )
        shared_with = reviews.filter(team_group_id__in=grants.group_ids(item))
        if hidden:
            shared_with = shared_with.filter(team_group_id__in=actor.group_ids)
        audiences += _teams(list(shared_with.order_by("pk")), None)
    else:
        assert item.review_id is not None
        review = reviews.get(pk=item.review_id)
        for team in _teams([review], granted):
            audiences.append(
                Audience(
                    label=team.label,
                    reason="The team's own notes",
                    people=team.people,
                    count=team.count,
                    review_id=review.pk,
                )
            )
        for side in role_map.other_sides:
            reached = side.when is None or (
                EvidenceItem.objects.filter(pk=item.pk).filter(side.when).exists()
            )
            leads = _members(review.reviewed_partnership_id, side.roles["view"], granted)
            audiences.append(
                Audience(
                    label=review.reviewed_partnership.name,
                    reason="Leads, once the review is published",
                    people=tuple(
                        Person(p.user_id, p.name, p.email, p.role, reached and p.can_see_now)
                        for p in leads
                    ),
                    count=len(leads) if reached else 0,
                )
            )
    return WhoCanSee(restricted=restricted, audiences=tuple(audiences))


def restricted_access_list(*, actor: Actor, item: EvidenceItem) -> list[Person]:
    """The people a restricted item is open to, from "Who can see this": the
    members granted it, or for team notes the team members granted it whose
    window is open. Review teams it is shared with are not people granted it."""
    audiences = who_can_see(actor=actor, item=item).audiences
    if item.partnership_id is not None:
        return [person for group in audiences if group.review_id is None for person in group.people]
    return [
        person
        for group in audiences
        if group.review_id == item.review_id
        for person in group.people
        if person.can_see_now
    ]


def restricted_candidates(
    *, actor: Actor, item: EvidenceItem, taken: set[int]
) -> list[tuple[int, str]]:
    """Who else a restricted item could be opened to, as (user id, "Name (email)"):
    the owning partnership's members, or for team notes the active team (the
    service checks the same)."""
    if item.partnership_id is not None:
        memberships = (
            access.visible(actor, Membership)
            .filter(partnership_id=item.partnership_id, user__is_active=True)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        people = [(m.user_id, f"{m.user.get_full_name()} ({m.user.email})") for m in memberships]
    else:
        assert item.review is not None
        team = review_selectors.team_list(review=item.review).filter(
            status=TeamMember.Status.ACTIVE
        )
        people = [(m.user_id, f"{m.user.get_full_name()} ({m.user.email})") for m in team]
    return [(pk, name) for pk, name in people if pk not in taken]
