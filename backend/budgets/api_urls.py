from django.urls import path

from . import api

app_name = "budgets-api"

urlpatterns = [
    path("budgets/", api.BudgetListApi.as_view(), name="budget-list"),
    path("budgets/<int:budget_id>/", api.BudgetDetailApi.as_view(), name="budget-detail"),
    path(
        "partnerships/<slug:slug>/budgets/import/",
        api.BudgetImportApi.as_view(),
        name="budget-import",
    ),
    path(
        "partnerships/<slug:slug>/budgets/export/<slug:file_format>/",
        api.BudgetExportApi.as_view(),
        name="budget-export",
    ),
]
