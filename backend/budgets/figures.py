"""A budget's totals, worked out from its lines (never stored, so never stale): income,
spending, balance, per 1,000 children and each partner's share. Pure arithmetic on
rows already loaded (the selectors prefetch them): no queries here.

Rounding happens once, at the end, half up to the penny (money) or to one decimal
place (percentages), so that the figures on a page, in the API and in an export agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import Budget, PartnerType, SpendingCategory

PENNY = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal("0.00")


def per_thousand(amount: Decimal, children: int) -> Decimal:
    """`amount` for every 1,000 children, to the penny."""
    return (amount * 1000 / children).quantize(PENNY, rounding=ROUND_HALF_UP)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole` to one decimal place; None when `whole` is 0."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PartnerFigures:
    organisation_id: int
    organisation: str
    partner_type: str
    partner_type_label: str
    cash: Decimal
    in_kind: Decimal
    total: Decimal
    share: Decimal | None  # % of all contributions from statutory partners
    per_1000_children: Decimal


@dataclass(frozen=True)
class IncomeLine:
    description: str
    amount: Decimal


@dataclass(frozen=True)
class SpendingLine:
    category: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class TypeTotal:
    """All contributions of one partner type (two councils would be summed here)."""

    partner_type: str
    label: str
    total: Decimal
    share: Decimal | None


@dataclass(frozen=True)
class BudgetFigures:
    budget: Budget
    partners: tuple[PartnerFigures, ...]
    by_type: tuple[TypeTotal, ...]
    other_income: tuple[IncomeLine, ...]
    spending: tuple[SpendingLine, ...]
    contributions_cash: Decimal
    contributions_in_kind: Decimal
    contributions_total: Decimal
    other_income_total: Decimal
    income_total: Decimal
    spending_total: Decimal
    balance: Decimal
    income_per_1000_children: Decimal
    spending_per_1000_children: Decimal


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def figures_for(budget: Budget) -> BudgetFigures:
    """The budget's figures, from its prefetched contributions (with organisations),
    other income and spending."""
    children = budget.child_population
    contributions = list(budget.contributions.all())
    cash = _sum(c.cash for c in contributions)
    in_kind = _sum(c.in_kind for c in contributions)
    contributed = cash + in_kind
    partners = tuple(
        PartnerFigures(
            organisation_id=c.organisation_id,
            organisation=c.organisation.name,
            partner_type=c.partner_type,
            partner_type_label=PartnerType(c.partner_type).label,
            cash=c.cash,
            in_kind=c.in_kind,
            total=c.cash + c.in_kind,
            share=share(c.cash + c.in_kind, contributed),
            per_1000_children=per_thousand(c.cash + c.in_kind, children),
        )
        for c in contributions
    )
    by_type = tuple(
        TypeTotal(kind.value, kind.label, total, share(total, contributed))
        for kind in PartnerType
        for total in [_sum(p.total for p in partners if p.partner_type == kind.value)]
        if any(p.partner_type == kind.value for p in partners)
    )
    other = tuple(IncomeLine(line.description, line.amount) for line in budget.other_income.all())
    spent = {line.category: line.amount for line in budget.spending.all()}
    spending = tuple(
        SpendingLine(category.value, category.label, spent.get(category.value, ZERO))
        for category in SpendingCategory
    )
    other_total = _sum(line.amount for line in other)
    income = contributed + other_total
    spending_total = _sum(line.amount for line in spending)
    return BudgetFigures(
        budget=budget,
        partners=partners,
        by_type=by_type,
        other_income=other,
        spending=spending,
        contributions_cash=cash,
        contributions_in_kind=in_kind,
        contributions_total=contributed,
        other_income_total=other_total,
        income_total=income,
        spending_total=spending_total,
        balance=income - spending_total,
        income_per_1000_children=per_thousand(income, children),
        spending_per_1000_children=per_thousand(spending_total, children),
    )


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    values: tuple[Decimal | int | None, ...]
    money: bool = True
    percent: bool = False


def compare_years(figures: Sequence[BudgetFigures]) -> list[ComparisonRow]:
    """A partnership's years side by side (UX screen 14), one column per year in the
    order given. Partners are compared by type, since a partnership's organisations
    can change (a CCG became an ICB in July 2022)."""
    types = [
        kind
        for kind in PartnerType
        if any(t.partner_type == kind for f in figures for t in f.by_type)
    ]

    def type_total(f: BudgetFigures, kind: str) -> Decimal | None:
        return next((t.total for t in f.by_type if t.partner_type == kind), None)

    def type_share(f: BudgetFigures, kind: str) -> Decimal | None:
        return next((t.share for t in f.by_type if t.partner_type == kind), None)

    rows = [
        ComparisonRow(
            "Children aged 0 to 17", tuple(f.budget.child_population for f in figures), money=False
        )
    ]
    rows += [
        ComparisonRow(kind.label, tuple(type_total(f, kind) for f in figures)) for kind in types
    ]
    rows += [
        ComparisonRow("Other income", tuple(f.other_income_total for f in figures)),
        ComparisonRow("Total income", tuple(f.income_total for f in figures)),
        ComparisonRow("Total spending", tuple(f.spending_total for f in figures)),
        ComparisonRow("Balance", tuple(f.balance for f in figures)),
        ComparisonRow(
            "Income per 1,000 children", tuple(f.income_per_1000_children for f in figures)
        ),
    ]
    rows += [
        ComparisonRow(
            f"{kind.label} share of contributions",
            tuple(type_share(f, kind) for f in figures),
            money=False,
            percent=True,
        )
        for kind in types
    ]
    return rows
