"""Writing budgets: enter a year, change it, and the audit of every change with the
figures before and after."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import services as audit
from core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from .. import policies
from ..models import Budget, Contribution, OtherIncome, Spending, year_label
from ..selectors import statutory_partners
from .rules import BudgetInput, CleanBudget, audit_figures, clean_budget, partner_type_of


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotAuthenticated()
    return actor.user_id


def taken_years(partnership: Partnership, *, except_id: int | None = None) -> set[int]:
    # Read without the chokepoint on purpose: a year is taken whoever may see it, and
    # only the year numbers of the partnership being written to are read.
    budgets = Budget.objects.filter(partnership=partnership)
    if except_id is not None:
        budgets = budgets.exclude(pk=except_id)
    return set(budgets.values_list("year", flat=True))


def check(
    *, partnership: Partnership, data: BudgetInput, except_id: int | None = None
) -> CleanBudget:
    """The input checked against every rule (ValidationFailed naming each field), as
    the check-answers page shows it. Writes nothing."""
    clean, errors = clean_budget(
        partnership=partnership,
        partners=statutory_partners(partnership=partnership),
        data=data,
        taken_years=taken_years(partnership, except_id=except_id),
        today=timezone.localdate(),
    )
    if clean is None:
        raise ValidationFailed("The budget has errors. Nothing was saved.", field_errors=errors)
    return clean


def write_lines(budget: Budget, clean: CleanBudget) -> None:
    partnership_id = budget.partnership_id
    Contribution.objects.bulk_create(
        Contribution(
            budget=budget,
            partnership_id=partnership_id,
            organisation=c.organisation,
            partner_type=partner_type_of(c.organisation),
            cash=c.cash,
            in_kind=c.in_kind,
        )
        for c in clean.contributions
    )
    OtherIncome.objects.bulk_create(
        OtherIncome(
            budget=budget,
            partnership_id=partnership_id,
            position=position,
            description=description,
            amount=amount,
        )
        for position, (description, amount) in enumerate(clean.other_income, start=1)
    )
    Spending.objects.bulk_create(
        Spending(budget=budget, partnership_id=partnership_id, category=category, amount=amount)
        for category, amount in clean.spending
    )


def _duplicate(partnership: Partnership, year: int) -> ValidationFailed:
    message = f"{partnership.name} already has a budget for {year_label(year)}"
    return ValidationFailed(
        "The budget has errors. Nothing was saved.", field_errors={"year": [message]}
    )


def _create(actor: Actor, partnership: Partnership, clean: CleanBudget) -> Budget:
    user_id = _user_id(actor)
    try:
        with transaction.atomic():
            budget = Budget.objects.create(
                partnership=partnership,
                year=clean.year,
                child_population=clean.child_population,
                source_note=clean.source_note,
                illustrative=clean.illustrative,
                created_by_id=user_id,
                updated_by_id=user_id,
            )
    except IntegrityError:
        # Another request entered the same year between the check and the insert.
        raise _duplicate(partnership, clean.year) from None
    write_lines(budget, clean)
    audit.record(actor=actor, action="create", obj=budget, detail={"after": clean.snapshot()})
    return budget


def _partnership_for_adding(actor: Actor, partnership_id: object) -> Partnership:
    partnership = access.get_visible(actor, Partnership, partnership_id)
    if not policies.may_add(actor, partnership):
        raise PermissionDenied(policies.ADD_REFUSED)
    return partnership


def budget_create(*, actor: Actor, partnership_id: object, data: BudgetInput) -> Budget:
    """Enter one financial year's budget for a partnership (its lead or business
    manager). Refused with a message per field, and nothing written, for a year out of
    range or already entered, a negative or non-numeric amount, or a contribution from
    an organisation that is not one of the partnership's statutory partners."""
    partnership = _partnership_for_adding(actor, partnership_id)
    clean = check(partnership=partnership, data=data)
    with transaction.atomic():
        return _create(actor, partnership, clean)


def _snapshot_of(budget: Budget) -> dict[str, object]:
    return audit_figures(
        year=budget.year,
        child_population=budget.child_population,
        illustrative=budget.illustrative,
        source_note=budget.source_note,
        contributions=[(c.organisation_id, c.cash, c.in_kind) for c in budget.contributions.all()],
        other_income=[line.amount for line in budget.other_income.all()],
        spending=[(line.category, line.amount) for line in budget.spending.all()],
    )


def budget_update(*, actor: Actor, budget_id: object, data: BudgetInput) -> Budget:
    """Replace a budget's figures (its partnership's lead or business manager). The
    audit event keeps the figures before and after."""
    budget = access.get_visible(actor, Budget, budget_id)
    if not policies.may_change(actor, budget):
        raise PermissionDenied(policies.CHANGE_REFUSED)
    partnership = budget.partnership
    clean = check(partnership=partnership, data=data, except_id=budget.pk)
    with transaction.atomic():
        locked = Budget.objects.select_for_update().get(pk=budget.pk)
        before = _snapshot_of(locked)
        locked.year = clean.year
        locked.child_population = clean.child_population
        locked.source_note = clean.source_note
        locked.illustrative = clean.illustrative
        locked.updated_at = timezone.now()
        locked.updated_by_id = _user_id(actor)
        try:
            with transaction.atomic():
                locked.save(
                    update_fields=[
                        "year",
                        "child_population",
                        "source_note",
                        "illustrative",
                        "updated_at",
                        "updated_by",
                    ]
                )
        except IntegrityError:
            raise _duplicate(partnership, clean.year) from None
        for lines in (locked.contributions, locked.other_income, locked.spending):
            lines.all().delete()
        write_lines(locked, clean)
        audit.record(
            actor=actor,
            action="update",
            obj=locked,
            detail={"before": before, "after": clean.snapshot()},
        )
    return locked


def budgets_create_many(
    *, actor: Actor, partnership: Partnership, budgets: Sequence[CleanBudget]
) -> list[Budget]:
    """Write budgets already checked (an import): all of them or, on any clash, none."""
    with transaction.atomic():
        return [_create(actor, partnership, clean) for clean in budgets]
