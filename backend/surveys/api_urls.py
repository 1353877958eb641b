from django.urls import path

from . import api

app_name = "surveys-api"

urlpatterns = [
    path("survey-questions/", api.BankQuestionsApi.as_view(), name="question-list"),
    path("surveys/", api.SurveyListApi.as_view(), name="survey-list"),
    path("surveys/<int:survey_id>/", api.SurveyDetailApi.as_view(), name="survey-detail"),
    path("surveys/<int:survey_id>/results/", api.SurveyResultsApi.as_view(), name="survey-results"),
    path(
        "surveys/<int:survey_id>/invitations/",
        api.InvitationsApi.as_view(),
        name="survey-invitations",
    ),
    path("surveys/<int:survey_id>/baselines/", api.BaselinesApi.as_view(), name="survey-baselines"),
    path("surveys/<int:survey_id>/import/", api.ImportApi.as_view(), name="survey-import"),
]
