"""Writing audit events. Services call `record` inside their own transaction, so an
event exists exactly when the change it describes was committed."""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from core.request_id import current_request_id

from .chain import GENESIS, chain_hash, event_fields
from .models import AuditEvent

# Any constant works: it names the lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x41554449


def _lock_chain() -> None:
    """Serialise appends so two transactions never chain onto the same tail.
    SQLite already allows one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def _partnership_id_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == "tenancy.Partnership":
        return int(obj.pk)
    owner = getattr(obj, "partnership_id", None)
    return int(owner) if owner is not None else None


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    owning_partnership_id: int | None = None,
    actor_partnership_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `actor` is a User, a tenancy Actor, or None for the system.

    Keep `detail` to ids and codes: the audit log must never hold evidence text."""
    actor_id = getattr(actor, "user_id", None) or getattr(actor, "pk", None)
    actor_email = getattr(actor, "email", "") or ""
    if actor_partnership_id is None and hasattr(actor, "roles") and len(actor.roles) == 1:
        actor_partnership_id = next(iter(actor.roles))
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
        if owning_partnership_id is None:
            owning_partnership_id = _partnership_id_of(obj)
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        prev_hash = last[1] if last else GENESIS
        event = AuditEvent(
            id=(last[0] + 1) if last else 1,
            occurred_at=timezone.now(),
            actor_id=actor_id,
            actor_email=actor_email,
            actor_partnership_id=actor_partnership_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            owning_partnership_id=owning_partnership_id,
            request_id=current_request_id.get(),
            detail=detail or {},
            prev_hash=prev_hash,
        )
        event.hash = chain_hash(prev_hash, event_fields(event))
        event.save(force_insert=True)
    return event
