"""The results chart: one row per rated question, a bar to the percentage positive
and a line across its 95% interval, drawn as SVG by a template (templates/surveys/
_chart.html). Every value is also written as text beside its bar, and the table under
the chart holds the same figures, so nothing is told by colour or length alone."""

from __future__ import annotations

from dataclasses import dataclass

from .selectors import SurveyResults

WIDTH = 640
LABEL_WIDTH = 56  # the question's number, left of the axis
VALUE_WIDTH = 150  # "77% (64% to 86%)", right of the plot
ROW = 36
TOP = 28


@dataclass(frozen=True)
class Bar:
    number: int
    y: float
    width: float
    low_x: float
    high_x: float
    text: str
    title: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    plot_left: int
    plot_width: int
    ticks: list[tuple[float, str]]


def results_chart(results: SurveyResults) -> Chart:
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH

    def x(percent: float) -> float:
        return round(LABEL_WIDTH + plot_width * percent / 100, 1)

    bars = []
    for index, item in enumerate(results.rated):
        result = item.result
        if result is None or result.percent is None:
            continue
        assert result.low is not None and result.high is not None
        bars.append(
            Bar(
                number=item.question.position,
                y=TOP + index * ROW,
                width=round(x(result.percent) - LABEL_WIDTH, 1),
                low_x=x(result.low),
                high_x=x(result.high),
                text=f"{result.percent:.0f}% ({result.low:.0f}% to {result.high:.0f}%)",
                title=f"Question {item.question.position}: {item.question.wording}",
            )
        )
    return Chart(
        bars=bars,
        height=TOP + max(len(results.rated), 1) * ROW + 8,
        plot_left=LABEL_WIDTH,
        plot_width=plot_width,
        ticks=[(x(p), f"{p}%") for p in (0, 25, 50, 75, 100)],
    )
