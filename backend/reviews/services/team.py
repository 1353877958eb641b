"""Review teams: members, declarations, organisational conflicts, access windows.

Team membership puts a user in the review's guardian group (so they see the
review). Access to shared evidence needs, in addition, an AccessWindow on that
group that is open *now*: the chokepoint checks both on every request. The
window exists only while the member is active, has declared their interests, has
no unmitigated organisational conflict, and the review is under way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from core.dates import end_of_day, start_of_day
from core.errors import Conflict, PermissionDenied, ValidationFailed
from tenancy import access
from tenancy.access import Actor
from tenancy.models import AccessWindow, Membership

from .. import notifications
from ..models import Phase, Review, TeamMember

# No evidence access before fieldwork is under way or after the review closes.
_ACCESS_STATUSES = {
    Review.Status.FIELDWORK,
    Review.Status.MODERATION,
    Review.Status.REPORTING,
    Review.Status.PUBLISHED,
}
_TEAM_FROZEN = {Review.Status.PUBLISHED, Review.Status.CLOSED}


def window_for_dates(
    review: Review, dates: Mapping[str, tuple[date, date]]
) -> tuple[datetime, datetime] | None:
    """The team's default window for a timeline given as {phase kind: (start, end)}:
    from the start of fieldwork to N days after report-back ends (UK time)."""
    fieldwork, report_back = dates.get(Phase.Kind.FIELDWORK), dates.get(Phase.Kind.REPORT_BACK)
    if fieldwork is None or report_back is None:
        return None
    closes_on = report_back[1] + timedelta(days=review.access_days_after_report)
    return start_of_day(fieldwork[0]), end_of_day(closes_on)


def default_window(review: Review) -> tuple[datetime, datetime] | None:
    """The window the review's current timeline gives every entitled member."""
    return window_for_dates(review, {p.kind: (p.starts_on, p.ends_on) for p in review.phases.all()})


def member_window(member: TeamMember, review: Review) -> tuple[datetime, datetime] | None:
    default = default_window(review)
    if default is None:
        return None
    return (member.access_opens_at or default[0], member.access_closes_at or default[1])


def _entitled(member: TeamMember, review: Review) -> bool:
    return (
        member.status == TeamMember.Status.ACTIVE
        and member.has_declared
        and not member.conflict_unresolved
        and review.status in _ACCESS_STATUSES
    )


def team_access_sync(*, review: Review, actor: Actor | None = None) -> None:
    """Make group memberships and access windows match the team and the timeline.
    Idempotent: a second call changes nothing. Every grant and revocation is audited."""
    now = timezone.now()
    group = review.team_group
    members = list(review.team.select_related("access_window", "user"))
    in_group = set(group.user_set.values_list("id", flat=True))
    for member in members:
        window = member_window(member, review) if _entitled(member, review) else None
        # Once a member's window has ended they leave the group too, as the
        # tenancy sweep does; re-adding them here would undo the sweep.
        expired = window is not None and window[1] <= now
        if expired:
            window = None
        active = (
            member.status == TeamMember.Status.ACTIVE
            and review.status != Review.Status.CLOSED
            and not expired
        )
        if active and member.user_id not in in_group:
            group.user_set.add(member.user)
        elif not active and member.user_id in in_group:
            group.user_set.remove(member.user)
        current = member.access_window
        if window is None:
            if current is not None:
                current.delete()
                member.access_window = None
                member.save(update_fields=["access_window"])
                audit.record(
                    actor=actor,
                    action="revoke",
                    obj=member,
                    owning_partnership_id=review.reviewed_partnership_id,
                    detail={"review": review.pk, "user": member.user_id},
                )
            continue
        opens_at, closes_at = window
        if current is None:
            member.access_window = AccessWindow.objects.create(
                user_id=member.user_id,
                group=group,
                opens_at=opens_at,
                closes_at=closes_at,
                reason=f"Review team: {review}"[:200],
            )
            member.save(update_fields=["access_window"])
            audit.record(
                actor=actor,
                action="grant",
                obj=member,
                owning_partnership_id=review.reviewed_partnership_id,
                detail={
                    "review": review.pk,
                    "user": member.user_id,
                    "opens_at": opens_at.isoformat(),
                    "closes_at": closes_at.isoformat(),
                },
            )
        elif (current.opens_at, current.closes_at) != (opens_at, closes_at):
            current.opens_at, current.closes_at = opens_at, closes_at
            current.save(update_fields=["opens_at", "closes_at"])
            audit.record(
                actor=actor,
                action="update",
                obj=member,
                owning_partnership_id=review.reviewed_partnership_id,
                detail={
                    "review": review.pk,
                    "user": member.user_id,
                    "opens_at": opens_at.isoformat(),
                    "closes_at": closes_at.isoformat(),
                },
            )


def _review_for_team_change(actor: Actor, review_id: object) -> Review:
    review = access.get_visible(actor, Review, review_id)
    access.require(
        actor,
        "manage_team",
        review,
        f"Only a lead of {review.reviewing_partnership.name} can change its review team.",
    )
    team_require_open(review)
    return review


def team_require_open(review: Review) -> None:
    """The team is fixed once the review is published."""
    if review.status in _TEAM_FROZEN:
        raise Conflict(
            f"The team cannot change once the review is {review.get_status_display().lower()}."
        )


def team_member_add(
    *, actor: Actor, review_id: object, user_id: object, team_role: str
) -> TeamMember:
    """Add one of the reviewing partnership's own users, or an independent adviser.
    An employee of one of the reviewed partnership's statutory partners is flagged."""
    with transaction.atomic():
        review = _review_for_team_change(actor, review_id)
        errors: dict[str, list[str]] = {}
        if team_role not in TeamMember.TeamRole.values:
            errors["team_role"] = ["Select a role in the team"]
        user = _candidate(review, user_id, errors)
        if (
            user is not None
            and review.team.filter(user=user, status=TeamMember.Status.ACTIVE).exists()
        ):
            errors["user"] = [f"{user} is already in the team"]
        if errors:
            raise ValidationFailed("The team member could not be added.", field_errors=errors)
        assert user is not None
        member = team_member_create(
            actor=actor, review=review, user=user, team_role=team_role, added_by_id=actor.user_id
        )
        team_access_sync(review=review, actor=actor)
        notifications.send_on_commit(
            [user.email],
            f"You have been added to the team reviewing {review.reviewed_partnership.name}",
            f"{review.reviewing_partnership.name} has added you to its peer review team for the "
            f"review of {review.reviewed_partnership.name}, as "
            f"{member.get_team_role_display().lower()}.\n\nSign in to declare any conflicts of "
            "interest. You will get access to shared evidence when fieldwork starts.",
        )
    return member


def team_member_create(
    *, actor: Actor | None, review: Review, user: User, team_role: str, added_by_id: int | None
) -> TeamMember:
    """Put a user on the team (the caller has checked who may, and that they may join),
    flagging an employee of one of the reviewed partnership's statutory partners. The
    caller syncs access afterwards."""
    conflict = (
        review.reviewed_partnership.statutory_partners.filter(pk=user.employer_id).first()
        if user.employer_id
        else None
    )
    member = TeamMember.objects.create(
        review=review,
        user=user,
        team_role=team_role,
        added_by_id=added_by_id,
        conflicting_organisation=conflict,
    )
    audit.record(
        actor=actor,
        action="create",
        obj=member,
        owning_partnership_id=review.reviewed_partnership_id,
        detail={
            "review": review.pk,
            "user": user.pk,
            "team_role": team_role,
            "conflict_organisation": conflict.pk if conflict else None,
        },
    )
    return member


def _candidate(review: Review, user_id: object, errors: dict[str, list[str]]) -> User | None:
    try:
        pk = int(str(user_id))
    except (TypeError, ValueError):
        errors["user"] = ["Select a person to add"]
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        errors["user"] = ["Select a person to add"]
        return None
    reviewing = review.reviewing_partnership
    if user.is_independent_adviser:
        return user
    if Membership.objects.filter(user=user, partnership=reviewing).exists():
        return user
    # Same message whether the person exists elsewhere or not: no directory probing.
    errors["user"] = [
        f"Only members of {reviewing.name} and independent advisers can join its review team"
    ]
    return None


def _member(actor: Actor, review_id: object, member_id: object) -> tuple[Review, TeamMember]:
    review = access.get_visible(actor, Review, review_id)
    member = access.get_child(review.team.select_related("user"), member_id)
    return review, member


def team_member_declare(
    *,
    actor: Actor,
    review_id: object,
    member_id: object,
    has_interest: bool | None,
    details: str = "",
) -> TeamMember:
    """A member declares their own interests (or that they have none)."""
    with transaction.atomic():
        review, member = _member(actor, review_id, member_id)
        if member.user_id != actor.user_id:
            raise PermissionDenied("Only the team member can make their own declaration.")
        details = (details or "").strip()
        if has_interest is None:
            raise ValidationFailed(
                "The declaration could not be saved.",
                field_errors={"has_interest": ["Select yes if you have an interest to declare"]},
            )
        if has_interest and not details:
            raise ValidationFailed(
                "The declaration could not be saved.",
                field_errors={"details": ["Describe the interest you are declaring"]},
            )
        if len(details) > 2000:
            raise ValidationFailed(
                "The declaration could not be saved.",
                field_errors={"details": ["Description must be 2000 characters or fewer"]},
            )
        interest = details if has_interest else ""
        fields = ["declared_at", "declared_interest"]
        if interest and interest != member.declared_interest and member.mitigated_at:
            # A new or changed interest is decided again by the reviewing lead.
            member.mitigation, member.mitigated_by_id, member.mitigated_at = "", None, None
            fields += ["mitigation", "mitigated_by", "mitigated_at"]
        member.declared_at = timezone.now()
        member.declared_interest = interest
        member.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="update",
            obj=member,
            owning_partnership_id=review.reviewed_partnership_id,
            detail={"declared": True, "has_interest": bool(has_interest)},
        )
        team_access_sync(review=review, actor=actor)
    return member


def team_member_mitigate(
    *, actor: Actor, review_id: object, member_id: object, mitigation: str
) -> TeamMember:
    """The reviewing lead records how an organisational conflict is mitigated."""
    with transaction.atomic():
        review = _review_for_team_change(actor, review_id)
        member = access.get_child(review.team.select_related("user"), member_id)
        if not member.needs_mitigation:
            raise Conflict("This member has no conflict or declared interest to mitigate.")
        mitigation = (mitigation or "").strip()
        if not mitigation:
            raise ValidationFailed(
                "The mitigation could not be saved.",
                field_errors={"mitigation": ["Describe how the conflict is mitigated"]},
            )
        if len(mitigation) > 2000:
            raise ValidationFailed(
                "The mitigation could not be saved.",
                field_errors={"mitigation": ["Mitigation must be 2000 characters or fewer"]},
            )
        member.mitigation = mitigation
        member.mitigated_by_id = actor.user_id
        member.mitigated_at = timezone.now()
        member.save(update_fields=["mitigation", "mitigated_by", "mitigated_at"])
        audit.record(
            actor=actor,
            action="update",
            obj=member,
            owning_partnership_id=review.reviewed_partnership_id,
            detail={"mitigated": True},
        )
        team_access_sync(review=review, actor=actor)
    return member


def team_member_remove(*, actor: Actor, review_id: object, member_id: object) -> TeamMember:
    """Remove a member: their access ends on their next request."""
    with transaction.atomic():
        review = _review_for_team_change(actor, review_id)
        member = access.get_child(review.team.filter(status=TeamMember.Status.ACTIVE), member_id)
        member.status = TeamMember.Status.REMOVED
        member.removed_at = timezone.now()
        member.save(update_fields=["status", "removed_at"])
        audit.record(
            actor=actor,
            action="delete",
            obj=member,
            owning_partnership_id=review.reviewed_partnership_id,
            detail={"review": review.pk, "user": member.user_id},
        )
        team_access_sync(review=review, actor=actor)
    return member


def team_member_set_window(
    *,
    actor: Actor,
    review_id: object,
    member_id: object,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> TeamMember:
    """The reviewed partnership's lead narrows or extends one member's window.
    Both empty restores the default."""
    with transaction.atomic():
        review, member = _member(actor, review_id, member_id)
        access.require(
            actor,
            "manage_access",
            review,
            f"Only a lead of {review.reviewed_partnership.name} can change reviewers' access.",
        )
        errors: dict[str, list[str]] = {}
        if (opens_at is None) != (closes_at is None):
            errors["closes_at"] = [
                "Enter both the start and the end of the access window, or neither"
            ]
        elif opens_at and closes_at and closes_at <= opens_at:
            errors["closes_at"] = ["The access window must end after it starts"]
        elif closes_at and closes_at > timezone.now() + timedelta(days=3 * 365):
            errors["closes_at"] = ["The access window must end within 3 years"]
        if errors:
            raise ValidationFailed("The access window could not be saved.", field_errors=errors)
        member.access_opens_at, member.access_closes_at = opens_at, closes_at
        member.save(update_fields=["access_opens_at", "access_closes_at"])
        team_access_sync(review=review, actor=actor)
    return member
