"""Findings pages, under a review: reviews/<id>/findings/, moderation/, publication/.
Included at the root by config.urls, like the evidence pages."""

from django.urls import include, path

from .views import findings as views
from .views import next_steps

app_name = "findings"

review_patterns = [
    path("findings/", views.overview, name="overview"),
    path("findings/areas/<int:area_id>/", views.area_page, name="area"),
    path("findings/areas/<int:area_id>/add/", views.finding_add, name="add"),
    path("findings/<int:finding_id>/edit/", views.finding_edit, name="edit"),
    path("findings/<int:finding_id>/propose/", views.finding_propose, name="propose"),
    path("findings/<int:finding_id>/delete/", views.finding_delete, name="delete"),
    path("findings/<int:finding_id>/quotes/add/", views.quote_add, name="quote-add"),
    path("findings/<int:finding_id>/correct/", views.finding_correct, name="correct"),
    path("findings/<int:finding_id>/comment/", views.finding_comment, name="comment"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<int:finding_id>/", views.moderate, name="moderate"),
    path("publication/", views.publication, name="publication"),
    path("success-criteria/", next_steps.criteria, name="criteria"),
    path(
        "success-criteria/<int:criterion_id>/self-assessment/",
        next_steps.criterion_self,
        name="criterion-self",
    ),
    path(
        "success-criteria/<int:criterion_id>/assessment/",
        next_steps.criterion_assess,
        name="criterion-assess",
    ),
    path("next-steps/", next_steps.next_steps, name="next-steps"),
    path("next-steps/<int:recommendation_id>/respond/", next_steps.respond, name="respond"),
    path(
        "next-steps/<int:recommendation_id>/actions/add/",
        next_steps.action_add,
        name="action-add",
    ),
    path("actions/<int:action_id>/", next_steps.action_status, name="action-status"),
]

urlpatterns = [path("reviews/<int:review_id>/", include(review_patterns))]
