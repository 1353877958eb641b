"""Demo budgets: the published 2022/23 police payments (half of each joint-board
payment goes to the children's partnership), illustrative figures for the rest,
labelled as such on the pages, and a second run that adds nothing."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from budgets.demo import POLICE_PAYMENTS_2022, demo_seed_budgets
from budgets.models import Budget, Contribution
from tenancy.demo import DemoModeOff

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_every_greater_manchester_partnership_three_years(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert Budget.objects.count() == 30
    assert "30 budgets" in out.getvalue()
    assert set(Budget.objects.values_list("year", flat=True)) == {2021, 2022, 2023}
    assert not Budget.objects.filter(illustrative=False).exists()
    assert sum(POLICE_PAYMENTS_2022.values()) == 307_724  # the published total (DOMAIN.md)


@pytest.mark.parametrize(("slug", "payment"), sorted(POLICE_PAYMENTS_2022.items()))
def test_the_published_police_payment_is_halved_for_the_childrens_board(slug, payment):
    call_command("seed_demo", stdout=StringIO())

    budget = Budget.objects.get(partnership__slug=slug, year=2022)
    police = Contribution.objects.get(budget=budget, partner_type="police")
    assert police.cash == (Decimal(payment) / 2).quantize(Decimal("1"))
    assert f"£{payment:,}" in budget.source_note and "illustrative" in budget.source_note


def test_a_second_run_adds_nothing():
    call_command("seed_demo", stdout=StringIO())
    rows = list(Contribution.objects.order_by("pk").values_list("pk", "cash"))

    assert demo_seed_budgets().created == 0
    assert list(Contribution.objects.order_by("pk").values_list("pk", "cash")) == rows


def test_the_pages_say_the_figures_are_illustrative(client):
    from accounts.models import User

    call_command("seed_demo", stdout=StringIO())
    client.force_login(User.objects.get(email="lead@salford.demo"))
    budget = Budget.objects.get(partnership__slug="salford", year=2022)

    for url in ("/budgets/salford/", f"/budgets/year/{budget.pk}/"):
        page = client.get(url).content.decode()
        assert "are illustrative, not published figures" in page, url
    assert "£13,500.00" in client.get(f"/budgets/year/{budget.pk}/").content.decode()


def test_demo_budgets_need_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(DemoModeOff):
        demo_seed_budgets()
