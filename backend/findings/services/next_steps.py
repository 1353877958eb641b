"""Success criteria, recommendations and actions: the second half of a review.

The reviewed partnership states its success criteria and assesses them; the
reviewers assess them too (on the same scale) and recommend what to stop, start or
sustain and which risks to mitigate. After publication the reviewed partnership
accepts or declines each recommendation, with a reason, and turns the accepted ones
into actions with an owner and a due date. About ten months after publication the
progress review (a phase on the timeline, with its reminders) assesses the criteria
again. Each action is reminded once before its due date and once when overdue.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit import services as audit
from core.dates import deadline, local_today
from core.errors import ValidationFailed
from reviews import notifications
from reviews.models import Phase, Review
from tenancy import access
from tenancy.access import MANAGERS, Actor
from tenancy.models import Membership

from .. import policies
from ..models import Action, Assessment, CriterionAssessment, Recommendation, SuccessCriterion
from .common import clean_text, fail, locked_review, refuse, user_id_of
from .writing import _evidence

# The sector's rhythm (DOMAIN.md): a progress review about ten months on.
PROGRESS_REVIEW_AFTER = timedelta(days=304)
PROGRESS_REVIEW_LENGTH = timedelta(days=14)
REMIND_DAYS_BEFORE = 7


def _record(
    actor: Actor | None, action: str, obj: object, review: Review, **detail: object
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=obj,  # type: ignore[arg-type]
        owning_partnership_id=review.reviewed_partnership_id,
        detail={"review": review.pk, **detail},
    )


def _is_manager(actor: Actor, review: Review) -> bool:
    return actor.role_in(review.reviewed_partnership_id) in MANAGERS


def _assessment(value: str, field: str, errors: dict[str, list[str]], *, required: bool) -> str:
    if (value or required) and value not in Assessment.values:
        errors[field] = ["Select an answer from the scale"]
    return value


# --- success criteria ------------------------------------------------------------------


def criterion_add(*, actor: Actor, review_id: object, statement: str) -> SuccessCriterion:
    """The reviewed partnership's managers add a "we will know we have succeeded
    when ..." statement."""
    with transaction.atomic():
        review, _ = locked_review(actor, review_id)
        refuse(policies.may_state_criteria(_is_manager(actor, review), review))
        errors: dict[str, list[str]] = {}
        text = clean_text(statement, field="statement", subject="The statement", errors=errors)
        fail("The success criterion could not be saved.", errors)
        last = SuccessCriterion.objects.filter(review=review).aggregate(n=Max("position"))["n"]
        criterion = SuccessCriterion.objects.create(
            review=review, position=(last or 0) + 1, statement=text, created_by_id=user_id_of(actor)
        )
        _record(actor, "create", criterion, review)
    return criterion


def criterion_self_assess(
    *, actor: Actor, criterion_id: object, assessment: str, note: str = "", progress: bool = False
) -> SuccessCriterion:
    """The partnership's own answer to "do you feel this has been achieved?", at the
    review or (`progress`) at the progress review."""
    with transaction.atomic():
        criterion = access.get_visible(actor, SuccessCriterion, criterion_id)
        review, _ = locked_review(actor, criterion.review_id)
        refuse(policies.may_state_criteria(_is_manager(actor, review), review))
        errors: dict[str, list[str]] = {}
        rating = _assessment(assessment, "assessment", errors, required=True)
        words = clean_text(note, field="note", subject="The note", errors=errors, required=False)
        fail("The self-assessment could not be saved.", errors)
        prefix = "progress_self_" if progress else "self_"
        setattr(criterion, f"{prefix}assessment", rating)
        setattr(criterion, f"{prefix}note", words)
        criterion.save(update_fields=[f"{prefix}assessment", f"{prefix}note"])
        _record(actor, "update", criterion, review, assessment=rating, progress=progress)
    return criterion


def criterion_assess(
    *,
    actor: Actor,
    criterion_id: object,
    stage: str,
    rating: str,
    note: str = "",
    evidence_ids: Iterable[object] = (),
) -> CriterionAssessment:
    """The reviewers' assessment of a criterion at a stage, with linked evidence of the
    review. Assessing again at the same stage replaces the answer."""
    with transaction.atomic():
        criterion = access.get_visible(actor, SuccessCriterion, criterion_id)
        review, standing = locked_review(actor, criterion.review_id)
        if stage not in CriterionAssessment.Stage.values:
            raise ValidationFailed(
                "The assessment could not be saved.",
                field_errors={"stage": ["Select the review or the progress review"]},
            )
        refuse(policies.may_assess(standing, stage))
        errors: dict[str, list[str]] = {}
        value = _assessment(rating, "rating", errors, required=True)
        words = clean_text(note, field="note", subject="The note", errors=errors, required=False)
        items = _evidence(actor, review, evidence_ids, errors)
        fail("The assessment could not be saved.", errors)
        assessment, _ = CriterionAssessment.objects.update_or_create(
            criterion=criterion,
            stage=stage,
            defaults={
                "rating": value,
                "note": words,
                "assessed_by_id": user_id_of(actor),
                "assessed_at": timezone.now(),
            },
        )
        assessment.evidence.set(items)
        _record(actor, "update", assessment, review, stage=stage, rating=value)
    return assessment


# --- recommendations and actions ---------------------------------------------------------


def recommendation_add(*, actor: Actor, review_id: object, kind: str, text: str) -> Recommendation:
    with transaction.atomic():
        review, standing = locked_review(actor, review_id)
        refuse(policies.may_recommend(standing))
        errors: dict[str, list[str]] = {}
        if kind not in Recommendation.Kind.values:
            errors["kind"] = ["Select stop, start, sustain or a risk to mitigate"]
        words = clean_text(text, field="text", subject="The recommendation", errors=errors)
        fail("The recommendation could not be saved.", errors)
        last = Recommendation.objects.filter(review=review).aggregate(n=Max("position"))["n"]
        recommendation = Recommendation.objects.create(
            review=review,
            kind=kind,
            position=(last or 0) + 1,
            text=words,
            created_by_id=user_id_of(actor),
        )
        _record(actor, "create", recommendation, review, kind=kind)
    return recommendation


def recommendation_respond(
    *, actor: Actor, recommendation_id: object, accept: bool, reason: str
) -> Recommendation:
    """The reviewed partnership's lead accepts or declines, with a reason."""
    with transaction.atomic():
        found = access.get_visible(actor, Recommendation, recommendation_id)
        recommendation = (
            Recommendation.objects.select_for_update(of=("self",))
            .select_related("review")
            .get(pk=found.pk)
        )
        refuse(
            policies.may_respond(
                access.can(actor, "respond", recommendation), recommendation.response
            )
        )
        errors: dict[str, list[str]] = {}
        why = clean_text(
            reason,
            field="reason",
            subject=f"The reason you {'accept' if accept else 'decline'} it",
            errors=errors,
        )
        fail("Your answer could not be saved.", errors)
        recommendation.response = (
            Recommendation.Response.ACCEPTED if accept else Recommendation.Response.DECLINED
        )
        recommendation.response_reason = why
        recommendation.responded_by_id = user_id_of(actor)
        recommendation.responded_at = timezone.now()
        recommendation.save(
            update_fields=["response", "response_reason", "responded_by", "responded_at"]
        )
        _record(
            actor, "update", recommendation, recommendation.review, response=recommendation.response
        )
    return recommendation


def _published_on(review: Review) -> date:
    return local_today(review.status_changed_at)


def action_add(
    *,
    actor: Actor,
    recommendation_id: object,
    text: str,
    due_on: date | None,
    owner_role: str = "",
    owner_id: object | None = None,
) -> Action:
    """An action for an accepted recommendation, owned by a role or one of the
    reviewed partnership's people, due after the review."""
    with transaction.atomic():
        found = access.get_visible(actor, Recommendation, recommendation_id)
        recommendation = Recommendation.objects.select_related("review").get(pk=found.pk)
        review = recommendation.review
        refuse(policies.may_plan_action(_is_manager(actor, review), recommendation.response))
        errors: dict[str, list[str]] = {}
        words = clean_text(text, field="text", subject="The action", errors=errors)
        role = clean_text(
            owner_role,
            field="owner_role",
            subject="The owner's role",
            errors=errors,
            required=False,
            limit=200,
        )
        owner = None
        if owner_id not in (None, ""):
            owner = (
                Membership.objects.filter(
                    partnership_id=review.reviewed_partnership_id, user_id=_int(owner_id)
                )
                .select_related("user")
                .first()
            )
            if owner is None:
                errors["owner"] = [f"Select a person of {review.reviewed_partnership.name}"]
        if not role and owner_id in (None, ""):
            errors["owner_role"] = ["Enter the role that owns the action, or choose a person"]
        if due_on is None:
            errors["due_on"] = ["Enter the date the action is due"]
        elif due_on < _published_on(review):
            errors["due_on"] = [
                f"The due date must be after the review was published "
                f"({_published_on(review).strftime('%-d %B %Y')})"
            ]
        fail("The action could not be saved.", errors)
        assert due_on is not None
        action = Action.objects.create(
            recommendation=recommendation,
            text=words,
            owner_role=role,
            owner=owner.user if owner is not None else None,
            due_on=due_on,
            created_by_id=user_id_of(actor),
        )
        _record(actor, "create", action, review, due_on=due_on.isoformat())
    return action


def _int(raw: object) -> int:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return 0


def action_update(*, actor: Actor, action_id: object, status: str) -> Action:
    with transaction.atomic():
        found = access.get_visible(actor, Action, action_id, "change")
        action = (
            Action.objects.select_for_update(of=("self",))
            .select_related("recommendation__review")
            .get(pk=found.pk)
        )
        if status not in Action.Status.values:
            raise ValidationFailed(
                "The action could not be saved.",
                field_errors={"status": ["Select not started, in progress or done"]},
            )
        action.status = status
        action.save(update_fields=["status"])
        _record(actor, "update", action, action.recommendation.review, status=status)
    return action


def progress_review_schedule(review: Review, published: datetime) -> Phase:
    """Put the progress review on the timeline, about ten months after publication
    (its reminders come with the other phases')."""
    starts = local_today(published) + PROGRESS_REVIEW_AFTER
    last = review.phases.aggregate(n=Max("position"))["n"] or 0
    phase, _ = Phase.objects.get_or_create(
        review=review,
        kind=Phase.Kind.PROGRESS_REVIEW,
        defaults={
            "position": last + 1,
            "original_starts_on": starts,
            "original_ends_on": starts + PROGRESS_REVIEW_LENGTH,
            "starts_on": starts,
            "ends_on": starts + PROGRESS_REVIEW_LENGTH,
        },
    )
    return phase


def _recipients(action: Action) -> list[str]:
    if action.owner is not None:
        return [action.owner.email]
    return notifications.lead_emails(action.recommendation.review.reviewed_partnership)


def _remind(action: Action, field: str, subject: str, body: str) -> bool:
    """Claim the reminder (a conditional update: a second run, or a second worker,
    finds it claimed), then queue the email after commit. Sent once."""
    with transaction.atomic():
        claimed = Action.objects.filter(pk=action.pk, **{f"{field}__isnull": True}).update(
            **{field: timezone.now()}
        )
        if claimed:
            notifications.send_on_commit(_recipients(action), subject, body)
            _record(None, "update", action, action.recommendation.review, reminder=field)
    return bool(claimed)


def action_reminders_send(*, now: datetime | None = None) -> int:
    """Remind each open action once in the week before it is due and once when it is
    overdue. Returns how many reminders were queued."""
    today = local_today(now or timezone.now())
    open_actions = Action.objects.exclude(status=Action.Status.DONE).select_related(
        "owner", "recommendation__review__reviewed_partnership"
    )
    sent = 0
    soon = open_actions.filter(
        reminded_before_at__isnull=True,
        due_on__gte=today,
        due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
    )
    for action in soon:
        sent += _remind(
            action,
            "reminded_before_at",
            "An action from your peer review is due soon",
            f"‘{action.text[:120]}’ is due {deadline(action.due_on)}.",
        )
    for action in open_actions.filter(reminded_overdue_at__isnull=True, due_on__lt=today):
        sent += _remind(
            action,
            "reminded_overdue_at",
            "An action from your peer review is overdue",
            f"‘{action.text[:120]}’ was due {deadline(action.due_on)}.",
        )
    return sent
