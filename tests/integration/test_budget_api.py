"""REST for budgets: money as decimal strings, a message per field and nothing written
on bad input, another partnership's budget answered exactly like a missing one, the
list's pages at a constant number of queries, import and export over the API."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from budgets.models import Budget
from tests.budget_factories import add_partners, salford_budget

pytestmark = pytest.mark.django_db

LIST = "/api/v1/budgets/"
NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


@pytest.fixture
def partners(world):
    return add_partners(world)


def post_json(client: Client, url: str, body: object) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def body(world, partners, **overrides) -> dict[str, Any]:
    values = {
        "partnership": world.salford.pk,
        "year": "2022/23",
        "child_population": "59000",
        "contributions": [
            {"organisation": partners["police"].pk, "cash": "13500.00", "in_kind": "0"},
            {"organisation": partners["council"].pk, "cash": "100000"},
        ],
        "other_income": [{"description": "DfE grant", "amount": "10000"}],
        "spending": {"staff": "90000.25"},
    }
    values.update(overrides)
    return values


def test_create_answers_with_the_budget_and_money_as_decimal_strings(world, partners, client_for):
    response = post_json(client_for(world.salford_manager), LIST, body(world, partners))

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["year"] == "2022/23" and data["year_start"] == 2022
    police = next(c for c in data["contributions"] if c["partner_type"] == "police")
    assert police == {
        "organisation": partners["police"].pk,
        "organisation_name": "Test Police",
        "partner_type": "police",
        "cash": "13500.00",
        "in_kind": "0.00",
        "total": "13500.00",
        "share": "11.9",
        "per_1000_children": "228.81",
    }
    assert data["totals"]["income"] == "123500.00"
    assert data["totals"]["balance"] == "33499.75"
    assert data["spending"][0] == {"category": "staff", "amount": "90000.25"}
    assert data["can_change"] is True


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"spending": {"staff": "-1"}},
            {"spending.staff": ["Spending on staff must be 0 or more"]},
        ),
        (
            {"spending": {"staff": "ten"}},
            {
                "spending.staff": [
                    "Spending on staff must be an amount of money, like 1500 or 1500.50"
                ]
            },
        ),
        ({"year": "2040/41"}, {"year": ["The financial year must be between 2015/16 and 2027/28"]}),
    ],
)
@time_machine.travel(date(2026, 12, 3), tick=False)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    world, partners, client_for, overrides, errors
):
    response = post_json(
        client_for(world.salford_manager), LIST, body(world, partners, **overrides)
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The budget has errors. Nothing was saved.",
        "code": "invalid",
        "errors": errors,
    }
    assert Budget.objects.count() == 0


def test_a_contribution_from_a_stranger_and_a_partner_given_twice(world, partners, client_for):
    client = client_for(world.salford_manager)
    stranger = {"organisation": partners["bolton"].pk, "cash": "5"}
    twice = {"organisation": partners["police"].pk, "cash": "5"}

    first = post_json(client, LIST, body(world, partners, contributions=[stranger]))
    second = post_json(client, LIST, body(world, partners, contributions=[twice, twice]))

    assert first.json()["errors"] == {
        f"contributions.{partners['bolton'].pk}": [
            "Contributions can only come from Salford SCP's statutory partners"
        ]
    }
    assert second.json()["errors"] == {
        f"contributions.{partners['police'].pk}": ["Give each organisation once"]
    }
    assert Budget.objects.count() == 0


def test_a_duplicate_year_is_refused(world, partners, client_for):
    client = client_for(world.salford_manager)
    assert post_json(client, LIST, body(world, partners)).status_code == 201

    response = post_json(client, LIST, body(world, partners))

    assert response.status_code == 400
    assert response.json()["errors"] == {"year": ["Salford SCP already has a budget for 2022/23"]}


def test_bolton_cannot_write_to_salford(world, partners, client_for):
    response = post_json(client_for(world.bolton_lead), LIST, body(world, partners))
    assert response.status_code == 404 and response.json() == NOT_FOUND
    response = post_json(client_for(world.salford_member), LIST, body(world, partners))
    assert response.status_code == 403
    assert Budget.objects.count() == 0


def test_another_partnerships_budget_is_404_exactly_like_a_missing_one(world, partners, client_for):
    budget = salford_budget(world, partners)
    for user in (world.bolton_lead, world.analyst, world.staff, world.adviser):
        client = client_for(user)
        foreign = client.get(f"{LIST}{budget.pk}/")
        missing = client.get(f"{LIST}999999/")
        assert foreign.status_code == missing.status_code == 404
        assert foreign.content == missing.content
        put = client.put(
            f"{LIST}{budget.pk}/",
            json.dumps(body(world, partners)),
            content_type="application/json",
        )
        assert put.status_code == 404
    assert client_for(None).get(f"{LIST}{budget.pk}/").status_code == 401


def test_put_replaces_the_figures(world, partners, client_for):
    budget = salford_budget(world, partners)
    client = client_for(world.salford_lead)
    new = body(world, partners, other_income=[], spending={"training": "12.30"})
    new.pop("partnership")

    response = client.put(f"{LIST}{budget.pk}/", json.dumps(new), content_type="application/json")

    assert response.status_code == 200
    assert response.json()["other_income"] == []
    assert response.json()["totals"]["spending"] == "12.30"
    member = client_for(world.salford_member).put(
        f"{LIST}{budget.pk}/", json.dumps(new), content_type="application/json"
    )
    assert member.status_code == 403


def test_the_list_shows_only_your_partnerships_and_pages_at_constant_cost(
    world, partners, client_for
):
    salford_budget(world, partners)
    client = client_for(world.salford_manager)

    def cost() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(queries), [row["year"] for row in response.json()["results"]]

    one, years = cost()
    assert years == ["2022/23"]
    for year in ("2017/18", "2018/19", "2019/20", "2020/21", "2021/22"):
        salford_budget(world, partners, year=year)
    many, years = cost()
    assert many == one
    assert len(years) == 6
    assert client_for(world.bolton_lead).get(LIST).json()["results"] == []
    filtered = client.get(LIST, {"partnership": world.bolton.pk}).json()["results"]
    assert filtered == []
    assert client.get(LIST, {"partnership": "x"}).status_code == 400


def test_the_list_pages_with_a_cursor(world, partners, client_for):
    for year in ("2018/19", "2019/20", "2020/21"):
        salford_budget(world, partners, year=year)
    client = client_for(world.salford_member)

    first = client.get(LIST, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [r["year"] for r in first["results"]] == ["2020/21", "2019/20"]
    assert [r["year"] for r in second["results"]] == ["2018/19"]
    assert all(r["can_change"] is False for r in first["results"])


def _csv(rows) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["year", "line", "code", "amount", "in_kind", "description"])
    writer.writerows(rows)
    return SimpleUploadedFile("b.csv", buffer.getvalue().encode(), content_type="text/csv")


GOOD = [
    ["2021/22", "children", "", "58000", "", ""],
    ["2021/22", "spending", "staff", "10", "", ""],
]


def test_import_reports_then_writes_with_confirm(world, partners, client_for):
    client = client_for(world.salford_manager)
    url = "/api/v1/partnerships/salford/budgets/import/"

    checked = client.post(url, {"file": _csv(GOOD)})
    assert checked.status_code == 200
    assert checked.json()["ok"] is True and checked.json()["imported"] is False
    assert Budget.objects.count() == 0

    written = client.post(url, {"file": _csv(GOOD), "confirm": "true"})
    assert written.status_code == 201 and written.json()["years"] == ["2021/22"]
    assert Budget.objects.count() == 1

    bad = client.post(
        url, {"file": _csv([*GOOD, ["2022/23", "note", "", "", "", "=cmd"]]), "confirm": "true"}
    )
    assert bad.status_code == 400
    assert bad.json()["rows"][-1]["problems"] == [
        "description begins with =: cells cannot begin with =, +, - or @"
    ]
    assert Budget.objects.count() == 1


def test_import_and_export_are_salfords_own(world, partners, client_for):
    salford_budget(world, partners)
    bolton = client_for(world.bolton_lead)
    assert (
        bolton.post(
            "/api/v1/partnerships/salford/budgets/import/", {"file": _csv(GOOD)}
        ).status_code
        == 404
    )
    assert bolton.get("/api/v1/partnerships/salford/budgets/export/csv/").status_code == 404
    member = client_for(world.salford_member)
    assert (
        member.post(
            "/api/v1/partnerships/salford/budgets/import/", {"file": _csv(GOOD)}
        ).status_code
        == 403
    )

    export = member.get("/api/v1/partnerships/salford/budgets/export/csv/")
    assert export.status_code == 200
    assert export["Content-Disposition"] == 'attachment; filename="salford-budgets.csv"'
    assert b"2022/23,children,,59000" in export.content
