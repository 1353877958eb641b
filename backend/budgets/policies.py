"""May this actor do this to a budget now? One answer per decision, each built on the
access chokepoint's role map (ROLE_MAPS["budgets.Budget"] and the partnership's
"add_budget"). Services refuse with these; `selectors.budget_permissions` turns them
into the flags every face shows. Reading is the chokepoint's own rule (every member of
the owning partnership, nobody else), applied by the selectors through access.visible."""

from __future__ import annotations

from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from .models import Budget


def may_change(actor: Actor, budget: Budget) -> bool:
    """The owning partnership's leads and business managers."""
    return access.can(actor, "change", budget)


def may_add(actor: Actor, partnership: Partnership) -> bool:
    """Enter a new year, by hand or by import: the partnership's leads and business
    managers."""
    return access.can(actor, "add_budget", partnership)


def may_export(actor: Actor, partnership: Partnership) -> bool:
    """Download the partnership's budgets: anyone who may read them, its members."""
    return access.can(actor, "view", partnership)


CHANGE_REFUSED = "Only the partnership's lead or business manager can change its budgets."
ADD_REFUSED = "Only the partnership's lead or business manager can add budgets."
