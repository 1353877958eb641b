from django.urls import path

from . import api

app_name = "reviews-api"

urlpatterns = [
    path("exchanges/", api.ExchangeListApi.as_view(), name="exchange-list"),
    path("exchanges/<int:exchange_id>/", api.ExchangeDetailApi.as_view(), name="exchange-detail"),
    path(
        "exchanges/<int:exchange_id>/answer/",
        api.ExchangeAnswerApi.as_view(),
        name="exchange-answer",
    ),
    path(
        "exchanges/<int:exchange_id>/withdraw/",
        api.ExchangeWithdrawApi.as_view(),
        name="exchange-withdraw",
    ),
    path("reviews/", api.ReviewListApi.as_view(), name="review-list"),
    path("reviews/<int:review_id>/", api.ReviewDetailApi.as_view(), name="review-detail"),
    path(
        "reviews/<int:review_id>/transition/",
        api.ReviewTransitionApi.as_view(),
        name="review-transition",
    ),
    path("reviews/<int:review_id>/scope/", api.ReviewScopeApi.as_view(), name="review-scope"),
    path(
        "reviews/<int:review_id>/scope/confirm/",
        api.ReviewScopeConfirmApi.as_view(),
        name="review-scope-confirm",
    ),
    path(
        "reviews/<int:review_id>/reschedule/",
        api.ReviewRescheduleApi.as_view(),
        name="review-reschedule",
    ),
    path(
        "reviews/<int:review_id>/calendar.ics",
        api.ReviewCalendarApi.as_view(),
        name="review-calendar",
    ),
    path("reviews/<int:review_id>/team/", api.TeamApi.as_view(), name="team"),
    path(
        "reviews/<int:review_id>/team/<int:member_id>/declare/",
        api.DeclareApi.as_view(),
        name="team-declare",
    ),
    path(
        "reviews/<int:review_id>/team/<int:member_id>/mitigate/",
        api.MitigateApi.as_view(),
        name="team-mitigate",
    ),
    path(
        "reviews/<int:review_id>/team/<int:member_id>/remove/",
        api.RemoveMemberApi.as_view(),
        name="team-remove",
    ),
    path(
        "reviews/<int:review_id>/team/<int:member_id>/window/",
        api.WindowApi.as_view(),
        name="team-window",
    ),
]
