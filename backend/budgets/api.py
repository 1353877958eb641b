"""REST for budgets: thin views over budgets.selectors and budgets.services, the same
ones the pages use. Money is a decimal string with two places ("13500.00"), never a
JSON number, so no client reads it as a float."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CursorPagination, validated
from core.errors import ValidationFailed
from tenancy.access import Actor, actor_of

from . import selectors, services
from .figures import BudgetFigures
from .models import Budget, PartnerType, SpendingCategory
from .services.files import read_rows


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


# --- output -------------------------------------------------------------------------


class PartnerFiguresSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation")
    partner_type = serializers.ChoiceField(choices=PartnerType.choices)
    cash = _money()
    in_kind = _money()
    total = _money()
    share = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        help_text="Per cent of all partner contributions; null when they total 0.",
    )
    per_1000_children = _money()


class OtherIncomeSerializer(serializers.Serializer[Any]):
    description = serializers.CharField()
    amount = _money()


class SpendingSerializer(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=SpendingCategory.choices)
    amount = _money()


class TotalsSerializer(serializers.Serializer[Any]):
    contributions_cash = _money()
    contributions_in_kind = _money()
    contributions = _money(source="contributions_total")
    other_income = _money(source="other_income_total")
    income = _money(source="income_total")
    spending = _money(source="spending_total")
    balance = _money(help_text="Income less spending; negative when overspent.")
    income_per_1000_children = _money()
    spending_per_1000_children = _money()


class BudgetSerializer(serializers.Serializer[Any]):
    """A budget with its totals (built from budgets.figures)."""

    id = serializers.IntegerField(source="budget.pk")
    partnership = serializers.IntegerField(source="budget.partnership_id")
    partnership_name = serializers.CharField(source="budget.partnership.name")
    year = serializers.CharField(source="budget.year_label", help_text='"2022/23".')
    year_start = serializers.IntegerField(
        source="budget.year", help_text="The year it starts in (April)."
    )
    child_population = serializers.IntegerField(source="budget.child_population")
    illustrative = serializers.BooleanField(
        source="budget.illustrative",
        help_text="The figures are illustrative, not published: say so wherever shown.",
    )
    source_note = serializers.CharField(source="budget.source_note")
    contributions = PartnerFiguresSerializer(source="partners", many=True)
    other_income = OtherIncomeSerializer(many=True)
    spending = SpendingSerializer(many=True)
    totals = TotalsSerializer(source="*")
    updated_at = serializers.DateTimeField(source="budget.updated_at")
    can_change = serializers.SerializerMethodField(help_text="You may change it.")

    def get_can_change(self, obj: BudgetFigures) -> bool:
        flags: dict[int, selectors.BudgetPermissions] = self.context["flags"]
        return flags[obj.budget.pk].can_change


def _render(actor: Actor, budgets: list[Budget]) -> Any:
    flags = selectors.budget_permissions(actor=actor, budgets=budgets)
    figures = selectors.budget_figures(budgets=budgets)
    return BudgetSerializer(figures, many=True, context={"flags": flags}).data


def _one(actor: Actor, budget_id: int) -> Any:
    return _render(actor, [selectors.budget_get(actor=actor, budget_id=budget_id)])[0]


# --- input --------------------------------------------------------------------------


class ContributionInput(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(
        help_text="One of the partnership's statutory partners."
    )
    cash = serializers.CharField(required=False, allow_blank=True, default="")
    in_kind = serializers.CharField(required=False, allow_blank=True, default="")


class OtherIncomeInput(serializers.Serializer[Any]):
    description = serializers.CharField(allow_blank=True)
    amount = serializers.CharField(allow_blank=True)


class BudgetInputSerializer(serializers.Serializer[Any]):
    """Amounts are decimal strings ("1500.50"); statutory partners left out of
    `contributions`, and spending categories left out, count as 0."""

    year = serializers.CharField(help_text='The financial year, "2022/23".')
    child_population = serializers.CharField(help_text="Children aged 0 to 17.")
    contributions = serializers.ListField(child=ContributionInput(), required=False)
    other_income = serializers.ListField(child=OtherIncomeInput(), required=False)
    spending = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="Amount by category: " + ", ".join(SpendingCategory.values) + ".",
    )
    source_note = serializers.CharField(required=False, allow_blank=True, default="")
    illustrative = serializers.BooleanField(required=False, default=False)


class BudgetCreateSerializer(BudgetInputSerializer):
    partnership = serializers.IntegerField(help_text="One of your partnerships.")


def budget_input(data: dict[str, Any]) -> services.BudgetInput:
    """The request's figures for the services. An organisation given twice is refused
    here (a mapping would quietly keep one of the two)."""
    contributions: dict[object, tuple[object, object]] = {}
    for entry in data.get("contributions", []):
        key = entry["organisation"]
        if key in contributions:
            raise ValidationFailed(
                "The budget has errors. Nothing was saved.",
                field_errors={f"contributions.{key}": ["Give each organisation once"]},
            )
        contributions[key] = (entry["cash"], entry["in_kind"])
    return services.BudgetInput(
        year=data["year"],
        child_population=data["child_population"],
        contributions=contributions,
        other_income=[(e["description"], e["amount"]) for e in data.get("other_income", [])],
        spending=dict(data.get("spending", {})),
        source_note=data.get("source_note", ""),
        illustrative=data.get("illustrative", False),
    )


# --- views --------------------------------------------------------------------------


class BudgetListApi(ListAPIView[Any]):
    """Budgets of your partnerships (or of one), newest entered first."""

    serializer_class = BudgetSerializer
    pagination_class = CursorPagination
    filter_backends: list[Any] = []  # the selector filters, and names a bad value

    def get_queryset(self) -> Any:
        return selectors.budget_list(
            actor=actor_of(self.request),
            partnership_id=self.request.query_params.get("partnership"),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "partnership", {"type": "integer", "minimum": 1}, description="Only this one."
            )
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        return self.get_paginated_response(_render(actor_of(request), list(page)))

    @extend_schema(request=BudgetCreateSerializer, responses={201: BudgetSerializer})
    def post(self, request: Request) -> Response:
        """Enter a year's budget (a lead or business manager of the partnership)."""
        data = validated(BudgetCreateSerializer, request)
        actor = actor_of(request)
        budget = services.budget_create(
            actor=actor, partnership_id=data["partnership"], data=budget_input(data)
        )
        return Response(_one(actor, budget.pk), status=status.HTTP_201_CREATED)


class BudgetDetailApi(APIView):
    @extend_schema(responses=BudgetSerializer)
    def get(self, request: Request, budget_id: int) -> Response:
        """One budget; 404 for another partnership's, as for one that does not exist."""
        return Response(_one(actor_of(request), budget_id))

    @extend_schema(request=BudgetInputSerializer, responses=BudgetSerializer)
    def put(self, request: Request, budget_id: int) -> Response:
        """Replace the budget's figures (the audit log keeps the old ones)."""
        data = validated(BudgetInputSerializer, request)
        actor = actor_of(request)
        services.budget_update(actor=actor, budget_id=budget_id, data=budget_input(data))
        return Response(_one(actor, budget_id))


class ImportInput(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, 1MB at most.")
    confirm = serializers.BooleanField(
        required=False, default=False, help_text="Write the budgets if every row is accepted."
    )


class RowReportSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(source="number")
    year = serializers.CharField()
    line = serializers.CharField()
    code = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())


class ImportReportSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()
    imported = serializers.BooleanField()
    years = serializers.ListField(child=serializers.CharField())
    rows = RowReportSerializer(many=True)


class BudgetImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportInput},
        responses={200: ImportReportSerializer, 201: ImportReportSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Check a file of budgets row by row (200 with the report); with `confirm`, also
        write them (201), or nothing at all if any row is refused (400 with the report)."""
        actor = actor_of(request)
        # Whose file it is comes first: a stranger learns nothing from the body's errors.
        partnership = selectors.budget_partnership_for_adding(actor=actor, slug=slug)
        data = validated(ImportInput, request)
        upload = data["file"]
        rows = read_rows(upload.name or "", upload, upload.size or 0)
        report = services.budget_import_check(actor=actor, partnership_id=partnership.pk, rows=rows)
        imported = bool(data["confirm"] and report.ok)
        if imported:
            services.budget_import(actor=actor, partnership_id=partnership.pk, rows=rows)
        body = ImportReportSerializer(
            {"ok": report.ok, "imported": imported, "years": report.years, "rows": report.rows}
        ).data
        if data["confirm"] and not report.ok:
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(body, status=status.HTTP_201_CREATED if imported else status.HTTP_200_OK)


class BudgetExportApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, slug: str, file_format: str) -> HttpResponse:
        """Your partnership's budgets as csv or xlsx, in the import's layout."""
        export = services.budget_export(
            actor=actor_of(request), partnership_slug=slug, file_format=file_format
        )
        return attachment(export)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # Whatever the client accepts (a file, usually), errors are still the API's JSON.
        return super().perform_content_negotiation(request, force=True)


def attachment(export: services.ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
