"""Reading budgets. Every function starts from tenancy.access: a partnership's members
read its budgets, and nobody else reads any."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from core.errors import NotFound, PermissionDenied, ValidationFailed
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Organisation, Partnership

from . import policies
from .figures import BudgetFigures, figures_for
from .models import Budget, Contribution


def parse_id(raw: object) -> int | None:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def _with_lines(budgets: QuerySet[Budget]) -> QuerySet[Budget]:
    """Budgets with everything their figures need: four queries for any number of
    budgets (the budgets with their partnership, then contributions with their
    organisations, other income and spending)."""
    return budgets.select_related("partnership").prefetch_related(
        Prefetch("contributions", queryset=Contribution.objects.select_related("organisation")),
        "other_income",
        "spending",
    )


def budget_list(*, actor: Actor, partnership_id: object | None = None) -> QuerySet[Budget]:
    """The budgets the actor may read (their partnerships'), newest entered first, or
    one partnership's; an id that is not a number is refused with a message."""
    budgets = access.visible(actor, Budget)
    if partnership_id not in (None, ""):
        pk = parse_id(partnership_id)
        if pk is None:
            raise ValidationFailed(
                "The budgets could not be listed.",
                field_errors={"partnership": ["Give the id of one of your partnerships"]},
            )
        budgets = budgets.filter(partnership_id=pk)
    return _with_lines(budgets).order_by("-id")


def budget_years(*, actor: Actor, partnership: Partnership) -> list[Budget]:
    """One partnership's budgets, earliest year first (for years side by side)."""
    return list(
        _with_lines(access.visible(actor, Budget).filter(partnership=partnership)).order_by("year")
    )


def budget_get(*, actor: Actor, budget_id: object) -> Budget:
    """One budget with its lines. NotFound — the same error — whether it does not exist
    or belongs to a partnership the actor is not a member of."""
    pk = parse_id(budget_id)
    budget = _with_lines(access.visible(actor, Budget)).filter(pk=pk).first() if pk else None
    if budget is None:
        raise NotFound()
    return budget


def budget_figures(*, budgets: Sequence[Budget]) -> list[BudgetFigures]:
    """The totals of budgets already read through budget_list/_get/_years (no queries)."""
    return [figures_for(budget) for budget in budgets]


def budget_partnership(*, actor: Actor, slug: str) -> Partnership:
    """One of the actor's partnerships by slug; NotFound
    for a partnership that does not exist or is not theirs."""
    return access.get_visible_by(actor, Partnership, slug=slug)


def budget_partnership_for_adding(*, actor: Actor, slug: str) -> Partnership:
    """One of the actor's partnerships that they may add budgets to (by hand or by
    import): NotFound if it is not theirs, PermissionDenied if they are a plain member."""
    partnership = budget_partnership(actor=actor, slug=slug)
    if not policies.may_add(actor, partnership):
        raise PermissionDenied(policies.ADD_REFUSED)
    return partnership


def statutory_partners(*, partnership: Partnership) -> list[Organisation]:
    """The organisations a budget takes contributions from, by kind then name."""
    order = {kind: index for index, kind in enumerate(Organisation.Kind.values)}
    partners = list(partnership.statutory_partners.all())
    return sorted(partners, key=lambda o: (order.get(o.kind, len(order)), o.name))


@dataclass(frozen=True)
class BudgetPermissions:
    """What the actor may do to one budget (the links a row shows)."""

    can_change: bool


def budget_permissions(*, actor: Actor, budgets: Sequence[Budget]) -> dict[int, BudgetPermissions]:
    """Per-budget flags for a page of budgets the actor can see, by the same role map
    as policies.may_change: one query for the whole page, none when the actor manages
    no partnership (PERFORMANCE.md, P5)."""
    change = access.permitted_ids(actor, Budget, "change", [b.pk for b in budgets])
    return {b.pk: BudgetPermissions(can_change=b.pk in change) for b in budgets}


@dataclass(frozen=True)
class PartnershipBudgetPermissions:
    """What the actor may do with a partnership's budgets as a whole."""

    can_add: bool
    can_import: bool
    can_export: bool


def partnership_budget_permissions(
    *, actor: Actor, partnership: Partnership
) -> PartnershipBudgetPermissions:
    adding = policies.may_add(actor, partnership)
    return PartnershipBudgetPermissions(
        can_add=adding, can_import=adding, can_export=policies.may_export(actor, partnership)
    )
