from django.urls import path

from . import views, views_invitations

app_name = "reviews"

urlpatterns = [
    path("<int:review_id>/", views.review_detail, name="detail"),
    path("<int:review_id>/move/", views.review_transition, name="transition"),
    path("<int:review_id>/scope/", views.review_scope, name="scope"),
    path("<int:review_id>/scope/confirm/", views.review_scope_confirm, name="scope-confirm"),
    path("<int:review_id>/team/", views.team_page, name="team"),
    path("<int:review_id>/team/add/", views.team_add, name="team-add"),
    path(
        "<int:review_id>/team/<int:member_id>/declaration/",
        views.team_declare,
        name="team-declare",
    ),
    path(
        "<int:review_id>/team/<int:member_id>/mitigation/",
        views.team_mitigate,
        name="team-mitigate",
    ),
    path("<int:review_id>/team/<int:member_id>/access/", views.team_window, name="team-access"),
    path("<int:review_id>/team/<int:member_id>/remove/", views.team_remove, name="team-remove"),
    path("<int:review_id>/team/invite/", views_invitations.team_invite, name="team-invite"),
    path(
        "<int:review_id>/team/invitations/<int:invitation_id>/resend/",
        views_invitations.invitation_resend,
        name="team-invitation-resend",
    ),
    path(
        "<int:review_id>/team/invitations/<int:invitation_id>/revoke/",
        views_invitations.invitation_revoke,
        name="team-invitation-revoke",
    ),
    path(
        "invitations/<str:token>/",
        views_invitations.invitation_accept,
        name="invitation-accept",
    ),
    path("<int:review_id>/timeline/", views.timeline_page, name="timeline"),
    path("<int:review_id>/calendar.ics", views.timeline_calendar, name="calendar"),
]
