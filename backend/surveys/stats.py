"""The statistics of a survey's results, from SciPy rather than hand-written formulas.

- A percentage positive comes with its 95% Wilson score interval
  (`scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`), which stays inside
  0-100% and keeps close to its stated coverage at the small n partnerships have.
- Two percentages (this survey and a baseline) are compared with Fisher's exact test,
  exact at any n, and the answer is put in plain words: below 5% two-sided,
  "higher than" or "lower than"; otherwise "no evidence of a change".
- Under 30 answers a percentage carries a small-sample caveat.
- Breakdowns by sector or role hide a cell below 5 respondents (SECURITY.md section 3,
  rule 6), and a second cell when one alone would be hidden, so the total cannot give
  it away by subtraction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from scipy.stats import binomtest, fisher_exact

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05
SMALL_SAMPLE = 30
MIN_CELL = 5

SMALL_SAMPLE_CAVEAT = (
    f"Fewer than {SMALL_SAMPLE} answers: the interval is wide, so treat this percentage "
    "with caution."
)


@dataclass(frozen=True)
class Proportion:
    answered: int
    positive: int
    # Percentages (0-100); None when nobody answered.
    percent: float | None
    low: float | None
    high: float | None

    @property
    def small_sample(self) -> bool:
        return self.answered < SMALL_SAMPLE


def proportion(positive: int, answered: int) -> Proportion:
    if answered == 0:
        return Proportion(0, 0, None, None, None)
    interval = binomtest(positive, answered).proportion_ci(
        confidence_level=CONFIDENCE, method="wilson"
    )
    return Proportion(
        answered=answered,
        positive=positive,
        percent=100 * positive / answered,
        low=100 * float(interval.low),
        high=100 * float(interval.high),
    )


class BaselineKind(StrEnum):
    PREVIOUS = "previous"
    NATIONAL = "national"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NO_EVIDENCE = "no_evidence"


@dataclass(frozen=True)
class Comparison:
    label: str
    kind: BaselineKind
    baseline: Proportion
    p_value: float
    direction: Direction

    @property
    def words(self) -> str:
        other = (
            "the previous survey" if self.kind == BaselineKind.PREVIOUS else "the national survey"
        )
        if self.direction == Direction.HIGHER:
            return f"higher than {other}"
        if self.direction == Direction.LOWER:
            return f"lower than {other}"
        return (
            "no evidence of a change"
            if self.kind == BaselineKind.PREVIOUS
            else (f"no evidence of a difference from {other}")
        )


def compare(
    this: Proportion, baseline: Proportion, *, label: str, kind: BaselineKind
) -> Comparison | None:
    """This survey's proportion against a baseline's, by Fisher's exact test
    (two-sided); None when either side has no answers."""
    if this.answered == 0 or baseline.answered == 0:
        return None
    table = [
        [this.positive, this.answered - this.positive],
        [baseline.positive, baseline.answered - baseline.positive],
    ]
    p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
    if p_value >= SIGNIFICANCE:
        direction = Direction.NO_EVIDENCE
    elif this.positive * baseline.answered > baseline.positive * this.answered:
        direction = Direction.HIGHER
    else:
        direction = Direction.LOWER
    return Comparison(label, kind, baseline, p_value, direction)


def p_value_text(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


class Suppression(StrEnum):
    SHOWN = "shown"
    PRIMARY = "fewer_than_5"
    SECONDARY = "secondary"


SUPPRESSION_REASONS = {
    Suppression.SHOWN: "",
    Suppression.PRIMARY: f"Fewer than {MIN_CELL} respondents in this group",
    Suppression.SECONDARY: ("Hidden so that a smaller group cannot be worked out from the total"),
}


def suppress(counts: Sequence[int]) -> list[Suppression]:
    """Which cells of one breakdown (respondents per group) to hide: each group of 1 to
    4 respondents, and, when that leaves exactly one hidden, the smallest other
    non-empty group too. Empty groups reveal nobody and are shown."""
    states = [
        Suppression.PRIMARY if 0 < count < MIN_CELL else Suppression.SHOWN for count in counts
    ]
    hidden = [i for i, state in enumerate(states) if state != Suppression.SHOWN]
    if len(hidden) == 1:
        others = [i for i, count in enumerate(counts) if count > 0 and i not in hidden]
        if others:
            states[min(others, key=lambda i: counts[i])] = Suppression.SECONDARY
    return states
