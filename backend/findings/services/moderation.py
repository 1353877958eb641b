"""Moderation and publication.

The team records a moderation meeting (date, attendees from the team) and, at it,
agrees, amends or rejects each proposed finding; an amendment keeps the wording
before and after, and dissent is recorded whatever the outcome. The reviewing
partnership's lead then publishes: every agreed finding becomes published, in the
same transaction as the review's move to "published" (whose guard refuses while
any finding is unmoderated). Published findings never change; a correction is a
new published finding that supersedes the old one, and is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from reviews.models import Review, TeamMember
from reviews.services import review_transition
from tenancy import access
from tenancy.access import Actor

from .. import policies, selectors
from ..models import Finding, ModerationDecision, ModerationMeeting
from .common import (
    SHORT_MAX,
    clean_text,
    fail,
    locked_finding,
    locked_review,
    record,
    refuse,
    user_id_of,
)
from .next_steps import progress_review_schedule
from .writing import _ids


def moderation_meeting_record(
    *,
    actor: Actor,
    review_id: object,
    held_on: date | None,
    attendee_ids: Iterable[object],
    notes: str = "",
) -> ModerationMeeting:
    """Record a moderation meeting of the team. Attendees must be active team members."""
    with transaction.atomic():
        review, standing = locked_review(actor, review_id)
        refuse(policies.may_record_meeting(standing))
        errors: dict[str, list[str]] = {}
        today = timezone.localdate()
        if held_on is None:
            errors["held_on"] = ["Enter the date of the meeting"]
        elif held_on > today + timedelta(days=365) or held_on.year < 2000:
            errors["held_on"] = ["The date of the meeting must be a real date near today"]
        wanted = _ids(attendee_ids)
        team = set(
            review.team.filter(status=TeamMember.Status.ACTIVE).values_list("user_id", flat=True)
        )
        if not wanted or any(pk not in team for pk in wanted):
            errors["attendees"] = ["Select who attended from the review team"]
        words = clean_text(
            notes, field="notes", subject="Notes", errors=errors, required=False, limit=5000
        )
        fail("The meeting could not be recorded.", errors)
        assert held_on is not None
        meeting = ModerationMeeting.objects.create(
            review=review, held_on=held_on, notes=words, recorded_by_id=user_id_of(actor)
        )
        meeting.attendees.set(User.objects.filter(pk__in=wanted or []))
        audit.record(
            actor=actor,
            action="create",
            obj=meeting,
            owning_partnership_id=review.reviewing_partnership_id,
            detail={"review": review.pk, "attendees": sorted(wanted or [])},
        )
    return meeting


def finding_moderate(
    *,
    actor: Actor,
    finding_id: object,
    meeting_id: object,
    outcome: str,
    amended_text: str = "",
    dissent: str = "",
) -> ModerationDecision:
    """Agree, amend or reject a proposed finding at a meeting of its review."""
    with transaction.atomic():
        finding, standing = locked_finding(actor, finding_id)
        refuse(policies.may_moderate(standing, finding))
        errors: dict[str, list[str]] = {}
        meeting = (
            access.visible(actor, ModerationMeeting)
            .filter(review_id=finding.review_id, pk=selectors._id(meeting_id) or 0)
            .first()
        )
        if meeting is None:
            errors["meeting"] = ["Select a moderation meeting of this review"]
        if outcome not in ModerationDecision.Outcome.values:
            errors["outcome"] = ["Select whether the finding is agreed, amended or rejected"]
        after = finding.text
        if outcome == ModerationDecision.Outcome.AMENDED:
            after = clean_text(
                amended_text, field="amended_text", subject="The amended wording", errors=errors
            )
            if after and after == finding.text:
                errors["amended_text"] = ["Change the wording, or choose ‘Agreed’"]
        objection = clean_text(
            dissent,
            field="dissent",
            subject="Dissent",
            errors=errors,
            required=False,
            limit=SHORT_MAX * 10,
        )
        fail("The decision could not be recorded.", errors)
        assert meeting is not None
        decision = ModerationDecision.objects.create(
            meeting=meeting,
            finding=finding,
            outcome=outcome,
            text_before=finding.text,
            text_after=after,
            dissent=objection,
            decided_by_id=user_id_of(actor),
        )
        finding.status = (
            Finding.Status.REJECTED
            if outcome == ModerationDecision.Outcome.REJECTED
            else Finding.Status.AGREED
        )
        finding.text = after
        finding.version += 1
        finding.updated_at = timezone.now()
        finding.save(update_fields=["status", "text", "version", "updated_at"])
        record(
            actor,
            "transition",
            finding,
            to=finding.status,
            outcome=outcome,
            meeting=meeting.pk,
            dissent=bool(objection),
        )
    return decision


def unmoderated_findings_refusal(review: Review) -> str | None:
    """A guard on publishing a review (registered with reviews' lifecycle in
    FindingsConfig.ready): no publication while a finding is unmoderated; agreed
    findings are published with the review, from the findings' publication page."""
    waiting = Finding.objects.filter(review_id=review.pk, status__in=("draft", "proposed")).count()
    if waiting:
        return f"No publication while a finding is unmoderated: {waiting} still draft or proposed."
    if Finding.objects.filter(review_id=review.pk, status="agreed").exists():
        return "Publish the agreed findings from the publication page, after checking them."
    return None


def findings_publish(*, actor: Actor, review_id: object, confirmed: bool) -> int:
    """Publish the review: every agreed finding becomes published, then the review
    moves to "published" (its own guard: nothing unmoderated). All or nothing.
    Returns how many findings were published."""
    with transaction.atomic():
        review, standing = locked_review(actor, review_id)
        refuse(policies.may_publish(standing, selectors.unmoderated_count(review)))
        if not confirmed:
            fail(
                "The findings were not published.",
                {"confirm": ["Confirm that the findings are ready to publish"]},
            )
        now = timezone.now()
        agreed = list(
            Finding.objects.select_for_update()
            .filter(review_id=review.pk, status=Finding.Status.AGREED)
            .order_by("pk")
        )
        for finding in agreed:
            finding.review = review
            finding.status = Finding.Status.PUBLISHED
            finding.published_at = now
            finding.version += 1
            finding.updated_at = now
        Finding.objects.bulk_update(agreed, ["status", "published_at", "version", "updated_at"])
        audit.record_many(
            actor=actor,
            entries=[
                audit.Entry(
                    action="transition",
                    obj=finding,
                    owning_partnership_id=review.reviewing_partnership_id,
                    detail={"review": review.pk, "to": "published"},
                )
                for finding in agreed
            ],
        )
        review_transition(actor=actor, review_id=review.pk, to_status="published")
        progress_review_schedule(review, now)
    return len(agreed)


def finding_correct(*, actor: Actor, finding_id: object, text: str, reason: str) -> Finding:
    """Correct a published finding: a new published finding supersedes it (with the
    same area, kind, place, rating, themes, evidence and quotes); the old one stays
    exactly as it was published, and both are audited."""
    with transaction.atomic():
        finding, standing = locked_finding(actor, finding_id)
        refuse(policies.may_correct(standing, finding))
        errors: dict[str, list[str]] = {}
        words = clean_text(text, field="text", subject="The corrected finding", errors=errors)
        why = clean_text(
            reason,
            field="reason",
            subject="The reason for the correction",
            errors=errors,
            limit=SHORT_MAX,
        )
        if words and words == finding.text:
            errors["text"] = ["Change the wording to correct the finding"]
        fail("The correction could not be published.", errors)
        now = timezone.now()
        correction = Finding.objects.create(
            review=finding.review,
            area=finding.area,
            kind=finding.kind,
            position=finding.position,
            text=words,
            rating=finding.rating,
            status=Finding.Status.PUBLISHED,
            supersedes=finding,
            correction_reason=why,
            created_by_id=user_id_of(actor),
            created_at=now,
            updated_at=now,
            published_at=now,
        )
        correction.themes.set(finding.themes.all())
        correction.evidence.set(finding.evidence.all())
        for quote in finding.quotes.all():
            quote.pk = None
            quote.finding = correction
            quote.save()
        record(actor, "update", finding, superseded_by=correction.pk)
        record(actor, "create", correction, supersedes=finding.pk)
    return correction
