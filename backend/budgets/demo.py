"""Demo budgets for the ten Greater Manchester partnerships (tenancy/demo.py), for
2021/22, 2022/23 and 2023/24, so the budget pages have years to set side by side.

One figure is real and published: what the police (the Mayor's office) paid each
area's joint children's and adults' safeguarding boards in 2022/23, half to each board
(DOMAIN.md). A children's partnership's police cash for 2022/23 is that half. Every
other figure (the other years' police cash, the councils' and the ICB's contributions,
grants, spending) is ILLUSTRATIVE: made up to the right order of magnitude, following
the reference review's account that the council and the health body fund the largest
shares and each add about GBP 50k to fill the gap the police leave. Every demo budget
is flagged `illustrative`, so every page that shows it says so, and its note says which
figure is published.

Self-contained on purpose (it reads the tenancy demo's areas and writes only budgets),
so it can move to a demo app as it is. Idempotent: a year that exists is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from tenancy.demo import AREAS, require_demo_mode
from tenancy.models import Organisation, Partnership

from .models import Budget
from .services.rules import BudgetInput, clean_budget
from .services.writes import write_lines

# Police (Mayor's office) payments to the joint children's and adults' boards, 2022/23,
# GBP, half to each board (DOMAIN.md, "Facts for demo and reference data").
POLICE_PAYMENTS_2022 = {
    "bolton": 34_592,
    "bury": 23_700,
    "manchester": 63_732,
    "oldham": 25_800,
    "rochdale": 24_300,
    "salford": 27_000,
    "stockport": 27_600,
    "tameside": 26_400,
    "trafford": 25_800,
    "wigan": 28_800,
}
PUBLISHED_YEAR = 2022
YEARS = (2021, 2022, 2023)
GAP_FILLER = Decimal(50_000)  # what the council and the ICB each added (illustrative)


@dataclass(frozen=True)
class BudgetSummary:
    budgets: int
    created: int


def police_cash(slug: str, year: int) -> Decimal:
    """The children's board's half of the published 2022/23 payment; other years
    illustrative (2% less the year before, 3% more the year after)."""
    half = Decimal(POLICE_PAYMENTS_2022[slug]) / 2
    factor = {2021: Decimal("0.98"), 2022: Decimal(1), 2023: Decimal("1.03")}[year]
    return (half * factor).quantize(Decimal("1"))


def _note(slug: str, year: int) -> str:
    if year == PUBLISHED_YEAR:
        payment = POLICE_PAYMENTS_2022[slug]
        return (
            f"Police cash is published: half of the £{payment:,} the police (Mayor's "
            "office) paid the joint children's and adults' boards in 2022/23, half to each "
            "board. Every other figure is illustrative."
        )
    return "Illustrative figures for the demo: not published."


def _figures(slug: str, children: int, year: int, partners: dict[str, Organisation]) -> BudgetInput:
    """Illustrative figures scaled to the area's children, with the published police
    cash for 2022/23."""
    growth = Decimal(1) + Decimal("0.03") * (year - YEARS[0])
    per_child_council = Decimal("2.60") * growth
    per_child_health = Decimal("2.10") * growth
    council = (per_child_council * children + GAP_FILLER).quantize(Decimal("1"))
    health = (per_child_health * children + GAP_FILLER).quantize(Decimal("1"))
    police = police_cash(slug, year)
    contributions = {
        partners["local_authority"].pk: (council, Decimal(15_000)),
        partners["health"].pk: (health, Decimal(8_000)),
        partners["police"].pk: (police, Decimal(2_500)),
    }
    grant = Decimal(12_000)
    income = council + health + police + grant + Decimal(25_500)
    staff = (income * Decimal("0.62")).quantize(Decimal("1"))
    scrutiny = (income * Decimal("0.08")).quantize(Decimal("1"))
    reviews = (income * Decimal("0.12")).quantize(Decimal("1"))
    training = (income * Decimal("0.10")).quantize(Decimal("1"))
    other = (income * Decimal("0.06")).quantize(Decimal("1"))
    return BudgetInput(
        year=year,
        child_population=children,
        contributions=contributions,
        other_income=[("Department for Education grant (illustrative)", grant)],
        spending={
            "staff": staff,
            "independent_scrutiny": scrutiny,
            "case_reviews": reviews,
            "training": training,
            "other": other,
        },
        source_note=_note(slug, year),
        illustrative=True,
    )


def _partners_by_kind(partnership: Partnership) -> dict[str, Organisation]:
    return {o.kind: o for o in partnership.statutory_partners.all()}


def demo_seed_budgets() -> BudgetSummary:
    """Create the demo budgets that do not exist yet. Raises DemoModeOff outside demo
    mode; expects the tenancy demo (partnerships and their partners) to be seeded."""
    require_demo_mode()
    created = 0
    today = timezone.localdate()
    with transaction.atomic():
        for area in AREAS:
            partnership = Partnership.objects.get(slug=area.slug)
            partners = _partners_by_kind(partnership)
            taken = set(
                Budget.objects.filter(partnership=partnership).values_list("year", flat=True)
            )
            for year in YEARS:
                if year in taken:
                    continue
                clean, errors = clean_budget(
                    partnership=partnership,
                    partners=list(partners.values()),
                    data=_figures(area.slug, area.child_population, year, partners),
                    taken_years=taken,
                    today=today,
                )
                if clean is None:
                    raise ValueError(f"Demo budget {area.slug} {year} breaks a rule: {errors}")
                budget = Budget.objects.create(
                    partnership=partnership,
                    year=clean.year,
                    child_population=clean.child_population,
                    source_note=clean.source_note,
                    illustrative=True,
                )
                write_lines(budget, clean)
                audit.record(
                    actor=None, action="create", obj=budget, detail={"after": clean.snapshot()}
                )
                created += 1
    return BudgetSummary(budgets=Budget.objects.filter(illustrative=True).count(), created=created)
