"""Reads for tenancy. Every function starts from tenancy.access."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from . import access
from .access import Actor
from .models import Membership, Organisation, Partnership


def partnership_list(*, actor: Actor) -> QuerySet[Partnership]:
    """The partnerships the actor belongs to, with their alliance and partners."""
    return (
        access.visible(actor, Partnership)
        .select_related("alliance")
        .prefetch_related(
            Prefetch("statutory_partners", queryset=Organisation.objects.order_by("name"))
        )
        .order_by("name")
    )


def partnership_get(*, actor: Actor, slug: str) -> Partnership:
    """One of the actor's partnerships by slug; NotFound for unknown and foreign alike."""
    return access.get_visible_by(actor, Partnership, slug=slug)


def membership_list_for_user(*, actor: Actor) -> QuerySet[Membership]:
    """The actor's own memberships (user-scoped, so no partnership filter is needed)."""
    if actor.user_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user_id=actor.user_id)
        .select_related("partnership")
        .order_by("partnership__name")
    )


def partnership_directory() -> QuerySet[Partnership]:
    """Every partnership's name and slug, for choosing whom to invite.

    Not tenant data: which partnerships use the product is public within it. Only
    the directory fields may be read from these rows."""
    return Partnership.objects.only("id", "name", "slug", "alliance_id").order_by("name")
