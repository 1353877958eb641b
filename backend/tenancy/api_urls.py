from django.urls import path

from . import api

app_name = "tenancy-api"

urlpatterns = [
    path("partnerships/", api.PartnershipListApi.as_view(), name="partnership-list"),
    path(
        "partnerships/<slug:slug>/", api.PartnershipDetailApi.as_view(), name="partnership-detail"
    ),
]
