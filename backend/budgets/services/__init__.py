"""Writes for budgets: entering and changing a year (writes), the rules every figure
meets (rules), importing and exporting files (importing, files)."""

from .exporting import ExportFile, budget_export
from .importing import ImportReport, RowReport, budget_import, budget_import_check
from .rules import BudgetInput, CleanBudget, year_choices
from .writes import budget_create, budget_update, check

__all__ = [
    "BudgetInput",
    "CleanBudget",
    "ExportFile",
    "ImportReport",
    "RowReport",
    "budget_create",
    "budget_export",
    "budget_import",
    "budget_import_check",
    "budget_update",
    "check",
    "year_choices",
]
