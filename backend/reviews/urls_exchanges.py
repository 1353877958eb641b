from django.urls import path

from . import views_exchanges as views

app_name = "exchanges"

urlpatterns = [
    path("", views.exchange_list, name="list"),
    path("new/", views.exchange_propose, name="propose"),
    path("new/check/", views.exchange_check, name="check"),
    path("<int:exchange_id>/", views.exchange_detail, name="detail"),
    path("<int:exchange_id>/sent/", views.exchange_sent, name="sent"),
    path("<int:exchange_id>/answer/", views.exchange_answer, name="answer"),
    path("<int:exchange_id>/withdraw/", views.exchange_withdraw, name="withdraw"),
]
