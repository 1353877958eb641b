"""Admin plumbing shared by the apps' admin modules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import strip_tags


class CountsNotNamesOnDelete(admin.ModelAdmin):  # type: ignore[type-arg]
    """The delete confirmation says how many related rows go (or block the delete),
    never what they are called. Django's own page lists every related row by its
    name, and a partnership's or a user's related rows are tenant data (evidence
    titles, handbooks, requests) that platform staff must not read."""

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        _names, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        blocked = _count_by_model(protected)
        return (
            [f"{count} {name}" for name, count in sorted(model_count.items())],
            model_count,
            perms_needed,
            [f"{count} {name}" for name, count in sorted(blocked.items())],
        )


def _count_by_model(rows: Any) -> dict[str, int]:
    """Django formats each protected row as "<Model name>: <row's name>" (with a link);
    only the model name is kept."""
    counts: dict[str, int] = {}
    for row in rows:
        name = strip_tags(str(row)).split(":", 1)[0].strip() or "Related rows"
        counts[name] = counts.get(name, 0) + 1
    return counts
