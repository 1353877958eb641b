"""Downloading a partnership's budgets as CSV or XLSX (the import's layout), audited."""

from __future__ import annotations

from dataclasses import dataclass

from audit import services as audit
from core.errors import NotFound, PermissionDenied
from tenancy.access import Actor

from .. import policies, selectors
from .files import export_rows, to_csv, to_xlsx

FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


def budget_export(*, actor: Actor, partnership_slug: str, file_format: str) -> ExportFile:
    """Every budget of one of the actor's partnerships, earliest year first, with any
    cell a spreadsheet would run as a formula escaped. NotFound for a partnership that
    is not theirs (or a format other than csv and xlsx)."""
    if file_format not in FORMATS:
        raise NotFound()
    partnership = selectors.budget_partnership(actor=actor, slug=partnership_slug)
    if not policies.may_export(actor, partnership):
        raise PermissionDenied("Only members of the partnership can download its budgets.")
    budgets = selectors.budget_years(actor=actor, partnership=partnership)
    content_type, write = FORMATS[file_format]
    content = write(export_rows(budgets))
    audit.record(
        actor=actor,
        action="export",
        obj=partnership,
        detail={"budgets": [b.pk for b in budgets], "format": file_format},
    )
    return ExportFile(f"{partnership.slug}-budgets.{file_format}", content_type, content)
