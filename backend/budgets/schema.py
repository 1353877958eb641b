"""GraphQL for budgets: the same selectors and services as the pages and REST. Money
is the Decimal scalar (a string with two places, "13500.00"), never a Float.

`budgets` is keyset-paginated (`first`, 50 by default and at most 200; `after`, the id
of the last budget of the previous page, newest entered first). A page costs the same
number of queries whatever its length: the budgets, their three kinds of line, and
one for the "may change" flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import graphene

from core.errors import NotFound, ValidationFailed
from core.schema import ServiceMutation
from tenancy.access import Actor, actor_of

from . import selectors, services
from .figures import BudgetFigures, IncomeLine, PartnerFigures, SpendingLine
from .models import Budget, PartnerType, SpendingCategory

PartnerTypeEnum = graphene.Enum.from_enum(PartnerType, name="BudgetPartnerType")
SpendingCategoryEnum = graphene.Enum.from_enum(SpendingCategory, name="BudgetSpendingCategory")

PAGE = 50
MAX_PAGE = 200


@dataclass(frozen=True)
class _Row:
    figures: BudgetFigures
    can_change: bool


def _rows(actor: Actor, budgets: list[Budget]) -> list[_Row]:
    flags = selectors.budget_permissions(actor=actor, budgets=budgets)
    return [
        _Row(figures, flags[figures.budget.pk].can_change)
        for figures in selectors.budget_figures(budgets=budgets)
    ]


def _value(choice: Any) -> Any:
    return choice.value if hasattr(choice, "value") else choice


class BudgetContributionType(graphene.ObjectType):
    organisation_id = graphene.ID(required=True)
    organisation = graphene.String(required=True)
    partner_type = PartnerTypeEnum(required=True)
    cash = graphene.Decimal(required=True)
    in_kind = graphene.Decimal(required=True)
    total = graphene.Decimal(required=True)
    share = graphene.Decimal(description="Per cent of all partner contributions; null if 0.")
    per_1000_children = graphene.Decimal(required=True)

    @staticmethod
    def resolve_partner_type(root: PartnerFigures, info: Any) -> str:
        return root.partner_type


class BudgetIncomeType(graphene.ObjectType):
    description = graphene.String(required=True)
    amount = graphene.Decimal(required=True)

    @staticmethod
    def resolve_description(root: IncomeLine, info: Any) -> str:
        return root.description


class BudgetSpendingType(graphene.ObjectType):
    category = SpendingCategoryEnum(required=True)
    amount = graphene.Decimal(required=True)

    @staticmethod
    def resolve_category(root: SpendingLine, info: Any) -> str:
        return root.category


class BudgetTotalsType(graphene.ObjectType):
    contributions_cash = graphene.Decimal(required=True)
    contributions_in_kind = graphene.Decimal(required=True)
    contributions = graphene.Decimal(required=True)
    other_income = graphene.Decimal(required=True)
    income = graphene.Decimal(required=True)
    spending = graphene.Decimal(required=True)
    balance = graphene.Decimal(required=True, description="Income less spending.")
    income_per_1000_children = graphene.Decimal(required=True)
    spending_per_1000_children = graphene.Decimal(required=True)

    @staticmethod
    def resolve_contributions(root: BudgetFigures, info: Any) -> Any:
        return root.contributions_total

    @staticmethod
    def resolve_other_income(root: BudgetFigures, info: Any) -> Any:
        return root.other_income_total

    @staticmethod
    def resolve_income(root: BudgetFigures, info: Any) -> Any:
        return root.income_total

    @staticmethod
    def resolve_spending(root: BudgetFigures, info: Any) -> Any:
        return root.spending_total


class BudgetType(graphene.ObjectType):
    id = graphene.ID(required=True)
    partnership_id = graphene.ID(required=True)
    partnership_name = graphene.String(required=True)
    year = graphene.String(required=True, description='The financial year, "2022/23".')
    year_start = graphene.Int(required=True, description="The year it starts in (April).")
    child_population = graphene.Int(required=True)
    illustrative = graphene.Boolean(
        required=True, description="The figures are illustrative: say so wherever shown."
    )
    source_note = graphene.String(required=True)
    contributions = graphene.List(graphene.NonNull(BudgetContributionType), required=True)
    other_income = graphene.List(graphene.NonNull(BudgetIncomeType), required=True)
    spending = graphene.List(graphene.NonNull(BudgetSpendingType), required=True)
    totals = graphene.Field(BudgetTotalsType, required=True)
    updated_at = graphene.DateTime(required=True)
    can_change = graphene.Boolean(required=True, description="You may change it.")

    @staticmethod
    def resolve_id(root: _Row, info: Any) -> int:
        return int(root.figures.budget.pk)

    @staticmethod
    def resolve_partnership_id(root: _Row, info: Any) -> int:
        return int(root.figures.budget.partnership_id)

    @staticmethod
    def resolve_partnership_name(root: _Row, info: Any) -> str:
        return root.figures.budget.partnership.name

    @staticmethod
    def resolve_year(root: _Row, info: Any) -> str:
        return root.figures.budget.year_label

    @staticmethod
    def resolve_year_start(root: _Row, info: Any) -> int:
        return root.figures.budget.year

    @staticmethod
    def resolve_child_population(root: _Row, info: Any) -> int:
        return root.figures.budget.child_population

    @staticmethod
    def resolve_illustrative(root: _Row, info: Any) -> bool:
        return root.figures.budget.illustrative

    @staticmethod
    def resolve_source_note(root: _Row, info: Any) -> str:
        return root.figures.budget.source_note

    @staticmethod
    def resolve_contributions(root: _Row, info: Any) -> Any:
        return root.figures.partners

    @staticmethod
    def resolve_other_income(root: _Row, info: Any) -> Any:
        return root.figures.other_income

    @staticmethod
    def resolve_spending(root: _Row, info: Any) -> Any:
        return root.figures.spending

    @staticmethod
    def resolve_totals(root: _Row, info: Any) -> BudgetFigures:
        return root.figures

    @staticmethod
    def resolve_updated_at(root: _Row, info: Any) -> Any:
        return root.figures.budget.updated_at


class Query(graphene.ObjectType):
    budgets = graphene.List(
        graphene.NonNull(BudgetType),
        required=True,
        description="Budgets of your partnerships (or of one), newest entered first.",
        partnership=graphene.ID(),
        first=graphene.Int(default_value=PAGE),
        after=graphene.ID(description="The id of the last budget of the previous page."),
    )
    budget = graphene.Field(
        BudgetType, id=graphene.ID(required=True), description="One budget; null if not found."
    )

    @staticmethod
    def resolve_budgets(
        root: Any,
        info: Any,
        partnership: str | None = None,
        first: int | None = PAGE,
        after: Any = None,
    ) -> list[_Row]:
        errors: dict[str, list[str]] = {}
        if first is None or not 1 <= first <= MAX_PAGE:
            errors["first"] = [f"Ask for between 1 and {MAX_PAGE} budgets"]
        last_seen = selectors.parse_id(after) if after is not None else None
        if after is not None and last_seen is None:
            errors["after"] = ["Give the id of the last budget of the previous page"]
        if errors:
            raise ValidationFailed("The page could not be read.", field_errors=errors)
        actor = actor_of(info.context)
        budgets = selectors.budget_list(actor=actor, partnership_id=partnership)
        if last_seen is not None:
            budgets = budgets.filter(pk__lt=last_seen)
        return _rows(actor, list(budgets[:first]))

    @staticmethod
    def resolve_budget(root: Any, info: Any, id: str) -> _Row | None:
        actor = actor_of(info.context)
        try:
            budget = selectors.budget_get(actor=actor, budget_id=id)
        except NotFound:
            return None
        return _rows(actor, [budget])[0]


# --- mutations ----------------------------------------------------------------------


class BudgetContributionInput(graphene.InputObjectType):
    organisation = graphene.ID(required=True, description="A statutory partner's id.")
    cash = graphene.Decimal()
    in_kind = graphene.Decimal()


class BudgetIncomeInput(graphene.InputObjectType):
    description = graphene.String(required=True)
    amount = graphene.Decimal(required=True)


class BudgetSpendingInput(graphene.InputObjectType):
    category = SpendingCategoryEnum(required=True)
    amount = graphene.Decimal(required=True)


class BudgetFiguresInput(graphene.InputObjectType):
    """Statutory partners and spending categories left out count as 0."""

    year = graphene.String(required=True, description='The financial year, "2022/23".')
    child_population = graphene.Int(required=True)
    contributions = graphene.List(graphene.NonNull(BudgetContributionInput))
    other_income = graphene.List(graphene.NonNull(BudgetIncomeInput))
    spending = graphene.List(graphene.NonNull(BudgetSpendingInput))
    source_note = graphene.String()
    illustrative = graphene.Boolean()


def _input(figures: Any) -> services.BudgetInput:
    contributions: dict[object, tuple[object, object]] = {}
    errors: dict[str, list[str]] = {}
    for entry in figures.get("contributions") or []:
        key = str(entry["organisation"])
        if key in contributions:
            errors[f"contributions.{key}"] = ["Give each organisation once"]
        contributions[key] = (entry.get("cash"), entry.get("in_kind"))
    spending: dict[object, object] = {}
    for entry in figures.get("spending") or []:
        category = _value(entry["category"])
        if category in spending:
            errors[f"spending.{category}"] = ["Give each spending category once"]
        spending[category] = entry["amount"]
    if errors:
        raise ValidationFailed("The budget has errors. Nothing was saved.", field_errors=errors)
    return services.BudgetInput(
        year=figures["year"],
        child_population=figures["child_population"],
        contributions=contributions,
        other_income=[(e["description"], e["amount"]) for e in figures.get("other_income") or []],
        spending=spending,
        source_note=figures.get("source_note") or "",
        illustrative=bool(figures.get("illustrative")),
    )


def _answer(info: Any, budget_id: int) -> _Row:
    actor = actor_of(info.context)
    return _rows(actor, [selectors.budget_get(actor=actor, budget_id=budget_id)])[0]


class CreateBudget(ServiceMutation):
    """Enter a year's budget for one of your partnerships (its lead or business manager)."""

    class Arguments:
        partnership = graphene.ID(required=True)
        figures = BudgetFiguresInput(required=True)

    budget = graphene.Field(BudgetType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> CreateBudget:
        budget = services.budget_create(
            actor=actor_of(info.context), partnership_id=a["partnership"], data=_input(a["figures"])
        )
        return cls(budget=_answer(info, budget.pk), errors=[])


class UpdateBudget(ServiceMutation):
    """Replace a budget's figures; the audit log keeps the old ones."""

    class Arguments:
        budget = graphene.ID(required=True)
        figures = BudgetFiguresInput(required=True)

    budget = graphene.Field(BudgetType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> UpdateBudget:
        budget = services.budget_update(
            actor=actor_of(info.context), budget_id=a["budget"], data=_input(a["figures"])
        )
        return cls(budget=_answer(info, budget.pk), errors=[])


class Mutation(graphene.ObjectType):
    create_budget = CreateBudget.Field()
    update_budget = UpdateBudget.Field()
