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

# Any constant works: with a lane number it names the lock on that lane's tail.
_CHAIN_LOCK_KEY = 0x41554449
# Parallel chains (ADR 0011). More lanes than a server has concurrent requests, so
# a writer almost always finds a free one; verification walks them all alike.
LANES = 16


def _claim_lane() -> int:
    """Lock a lane's tail until the transaction ends and return it.

    Tries every lane once without waiting, starting from one picked by the
    connection's backend id (so a persistent connection keeps to its own lane),
    and waits only if all are busy. SQLite allows one writer at a time: lane 0."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        # One statement: the filter runs row by row and LIMIT stops at the first
        # lane locked, so no other lane is taken.
        cursor.execute(
            "SELECT lane FROM (SELECT (i + pg_backend_pid()) %% %s AS lane"
            " FROM generate_series(0, %s - 1) AS i) AS lanes"
            " WHERE pg_try_advisory_xact_lock(%s, lane) LIMIT 1",
            [LANES, LANES, _CHAIN_LOCK_KEY],
        )
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, pg_backend_pid() %% %s), pg_backend_pid() %% %s",
            [_CHAIN_LOCK_KEY, LANES, LANES],
        )
        return int(cursor.fetchone()[1])


def _tail_and_ids(lane: int, count: int) -> tuple[str, list[int]]:
    """The lane's last hash and `count` fresh ids, read after the lane is locked
    (a statement of its own, so it sees every append committed before the lock).
    Ids come from the table's sequence, drawn under the lane's lock: within a lane
    they rise in chain order."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    if connection.vendor != "postgresql":
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        tail = AuditEvent.objects.filter(lane=lane).order_by("-id").values_list("hash").first()
        first_id = last[0] + 1 if last else 1
        return (tail[0] if tail else GENESIS), list(range(first_id, first_id + count))
    with connection.cursor() as cursor:
        cursor.execute(
            # The table name is the model's own, quoted; values are parameters.
            f"SELECT (SELECT hash FROM {table} WHERE lane = %s ORDER BY id DESC LIMIT 1),"  # noqa: S608
            f" ARRAY(SELECT nextval(pg_get_serial_sequence(%s, 'id'))"
            " FROM generate_series(1, %s))",
            [lane, AuditEvent._meta.db_table, count],
        )
        tail, ids = cursor.fetchone()
    return tail or GENESIS, sorted(ids)


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
    """Append several events by one actor in one go: one lane claimed, one read of its
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
        lane = _claim_lane()
        prev_hash, ids = _tail_and_ids(lane, len(entries))
        events = []
        for entry, event_id in zip(entries, ids, strict=True):
            obj = entry.obj
            event = AuditEvent(
                id=event_id,
                lane=lane,
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
            prev_hash = event.hash
        AuditEvent.objects.bulk_create(events)
    return events
