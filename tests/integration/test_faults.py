"""Faults without loss (issue 16), each with the real thing: PostgreSQL, a Redis broker,
a `celery worker` process, an SMTP server. Each test is bounded in time.

- a worker killed mid-scan: its scan comes back after the (shortened) visibility
  timeout, and every item gets exactly one verdict;
- the broker down during an upload: one item, answered 201, its scan pending in the
  outbox, scanned once the broker is back and the relay has run;
- the mail server down: reminders are claimed and their emails stay pending, sent
  once it is back, and never twice.

Figures (time to recover, acknowledged writes against rows) are printed: run with -s.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from core import outbox
from core.models import OutboxMessage
from evidence import services as evidence
from evidence.models import EvidenceItem
from reviews import services as reviews
from reviews.models import PhaseReminder
from tenancy.access import actor_for
from tests.celery_worker import Worker, celery_worker
from tests.factories import review_of_salford
from tests.fake_clamd import fake_clamd

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
BOUND_SECONDS = 90
VISIBILITY_SECONDS = 4
SCANNING = EvidenceItem.ScanStatus.SCANNING
KILLED_ITEMS = 8


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, worker: Worker | None = None) -> float:
    """Poll until `condition()`; the seconds it took. Fails after BOUND_SECONDS."""
    started = time.monotonic()
    while not condition():
        if worker is not None and worker.process.poll() is not None:
            pytest.fail(f"The worker exited while waiting for {what}. Its log:\n{worker.log()}")
        if time.monotonic() - started > BOUND_SECONDS:
            log = worker.log() if worker is not None else ""
            pytest.fail(f"No {what} within {BOUND_SECONDS}s. {log}")
        time.sleep(0.2)
    return time.monotonic() - started


def verdicts(item_ids: list[int]) -> dict[int, int]:
    """How many scan verdicts (audit "transition" events) each item has."""
    counts = dict.fromkeys(item_ids, 0)
    for object_id in AuditEvent.objects.filter(
        action="transition", object_type="evidence.EvidenceItem"
    ).values_list("object_id", flat=True):
        if int(object_id) in counts:
            counts[int(object_id)] += 1
    return counts


def still_scanning(item_ids: list[int]) -> int:
    return EvidenceItem.objects.filter(pk__in=item_ids, scan_status=SCANNING).count()


# --- the broker ---------------------------------------------------------------------


@dataclass
class Broker:
    url: str
    worker_env: dict[str, str]
    monkeypatch: pytest.MonkeyPatch

    def set_url(self, url: str) -> None:
        """Where this process publishes. Celery reads CELERY_BROKER_URL from the
        environment before its configuration, so both change."""
        from config.celery import app

        self.monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url


@pytest.fixture
def broker(tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Broker]:
    """This process publishes for real, under a key prefix of its own, and stores
    files on a disk the worker (tests/fault_settings.py) reads too."""
    from config.celery import app

    url = os.environ["CELERY_BROKER_URL"]
    prefix = f"fault-{uuid.uuid4().hex[:10]}:"
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    before = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app.conf.broker_transport_options = {**before[2], "global_keyprefix": prefix}
    env = {
        "FAULT_TEST_MEDIA_ROOT": str(media),
        "FAULT_TEST_BROKER_PREFIX": prefix,
        "FAULT_TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
    }
    try:
        yield Broker(url=url, worker_env=env, monkeypatch=monkeypatch)
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options = before
        client = redis.Redis.from_url(url)
        try:
            keys = list(client.scan_iter(match=f"{prefix}*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


def _worker(broker: Broker, tmp_path: Path, **env: str) -> AbstractContextManager[Worker]:
    return celery_worker(
        tmp_path / "worker.log",
        queue="celery",  # the default queue, under this test's key prefix
        settings_module="tests.fault_settings",
        env={**broker.worker_env, **env},
    )


def _upload(world, n: int) -> EvidenceItem:
    return evidence.evidence_add(
        actor=actor_for(world.salford_member),
        partnership_id=world.salford.pk,
        kind="document",
        title=f"Threshold document {n}",
        upload=SimpleUploadedFile(f"threshold-{n}.pdf", PDF, "application/pdf"),
    )


@pytest.mark.redis
@pytest.mark.postgres
def test_a_worker_killed_mid_scan_is_recovered_with_one_verdict_per_item(
    transactional_db, world, broker, tmp_path
):
    with fake_clamd(delay=1.0) as clamd:
        host, port = clamd.address.split(":")
        items = [_upload(world, n).pk for n in range(KILLED_ITEMS)]  # published on commit
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"done"}

        with _worker(broker, tmp_path, CLAMD_HOST=host, CLAMD_PORT=port) as first:
            wait_for(lambda: len(clamd.received) >= 1, "scan started", first)
            first.kill()  # main process and pool, mid-scan: nothing is acknowledged
        killed_at = time.monotonic()
        assert still_scanning(items) == KILLED_ITEMS

        with _worker(broker, tmp_path, CLAMD_HOST=host, CLAMD_PORT=port) as second:
            wait_for(lambda: still_scanning(items) == 0, "verdict for every item", second)
        recovered = time.monotonic() - killed_at

    assert verdicts(items) == dict.fromkeys(items, 1)
    assert set(EvidenceItem.objects.filter(pk__in=items).values_list("scan_status", flat=True)) == {
        "ready"
    }
    assert EvidenceItem.objects.count() == len(items)
    print(
        f"\nkilled worker: {len(items)} uploads acknowledged, {EvidenceItem.objects.count()} "
        f"rows, {sum(verdicts(items).values())} verdicts (duplicates 0), all ready "
        f"{recovered:.1f}s after the kill (visibility timeout {VISIBILITY_SECONDS}s, "
        "including the new worker's start)"
    )


@pytest.mark.redis
@pytest.mark.postgres
def test_broker_down_during_upload_keeps_one_item_scanned_once_the_broker_is_back(
    transactional_db, world, client_for, broker, tmp_path
):
    broker.set_url(f"redis://127.0.0.1:{closed_port()}/0")
    client = client_for(world.salford_member)

    def upload() -> Any:
        return client.post(
            "/api/v1/evidence/upload/",
            {
                "partnership": world.salford.pk,
                "kind": "document",
                "title": "Threshold document",
                "file": SimpleUploadedFile("threshold.pdf", PDF, "application/pdf"),
            },
            headers={"Idempotency-Key": "upload-during-outage"},
        )

    started = time.monotonic()
    response = upload()
    answered_in = time.monotonic() - started
    retry = upload()  # a client unsure of the first answer sends it again

    assert response.status_code == 201, response.content
    assert retry.status_code == 201
    assert retry.json() == response.json()
    item = EvidenceItem.objects.get()
    assert response.json()["id"] == item.pk
    assert item.scan_status == SCANNING
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts, message.key) == (
        "pending",
        1,
        outbox.task_key("evidence.tasks.scan_evidence_file", [item.pk]),
    )
    assert "refused" in message.last_error.lower()
    assert message.next_attempt_at > timezone.now()  # backed off, not hammering

    broker.set_url(broker.url)
    with _worker(broker, tmp_path, CELERY_BROKER_URL=broker.url) as worker:
        # The relay's next run, as beat would start it once the back-off has passed.
        OutboxMessage.objects.update(next_attempt_at=timezone.now())
        assert outbox.relay_pending() == outbox.RelayResult(sent=1, failed=0)
        took = wait_for(lambda: still_scanning([item.pk]) == 0, "the scan", worker)

    assert EvidenceItem.objects.count() == 1
    assert EvidenceItem.objects.get().scan_status == "ready"
    assert verdicts([item.pk]) == {item.pk: 1}
    assert OutboxMessage.objects.get().status == "done"
    print(
        f"\nbroker down: upload answered 201 in {answered_in:.2f}s, its retry replayed: "
        f"2 acknowledged answers, {EvidenceItem.objects.count()} item, 0 duplicates, "
        "scan pending; "
        f"scanned {took:.1f}s after the relay ran with the broker back"
    )


# --- the mail server ------------------------------------------------------------------


class Inbox(Sink):
    """An SMTP server's handler that keeps what it was sent."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: object, session: object, envelope) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def _seven_days_before_mobilisation_ends(review) -> datetime:
    from core.dates import start_of_day

    ends_on = review.phases.get(kind="mobilisation").ends_on
    return start_of_day(ends_on - timedelta(days=7)) + timedelta(hours=9)


def test_mail_down_leaves_reminders_pending_sent_once_when_back(
    world, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_USE_TLS = False
    review = review_of_salford(world)
    now = _seven_days_before_mobilisation_ends(review)
    OutboxMessage.objects.all().delete()  # the exchange's invitations: not under test

    with django_capture_on_commit_callbacks(execute=True):
        queued = reviews.reminders_send(now=now)
    assert queued == 2  # the review of Salford and the review of Bolton
    assert PhaseReminder.objects.count() == 2  # claimed, with their emails
    emails = OutboxMessage.objects.filter(kind="email")
    assert emails.count() > 2
    assert set(emails.values_list("status", flat=True)) == {"pending"}
    assert set(emails.values_list("attempts", flat=True)) == {1}
    expected = sorted(
        address for payload in emails.values_list("payload", flat=True) for address in payload["to"]
    )

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=closed_port())
    server.start()
    try:
        settings.EMAIL_PORT = server.port
        OutboxMessage.objects.update(next_attempt_at=timezone.now())  # the back-off passed
        result = outbox.relay_pending()
        # Again, as beat would: the reminders run and the relay send nothing twice.
        with django_capture_on_commit_callbacks(execute=True):
            assert reviews.reminders_send(now=now) == 0
        assert outbox.relay_pending() == outbox.RelayResult(sent=0, failed=0)
    finally:
        server.stop()

    assert result == outbox.RelayResult(sent=len(expected), failed=0)
    assert sorted(inbox.recipients) == expected
    assert set(emails.values_list("status", flat=True)) == {"done"}
