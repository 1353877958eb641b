"""Phases: rescheduling with reasons (original dates are kept), reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audit import services as audit
from core.dates import deadline, local_today
from core.errors import Conflict, PermissionDenied, ValidationFailed, refuse
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Membership, Role

from .. import notifications, policies
from ..models import Phase, PhaseChange, PhaseReminder, Review, TeamMember
from .team import team_access_sync, window_for_dates

MAX_YEARS_AHEAD = 3
REMINDER_DAYS = (7, 1)


def phases_reschedule(
    *,
    actor: Actor,
    review_id: object,
    new_dates: dict[str, tuple[date | None, date | None]],
    reason: str,
) -> Review:
    """Move one or more phases. The whole new timeline must be in order without
    overlaps; each moved phase keeps its original dates and records the reason.
    Dates that would widen the team's access window need a lead of the reviewed
    partnership (the widening is audited); a published review's record stays put."""
    with transaction.atomic():
        review = access.get_visible(actor, Review, review_id)
        refuse(policies.reschedule(actor, review))
        phases = list(review.phases.select_for_update().order_by("position"))
        errors: dict[str, list[str]] = {}
        reason = (reason or "").strip()
        if not reason:
            errors["reason"] = ["Enter the reason for the new dates"]
        elif len(reason) > 300:
            errors["reason"] = ["Reason must be 300 characters or fewer"]
        unknown = set(new_dates) - {p.kind for p in phases}
        if unknown:
            errors["phases"] = ["Change only the phases of this review"]
        latest = local_today(timezone.now()).replace(
            year=local_today(timezone.now()).year + MAX_YEARS_AHEAD
        )
        proposed: list[tuple[Phase, date, date]] = []
        for phase in phases:
            start, end = new_dates.get(phase.kind, (phase.starts_on, phase.ends_on))
            label = phase.get_kind_display()
            if start is None or end is None:
                errors[f"{phase.kind}"] = [f"Enter the start and end dates for {label.lower()}"]
                continue
            if end < start:
                errors[f"{phase.kind}"] = [f"{label} must end on or after the day it starts"]
            if end > latest:
                errors[f"{phase.kind}"] = [f"{label} must end before {latest:%-d %B %Y}"]
            proposed.append((phase, start, end))
        for (before, _, before_end), (after, after_start, _) in pairwise(proposed):
            if after_start <= before_end and after.kind not in errors:
                errors[after.kind] = [
                    f"{after.get_kind_display()} must start after "
                    f"{before.get_kind_display().lower()} ends"
                ]
        changed = [(p, s, e) for p, s, e in proposed if (s, e) != (p.starts_on, p.ends_on)]
        if not errors and not changed:
            errors["phases"] = ["Change at least one date"]
        if errors:
            raise ValidationFailed("The new dates could not be saved.", field_errors=errors)
        if review.status == Review.Status.PUBLISHED and any(
            phase.kind in _RECORD_ONCE_PUBLISHED for phase, _, _ in changed
        ):
            raise Conflict(
                "A published review's dates up to report back are the record of what "
                "happened and cannot be changed."
            )
        widening = _access_widening(review, phases, proposed)
        if widening is not None:
            _require_owner_to_widen(actor, review, *widening)
        for phase, start, end in changed:
            PhaseChange.objects.create(
                phase=phase,
                previous_starts_on=phase.starts_on,
                previous_ends_on=phase.ends_on,
                new_starts_on=start,
                new_ends_on=end,
                reason=reason,
                changed_by_id=actor.user_id,
            )
            phase.starts_on, phase.ends_on = start, end
            phase.save(update_fields=["starts_on", "ends_on"])
        audit.record(
            actor=actor,
            action="update",
            obj=review,
            owning_partnership_id=review.reviewed_partnership_id,
            detail={
                "rescheduled": [p.kind for p, _, _ in changed],
                **(
                    {"access_extended": {"from": _iso(widening[0]), "to": _iso(widening[1])}}
                    if widening is not None
                    else {}
                ),
            },
        )
        team_access_sync(review=review, actor=actor)
    return review


Window = tuple[datetime, datetime]

# Once a review is published these phases are the record of what happened, and the
# team's access window derives from them: they never move again, by anyone.
_RECORD_ONCE_PUBLISHED = frozenset(
    {Phase.Kind.MOBILISATION, Phase.Kind.FIELDWORK, Phase.Kind.MODERATION, Phase.Kind.REPORT_BACK}
)


def _access_widening(
    review: Review, phases: list[Phase], proposed: list[tuple[Phase, date, date]]
) -> tuple[Window, Window] | None:
    """(before, after) when the new dates would open the team's default window
    earlier or close it later; None when they keep or narrow it."""
    before = window_for_dates(review, {p.kind: (p.starts_on, p.ends_on) for p in phases})
    after = window_for_dates(review, {p.kind: (start, end) for p, start, end in proposed})
    if before is None or after is None:
        return None
    if after[0] < before[0] or after[1] > before[1]:
        return before, after
    return None


def _require_owner_to_widen(actor: Actor, review: Review, before: Window, after: Window) -> None:
    """Only the reviewed partnership widens access to its own evidence (SECURITY.md
    section 1): a lead of the reviewing side may move dates within the window, never
    past it, or its own team's expired access would come back."""
    if access.can(actor, "manage_access", review):
        return
    owner = review.reviewed_partnership.name
    errors: dict[str, list[str]] = {}
    if after[0] < before[0]:
        errors[Phase.Kind.FIELDWORK] = [
            f"Only a lead of {owner} can move undertake review earlier, because it would "
            f"open the review team's access to {owner}'s evidence sooner"
        ]
    if after[1] > before[1]:
        errors[Phase.Kind.REPORT_BACK] = [
            f"Only a lead of {owner} can move report back later, because it would extend "
            f"the review team's access to {owner}'s evidence"
        ]
    raise PermissionDenied(
        f"Only a lead of {owner} can extend the review team's access to its evidence.",
        field_errors=errors,
    )


def _iso(window: Window) -> list[str]:
    return [moment.isoformat() for moment in window]


def _reminder_recipients(review: Review) -> list[str]:
    leads = Membership.objects.filter(
        partnership_id__in=[review.reviewing_partnership_id, review.reviewed_partnership_id],
        role__in=[Role.LEAD, Role.BUSINESS_MANAGER],
    ).values_list("user__email", flat=True)
    team = review.team.filter(status=TeamMember.Status.ACTIVE).values_list("user__email", flat=True)
    return sorted({*leads, *team})


def reminders_send(*, now: datetime | None = None) -> int:
    """Email reminders 7 days and 1 day before each open phase ends. Each is sent
    once: the reminder row's unique key is claimed in the same transaction that
    writes its emails to the outbox, so a rerun (or two workers at once) queues
    nothing twice, and mail being down leaves them pending in the outbox until it is
    back (core.outbox), never lost. Returns how many reminders were queued."""
    today = local_today(now or timezone.now())
    targets = {today + timedelta(days=n): n for n in REMINDER_DAYS}
    phases = (
        Phase.objects.filter(ends_on__in=list(targets))
        .exclude(review__status=Review.Status.CLOSED)
        # The progress review is the one phase that comes after publication.
        .exclude(Q(review__status=Review.Status.PUBLISHED) & ~Q(kind=Phase.Kind.PROGRESS_REVIEW))
        .select_related("review__reviewed_partnership", "review__reviewing_partnership")
    )
    sent = 0
    for phase in phases:
        days_before = targets[phase.ends_on]
        try:
            with transaction.atomic():
                PhaseReminder.objects.create(
                    phase=phase, days_before=days_before, for_ends_on=phase.ends_on
                )
                review = phase.review
                what = f"{phase.get_kind_display()} for the review of {review.reviewed_partnership}"
                plural = "s" if days_before != 1 else ""
                notifications.send_on_commit(
                    _reminder_recipients(review),
                    f"{what} ends in {days_before} day{plural}",
                    f"{what} by {review.reviewing_partnership} must be finished "
                    f"{deadline(phase.ends_on)}.",
                )
                sent += 1
        except IntegrityError:
            continue  # already sent
    return sent
