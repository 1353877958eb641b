from django.urls import path

from . import api

app_name = "findings-api"

urlpatterns = [
    path("theme-tags/", api.ThemeTagApi.as_view(), name="theme-tags"),
    path("reviews/<int:review_id>/findings/", api.FindingListApi.as_view(), name="finding-list"),
    path("reviews/<int:review_id>/findings/publish/", api.PublishApi.as_view(), name="publish"),
    path(
        "reviews/<int:review_id>/moderation-meetings/",
        api.MeetingApi.as_view(),
        name="meeting-list",
    ),
    path("reviews/<int:review_id>/success-criteria/", api.CriteriaApi.as_view(), name="criteria"),
    path("reviews/<int:review_id>/next-steps/", api.NextStepsApi.as_view(), name="next-steps"),
    path("findings/<int:finding_id>/", api.FindingDetailApi.as_view(), name="finding-detail"),
    path("findings/<int:finding_id>/propose/", api.FindingProposeApi.as_view(), name="propose"),
    path("findings/<int:finding_id>/quotes/", api.QuoteApi.as_view(), name="quotes"),
    path("findings/<int:finding_id>/moderate/", api.ModerateApi.as_view(), name="moderate"),
    path("findings/<int:finding_id>/correct/", api.CorrectApi.as_view(), name="correct"),
    path("findings/<int:finding_id>/comments/", api.CommentApi.as_view(), name="comments"),
]
