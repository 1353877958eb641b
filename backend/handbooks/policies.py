"""May this actor do this to this handbook now: one function per decision,
returning the refusal (in the words every face shows) or None. Services raise it
(core.errors.refuse); the pages ask the same functions for their links. Built on
tenancy.access (the role map's "change" and "copy" on handbooks)."""

from __future__ import annotations

from core.errors import DomainError, PermissionDenied
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from .models import Handbook, HandbookVersion


def _change_refusal(handbook: Handbook) -> PermissionDenied:
    if handbook.partnership_id is None:
        return PermissionDenied(
            f"This handbook belongs to {handbook.owner_name}, so it cannot be changed here. "
            "Copy it into your partnership to adapt it."
        )
    return PermissionDenied(
        f"Only a lead or business manager of {handbook.owner_name} can change this handbook."
    )


def change_handbook(actor: Actor, handbook: Handbook) -> DomainError | None:
    """Start a new version of a handbook: its owners' leads and business managers."""
    if access.permits(actor, [handbook]).can("change", handbook):
        return None
    return _change_refusal(handbook)


def change_version(actor: Actor, version: HandbookVersion) -> DomainError | None:
    """Edit or publish a version (a draft: the service refuses a published one)."""
    if access.permits(actor, [version]).can("change", version):
        return None
    return _change_refusal(version.handbook)


def copy_targets(actor: Actor) -> frozenset[int]:
    """The partnerships the actor may copy a handbook into (or create one in)."""
    return access.partnerships_holding(actor, Handbook, "copy")


def copy_handbook(actor: Actor, partnership: Partnership | None = None) -> DomainError | None:
    """Copy a published handbook into one of the actor's partnerships (any, when
    none is named yet): its leads and business managers."""
    targets = copy_targets(actor)
    allowed = bool(targets) if partnership is None else partnership.pk in targets
    if allowed:
        return None
    return PermissionDenied("Only a lead or business manager can copy a handbook.")


def create_handbook(actor: Actor, partnership: Partnership) -> DomainError | None:
    """Create a handbook in a partnership: its leads and business managers."""
    if partnership.pk in access.partnerships_holding(actor, Handbook, "change"):
        return None
    return PermissionDenied("Only a lead or business manager can create handbooks.")
