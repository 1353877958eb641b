from django.urls import path

from . import api

app_name = "tenancy-api"

urlpatterns = [
    path("partnerships/", api.PartnershipListApi.as_view(), name="partnership-list"),
    # <str:>, not <slug:>: any value reaches the view and gets the API's own 404 body.
    path("partnerships/<str:slug>/", api.PartnershipDetailApi.as_view(), name="partnership-detail"),
]
