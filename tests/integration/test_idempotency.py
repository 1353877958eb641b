"""Idempotent POSTs (core.idempotency): a retry with the same Idempotency-Key gets the
first answer and writes nothing; the same key with another request is refused."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts import services as account_services
from audit.models import AuditEvent
from core.idempotency import KEY_REUSED, purge_expired
from core.models import IdempotencyKey
from core.tasks import purge_idempotency_keys
from evidence.models import EvidenceItem

pytestmark = pytest.mark.django_db

URL = "/api/v1/evidence/"
UPLOAD_URL = "/api/v1/evidence/upload/"  # the one multipart route
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def body(world, title: str = "Strategic board notes") -> dict[str, Any]:
    return {"partnership": world.salford.pk, "kind": "other", "title": title}


def post(client: Client, data: dict[str, Any], key: str | None = "retry-me-1", **kw: Any) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        URL, json.dumps(data), content_type="application/json", headers=headers, **kw
    )


def creates() -> int:
    return AuditEvent.objects.filter(action="create", object_type="evidence.EvidenceItem").count()


def test_a_retry_with_the_same_key_gets_the_first_answer_and_writes_nothing(world, client_for):
    client = client_for(world.salford_member)

    first = post(client, body(world))
    retry = post(client, body(world))

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert EvidenceItem.objects.count() == 1
    assert creates() == 1


def test_json_key_order_does_not_make_another_request(world, client_for):
    client = client_for(world.salford_member)
    data = body(world)
    post(client, data)
    reordered = dict(reversed(list(data.items())))

    assert post(client, reordered).status_code == 201
    assert EvidenceItem.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(world, client_for):
    client = client_for(world.salford_member)
    post(client, body(world))

    response = post(client, body(world, title="Something else"))

    assert response.status_code == 422
    assert response.json() == {"detail": KEY_REUSED, "code": "idempotency_key_reused"}
    assert EvidenceItem.objects.count() == 1
    assert creates() == 1


def test_without_a_key_every_post_writes(world, client_for):
    client = client_for(world.salford_member)
    post(client, body(world), key=None)
    post(client, body(world), key=None)
    assert EvidenceItem.objects.count() == 2


def test_keys_belong_to_their_user(world, client_for):
    post(client_for(world.salford_member), body(world))
    response = post(client_for(world.salford_lead), body(world))

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert EvidenceItem.objects.count() == 2


def test_a_refusal_is_not_kept_so_the_corrected_request_runs(world, client_for):
    client = client_for(world.salford_member)
    refused = post(client, body(world, title=" "))
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()

    assert post(client, body(world)).status_code == 201
    assert EvidenceItem.objects.count() == 1


def test_an_api_token_client_is_keyed_like_a_session(world):
    raw = account_services.api_token_create(user=world.salford_member, name="retries").raw
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    first = post(client, body(world))
    retry = post(client, body(world))

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry["Idempotent-Replayed"] == "true"
    assert EvidenceItem.objects.count() == 1


def test_a_retried_upload_with_a_new_multipart_boundary_is_the_same_request(world, client_for):
    client = client_for(world.salford_member)

    def upload() -> Any:
        # The test client makes the same boundary each time; a real client may not,
        # so the fingerprint is taken from the parsed fields and the file's content.
        return client.post(
            UPLOAD_URL,
            {
                "partnership": world.salford.pk,
                "kind": "document",
                "title": "Threshold document",
                "file": SimpleUploadedFile("threshold.pdf", PDF, "application/pdf"),
            },
            headers={"Idempotency-Key": "upload-1"},
        )

    first, retry = upload(), upload()

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert EvidenceItem.objects.count() == 1


def test_a_graphql_mutation_is_keyed_too(world, client_for):
    client = client_for(world.salford_member)
    query = (
        'mutation($p: ID) { addEvidence(partnership: $p, kind: OTHER, title: "Board") '
        "{ item { id } errors { messages } } }"
    )
    payload = json.dumps({"query": query, "variables": {"p": world.salford.pk}})

    answers = [
        client.post(
            "/graphql/",
            payload,
            content_type="application/json",
            headers={"Idempotency-Key": "gql-1"},
        )
        for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["data"]["addEvidence"]["errors"] == []
    assert EvidenceItem.objects.count() == 1


def test_a_key_must_be_printable_and_short(world, client_for):
    response = post(client_for(world.salford_member), body(world), key="x" * 201)
    assert response.status_code == 400
    assert not EvidenceItem.objects.exists()


def test_a_keyed_body_over_the_limit_gets_the_views_413(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(client_for(world.salford_member), body(world, title="x" * 2000))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not IdempotencyKey.objects.exists()


def test_a_key_older_than_a_day_is_forgotten(world, client_for):
    client = client_for(world.salford_member)
    post(client, body(world))
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    assert "Idempotent-Replayed" not in post(client, body(world))
    assert EvidenceItem.objects.count() == 2


def test_the_purge_deletes_only_keys_older_than_a_day(world, client_for):
    client = client_for(world.salford_member)
    post(client, body(world), key="old")
    post(client, body(world), key="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))

    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert purge_expired() == 0


@pytest.mark.postgres
def test_two_concurrent_requests_with_one_key_write_once(transactional_db, world, client_for):
    """The second waits on the first's key row, then gets its answer."""
    clients = [client_for(world.salford_member) for _ in range(2)]
    answers: list[Any] = [None, None]
    start = threading.Barrier(2)

    def send(i: int) -> None:
        try:
            start.wait(timeout=10)
            answers[i] = post(clients[i], body(world), key="race-1")
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert sum(1 for a in answers if a.get("Idempotent-Replayed")) == 1
    assert EvidenceItem.objects.count() == 1
    assert creates() == 1
