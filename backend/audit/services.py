"""Writing audit events. Services call `record` inside their own transaction, so an
event exists exactly when the change it describes was committed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Entry:
    """One event to append (see `record` for the fields)."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str | int = ""
    owning_partnership_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


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
    entry = Entry(
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        owning_partnership_id=owning_partnership_id,
        detail=detail or {},
    )
    (event,) = record_many(actor=actor, entries=[entry], actor_partnership_id=actor_partnership_id)
    return event


def record_many(
    *, actor: Any, entries: Sequence[Entry], actor_partnership_id: int | None = None
) -> list[AuditEvent]:
    """Append several events by one actor in one go: one lock, one read of the chain's
    tail and one insert, however many there are (a list page spanning many owning
    partnerships costs the same as one spanning a single owner)."""
    if not entries:
        return []
    actor_id = getattr(actor, "user_id", None) or getattr(actor, "pk", None)
    actor_email = getattr(actor, "email", "") or ""
    if actor_partnership_id is None and hasattr(actor, "roles") and len(actor.roles) == 1:
        actor_partnership_id = next(iter(actor.roles))
    now = timezone.now()
    request_id = current_request_id.get()
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        next_id, prev_hash = ((last[0] + 1), last[1]) if last else (1, GENESIS)
        events = []
        for entry in entries:
            obj = entry.obj
            event = AuditEvent(
                id=next_id,
                occurred_at=now,
                actor_id=actor_id,
                actor_email=actor_email,
                actor_partnership_id=actor_partnership_id,
                action=entry.action,
                object_type=entry.object_type or (obj._meta.label if obj is not None else ""),
                object_id=str(entry.object_id or (obj.pk if obj is not None else "")),
                owning_partnership_id=(
                    entry.owning_partnership_id
                    if entry.owning_partnership_id is not None
                    else _partnership_id_of(obj)
                ),
                request_id=request_id,
                detail=entry.detail,
                prev_hash=prev_hash,
            )
            event.hash = chain_hash(prev_hash, event_fields(event))
            events.append(event)
            next_id, prev_hash = next_id + 1, event.hash
        AuditEvent.objects.bulk_create(events)
    return events
