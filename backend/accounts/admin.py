from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.admin import CountsNotNamesOnDelete
from tenancy.models import Membership

from .models import ApiToken, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 1
    fk_name = "user"


@admin.register(User)
class UserAdmin(CountsNotNamesOnDelete, DjangoUserAdmin[User]):
    """Platform staff invite users and place them in partnerships here."""

    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "employer",
        "is_independent_adviser",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_active", "is_independent_adviser"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "employer", "is_independent_adviser")}),
        ("Platform", {"fields": ("is_active", "is_staff")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "token_hash",
        "created_at",
        "expires_at",
        "last_used_at",
    ]
