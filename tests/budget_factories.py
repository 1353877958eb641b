"""Builders for budget tests: Salford's statutory partners (the `world` fixture gives
each partnership only the police) and a budget entered through the service."""

from __future__ import annotations

from typing import Any

from budgets import services
from budgets.models import Budget
from budgets.services import BudgetInput
from tenancy.access import actor_for
from tenancy.models import Organisation


def add_partners(world) -> dict[str, Organisation]:
    """Salford's council and ICB beside the police force the world gives it; Bolton's
    council (not Salford's partner)."""
    council = Organisation.objects.create(
        name="Salford City Council", slug="salford-city-council", kind="local_authority"
    )
    icb = Organisation.objects.create(name="Test ICB", slug="test-icb", kind="health")
    bolton_council = Organisation.objects.create(
        name="Bolton Council", slug="bolton-council", kind="local_authority"
    )
    world.salford.statutory_partners.add(council, icb)
    world.bolton.statutory_partners.add(bolton_council, icb)
    return {"council": council, "icb": icb, "police": world.police, "bolton": bolton_council}


def figures(partners: dict[str, Organisation], **overrides: Any) -> BudgetInput:
    """A sound 2022/23 budget for Salford: £200,000 from partners, a £10,000 grant."""
    values: dict[str, Any] = {
        "year": "2022/23",
        "child_population": "59000",
        "contributions": {
            partners["council"].pk: ("100000", "20000"),
            partners["icb"].pk: ("60000", ""),
            partners["police"].pk: ("13500", "6500"),
        },
        "other_income": [("DfE grant", "10000.00")],
        "spending": {"staff": "150000", "independent_scrutiny": "20000", "training": "5000.50"},
        "source_note": "Annual report",
    }
    values.update(overrides)
    return BudgetInput(**values)


def salford_budget(world, partners, **overrides: Any) -> Budget:
    return services.budget_create(
        actor=actor_for(world.salford_manager),
        partnership_id=world.salford.pk,
        data=figures(partners, **overrides),
    )
