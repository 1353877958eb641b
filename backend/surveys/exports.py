"""Results as CSV and XLSX. Any cell that starts with = + - @ (a question's wording,
a respondent's comment) gets a leading apostrophe, so a spreadsheet shows it as text
instead of running it as a formula (CSV injection)."""

from __future__ import annotations

import csv
import io

from .selectors import SurveyResults
from .stats import SMALL_SAMPLE_CAVEAT, p_value_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "Question code",
    "Question",
    "Counted as positive",
    "Answered (n)",
    "Positive",
    "Percent positive",
    "95% interval, low",
    "95% interval, high",
    "Caveat",
    "Compared with",
    "Baseline n",
    "Baseline percent",
    "p-value",
    "In words",
]


def safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def result_rows(results: SurveyResults) -> list[list[object]]:
    rows: list[list[object]] = []
    for item in results.rated:
        assert item.result is not None
        base = [
            item.code or "(local question)",
            item.question.wording,
            item.positive_label,
            item.result.answered,
            item.result.positive,
            _pct(item.result.percent),
            _pct(item.result.low),
            _pct(item.result.high),
            SMALL_SAMPLE_CAVEAT if item.result.small_sample else "",
        ]
        if not item.comparisons:
            rows.append([*base, "", "", "", "", ""])
        for comparison in item.comparisons:
            rows.append(
                [
                    *base,
                    comparison.label,
                    comparison.baseline.answered,
                    _pct(comparison.baseline.percent),
                    p_value_text(comparison.p_value),
                    comparison.words,
                ]
            )
    return [[safe(cell) for cell in row] for row in rows]


def comment_rows(results: SurveyResults) -> list[list[object]]:
    return [
        [safe(item.code or "(local question)"), safe(text)]
        for item in results.questions
        if item.is_free_text
        for text in item.comments
    ]


def as_csv(results: SurveyResults) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(result_rows(results))
    comments = comment_rows(results)
    if comments:
        writer.writerow([])
        writer.writerow(["Question code", "Comment"])
        writer.writerows(comments)
    return out.getvalue()


def as_xlsx(results: SurveyResults) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Results")
    sheet.append(HEADER)
    for row in result_rows(results):
        sheet.append(row)
    comments = comment_rows(results)
    if comments:
        notes = workbook.create_sheet("Comments")
        notes.append(["Question code", "Comment"])
        for row in comments:
            notes.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
