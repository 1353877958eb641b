"""One finding as REST and GraphQL render it: the same fields from the same
selector rows (themes, quotes, comments, evidence and decisions already limited to
what the reader may see), with the policies' flags."""

from __future__ import annotations

from typing import Any

from .models import Finding, Recommendation, SuccessCriterion
from .selectors import FindingPermissions, evidence_kinds


def _when(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def finding_data(finding: Finding, flags: FindingPermissions) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "review": finding.review_id,
        "area": {"id": finding.area_id, "title": finding.area.title},
        "kind": finding.kind,
        "position": finding.position,
        "text": finding.text,
        "rating": finding.rating,
        "status": finding.status,
        "version": finding.version,
        "themes": [tag.code for tag in finding.themes.all()],
        "evidence": [
            {"id": item.pk, "title": item.title, "kind": item.kind}
            for item in finding.evidence.all()
        ],
        "evidence_kinds": evidence_kinds(finding),
        "quotes": [
            {
                "id": quote.pk,
                "text": quote.text,
                "attributed_to": quote.attributed_to,
                "consent": quote.consent,
                "group_size": quote.group_size,
                "small_group": quote.small_group,
            }
            for quote in finding.quotes.all()
        ],
        "comments": [
            {"id": comment.pk, "text": comment.text, "made_at": _when(comment.made_at)}
            for comment in finding.comments.all()
        ],
        "decisions": [
            {
                "outcome": decision.outcome,
                "held_on": decision.meeting.held_on.isoformat(),
                "text_before": decision.text_before,
                "text_after": decision.text_after,
                "dissent": decision.dissent,
            }
            for decision in finding.decisions.all()
        ],
        "supersedes": finding.supersedes_id,
        "correction_reason": finding.correction_reason,
        "published_at": _when(finding.published_at),
        "can_edit": flags.can_edit,
        "can_propose": flags.can_propose,
        "can_moderate": flags.can_moderate,
        "can_correct": flags.can_correct,
        "can_comment": flags.can_comment,
    }


def _evidence(items: Any) -> list[dict[str, Any]]:
    return [{"id": item.pk, "title": item.title, "kind": item.kind} for item in items]


def criterion_data(criterion: SuccessCriterion) -> dict[str, Any]:
    """A success criterion from selectors.criterion_list (assessments and their
    evidence already limited to what the reader may see)."""
    return {
        "id": criterion.pk,
        "position": criterion.position,
        "statement": criterion.statement,
        "self_assessment": criterion.self_assessment,
        "self_note": criterion.self_note,
        "progress_self_assessment": criterion.progress_self_assessment,
        "progress_self_note": criterion.progress_self_note,
        "assessments": [
            {
                "stage": assessment.stage,
                "rating": assessment.rating,
                "note": assessment.note,
                "evidence": _evidence(assessment.evidence.all()),
            }
            for assessment in criterion.assessments.all()
        ],
    }


def recommendation_data(recommendation: Recommendation) -> dict[str, Any]:
    """A recommendation from selectors.recommendation_list, with the actions the
    reader may see."""
    return {
        "id": recommendation.pk,
        "kind": recommendation.kind,
        "position": recommendation.position,
        "text": recommendation.text,
        "response": recommendation.response,
        "response_reason": recommendation.response_reason,
        "actions": [
            {
                "id": action.pk,
                "text": action.text,
                "owner_role": action.owner_role,
                "owner": action.owner.get_full_name() if action.owner is not None else None,
                "due_on": action.due_on.isoformat(),
                "status": action.status,
            }
            for action in recommendation.actions.all()
        ],
    }
