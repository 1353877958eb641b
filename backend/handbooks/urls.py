from django.urls import path

from . import views

app_name = "handbooks"

urlpatterns = [
    path("", views.handbook_list, name="list"),
    path("<int:handbook_id>/", views.handbook_detail, name="detail"),
    path("<int:handbook_id>/compare/", views.version_compare, name="compare"),
    path("<int:handbook_id>/versions/new/", views.version_start, name="new-version"),
    path("versions/<int:version_id>/", views.version_detail, name="version"),
    path("versions/<int:version_id>/copy/", views.version_copy, name="copy"),
    path("versions/<int:version_id>/publish/", views.version_publish, name="publish"),
    path("versions/<int:version_id>/objectives/add/", views.objective_add, name="objective-add"),
    path("versions/<int:version_id>/areas/add/", views.area_add, name="area-add"),
    path("versions/<int:version_id>/areas/<int:area_id>/", views.area_edit, name="area-edit"),
    path(
        "versions/<int:version_id>/areas/<int:area_id>/lines/add/",
        views.line_add,
        name="line-add",
    ),
    path("versions/<int:version_id>/references/add/", views.reference_add, name="reference-add"),
]
