"""One finding as REST and GraphQL render it: the same fields from the same
selector rows (themes, quotes, comments, evidence and decisions already limited to
what the reader may see), with the policies' flags."""

from __future__ import annotations

from typing import Any

from .models import Finding
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
