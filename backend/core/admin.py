"""Admin plumbing shared by the apps' admin modules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import strip_tags

from .models import OutboxMessage


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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """What is waiting to leave (docs/operations.md: outbox age, dead messages).
    Read-only: a message is retried by the relay, never edited by hand. The payload
    (email bodies and addresses) is not shown."""

    list_display = ("id", "kind", "key", "status", "attempts", "created_at", "next_attempt_at")
    list_filter = ("status", "kind")
    search_fields = ("key",)
    ordering = ("-id",)
    fields = (
        "kind",
        "key",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
