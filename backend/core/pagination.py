"""The one keyset pagination for lists ordered newest first by id (pages and
GraphQL; REST uses DRF's CursorPagination). A page costs one query whatever its
depth: `id < after` (older) or `id > before` (newer) on the list's own index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    rows: list[M]
    # Give as `after` for the next (older) page; None when there is none.
    next_after: int | None
    # Give as `before` for the previous (newer) page; None on the first page.
    previous_before: int | None


def keyset_page(
    rows: QuerySet[M], *, size: int, after: int | None = None, before: int | None = None
) -> KeysetPage[M]:
    """One page of `rows` (ordered by -id), after or before a row's id."""
    if before is not None:
        newer: list[M] = list(rows.filter(pk__gt=before).order_by("id")[: size + 1])
        page = list(reversed(newer[:size]))
        return KeysetPage(
            rows=page,
            next_after=_pk(page[-1]) if page else None,
            previous_before=_pk(page[0]) if len(newer) > size and page else None,
        )
    older = rows.filter(pk__lt=after) if after is not None else rows
    fetched: list[M] = list(older[: size + 1])
    page = fetched[:size]
    return KeysetPage(
        rows=page,
        next_after=_pk(page[-1]) if len(fetched) > size and page else None,
        previous_before=_pk(page[0]) if after is not None and page else None,
    )


def _pk(row: Any) -> int:
    return int(row.pk)
