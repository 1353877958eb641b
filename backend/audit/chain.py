"""The hash chain: one canonical form, used to write and to verify."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(fields: dict[str, Any]) -> str:
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode()).hexdigest()


def event_fields(event: Any) -> dict[str, Any]:
    """The fields the hash covers. The id is included, so swapping two rows' contents
    or renumbering them breaks the chain. So is the lane (ADR 0011), except lane 0,
    so that events written before there were lanes (all in lane 0) still verify."""
    fields = {
        "id": event.pk,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_email": event.actor_email,
        "actor_partnership_id": event.actor_partnership_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "owning_partnership_id": event.owning_partnership_id,
        "request_id": event.request_id,
        "detail": event.detail,
    }
    lane = getattr(event, "lane", 0)
    if lane:
        fields["lane"] = lane
    return fields


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def first_break(events: Iterable[Any]) -> ChainBreak | None:
    """Walk events in id order; the first one whose link or content is wrong. Each
    event links to the one before it in its own lane (ADR 0011)."""
    tails: dict[int, str] = {}
    for event in events:
        lane = getattr(event, "lane", 0)
        if event.prev_hash != tails.get(lane, GENESIS):
            return ChainBreak(
                event.pk,
                "its previous-hash does not match the event before it "
                "(an event was deleted, inserted or reordered)",
            )
        if chain_hash(event.prev_hash, event_fields(event)) != event.hash:
            return ChainBreak(event.pk, "its contents do not match its hash (it was edited)")
        tails[lane] = event.hash
    return None
