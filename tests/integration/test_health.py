"""Health endpoints: plain JSON, no sign-in, no tenant data, no error details."""

from __future__ import annotations

import os

import pytest
import redis
from django.db import OperationalError
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client()


def test_web_is_alive_without_signing_in(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "check": "web"}
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/health/db/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "check": "database"}


def test_database_down_is_503_without_details(client, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed: password for app")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)

    response = client.get("/health/db/")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "check": "database"}


@override_settings(CELERY_BROKER_URL="")
def test_broker_not_configured_means_inline_tasks(client):
    response = client.get("/health/broker/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "check": "broker",
        "broker": "not configured (tasks run inline)",
    }


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_broker_down_is_503_without_details(client):
    response = client.get("/health/broker/")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "check": "broker"}


@pytest.mark.redis
def test_broker_answers_a_ping(client):
    with override_settings(CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"]):
        response = client.get("/health/broker/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "check": "broker", "broker": "redis"}


def test_broker_ping_is_bounded_by_a_timeout(client, monkeypatch):
    seen = {}

    def fake_from_url(url, **kwargs):
        seen.update(kwargs)
        raise_on_ping = redis.Redis(host="127.0.0.1", port=1, **kwargs)
        return raise_on_ping

    monkeypatch.setattr(redis.Redis, "from_url", staticmethod(fake_from_url))
    with override_settings(CELERY_BROKER_URL="redis://example.invalid:6379/0"):
        client.get("/health/broker/")

    assert seen == {"socket_connect_timeout": 2, "socket_timeout": 2}


@pytest.mark.parametrize("url", ["/health/", "/health/db/", "/health/broker/"])
def test_health_refuses_writes(client, url):
    assert client.post(url).status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^health/"])
def test_health_is_not_redirected_to_https(client):
    assert client.get("/health/").status_code == 200
    assert client.get("/").status_code == 301
