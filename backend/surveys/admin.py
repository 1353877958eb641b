from django.contrib import admin

from .models import BankQuestion


@admin.register(BankQuestion)
class BankQuestionAdmin(admin.ModelAdmin[BankQuestion]):
    """The shared question bank, which platform staff keep. Surveys and their answers
    are partnerships' data and are not in the admin (ARCHITECTURE.md section 4)."""

    list_display = ("code", "version", "scale", "area_of_focus", "is_current")
    list_filter = ("scale", "is_current")
    search_fields = ("code", "text")
