"""The theme vocabulary every partnership shares, as data: stable codes that
benchmarks count across the country. Loaded by a data migration; a code, once
published, is never renamed or reused (add a new one instead)."""

from __future__ import annotations

from typing import Any

# (code, label, description), in the order the pages list them. Drawn from the
# reference review's findings (Salford, 2020).
THEMES: tuple[tuple[str, str, str], ...] = (
    (
        "meetings_overload",
        "Meetings overload",
        "Agendas with too many papers and 'for information' items; too little time to discuss.",
    ),
    (
        "impact_not_evidenced",
        "Impact not evidenced",
        "Activity is reported but the difference made for children and families is not shown.",
    ),
    (
        "voice_of_the_child",
        "Voice of the child",
        "How children's lived experience and views shape the partnership's work.",
    ),
    (
        "workforce_churn",
        "Workforce churn",
        "Vacancies and turnover that weaken capacity or continuity.",
    ),
    (
        "statutory_partner_equity",
        "Equity of the statutory partners",
        "A shared and equal duty in practice: presence, voice and leadership of all three.",
    ),
    (
        "relevant_agency_engagement",
        "Engagement of relevant agencies",
        "How schools, the voluntary sector and other relevant agencies are involved.",
    ),
    (
        "governance_clarity",
        "Clarity of governance",
        "Sub-group governance, reporting lines and reports to the partnership.",
    ),
    (
        "rapid_review_capacity",
        "Rapid review capacity",
        "The resource that rising numbers of rapid reviews take from partners.",
    ),
    (
        "independent_scrutiny",
        "Independent scrutiny and challenge",
        "The reach and impact of independent scrutiny, challenge and escalation.",
    ),
    (
        "learning_culture",
        "Learning culture",
        "Learning from reviews and audits put into practice across agencies.",
    ),
    (
        "data_beyond_social_care",
        "Data beyond social care",
        "Performance information from health, police, education and other partners.",
    ),
    (
        "vulnerable_groups",
        "Especially vulnerable groups",
        "Attention to young carers, disabled children, privately fostered children and others.",
    ),
    (
        "funding_contributions",
        "Funding and contributions",
        "The shared budget and the balance of the partners' contributions.",
    ),
    (
        "business_unit_capacity",
        "Business unit capacity",
        "Whether the business unit is resourced and used strategically.",
    ),
    (
        "key_person_dependency",
        "Dependence on key people",
        "Arrangements that rely on individuals rather than roles; succession planning.",
    ),
    (
        "quoracy_and_attendance",
        "Quoracy and attendance",
        "Whether the right partners, at the right seniority, attend and decide.",
    ),
)


def load(apps: Any) -> None:
    """Load the shared theme vocabulary (idempotent: labels and descriptions are updated
    by code, and no code is ever deleted). The data migration and the tests call it."""
    theme_model = apps.get_model("findings", "ThemeTag")
    for position, (code, label, description) in enumerate(THEMES, start=1):
        theme_model.objects.update_or_create(
            code=code,
            defaults={"label": label, "description": description, "position": position},
        )
