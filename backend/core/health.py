"""Health endpoints for load balancers, compose healthchecks and on-call people
(ARCHITECTURE.md section 9). Plain JSON, no authentication, no tenant data, and no
error details: a failing check says which dependency, never why."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def _answer(check: str, ok: bool, **extra: str) -> JsonResponse:
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", "check": check, **extra},
        status=200 if ok else 503,
    )


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """The web process is up and answering; touches nothing else."""
    return _answer("web", True)


@never_cache
@require_safe
def health_db(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return _answer("database", False)
    return _answer("database", True)


@never_cache
@require_safe
def health_broker(request: HttpRequest) -> JsonResponse:
    url = settings.CELERY_BROKER_URL
    if not url:
        return _answer("broker", True, broker="not configured (tasks run inline)")
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except (redis.RedisError, OSError):
        logger.exception("Health check: the broker did not answer")
        return _answer("broker", False)
    finally:
        client.close()
    return _answer("broker", True, broker="redis")


@never_cache
@require_safe
def health_outbox(request: HttpRequest) -> JsonResponse:
    """Unavailable when the oldest message still waiting to leave (a task for the
    broker, an email) is older than OUTBOX_ALARM_SECONDS: the broker, the mail server
    or the relay is down (docs/operations.md). Dead messages are counted, not failed
    on: they need a person, not a restart."""
    from .models import OutboxMessage
    from .outbox import oldest_pending

    try:
        age = oldest_pending()
        dead = OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).count()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return _answer("outbox", False)
    seconds = 0 if age is None else int(age.total_seconds())
    ok = seconds <= settings.OUTBOX_ALARM_SECONDS
    return _answer("outbox", ok, oldest_pending_seconds=str(seconds), dead=str(dead))
