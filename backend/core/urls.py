from django.urls import path

from . import health

app_name = "core"

urlpatterns = [
    path("health/", health.health, name="health"),
    path("health/db/", health.health_db, name="health-db"),
    path("health/broker/", health.health_broker, name="health-broker"),
    path("health/outbox/", health.health_outbox, name="health-outbox"),
]
