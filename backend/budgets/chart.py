"""The contributions chart on a budget's page: a horizontal bar per partner, drawn as
SVG by the template from these numbers. Every bar is labelled with its partner and
amount in text (no colour carries meaning), and the page shows the same figures in a
table beside it (UX.md: charts are SVG with the data table beside them)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .figures import BudgetFigures

LABEL_WIDTH = 230  # room for the partner's name, right-aligned before the bar
BAR_AREA = 300
VALUE_WIDTH = 110
BAR_HEIGHT = 24
ROW_HEIGHT = 40
TOP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    amount: Decimal
    y: int
    width: int
    text_y: int
    value_x: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_x: int
    bar_x: int
    bar_height: int
    bars: tuple[Bar, ...]


def contribution_chart(figures: BudgetFigures) -> Chart | None:
    """Bars scaled to the largest partner's total; None when there are no partners."""
    partners = figures.partners
    if not partners:
        return None
    largest = max((p.total for p in partners), default=Decimal(0))
    bars = []
    for index, partner in enumerate(partners):
        y = TOP + index * ROW_HEIGHT
        width = int(BAR_AREA * partner.total / largest) if largest else 0
        bars.append(
            Bar(
                label=partner.organisation,
                amount=partner.total,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT // 2 + 5,
                value_x=LABEL_WIDTH + width + 8,
            )
        )
    return Chart(
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=TOP * 2 + len(partners) * ROW_HEIGHT,
        label_x=LABEL_WIDTH - 8,
        bar_x=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        bars=tuple(bars),
    )
