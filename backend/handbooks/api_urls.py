from django.urls import path

from . import api

app_name = "handbooks-api"

urlpatterns = [
    path("handbooks/", api.HandbookListApi.as_view(), name="handbook-list"),
    path("handbooks/new/", api.HandbookCreateApi.as_view(), name="handbook-create"),
    path("handbooks/<int:handbook_id>/", api.HandbookDetailApi.as_view(), name="handbook-detail"),
    path(
        "handbooks/<int:handbook_id>/versions/", api.NextVersionApi.as_view(), name="version-next"
    ),
    path(
        "handbook-versions/<int:version_id>/", api.VersionDetailApi.as_view(), name="version-detail"
    ),
    path(
        "handbook-versions/<int:version_id>/diff/<int:other_id>/",
        api.VersionDiffApi.as_view(),
        name="version-diff",
    ),
    path(
        "handbook-versions/<int:version_id>/copy/",
        api.VersionCopyApi.as_view(),
        name="version-copy",
    ),
    path(
        "handbook-versions/<int:version_id>/publish/",
        api.VersionPublishApi.as_view(),
        name="version-publish",
    ),
    path(
        "handbook-versions/<int:version_id>/areas/", api.AreaCreateApi.as_view(), name="area-create"
    ),
    path(
        "handbook-versions/<int:version_id>/objectives/",
        api.ObjectiveCreateApi.as_view(),
        name="objective-create",
    ),
]
