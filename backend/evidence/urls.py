"""Evidence pages: the library under evidence/, and a review's evidence, requests
and coverage under reviews/<id>/. One namespace, so config.urls includes this
module once, at the root."""

from django.urls import include, path

from .views import adding, items, library, log, reviews, sharing

app_name = "evidence"

library_patterns = [
    path("", library.library, name="library"),
    path("add/", adding.add_kind, name="add"),
    path("add/check/", adding.add_check, name="add-check"),
    path("add/<slug:kind>/", adding.add_details, name="add-details"),
    path("access-log/", log.access_log, name="access-log"),
    path("share/", sharing.share_start, name="share"),
    path("share/<int:review_id>/", sharing.share_items, name="share-items"),
    path("share/<int:review_id>/check/", sharing.share_check, name="share-check"),
    path("share/<int:review_id>/shared/", sharing.share_done, name="share-done"),
    path("<int:item_id>/", items.item_detail, name="item"),
    path("<int:item_id>/download/", items.item_download, name="download"),
    path("<int:item_id>/edit/", items.item_edit, name="edit"),
    path("<int:item_id>/delete/", items.item_delete, name="delete"),
    path(
        "<int:item_id>/shared-with/<int:review_id>/stop/",
        items.item_unshare,
        name="unshare",
    ),
    path("<int:item_id>/access/", items.item_access, name="access"),
    path(
        "<int:item_id>/access/<int:user_id>/remove/",
        items.item_access_remove,
        name="access-remove",
    ),
]

review_patterns = [
    path("evidence/", library.review_library, name="review-library"),
    path("evidence/add/", adding.review_add_kind, name="review-add"),
    path("evidence/add/check/", adding.review_add_check, name="review-add-check"),
    path("evidence/add/<slug:kind>/", adding.review_add_details, name="review-add-details"),
    path("requests/", reviews.requests_page, name="requests"),
    path(
        "requests/<int:request_id>/withdraw/",
        reviews.request_withdraw,
        name="request-withdraw",
    ),
    path("coverage/", reviews.coverage_page, name="coverage"),
]

urlpatterns = [
    path("evidence/", include(library_patterns)),
    path("reviews/<int:review_id>/", include(review_patterns)),
]
