"""The budget pages' forms. They only carry what the browser sent: every rule and
message is the services' (budgets.services.rules), put back on the boxes by
web.forms.add_service_errors. Field names are the services' field names
("contributions.<id>.cash", "spending.staff", ...), so each error lands on its box."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from tenancy.models import Organisation
from web.forms import GovukForm

from .models import Budget, SpendingCategory
from .services import BudgetInput

# Other income lines offered on the page (blank lines are ignored). Without scripts
# there is no "add another", so a few spare lines are always shown.
SPARE_INCOME_LINES = 3


@dataclass(frozen=True)
class PartnerRow:
    organisation: Organisation
    cash: BoundField
    in_kind: BoundField


@dataclass(frozen=True)
class IncomeRow:
    number: int
    description: BoundField
    amount: BoundField


def _text(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, strip=False)


class BudgetForm(GovukForm):
    year = forms.CharField(label="Financial year", required=False)
    child_population = forms.CharField(label="Number of children aged 0 to 17", required=False)
    source_note = forms.CharField(
        label="Where the figures come from (optional)", required=False, widget=forms.Textarea
    )
    illustrative = forms.BooleanField(
        label="These figures are illustrative, not published", required=False
    )

    def __init__(
        self, *args: Any, partners: Sequence[Organisation], income_lines: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.partners = list(partners)
        self.income_lines = income_lines
        for organisation in self.partners:
            self.fields[f"contributions.{organisation.pk}.cash"] = _text(
                f"Cash from {organisation.name}"
            )
            self.fields[f"contributions.{organisation.pk}.in_kind"] = _text(
                f"In kind from {organisation.name}"
            )
        for number in range(1, income_lines + 1):
            self.fields[f"other_income.{number}.description"] = _text(
                f"Description of income {number}"
            )
            self.fields[f"other_income.{number}.amount"] = _text(f"Amount of income {number}")
        for category in SpendingCategory:
            self.fields[f"spending.{category.value}"] = _text(category.label)

    @property
    def partner_rows(self) -> list[PartnerRow]:
        return [
            PartnerRow(o, self[f"contributions.{o.pk}.cash"], self[f"contributions.{o.pk}.in_kind"])
            for o in self.partners
        ]

    @property
    def income_rows(self) -> list[IncomeRow]:
        return [
            IncomeRow(n, self[f"other_income.{n}.description"], self[f"other_income.{n}.amount"])
            for n in range(1, self.income_lines + 1)
        ]

    @property
    def spending_rows(self) -> list[BoundField]:
        return [self[f"spending.{category.value}"] for category in SpendingCategory]

    def budget_input(self) -> BudgetInput:
        """What was typed, for the services to check (call after is_valid())."""
        data = self.cleaned_data
        return BudgetInput(
            year=data["year"],
            child_population=data["child_population"],
            contributions={
                o.pk: (
                    data[f"contributions.{o.pk}.cash"],
                    data[f"contributions.{o.pk}.in_kind"],
                )
                for o in self.partners
            },
            other_income=[
                (data[f"other_income.{n}.description"], data[f"other_income.{n}.amount"])
                for n in range(1, self.income_lines + 1)
            ],
            spending={c.value: data[f"spending.{c.value}"] for c in SpendingCategory},
            source_note=data["source_note"],
            illustrative=data["illustrative"],
        )


def initial_for(budget: Budget) -> dict[str, Any]:
    """A stored budget as the form's starting values (the edit page)."""
    initial: dict[str, Any] = {
        "year": budget.year_label,
        "child_population": str(budget.child_population),
        "source_note": budget.source_note,
        "illustrative": budget.illustrative,
    }
    for c in budget.contributions.all():
        initial[f"contributions.{c.organisation_id}.cash"] = str(c.cash)
        initial[f"contributions.{c.organisation_id}.in_kind"] = str(c.in_kind)
    for number, line in enumerate(budget.other_income.all(), start=1):
        initial[f"other_income.{number}.description"] = line.description
        initial[f"other_income.{number}.amount"] = str(line.amount)
    for spent in budget.spending.all():
        initial[f"spending.{spent.category}"] = str(spent.amount)
    return initial


def income_lines_for(data: Mapping[str, Any] | None, budget: Budget | None = None) -> int:
    """How many other income lines to offer: those stored (or, once sent, those filled
    in), plus spares."""
    used = len(budget.other_income.all()) if budget is not None else 0
    if data is not None:
        filled = [
            int(key.split(".")[1])
            for key, value in data.items()
            if key.startswith("other_income.")
            and key.split(".")[1].isdigit()
            and str(value).strip()
        ]
        used = max(filled, default=0)
    return min(used + SPARE_INCOME_LINES, 50)


class ImportForm(GovukForm):
    file = forms.FileField(
        label="Upload a file",
        required=False,
        error_messages={"required": "Select a CSV or XLSX file"},
    )
