"""Reads for tenancy. Every function starts from tenancy.access."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from . import access
from .access import Actor
from .models import Membership, Organisation, Partnership


def _statutory_partners(prefix: str = "") -> Prefetch[Any]:
    # One query for every partnership's partners, however many partnerships.
    return Prefetch(f"{prefix}statutory_partners", queryset=Organisation.objects.order_by("name"))


def partnership_list(*, actor: Actor) -> QuerySet[Partnership]:
    """The partnerships the actor belongs to, with their alliance and partners."""
    return (
        access.visible(actor, Partnership)
        .select_related("alliance")
        .prefetch_related(_statutory_partners())
        .order_by("name")
    )


def partnership_get(*, actor: Actor, slug: str) -> Partnership:
    """One of the actor's partnerships by slug; NotFound for unknown and foreign alike."""
    return access.get_visible_by(actor, Partnership, slug=slug)


def own_role(*, actor: Actor, partnership: Partnership) -> str | None:
    """The actor's role in a partnership they can see ("lead", ...), or None."""
    role = actor.role_in(partnership.pk)
    return str(role) if role else None


def membership_list_for_user(*, actor: Actor, with_partners: bool = False) -> QuerySet[Membership]:
    """The actor's own memberships, with each partnership and its alliance (and its
    statutory partners when `with_partners`: one more query, for callers that show them)."""
    if actor.user_id is None:
        return access.visible(actor, Membership).none()
    memberships = (
        access.visible(actor, Membership)
        .filter(user_id=actor.user_id)
        .select_related("partnership__alliance")
        .order_by("partnership__name")
    )
    if with_partners:
        memberships = memberships.prefetch_related(_statutory_partners("partnership__"))
    return memberships


def partnership_directory() -> QuerySet[Partnership]:
    """Every partnership's name and slug, for choosing whom to invite.

    Not tenant data: which partnerships use the product is public within it. Only
    the directory fields may be read from these rows."""
    return Partnership.objects.only("id", "name", "slug", "alliance_id").order_by("name")


def organisation_choices() -> list[tuple[int, str]]:
    """Every organisation (not tenant data: the public list of employers), by name."""
    return list(Organisation.objects.order_by("name").values_list("pk", "name"))
