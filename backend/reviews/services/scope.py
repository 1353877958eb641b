"""Agreeing a review's scope at mobilisation: which of the handbook's areas of
focus, local additions, and the objectives. Any change asks both partnerships to
confirm again."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import Conflict, ValidationFailed, refuse
from tenancy import access
from tenancy.access import Actor

from .. import policies
from ..models import Review, ReviewArea


def _review_for_scope(actor: Actor, review_id: object) -> Review:
    review = access.get_visible(actor, Review, review_id)
    refuse(policies.change_scope(actor, review))
    return review


def scope_set(
    *,
    actor: Actor,
    review_id: object,
    handbook_area_ids: Sequence[object],
    local_areas: list[tuple[str, str]] | None = None,
) -> Review:
    """Replace the agreed areas: a subset of the handbook's areas plus local ones
    (title, key question). Clears both confirmations."""
    with transaction.atomic():
        review = _review_for_scope(actor, review_id)
        errors: dict[str, list[str]] = {}
        available = {a.pk: a for a in review.handbook_version.areas.all()}
        chosen = []
        for raw in dict.fromkeys(handbook_area_ids or []):
            try:
                chosen.append(available[int(str(raw))])
            except (KeyError, ValueError):
                errors["handbook_areas"] = ["Select areas of focus from the handbook list"]
                break
        local: list[tuple[str, str]] = []
        for index, (title, question) in enumerate(local_areas or []):
            title, question = (title or "").strip(), (question or "").strip()
            if not title and not question:
                continue
            if not title:
                errors[f"local_areas-{index}-title"] = ["Enter a title for the local area of focus"]
            elif len(title) > 200:
                errors[f"local_areas-{index}-title"] = ["Title must be 200 characters or fewer"]
            if not question:
                errors[f"local_areas-{index}-key_question"] = ["Enter the key question"]
            local.append((title, question))
        titles = [a.title.lower() for a in chosen] + [t.lower() for t, _ in local]
        if len(titles) != len(set(titles)):
            errors["local_areas"] = ["Each area of focus needs a different title"]
        if not chosen and not local and "handbook_areas" not in errors:
            errors["handbook_areas"] = ["Select at least one area of focus"]
        if errors:
            raise ValidationFailed("The scope could not be saved.", field_errors=errors)
        review.areas.all().delete()
        rows = [
            ReviewArea(
                review=review, source=a, position=i, title=a.title, key_question=a.key_question
            )
            for i, a in enumerate(chosen, start=1)
        ]
        rows += [
            ReviewArea(review=review, position=len(chosen) + i, title=t, key_question=q)
            for i, (t, q) in enumerate(local, start=1)
        ]
        ReviewArea.objects.bulk_create(rows)
        review.scope_confirmed_by_reviewed_at = None
        review.scope_confirmed_by_reviewing_at = None
        review.save(
            update_fields=["scope_confirmed_by_reviewed_at", "scope_confirmed_by_reviewing_at"]
        )
        audit.record(
            actor=actor,
            action="update",
            obj=review,
            owning_partnership_id=review.reviewed_partnership_id,
            detail={"areas": [a.pk for a in chosen], "local_areas": len(local)},
        )
    return review


def scope_confirm(*, actor: Actor, review_id: object) -> Review:
    """Confirm the scope for the actor's side (reviewed or reviewing partnership)."""
    with transaction.atomic():
        review = _review_for_scope(actor, review_id)
        if not review.areas.exists():
            raise Conflict("Agree at least one area of focus before confirming the scope.")
        now = timezone.now()
        fields = []
        sides = policies.scope_sides(actor, review)
        if review.reviewed_partnership_id in sides:
            review.scope_confirmed_by_reviewed_at = now
            fields.append("scope_confirmed_by_reviewed_at")
        if review.reviewing_partnership_id in sides:
            review.scope_confirmed_by_reviewing_at = now
            fields.append("scope_confirmed_by_reviewing_at")
        review.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="update",
            obj=review,
            owning_partnership_id=review.reviewed_partnership_id,
            detail={"scope_confirmed": fields},
        )
    return review
