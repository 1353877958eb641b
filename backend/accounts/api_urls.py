from django.urls import path

from . import api

app_name = "accounts-api"

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="me"),
    path("tokens/", api.ApiTokenListCreateApi.as_view(), name="token-list"),
    path("tokens/<int:token_id>/revoke/", api.ApiTokenRevokeApi.as_view(), name="token-revoke"),
]
