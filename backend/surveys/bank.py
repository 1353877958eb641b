"""The question bank as data, loaded by a data migration (as handbooks.reference is).

Codes are stable: a partnership's results for `collaboration_vision` in 2020 and
2024, and the national survey's, are comparable because the code and its scale are
the same. Rewording a question adds a version of the code; only the current version
is offered for new surveys. Each question is mapped to an area of focus of the
reference handbook (by its title there)."""

from __future__ import annotations

from typing import Any

from .scales import Scale

# (code, area of focus, scale, wording). The first two are the reference review's
# headline questions (77% and 91% in Salford's 2020 survey).
QUESTIONS: list[tuple[str, str, str, str]] = [
    (
        "collaboration_vision",
        "Whole system approach and partnership working",
        Scale.EFFECTIVE,
        "How effective is collaboration between partners, and co-owning the partnership's "
        "vision for children?",
    ),
    (
        "felt_supported",
        "Learning and development",
        Scale.AGREE,
        "I feel supported in my safeguarding work and know where to go for information.",
    ),
    (
        "impact_arrangements",
        "Impact of the new arrangements",
        Scale.EFFECTIVE,
        "How effective have the new safeguarding arrangements been in improving practice?",
    ),
    (
        "escalation_known",
        "Independent and internal scrutiny",
        Scale.YES_NO,
        "Do you know how to escalate a concern about another agency's response?",
    ),
    (
        "learning_reviews",
        "Case reviews",
        Scale.AGREE,
        "Learning from rapid reviews and practice reviews reaches me and changes my practice.",
    ),
    (
        "training_useful",
        "Learning and development",
        Scale.EFFECTIVE,
        "How effective is the partnership's multi-agency training?",
    ),
    (
        "communication",
        "Engagement and communications",
        Scale.AGREE,
        "The partnership keeps me informed about its priorities and campaigns.",
    ),
    (
        "voice_of_child",
        "Understanding effectiveness",
        Scale.AGREE,
        "The views of children and families shape the partnership's work.",
    ),
    (
        "what_would_help",
        "Whole system approach and partnership working",
        Scale.FREE_TEXT,
        "What one change would most help partners keep children safe?",
    ),
]


def load(apps: Any) -> None:
    """Create version 1 of every banked question that is not there yet (idempotent)."""
    model = apps.get_model("surveys", "BankQuestion")
    known = set(model.objects.values_list("code", flat=True))
    model.objects.bulk_create(
        model(code=code, version=1, text=text, scale=scale, area_of_focus=area, is_current=True)
        for code, area, scale, text in QUESTIONS
        if code not in known
    )
