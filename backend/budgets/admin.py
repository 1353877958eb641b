"""Platform staff see that a partnership has budgets for which years, and nothing of
their figures or notes: budgets are the partnership's own data (ARCHITECTURE.md
section 4), changed only through the product's pages and APIs, which audit them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Budget


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin[Budget]):
    list_display = ["partnership", "year_label", "illustrative", "updated_at"]
    list_filter = ["illustrative"]
    fields = ("partnership", "year", "illustrative", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
