"""The one id parser: ids arrive as URL parts, query parameters, form fields and
JSON, as strings or numbers. A malformed or non-positive id is None, and callers
answer it as they answer a missing row (never a distinct "bad id" answer)."""

from __future__ import annotations

from collections.abc import Iterable


def parse_id(raw: object) -> int | None:
    """A positive integer id, or None."""
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def parse_ids(raw_ids: Iterable[object]) -> list[int] | None:
    """Distinct ids in the given order, or None if any is malformed."""
    ids: list[int] = []
    for raw in raw_ids:
        value = parse_id(raw)
        if value is None:
            return None
        if value not in ids:
            ids.append(value)
    return ids
