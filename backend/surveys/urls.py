from django.urls import path

from . import respond, views

app_name = "surveys"

urlpatterns = [
    path("surveys/", views.survey_list, name="list"),
    path("surveys/new/", views.survey_create, name="create"),
    path("surveys/thank-you/", respond.respond_done, name="respond-done"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="detail"),
    path("surveys/<int:survey_id>/invitations/", views.survey_invite, name="invite"),
    path("surveys/<int:survey_id>/open-link/", views.survey_open_link, name="open-link"),
    path("surveys/<int:survey_id>/baselines/new/", views.baseline_add, name="baseline-add"),
    path("surveys/<int:survey_id>/results/", views.survey_results, name="results"),
    path(
        "surveys/<int:survey_id>/results.csv",
        views.results_download,
        {"kind": "csv"},
        name="results-csv",
    ),
    path(
        "surveys/<int:survey_id>/results.xlsx",
        views.results_download,
        {"kind": "xlsx"},
        name="results-xlsx",
    ),
    path("surveys/<int:survey_id>/import/", views.import_upload, name="import"),
    path("surveys/<int:survey_id>/import/columns/", views.import_columns, name="import-columns"),
    path("surveys/<int:survey_id>/import/check/", views.import_check, name="import-check"),
    # A respondent's link: the token is the only credential (no account).
    path("s/<str:token>/", respond.respond_start, name="respond-start"),
    path("s/<str:token>/check/", respond.respond_check, name="respond-check"),
    path("s/<str:token>/<str:step>/", respond.respond_step, name="respond-step"),
]
