"""GraphQL for budgets: the same selectors and services as REST and the pages, money as
the Decimal scalar, refusals in `errors` with nothing written, another partnership's
budget null exactly like a missing one, and a list whose query count does not grow."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from budgets.models import Budget
from tests.budget_factories import add_partners, salford_budget

pytestmark = pytest.mark.django_db


def gql(client: Client, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = client.post(
        "/graphql/",
        json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def partners(world):
    return add_partners(world)


BUDGETS = """
query($first: Int, $after: ID, $partnership: ID) {
  budgets(first: $first, after: $after, partnership: $partnership) {
    id year yearStart childPopulation illustrative sourceNote canChange partnershipName
    contributions { organisation partnerType cash inKind total share per1000Children }
    otherIncome { description amount }
    spending { category amount }
    totals { income spending balance incomePer1000Children contributions }
  }
}
"""

BUDGET = "query($id: ID!) { budget(id: $id) { id year totals { income } } }"

CREATE = """
mutation($p: ID!, $figures: BudgetFiguresInput!) {
  createBudget(partnership: $p, figures: $figures) {
    errors { field messages }
    budget { id year totals { income balance } contributions { partnerType cash } }
  }
}
"""

UPDATE = """
mutation($b: ID!, $figures: BudgetFiguresInput!) {
  updateBudget(budget: $b, figures: $figures) {
    errors { field messages }
    budget { id year spending { category amount } }
  }
}
"""


def figures(partners, **overrides) -> dict[str, Any]:
    values: dict[str, Any] = {
        "year": "2022/23",
        "childPopulation": 59000,
        "contributions": [{"organisation": partners["police"].pk, "cash": "13500.00"}],
        "otherIncome": [{"description": "DfE grant", "amount": "1000.50"}],
        "spending": [{"category": "STAFF", "amount": "9000"}],
    }
    values.update(overrides)
    return values


def test_the_list_has_money_as_decimals(world, partners, client_for):
    salford_budget(world, partners)

    data = gql(client_for(world.salford_member), BUDGETS)["data"]["budgets"]

    (budget,) = data
    assert budget["year"] == "2022/23" and budget["canChange"] is False
    police = next(c for c in budget["contributions"] if c["partnerType"] == "POLICE")
    assert police == {
        "organisation": "Test Police",
        "partnerType": "POLICE",
        "cash": "13500.00",
        "inKind": "6500.00",
        "total": "20000.00",
        "share": "10.0",
        "per1000Children": "338.98",
    }
    assert budget["totals"]["income"] == "210000.00"
    assert budget["otherIncome"] == [{"description": "DfE grant", "amount": "10000.00"}]


def test_nobody_outside_salford_sees_its_budgets(world, partners, client_for):
    budget = salford_budget(world, partners)
    for user in (world.bolton_lead, world.bolton_member, world.adviser, world.analyst, world.staff):
        client = client_for(user)
        assert gql(client, BUDGETS)["data"]["budgets"] == []
        foreign = gql(client, BUDGET, {"id": budget.pk})
        missing = gql(client, BUDGET, {"id": 999999})
        assert foreign == missing == {"data": {"budget": None}}
    anonymous = client_for(None).post(
        "/graphql/", json.dumps({"query": BUDGETS}), content_type="application/json"
    )
    assert anonymous.status_code == 401


def test_create_then_update_through_the_services(world, partners, client_for):
    client = client_for(world.salford_manager)

    created = gql(client, CREATE, {"p": world.salford.pk, "figures": figures(partners)})
    result = created["data"]["createBudget"]
    assert result["errors"] == []
    assert result["budget"]["totals"] == {"income": "14500.50", "balance": "5500.50"}
    budget_id = result["budget"]["id"]

    updated = gql(
        client,
        UPDATE,
        {
            "b": budget_id,
            "figures": figures(partners, spending=[{"category": "TRAINING", "amount": "1"}]),
        },
    )["data"]["updateBudget"]
    assert updated["errors"] == []
    spending = {s["category"]: s["amount"] for s in updated["budget"]["spending"]}
    assert spending["TRAINING"] == "1.00" and spending["STAFF"] == "0.00"
    assert AuditEvent.objects.filter(object_type="budgets.Budget", action="update").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"spending": [{"category": "STAFF", "amount": "-5"}]},
            "spending.staff",
            "Spending on staff must be 0 or more",
        ),
        ({"year": "2010/11"}, "year", None),
        (
            {"contributions": [{"organisation": "BOLTON", "cash": "5"}]},
            "contributions.BOLTON",
            "Contributions can only come from Salford SCP's statutory partners",
        ),
    ],
)
def test_bad_figures_come_back_in_errors_and_nothing_is_written(
    world, partners, client_for, overrides, field, message
):
    if "contributions" in overrides:
        overrides["contributions"][0]["organisation"] = partners["bolton"].pk
        field = f"contributions.{partners['bolton'].pk}"
    answer = gql(
        client_for(world.salford_manager),
        CREATE,
        {"p": world.salford.pk, "figures": figures(partners, **overrides)},
    )["data"]["createBudget"]

    assert answer["budget"] is None
    errors = {e["field"]: e["messages"] for e in answer["errors"]}
    assert errors[None] == ["The budget has errors. Nothing was saved."]
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert Budget.objects.count() == 0


def test_a_non_numeric_amount_is_refused_by_the_schema(world, partners, client_for):
    bad = figures(partners, spending=[{"category": "STAFF", "amount": "lots"}])
    response = client_for(world.salford_manager).post(
        "/graphql/",
        json.dumps({"query": CREATE, "variables": {"p": world.salford.pk, "figures": bad}}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "Expected type 'Decimal'" in response.json()["errors"][0]["message"]
    assert Budget.objects.count() == 0


def test_a_duplicate_year_and_a_foreign_partnership(world, partners, client_for):
    salford_budget(world, partners)
    duplicate = gql(
        client_for(world.salford_manager),
        CREATE,
        {"p": world.salford.pk, "figures": figures(partners)},
    )["data"]["createBudget"]
    assert {e["field"]: e["messages"] for e in duplicate["errors"]}["year"] == [
        "Salford SCP already has a budget for 2022/23"
    ]
    foreign = gql(
        client_for(world.bolton_lead), CREATE, {"p": world.salford.pk, "figures": figures(partners)}
    )["data"]["createBudget"]
    assert foreign["errors"][0]["messages"] == ["Not found."]
    assert Budget.objects.count() == 1


def test_the_list_costs_the_same_for_one_budget_or_many(world, partners, client_for):
    client = client_for(world.salford_manager)
    salford_budget(world, partners)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            gql(client, BUDGETS)
        return len(queries)

    one = cost()
    for year in ("2017/18", "2018/19", "2019/20", "2020/21", "2021/22"):
        salford_budget(world, partners, year=year)
    assert cost() == one


def test_the_list_pages_by_id(world, partners, client_for):
    ids = [salford_budget(world, partners, year=y).pk for y in ("2019/20", "2020/21", "2021/22")]
    client = client_for(world.salford_member)

    first = gql(client, BUDGETS, {"first": 2})["data"]["budgets"]
    rest = gql(client, BUDGETS, {"first": 2, "after": first[-1]["id"]})["data"]["budgets"]

    assert [int(b["id"]) for b in first + rest] == sorted(ids, reverse=True)
    bad = gql(client, BUDGETS, {"first": 500})
    assert bad["errors"][0]["message"] == "The page could not be read."
