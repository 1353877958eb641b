"""Budget services, selectors and policies: entering and changing a year, every bad
input refused with its message and nothing written, the audit of before and after,
and who may read and change what (tenant B: Bolton's people and everyone outside
Salford)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from budgets import policies, selectors, services
from budgets.models import Budget, Contribution, OtherIncome, Spending
from core.errors import NotFound, PermissionDenied, ValidationFailed
from tenancy.access import actor_for
from tests.budget_factories import add_partners, figures, salford_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(world):
    return add_partners(world)


def _rows() -> tuple[int, int, int, int]:
    return (
        Budget.objects.count(),
        Contribution.objects.count(),
        OtherIncome.objects.count(),
        Spending.objects.count(),
    )


def _refused(world, partners, **overrides) -> ValidationFailed:
    before = _rows()
    with pytest.raises(ValidationFailed) as caught:
        salford_budget(world, partners, **overrides)
    assert _rows() == before, "a refused budget wrote rows"
    return caught.value


# --- entering a year ----------------------------------------------------------------


def test_manager_enters_a_year_with_every_line_and_its_totals(world, partners):
    budget = salford_budget(world, partners)

    budget = selectors.budget_get(actor=actor_for(world.salford_member), budget_id=budget.pk)
    (figures_,) = selectors.budget_figures(budgets=[budget])
    assert budget.year == 2022 and budget.year_label == "2022/23"
    assert figures_.contributions_cash == Decimal("173500.00")
    assert figures_.contributions_in_kind == Decimal("26500.00")
    assert figures_.contributions_total == Decimal("200000.00")
    assert figures_.income_total == Decimal("210000.00")
    assert figures_.spending_total == Decimal("175000.50")
    assert figures_.balance == Decimal("34999.50")
    # 210,000 for 59,000 children: 3,559.322... per 1,000, to the penny.
    assert figures_.income_per_1000_children == Decimal("3559.32")
    shares = {p.organisation: p.share for p in figures_.partners}
    assert shares == {
        "Salford City Council": Decimal("60.0"),
        "Test ICB": Decimal("30.0"),
        "Test Police": Decimal("10.0"),
    }
    police = next(p for p in figures_.partners if p.partner_type == "police")
    assert police.per_1000_children == Decimal("338.98")
    assert [(s.category, s.amount) for s in figures_.spending][:2] == [
        ("staff", Decimal("150000.00")),
        ("independent_scrutiny", Decimal("20000.00")),
    ]


def test_money_is_stored_as_pence_exact_decimals(world, partners):
    budget = salford_budget(world, partners)

    training = Spending.objects.get(budget=budget, category="training").amount
    assert isinstance(training, Decimal) and training == Decimal("5000.50")
    assert Contribution.objects.get(budget=budget, partner_type="police").cash == Decimal(
        "13500.00"
    )


def test_every_statutory_partner_gets_a_row_and_the_partner_type_is_copied(world, partners):
    budget = salford_budget(world, partners, contributions={partners["police"].pk: ("100", "")})

    rows = set(Contribution.objects.filter(budget=budget).values_list("partner_type", "cash"))
    assert rows == {
        ("police", Decimal("100.00")),
        ("local_authority", Decimal("0.00")),
        ("health", Decimal("0.00")),
    }
    assert set(Contribution.objects.values_list("partnership_id", flat=True)) == {world.salford.pk}


def test_creating_is_audited_with_the_figures_after(world, partners):
    budget = salford_budget(world, partners)

    event = AuditEvent.objects.get(action="create", object_type="budgets.Budget")
    assert event.object_id == str(budget.pk)
    assert event.owning_partnership_id == world.salford.pk
    after = event.detail["after"]
    assert after["year"] == "2022/23"
    assert after["contributions"][str(partners["police"].pk)] == {
        "cash": "13500.00",
        "in_kind": "6500.00",
    }
    assert after["other_income"] == ["10000.00"]
    # Typed text never goes into the audit log.
    assert "DfE grant" not in str(event.detail) and "Annual report" not in str(event.detail)


# --- bad input: a message per field, nothing written ------------------------------------


def test_a_negative_amount_is_refused(world, partners):
    error = _refused(world, partners, contributions={partners["police"].pk: ("-100", "")})
    assert error.field_errors == {
        f"contributions.{partners['police'].pk}.cash": ["Cash from Test Police must be 0 or more"]
    }


def test_a_non_numeric_amount_is_refused(world, partners):
    error = _refused(world, partners, spending={"staff": "lots"})
    assert error.field_errors == {
        "spending.staff": ["Spending on staff must be an amount of money, like 1500 or 1500.50"]
    }


def test_more_than_two_decimal_places_is_refused(world, partners):
    error = _refused(world, partners, other_income=[("Grant", "10.001")])
    assert error.field_errors == {
        "other_income.1.amount": ["Amount of income 1 must not have more than 2 decimal places"]
    }


def test_a_float_is_never_taken_for_money(world, partners):
    # 0.1 as a float is 0.1000000000000000055...: read as its shortest form, "0.1".
    budget = salford_budget(world, partners, spending={"staff": 0.1})
    assert Spending.objects.get(budget=budget, category="staff").amount == Decimal("0.10")


@time_machine.travel(date(2026, 12, 3), tick=False)
@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("2014/15", "The financial year must be between 2015/16 and 2027/28"),
        ("2028/29", "The financial year must be between 2015/16 and 2027/28"),
        ("2022/24", "Enter the financial year in the format 2022/23"),
        ("last year", "Enter the financial year in the format 2022/23"),
        ("", "Enter the financial year, for example 2022/23"),
    ],
)
def test_a_year_out_of_range_or_malformed_is_refused(world, partners, year, message):
    error = _refused(world, partners, year=year)
    assert error.field_errors == {"year": [message]}


@time_machine.travel(date(2027, 3, 31), tick=False)
def test_next_year_is_the_latest_before_april(world, partners):
    # On 31 March 2027 the financial year is still 2026/27, so 2027/28 is the latest.
    assert salford_budget(world, partners, year="2027/28").year == 2027
    error = _refused(world, partners, year="2028/29")
    assert error.field_errors["year"] == ["The financial year must be between 2015/16 and 2027/28"]


def test_a_contribution_from_an_organisation_that_is_not_a_statutory_partner(world, partners):
    bolton_council = partners["bolton"]
    error = _refused(world, partners, contributions={bolton_council.pk: ("5000", "")})
    assert error.field_errors == {
        f"contributions.{bolton_council.pk}": [
            "Contributions can only come from Salford SCP's statutory partners"
        ]
    }


def test_a_duplicate_year_is_refused(world, partners):
    salford_budget(world, partners)

    error = _refused(world, partners, year="2022-23")

    assert error.field_errors == {"year": ["Salford SCP already has a budget for 2022/23"]}


def test_another_partnership_may_enter_the_same_year(world, partners):
    salford_budget(world, partners)
    bolton = services.budget_create(
        actor=actor_for(world.bolton_lead),
        partnership_id=world.bolton.pk,
        data=figures(partners, contributions={partners["bolton"].pk: ("1", "")}),
    )
    assert bolton.year == 2022


def test_child_population_must_be_a_positive_whole_number(world, partners):
    for value, message in [
        ("", "Enter the number of children aged 0 to 17"),
        ("0", "Number of children aged 0 to 17 must be more than 0"),
        ("59000.5", "Number of children aged 0 to 17 must be a whole number, like 59000"),
    ]:
        error = _refused(world, partners, child_population=value)
        assert error.field_errors == {"child_population": [message]}


def test_other_income_needs_a_description_and_an_amount(world, partners):
    error = _refused(world, partners, other_income=[("", "500"), ("Grant", "")])
    assert error.field_errors == {
        "other_income.1.description": ["Enter a description of income 1"],
        "other_income.2.amount": ["Enter the amount of income 2"],
    }


def test_every_problem_is_reported_at_once(world, partners):
    error = _refused(world, partners, year="1999/00", spending={"staff": "-1", "bingo": "1"})
    assert set(error.field_errors) == {"year", "spending.staff", "spending.bingo"}


# --- who may do it ----------------------------------------------------------------------


def test_a_plain_member_may_not_enter_a_budget(world, partners):
    with pytest.raises(PermissionDenied) as caught:
        services.budget_create(
            actor=actor_for(world.salford_member),
            partnership_id=world.salford.pk,
            data=figures(partners),
        )
    assert (
        caught.value.message == "Only the partnership's lead or business manager can add budgets."
    )
    assert Budget.objects.count() == 0


@pytest.mark.parametrize("who", ["bolton_lead", "adviser", "analyst", "staff", "outsider"])
def test_nobody_outside_salford_can_name_salford(world, partners, who):
    with pytest.raises(NotFound):
        services.budget_create(
            actor=actor_for(getattr(world, who)),
            partnership_id=world.salford.pk,
            data=figures(partners),
        )
    assert Budget.objects.count() == 0


@pytest.mark.parametrize("who", ["bolton_lead", "bolton_member", "adviser", "analyst", "staff"])
def test_another_partnerships_budget_is_not_found_like_a_missing_one(world, partners, who):
    budget = salford_budget(world, partners)
    actor = actor_for(getattr(world, who))

    for budget_id in (budget.pk, 999_999, "x"):
        with pytest.raises(NotFound) as caught:
            selectors.budget_get(actor=actor, budget_id=budget_id)
        assert caught.value.message == "Not found."
    assert list(selectors.budget_list(actor=actor)) == []
    with pytest.raises(NotFound):
        services.budget_update(actor=actor, budget_id=budget.pk, data=figures(partners))


def test_policies_answer_by_role(world, partners):
    budget = salford_budget(world, partners)
    answers = {
        name: (
            budget in selectors.budget_list(actor=actor_for(getattr(world, name))),
            policies.may_change(actor_for(getattr(world, name)), budget),
            policies.may_add(actor_for(getattr(world, name)), world.salford),
        )
        for name in ("salford_lead", "salford_manager", "salford_member", "bolton_lead", "staff")
    }
    assert answers == {
        "salford_lead": (True, True, True),
        "salford_manager": (True, True, True),
        "salford_member": (True, False, False),
        "bolton_lead": (False, False, False),
        "staff": (False, False, False),
    }


def test_permission_flags_for_a_page(world, partners):
    budget = salford_budget(world, partners)
    for who, expected in (("salford_lead", True), ("salford_member", False)):
        flags = selectors.budget_permissions(actor=actor_for(getattr(world, who)), budgets=[budget])
        assert flags[budget.pk].can_change is expected
    whole = selectors.partnership_budget_permissions(
        actor=actor_for(world.salford_member), partnership=world.salford
    )
    assert (whole.can_add, whole.can_import, whole.can_export) == (False, False, True)


# --- changing a year ----------------------------------------------------------------------


def test_changing_a_year_replaces_its_lines_and_audits_before_and_after(world, partners):
    budget = salford_budget(world, partners)

    services.budget_update(
        actor=actor_for(world.salford_lead),
        budget_id=budget.pk,
        data=figures(partners, other_income=[], spending={"staff": "1.00"}, year="2021/22"),
    )

    budget.refresh_from_db()
    assert budget.year == 2021 and budget.updated_by == world.salford_lead
    assert OtherIncome.objects.filter(budget=budget).count() == 0
    assert dict(Spending.objects.filter(budget=budget).values_list("category", "amount"))[
        "staff"
    ] == Decimal("1.00")
    event = AuditEvent.objects.get(action="update", object_type="budgets.Budget")
    assert event.detail["before"]["year"] == "2022/23"
    assert event.detail["before"]["spending"]["staff"] == "150000.00"
    assert event.detail["before"]["other_income"] == ["10000.00"]
    assert event.detail["after"]["year"] == "2021/22"
    assert event.detail["after"]["spending"]["staff"] == "1.00"
    assert event.detail["after"]["other_income"] == []


def test_a_change_may_keep_its_own_year_but_not_take_another(world, partners):
    first = salford_budget(world, partners)
    second = salford_budget(world, partners, year="2021/22")
    lead = actor_for(world.salford_lead)

    services.budget_update(actor=lead, budget_id=first.pk, data=figures(partners))
    with pytest.raises(ValidationFailed) as caught:
        services.budget_update(actor=lead, budget_id=second.pk, data=figures(partners))

    assert caught.value.field_errors == {"year": ["Salford SCP already has a budget for 2022/23"]}
    second.refresh_from_db()
    assert second.year == 2021


def test_a_member_may_read_but_not_change(world, partners):
    budget = salford_budget(world, partners)
    with pytest.raises(PermissionDenied):
        services.budget_update(
            actor=actor_for(world.salford_member), budget_id=budget.pk, data=figures(partners)
        )
    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_refused_change_writes_nothing(world, partners):
    budget = salford_budget(world, partners)
    with pytest.raises(ValidationFailed):
        services.budget_update(
            actor=actor_for(world.salford_lead),
            budget_id=budget.pk,
            data=figures(partners, spending={"staff": "-5"}),
        )
    assert Spending.objects.get(budget=budget, category="staff").amount == Decimal("150000.00")
    assert not AuditEvent.objects.filter(action="update").exists()


# --- reading --------------------------------------------------------------------------------


def test_the_list_costs_the_same_for_one_year_or_many(world, partners):
    actor = actor_for(world.salford_member)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            budgets = list(selectors.budget_list(actor=actor))
            selectors.budget_figures(budgets=budgets)
            selectors.budget_permissions(actor=actor, budgets=budgets)
        return len(queries)

    salford_budget(world, partners)
    one = cost()
    for year in ("2016/17", "2017/18", "2018/19", "2019/20", "2020/21"):
        salford_budget(world, partners, year=year)
    assert cost() == one == 4  # budgets, contributions, other income, spending; no flags


def test_years_side_by_side_run_earliest_first(world, partners):
    salford_budget(world, partners)
    salford_budget(world, partners, year="2020/21")
    years = selectors.budget_years(actor=actor_for(world.salford_member), partnership=world.salford)
    assert [b.year_label for b in years] == ["2020/21", "2022/23"]


def test_listing_by_a_malformed_partnership_id_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        selectors.budget_list(actor=actor_for(world.salford_member), partnership_id="abc")
    assert caught.value.field_errors == {"partnership": ["Give the id of one of your partnerships"]}
