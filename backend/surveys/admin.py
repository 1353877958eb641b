from django.contrib import admin

from core.admin import CountsNotNamesOnDelete

from .models import BankQuestion


@admin.register(BankQuestion)
class BankQuestionAdmin(CountsNotNamesOnDelete, admin.ModelAdmin[BankQuestion]):
    """The shared question bank, which platform staff keep. Surveys and their answers
    are partnerships' data and are not in the admin (ARCHITECTURE.md section 4); the
    delete page counts the surveys' questions that use a banked one instead of naming
    them (a local question's wording is a partnership's text: found by the canary)."""

    list_display = ("code", "version", "scale", "area_of_focus", "is_current")
    list_filter = ("scale", "is_current")
    search_fields = ("code", "text")
