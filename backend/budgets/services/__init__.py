"""Writes for budgets: entering and changing a year (writes), the rules every figure
meets (rules), importing and exporting files (importing, files)."""

from .importing import ImportReport, RowReport, budget_import, budget_import_check
from .rules import BudgetInput, CleanBudget, year_choices
from .writes import budget_create, budget_update, budgets_exported, check

__all__ = [
    "BudgetInput",
    "CleanBudget",
    "ImportReport",
    "RowReport",
    "budget_create",
    "budget_import",
    "budget_import_check",
    "budget_update",
    "budgets_exported",
    "check",
    "year_choices",
]
