from django.urls import path

from . import api

app_name = "evidence-api"

urlpatterns = [
    path("evidence/", api.EvidenceListApi.as_view(), name="item-list"),
    path("evidence/upload/", api.EvidenceUploadApi.as_view(), name="item-upload"),
    path("evidence/log/", api.PartnershipLogApi.as_view(), name="partnership-log"),
    path("evidence/share/", api.ShareApi.as_view(), name="share"),
    path("evidence/<int:item_id>/", api.EvidenceDetailApi.as_view(), name="item-detail"),
    path(
        "evidence/<int:item_id>/download/",
        api.EvidenceDownloadApi.as_view(),
        name="item-download",
    ),
    path("evidence/<int:item_id>/unshare/", api.UnshareApi.as_view(), name="item-unshare"),
    path(
        "evidence/<int:item_id>/who-can-see/",
        api.WhoCanSeeApi.as_view(),
        name="item-who-can-see",
    ),
    path("evidence/<int:item_id>/log/", api.ItemLogApi.as_view(), name="item-log"),
    path("evidence/<int:item_id>/grants/", api.GrantApi.as_view(), name="item-grant"),
    path(
        "evidence/<int:item_id>/grants/<int:user_id>/revoke/",
        api.GrantRevokeApi.as_view(),
        name="item-grant-revoke",
    ),
    path("reviews/<int:review_id>/evidence/", api.TeamNoteApi.as_view(), name="team-note-create"),
    path(
        "reviews/<int:review_id>/document-requests/",
        api.DocumentRequestListApi.as_view(),
        name="request-list",
    ),
    path(
        "document-requests/<int:request_id>/withdraw/",
        api.DocumentRequestWithdrawApi.as_view(),
        name="request-withdraw",
    ),
    path(
        "reviews/<int:review_id>/evidence-coverage/",
        api.CoverageApi.as_view(),
        name="coverage",
    ),
]
