"""Honest answers during an outage (core.outage): the database gone answers 503 with
Retry-After, as JSON to API callers (GraphQL with code UNAVAILABLE) and as a page to
people; and a write that committed is never answered with an error.

The database is really gone: Django's connection is pointed at a closed port, or the
server ends the session (pg_terminate_backend) right after the commit."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.db.models.signals import post_save
from django.db.transaction import on_commit
from django.test import Client

from accounts import services as account_services
from core.outage import GRAPHQL_CODE, MESSAGE, RETRY_AFTER_SECONDS
from evidence.models import EvidenceItem

pytestmark = pytest.mark.postgres


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def database_down(django_db_blocker) -> Iterator[None]:
    """Every new connection is refused until the test ends."""
    port = connection.settings_dict["PORT"]
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict["PORT"] = str(_closed_port())
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["PORT"] = port


def _client(**headers: str) -> Client:
    # Errors that escape a view go to handler500, as in production.
    return Client(raise_request_exception=False, headers=headers)


def test_rest_answers_json_503_with_retry_after(database_down):
    response = _client(Authorization="Bearer any-token").get("/api/v1/evidence/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json() == {"detail": MESSAGE, "code": "unavailable"}


def test_a_rest_write_answers_json_503_too(database_down):
    response = _client(Authorization="Bearer any-token").post(
        "/api/v1/evidence/", "{}", content_type="application/json"
    )

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["code"] == "unavailable"


def test_graphql_answers_an_error_with_code_unavailable(database_down):
    response = _client(Authorization="Bearer any-token").post(
        "/graphql/", json.dumps({"query": "{ me { email } }"}), content_type="application/json"
    )

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json() == {
        "errors": [{"message": MESSAGE, "extensions": {"code": GRAPHQL_CODE}}]
    }


def test_a_page_answers_the_503_page(database_down):
    client = _client()
    client.cookies["sessionid"] = "a-session-the-database-would-know"
    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    html = response.content.decode()
    assert "Sorry, the service is unavailable" in html
    assert f"Try again in {RETRY_AFTER_SECONDS} seconds" in html


def _end_session_after_commit(sender: object, instance: EvidenceItem, **kwargs: object) -> None:
    """Once the write commits, the server ends this connection (as a restart does)."""
    pid = connection.connection.info.backend_pid

    def terminate() -> None:
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            other.close()

    on_commit(terminate)


def test_a_committed_create_is_answered_201_even_if_the_database_goes_right_after(
    transactional_db, world
):
    raw = account_services.api_token_create(user=world.salford_member, name="outage").raw
    post_save.connect(_end_session_after_commit, sender=EvidenceItem)
    try:
        response = _client(Authorization=f"Bearer {raw}").post(
            "/api/v1/evidence/",
            json.dumps({"partnership": world.salford.pk, "kind": "other", "title": "Board"}),
            content_type="application/json",
        )
    finally:
        post_save.disconnect(_end_session_after_commit, sender=EvidenceItem)
        connection.close()

    assert response.status_code == 201, response.content
    item = EvidenceItem.objects.get()
    assert response.json()["id"] == item.pk
    assert response.json()["title"] == "Board"
