"""Reads for findings. Every function starts from tenancy.access: a finding, quote,
comment or moderation record reaches a face only when the chokepoint lets the
actor see it, and the evidence shown beside a finding only when the actor may see
that item now."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from core.errors import NotFound
from evidence.models import EvidenceItem, EvidenceShare
from reviews.models import Review, ReviewArea
from tenancy import access
from tenancy.access import MANAGERS, Actor
from tenancy.models import Membership

from . import policies
from .models import (
    Action,
    CriterionAssessment,
    Finding,
    FindingComment,
    ModerationDecision,
    ModerationMeeting,
    Quote,
    Recommendation,
    SuccessCriterion,
    ThemeTag,
)
from .policies import Standing


def _id(raw: object) -> int | None:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def theme_list() -> QuerySet[ThemeTag]:
    """The shared vocabulary (not tenant data: the same for everyone)."""
    return ThemeTag.objects.order_by("position", "code")


def review_evidence(actor: Actor, review: Review) -> QuerySet[EvidenceItem]:
    """Evidence of this review the actor may see now: items shared with it, and its
    team's own notes. The only items a finding of the review may link to."""
    shared = EvidenceShare.objects.filter(review_id=review.pk).values("item_id")
    return access.visible(actor, EvidenceItem).filter(Q(pk__in=shared) | Q(review_id=review.pk))


def _rows(actor: Actor, findings: QuerySet[Finding], review: Review) -> QuerySet[Finding]:
    """What a finding shows, in a fixed number of queries whatever the number of
    findings: its area, the correction that replaced it, its themes, its quotes and
    comments (those the actor may see), its evidence (items of the review the actor
    may see now) and its moderation decisions (the team's and the reviewing leads')."""
    return findings.select_related("area", "superseded_by", "supersedes").prefetch_related(
        Prefetch("themes", queryset=ThemeTag.objects.order_by("position", "code")),
        Prefetch("quotes", queryset=access.visible(actor, Quote).order_by("id")),
        Prefetch(
            "comments",
            queryset=access.visible(actor, FindingComment).select_related("author").order_by("id"),
        ),
        Prefetch("evidence", queryset=review_evidence(actor, review).order_by("kind", "id")),
        Prefetch(
            "decisions",
            queryset=access.visible(actor, ModerationDecision)
            .select_related("meeting")
            .order_by("decided_at", "id"),
        ),
    )


def finding_list(
    *, actor: Actor, review_id: object, area_id: object | None = None, status: str | None = None
) -> QuerySet[Finding]:
    """The review's findings the actor may see, by area, kind and position. NotFound
    for a review the actor cannot see, or an area not of that review."""
    review = access.get_visible(actor, Review, review_id)
    findings = access.visible(actor, Finding).filter(review_id=review.pk)
    if area_id not in (None, ""):
        area = access.get_child(ReviewArea.objects.filter(review_id=review.pk), area_id)
        findings = findings.filter(area_id=area.pk)
    if status:
        findings = findings.filter(status=status)
    return _rows(actor, findings, review).order_by(
        "area__position", "area_id", "kind", "position", "id"
    )


def finding_get(*, actor: Actor, finding_id: object) -> Finding:
    """One finding with what it shows. NotFound, the same error, whether it does not
    exist or the actor may not see it (now)."""
    pk = _id(finding_id)
    if pk is None:
        raise NotFound()
    finding = access.visible(actor, Finding).filter(pk=pk).select_related("review").first()
    if finding is None:
        raise NotFound()
    row = _rows(actor, access.visible(actor, Finding).filter(pk=pk), finding.review).first()
    if row is None:
        raise NotFound()
    return row


def evidence_kinds(finding: Finding) -> list[str]:
    """The different kinds of evidence supporting a finding, as the page shows them
    (from its prefetched evidence: what the reader may see)."""
    return sorted({item.kind for item in finding.evidence.all()})


def standing(actor: Actor, review: Review, finding_ids: Iterable[int] = ()) -> Standing:
    """The actor's standing on the review's findings (policies.Standing): one query
    per permission for a whole page, none when nothing could grant it."""
    ids = list(finding_ids)
    return Standing(
        review=review,
        on_team=review.team_group_id in actor.open_group_ids,
        runs_review=access.can(actor, "lead", review),
        change=access.permitted_ids(actor, Finding, "change", ids),
        moderate=access.permitted_ids(actor, Finding, "moderate", ids),
        comment=access.permitted_ids(actor, Finding, "comment", ids),
    )


@dataclass(frozen=True)
class FindingPermissions:
    """What the actor may do to one finding now: the policies' answers as flags."""

    can_edit: bool
    can_delete: bool
    can_propose: bool
    can_moderate: bool
    can_correct: bool
    can_comment: bool


def finding_permissions(
    *, actor: Actor, review: Review, findings: Sequence[Finding]
) -> dict[int, FindingPermissions]:
    """Flags for a page of findings of one review, by the policies the services
    refuse with; a constant number of queries for the page."""
    held = standing(actor, review, [f.pk for f in findings])
    return {
        f.pk: FindingPermissions(
            can_edit=policies.may_edit(held, f) is None,
            can_delete=policies.may_delete(held, f) is None,
            can_propose=policies.may_propose(held, f) is None,
            can_moderate=policies.may_moderate(held, f) is None,
            can_correct=policies.may_correct(held, f) is None,
            can_comment=policies.may_comment(held, f) is None,
        )
        for f in findings
    }


@dataclass(frozen=True)
class ReviewPermissions:
    """What the actor may do to the review's findings as a whole."""

    can_write: bool
    can_record_meeting: bool
    can_publish: bool


def unmoderated_count(review: Review) -> int:
    """Findings of the review still draft or proposed: the publication guard.
    Counted over every finding of the review, whoever asks (a guard, not a read)."""
    return Finding.objects.filter(review_id=review.pk, status__in=policies.UNMODERATED).count()


def review_permissions(*, actor: Actor, review: Review) -> ReviewPermissions:
    held = standing(actor, review)
    return ReviewPermissions(
        can_write=policies.may_write(held) is None,
        can_record_meeting=policies.may_record_meeting(held) is None,
        can_publish=policies.may_publish(held, unmoderated_count(review)) is None,
    )


STATUSES: tuple[str, ...] = tuple(Finding.Status.values)


@dataclass
class AreaSummary:
    area: ReviewArea
    strengths: int = 0
    developments: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))


def area_summaries(*, actor: Actor, review: Review) -> list[AreaSummary]:
    """Per area of the review: how many findings the actor may see, by kind and
    status. Two queries: the areas, then the counts."""
    areas = ReviewArea.objects.filter(review_id=review.pk).order_by("position", "id")
    table = {area.pk: AreaSummary(area) for area in areas}
    counts = (
        access.visible(actor, Finding)
        .filter(review_id=review.pk)
        .values_list("area_id", "kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for area_id, kind, status, n in counts:
        summary = table[area_id]
        summary.by_status[status] += n
        if kind == Finding.Kind.STRENGTH:
            summary.strengths += n
        else:
            summary.developments += n
    return list(table.values())


def meeting_list(*, actor: Actor, review: Review) -> QuerySet[ModerationMeeting]:
    """The review's moderation meetings the actor may see, newest first, with their
    attendees and decisions."""
    return (
        access.visible(actor, ModerationMeeting)
        .filter(review_id=review.pk)
        .prefetch_related(
            "attendees",
            Prefetch(
                "decisions", queryset=ModerationDecision.objects.select_related("finding__area")
            ),
        )
        .order_by("-held_on", "-id")
    )


def criterion_list(*, actor: Actor, review: Review) -> QuerySet[SuccessCriterion]:
    """The review's success criteria the actor may see, each with the reviewers'
    assessments the actor may see (and their evidence, as far as the actor may see it)."""
    assessments = access.visible(actor, CriterionAssessment).prefetch_related(
        Prefetch("evidence", queryset=review_evidence(actor, review).order_by("kind", "id"))
    )
    return (
        access.visible(actor, SuccessCriterion)
        .filter(review_id=review.pk)
        .prefetch_related(Prefetch("assessments", queryset=assessments.order_by("stage")))
        .order_by("position", "id")
    )


def recommendation_list(*, actor: Actor, review: Review) -> QuerySet[Recommendation]:
    """The review's recommendations the actor may see, each with its actions (those
    the actor may see: the reviewed partnership's work)."""
    actions = access.visible(actor, Action).select_related("owner").order_by("due_on", "id")
    return (
        access.visible(actor, Recommendation)
        .filter(review_id=review.pk)
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("position", "id")
    )


def manages_reviewed_partnership(actor: Actor, review: Review) -> bool:
    """A lead or business manager of the reviewed partnership (who states its success
    criteria and plans its actions)."""
    return actor.role_in(review.reviewed_partnership_id) in MANAGERS


def action_owner_candidates(review: Review) -> list[User]:
    """People of the reviewed partnership an action can be given to, by name."""
    return [
        m.user
        for m in Membership.objects.filter(partnership_id=review.reviewed_partnership_id)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    ]
