from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    path("", views.budget_index, name="index"),
    path("year/<int:budget_id>/", views.budget_detail, name="detail"),
    path("year/<int:budget_id>/edit/", views.budget_edit, name="edit"),
    path("year/<int:budget_id>/edit/check/", views.budget_edit_check, name="edit-check"),
    path("<slug:slug>/", views.budget_list, name="list"),
    path("<slug:slug>/add/", views.budget_add, name="add"),
    path("<slug:slug>/add/check/", views.budget_add_check, name="add-check"),
    path("<slug:slug>/import/", views.budget_import, name="import"),
    path("<slug:slug>/import/check/", views.budget_import_check, name="import-check"),
    path("<slug:slug>/export/<slug:file_format>/", views.budget_export, name="export"),
]
