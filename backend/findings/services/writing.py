"""Writing findings: the team drafts them during fieldwork and moderation, links
evidence and themes, adds quotes, and proposes a finding for moderation once
evidence of enough different kinds supports it (triangulation).

Who and when is decided by findings.policies; this module checks the input. A
foreign id (an evidence item of another review or partnership, an area of another
review) is refused exactly as a missing one, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import Conflict, ValidationFailed
from evidence.models import EvidenceItem
from reviews.models import Review, ReviewArea
from tenancy.access import Actor

from .. import policies, selectors
from ..models import Finding, FindingComment, Quote, Rating, ThemeTag
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

EVIDENCE_MESSAGE = "Select evidence from this review's evidence"


class EditConflict(Conflict):
    """Someone saved the finding since this writer loaded it. Both texts travel with
    the refusal, so the page (or client) can show them side by side and nobody's
    words are lost."""

    def __init__(self, *, current: Finding, yours: str) -> None:
        super().__init__(
            "Someone else saved this finding while you were editing it. Your text has not "
            "been saved: compare the two, then save again.",
            field_errors={"text": ["This finding was changed by someone else: compare the texts"]},
        )
        self.current_text = current.text
        self.current_version = current.version
        self.your_text = yours


def _ids(raw: Iterable[object] | None) -> list[int] | None:
    ids: list[int] = []
    for value in raw or ():
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            return None
        if number <= 0:
            return None
        if number not in ids:
            ids.append(number)
    return ids


def _themes(codes: Iterable[str] | None, errors: dict[str, list[str]]) -> list[ThemeTag]:
    wanted = list(dict.fromkeys(str(code).strip() for code in codes or ()))
    found = {tag.code: tag for tag in ThemeTag.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        errors["themes"] = [
            f"‘{unknown[0]}’ is not a theme of the shared list: choose themes from the list"
        ]
        return []
    return [found[code] for code in wanted]


def _evidence(
    actor: Actor, review: Review, ids: Iterable[object] | None, errors: dict[str, list[str]]
) -> list[EvidenceItem]:
    """Items of this review the actor may see now. Anything else (another review's,
    another partnership's, a closed window's, or no such item) gets one message."""
    wanted = _ids(ids)
    if wanted is None:
        errors["evidence"] = [EVIDENCE_MESSAGE]
        return []
    items = list(selectors.review_evidence(actor, review).filter(pk__in=wanted))
    if len(items) != len(wanted):
        errors["evidence"] = [EVIDENCE_MESSAGE]
        return []
    return items


def _choice(
    value: str, choices: Iterable[str], field: str, message: str, errors: dict[str, list[str]]
) -> str:
    if value not in choices:
        errors[field] = [message]
    return value


def _rating(value: str | None, errors: dict[str, list[str]]) -> str:
    rating = (value or "").strip()
    if rating and rating not in Rating.values:
        errors["rating"] = ["Select a rating from the scale, or none"]
    return rating


def finding_create(
    *,
    actor: Actor,
    review_id: object,
    area_id: object,
    kind: str,
    text: str,
    rating: str = "",
    theme_codes: Iterable[str] = (),
    evidence_ids: Iterable[object] = (),
) -> Finding:
    """A team member (window open) drafts a finding under one of the review's areas."""
    with transaction.atomic():
        review, standing = locked_review(actor, review_id)
        refuse(policies.may_write(standing))
        errors: dict[str, list[str]] = {}
        area = ReviewArea.objects.filter(
            review_id=review.pk, pk=selectors._id(area_id) or 0
        ).first()
        if area is None:
            errors["area"] = ["Select an area of focus of this review"]
        _choice(
            kind,
            Finding.Kind.values,
            "kind",
            "Select a strength or an area for development",
            errors,
        )
        words = clean_text(text, field="text", subject="The finding", errors=errors)
        rated = _rating(rating, errors)
        themes = _themes(theme_codes, errors)
        items = _evidence(actor, review, evidence_ids, errors)
        fail("The finding could not be saved.", errors)
        assert area is not None
        last = Finding.objects.filter(review=review, area=area, kind=kind).aggregate(
            n=Max("position")
        )["n"]
        finding = Finding.objects.create(
            review=review,
            area=area,
            kind=kind,
            position=(last or 0) + 1,
            text=words,
            rating=rated,
            created_by_id=user_id_of(actor),
        )
        finding.themes.set(themes)
        finding.evidence.set(items)
        record(actor, "create", finding, area=area.pk, evidence=[i.pk for i in items])
    return finding


def finding_update(
    *,
    actor: Actor,
    finding_id: object,
    version: int,
    text: str | None = None,
    kind: str | None = None,
    rating: str | None = None,
    theme_codes: Iterable[str] | None = None,
    evidence_ids: Iterable[object] | None = None,
) -> Finding:
    """Change a draft or proposed finding; None keeps a value. `version` is the one
    the writer loaded: if someone saved since, EditConflict carries both texts and
    nothing is written."""
    with transaction.atomic():
        finding, standing = locked_finding(actor, finding_id)
        refuse(policies.may_edit(standing, finding))
        if version != finding.version:
            raise EditConflict(current=finding, yours=text if text is not None else finding.text)
        errors: dict[str, list[str]] = {}
        changes: dict[str, object] = {}
        if text is not None:
            changes["text"] = clean_text(text, field="text", subject="The finding", errors=errors)
        if kind is not None:
            changes["kind"] = _choice(
                kind,
                Finding.Kind.values,
                "kind",
                "Select a strength or an area for development",
                errors,
            )
        if rating is not None:
            changes["rating"] = _rating(rating, errors)
        themes = _themes(theme_codes, errors) if theme_codes is not None else None
        items = (
            _evidence(actor, finding.review, evidence_ids, errors)
            if evidence_ids is not None
            else None
        )
        fail("The finding could not be saved.", errors)
        changed = sorted(name for name, value in changes.items() if getattr(finding, name) != value)
        for name in changed:
            setattr(finding, name, changes[name])
        if themes is not None:
            finding.themes.set(themes)
            changed.append("themes")
        if items is not None:
            finding.evidence.set(items)
            changed.append("evidence")
        finding.version += 1
        finding.updated_at = timezone.now()
        finding.save(update_fields=[*(c for c in changed if c in changes), "version", "updated_at"])
        record(actor, "update", finding, fields=changed, version=finding.version)
    return finding


def triangulation(actor: Actor, finding: Finding) -> tuple[list[str], int]:
    """The kinds of the review's evidence supporting the finding (items the actor may
    see now) and how many kinds the review's handbook asks for."""
    kinds = sorted(
        set(
            selectors.review_evidence(actor, finding.review)
            .filter(findings=finding)
            .values_list("kind", flat=True)
        )
    )
    return kinds, finding.review.handbook_version.triangulation_kinds


def finding_propose(*, actor: Actor, finding_id: object) -> Finding:
    """Put a draft forward for moderation: only with evidence of at least the
    handbook's number of different kinds."""
    with transaction.atomic():
        finding, standing = locked_finding(actor, finding_id)
        refuse(policies.may_propose(standing, finding))
        kinds, needed = triangulation(actor, finding)
        if len(kinds) < needed:
            labels = [EvidenceItem.Kind(kind).label.lower() for kind in kinds]
            have = f"only {', '.join(labels)}" if labels else "none"
            raise ValidationFailed(
                "The finding is not triangulated yet.",
                field_errors={
                    "evidence": [
                        f"Link evidence of at least {needed} different kinds before proposing "
                        f"this finding (it has {have})"
                    ]
                },
            )
        finding.status = Finding.Status.PROPOSED
        finding.version += 1
        finding.updated_at = timezone.now()
        finding.save(update_fields=["status", "version", "updated_at"])
        record(actor, "transition", finding, to=finding.status, kinds=kinds)
    return finding


def finding_delete(*, actor: Actor, finding_id: object) -> None:
    with transaction.atomic():
        finding, standing = locked_finding(actor, finding_id)
        refuse(policies.may_delete(standing, finding))
        record(actor, "delete", finding)
        finding.quotes.all().delete()
        finding.comments.all().delete()
        finding.delete()


def quote_add(
    *,
    actor: Actor,
    finding_id: object,
    text: str,
    attributed_to: str,
    consent: bool,
    group_size: int | None = None,
) -> Quote:
    """Words heard, attributed to a role or an agency (never a person), with whether
    the speaker consented to be quoted and how large the quoted group was."""
    with transaction.atomic():
        finding, standing = locked_finding(actor, finding_id)
        refuse(policies.may_edit(standing, finding))
        errors: dict[str, list[str]] = {}
        words = clean_text(text, field="text", subject="The quote", errors=errors, limit=2000)
        who = clean_text(
            attributed_to,
            field="attributed_to",
            subject="The role or agency quoted",
            errors=errors,
            limit=200,
        )
        if group_size is not None and not 1 <= group_size <= 10000:
            errors["group_size"] = ["The size of the group must be a whole number from 1"]
        fail("The quote could not be saved.", errors)
        quote = Quote.objects.create(
            finding=finding,
            text=words,
            attributed_to=who,
            consent=bool(consent),
            group_size=group_size,
            added_by_id=user_id_of(actor),
        )
        record(actor, "update", finding, quote=quote.pk, consent=quote.consent)
    return quote


def finding_comment(*, actor: Actor, finding_id: object, text: str) -> FindingComment:
    """The reviewed partnership's lead comments on an agreed finding during the
    factual-accuracy check. The finding itself never changes by a comment."""
    with transaction.atomic():
        finding, standing = locked_finding(actor, finding_id)
        refuse(policies.may_comment(standing, finding))
        errors: dict[str, list[str]] = {}
        words = clean_text(
            text, field="text", subject="Your comment", errors=errors, limit=SHORT_MAX * 10
        )
        fail("The comment could not be saved.", errors)
        comment = FindingComment.objects.create(
            finding=finding, text=words, author_id=user_id_of(actor)
        )
        record(actor, "create", finding, comment=comment.pk)
    return comment
