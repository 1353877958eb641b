"""Answer scales: the options a respondent chooses from, and which count as positive.

Scales are part of the question bank's meaning (a banked question's percentage is
"effective or very effective" everywhere), so they are code, not rows anyone edits.
Option codes are unique across scales, which lets one SQL condition
(`choice IN POSITIVE`) count positive answers for every question of a survey at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models


class Scale(models.TextChoices):
    EFFECTIVE = "effective", "Very effective to very ineffective"
    AGREE = "agree", "Strongly agree to strongly disagree"
    YES_NO = "yes_no", "Yes or no"
    FREE_TEXT = "free_text", "Free text"


@dataclass(frozen=True)
class ScaleSpec:
    options: tuple[tuple[str, str], ...]
    positive: frozenset[str]
    positive_label: str

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.options)

    def parse(self, raw: str) -> str | None:
        """The option code for a code or a label, in any case; None if neither."""
        return _match(raw, self.options)


SCALES: dict[str, ScaleSpec] = {
    Scale.EFFECTIVE: ScaleSpec(
        options=(
            ("very_effective", "Very effective"),
            ("effective", "Effective"),
            ("neither_effective", "Neither effective nor ineffective"),
            ("ineffective", "Ineffective"),
            ("very_ineffective", "Very ineffective"),
        ),
        positive=frozenset({"very_effective", "effective"}),
        positive_label="effective or very effective",
    ),
    Scale.AGREE: ScaleSpec(
        options=(
            ("strongly_agree", "Strongly agree"),
            ("agree", "Agree"),
            ("neither_agree", "Neither agree nor disagree"),
            ("disagree", "Disagree"),
            ("strongly_disagree", "Strongly disagree"),
        ),
        positive=frozenset({"strongly_agree", "agree"}),
        positive_label="agree or strongly agree",
    ),
    Scale.YES_NO: ScaleSpec(
        options=(("yes", "Yes"), ("no", "No")),
        positive=frozenset({"yes"}),
        positive_label="yes",
    ),
    Scale.FREE_TEXT: ScaleSpec(options=(), positive=frozenset(), positive_label=""),
}

# Every positive option of every scale (option codes are unique across scales).
POSITIVE: frozenset[str] = frozenset().union(*(spec.positive for spec in SCALES.values()))

# The longest free-text answer kept (a paragraph or two).
TEXT_MAX = 2000


class Sector(models.TextChoices):
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other"


class RoleLevel(models.TextChoices):
    FRONTLINE = "frontline", "Frontline practitioner"
    MANAGER = "manager", "Manager or supervisor"
    SENIOR = "senior", "Senior or strategic leader"
    OTHER = "other", "Other"


def parse_choice(choices: type[models.TextChoices], raw: str) -> str | None:
    """A Sector or RoleLevel code from its code or label, in any case."""
    return _match(raw, [(str(value), str(label)) for value, label in choices.choices])


def _match(raw: str, options: Sequence[tuple[str, str]]) -> str | None:
    """The code whose code or label `raw` is, ignoring case, spacing and underscores
    (other survey tools export either)."""

    def normal(text: str) -> str:
        return " ".join(text.strip().lower().replace("_", " ").split())

    wanted = normal(raw)
    return next((code for code, label in options if wanted in (normal(code), normal(label))), None)
