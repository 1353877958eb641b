from django.contrib import admin

from core.admin import CountsNotNamesOnDelete

from .models import AccessWindow, Alliance, AllianceAnalyst, Membership, Organisation, Partnership


class MembershipInline(admin.TabularInline[Membership, Partnership]):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Partnership)
class PartnershipAdmin(CountsNotNamesOnDelete, admin.ModelAdmin[Partnership]):
    list_display = ["name", "slug", "alliance", "child_population"]
    list_filter = ["alliance"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["statutory_partners"]
    inlines = [MembershipInline]


@admin.register(Alliance)
class AllianceAdmin(CountsNotNamesOnDelete, admin.ModelAdmin[Alliance]):
    list_display = ["name", "region"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(CountsNotNamesOnDelete, admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(AllianceAnalyst)
class AllianceAnalystAdmin(admin.ModelAdmin[AllianceAnalyst]):
    list_display = ["user", "alliance"]
    autocomplete_fields = ["user"]


@admin.register(AccessWindow)
class AccessWindowAdmin(admin.ModelAdmin[AccessWindow]):
    list_display = ["user", "group", "opens_at", "closes_at", "reason"]
    readonly_fields = ["user", "group", "opens_at", "closes_at", "reason"]

    def has_add_permission(self, request: object) -> bool:
        # Windows are opened by review-team services, which also audit them.
        return False
