"""The outbox (core.outbox): rows written with the change, relayed after commit and by
the beat task, retried with back-off, dead after MAX_ATTEMPTS; its health check and
admin; the stuck-scan sweep; and the broker timings it relies on."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage
from core.tasks import ProjectTask, purge_sent_outbox, relay_outbox
from evidence import services as evidence
from evidence.models import EvidenceItem
from evidence.tasks import requeue_stuck_scans, scan_evidence_file
from tenancy.access import actor_for
from tests.evidence_factories import make_item

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()
    settings.EMAIL_USE_TLS = False


def _make_due() -> None:
    OutboxMessage.objects.update(next_attempt_at=timezone.now())


def test_an_email_is_a_row_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.enqueue_email(["b@x.test", "a@x.test", "a@x.test"], "Subject", "Body")
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["pending"] * 2
    assert mail.outbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.test", "b@x.test"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"done"}
    assert all(m.sent_at is not None for m in OutboxMessage.objects.all())


def test_a_rolled_back_change_leaves_no_message(django_capture_on_commit_callbacks):
    class Refused(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Refused),
        transaction.atomic(),
    ):
        outbox.enqueue_email(["a@x.test"], "Subject", "Body")
        raise Refused
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_a_failed_send_stays_pending_and_backs_off(mail_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_email(["a@x.test"], "Subject", "Body")  # the relay after commit fails

    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error.startswith("ConnectionRefusedError")
    waited = message.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < waited <= timedelta(seconds=30)
    # Not due yet: the beat's relay leaves it alone.
    assert outbox.relay_pending() == outbox.RelayResult(sent=0, failed=0)


def test_back_off_doubles_up_to_an_hour():
    assert [outbox.retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 9, 20)] == [
        30,
        60,
        120,
        3600,
        3600,
        3600,
    ]


def test_a_message_is_dead_after_max_attempts_and_no_longer_tried(mail_down, caplog):
    outbox.enqueue_email(["a@x.test"], "Subject", "Body")
    for _ in range(outbox.MAX_ATTEMPTS):
        _make_due()
        assert relay_outbox() == {"sent": 0, "failed": 1}

    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("dead", outbox.MAX_ATTEMPTS)
    assert "is dead after 10 attempts" in caplog.text
    _make_due()
    assert relay_outbox() == {"sent": 0, "failed": 0}


def test_the_beat_relay_sends_what_is_due_once(mail_down, settings):
    outbox.enqueue_email(["a@x.test", "b@x.test"], "Subject", "Body")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # mail is back

    assert relay_outbox() == {"sent": 2, "failed": 0}
    assert relay_outbox() == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 2


def test_under_eager_settings_a_task_runs_inline_on_commit(
    world, django_capture_on_commit_callbacks
):
    """`make run` has no broker: the relay after commit runs the scan in the request."""
    assert settings.CELERY_TASK_ALWAYS_EAGER
    with django_capture_on_commit_callbacks(execute=True):
        item = evidence.evidence_add(
            actor=actor_for(world.salford_member),
            partnership_id=world.salford.pk,
            kind="document",
            title="Threshold document",
            upload=SimpleUploadedFile("threshold.pdf", PDF, "application/pdf"),
        )
    item.refresh_from_db()
    assert item.scan_status == "ready"
    message = OutboxMessage.objects.get()
    assert (message.kind, message.status, message.payload) == (
        "task",
        "done",
        {"task": "evidence.tasks.scan_evidence_file", "args": [item.pk], "kwargs": {}},
    )


def test_sent_messages_are_purged_after_a_week_pending_and_dead_stay():
    sent, pending, dead, recent = (
        outbox.enqueue_email([f"{n}@x.test"], "Subject", "Body")[0] for n in range(4)
    )
    long_ago = timezone.now() - outbox.KEEP_SENT - timedelta(hours=1)
    OutboxMessage.objects.filter(pk=sent.pk).update(status="done", sent_at=long_ago)
    OutboxMessage.objects.filter(pk=dead.pk).update(status="dead", created_at=long_ago)
    OutboxMessage.objects.filter(pk=recent.pk).update(status="done", sent_at=timezone.now())

    assert purge_sent_outbox() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {
        pending.pk,
        dead.pk,
        recent.pk,
    }


# --- the stuck-scan sweep ------------------------------------------------------------


def _scanning(world, *, minutes_ago: int) -> EvidenceItem:
    return make_item(
        world,
        kind="document",
        file="evidence/2027/01/stuck.pdf",
        scan_status="scanning",
        added_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_the_sweep_requeues_only_scans_lost_on_the_way(world, django_capture_on_commit_callbacks):
    lost = _scanning(world, minutes_ago=20)
    recent = _scanning(world, minutes_ago=2)
    on_its_way = _scanning(world, minutes_ago=20)
    outbox.enqueue_task(scan_evidence_file, on_its_way.pk)  # still pending
    make_item(world, kind="other")  # no file: nothing to scan

    with django_capture_on_commit_callbacks(execute=False):
        assert requeue_stuck_scans() == 1

    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert outbox.task_key(scan_evidence_file.name, [lost.pk]) in keys
    assert outbox.task_key(scan_evidence_file.name, [recent.pk]) not in keys
    # Run again: the lost one's scan is now on its way, so nothing is added.
    with django_capture_on_commit_callbacks(execute=False):
        assert requeue_stuck_scans() == 0


# --- operators' view ------------------------------------------------------------------


def test_health_outbox_is_ok_when_nothing_waits():
    response = Client().get("/health/outbox/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "check": "outbox",
        "oldest_pending_seconds": "0",
        "dead": "0",
    }


def test_health_outbox_is_503_when_a_message_waits_too_long(mail_down):
    outbox.enqueue_email(["a@x.test"], "Subject", "Body")
    OutboxMessage.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.OUTBOX_ALARM_SECONDS + 60)
    )
    dead = outbox.enqueue_email(["b@x.test"], "Subject", "Body")[0]
    OutboxMessage.objects.filter(pk=dead.pk).update(status="dead")

    response = Client().get("/health/outbox/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert int(body["oldest_pending_seconds"]) >= settings.OUTBOX_ALARM_SECONDS + 60
    assert body["dead"] == "1"


def test_staff_see_the_outbox_read_only_without_the_email_body(world):
    outbox.enqueue_email(["a@x.test"], "Reminder subject", "SECRET-BODY-TEXT")
    message = OutboxMessage.objects.get()
    client = Client()
    client.force_login(world.staff, backend="django.contrib.auth.backends.ModelBackend")

    listing = client.get("/admin/core/outboxmessage/")
    detail = client.get(f"/admin/core/outboxmessage/{message.pk}/change/")

    assert listing.status_code == 200
    assert "email:Reminder subject" in listing.content.decode()
    assert detail.status_code == 200
    assert "SECRET-BODY-TEXT" not in detail.content.decode()
    assert "a@x.test" not in detail.content.decode()
    assert client.get("/admin/core/outboxmessage/add/").status_code == 403
    assert client.post(f"/admin/core/outboxmessage/{message.pk}/delete/").status_code == 403
    assert OutboxMessage.objects.count() == 1


# --- broker timings ------------------------------------------------------------------


def test_the_visibility_timeout_is_just_above_every_task_time_limit():
    """A dead worker's tasks come back after the visibility timeout (kombu's default
    is an hour); below a task's time limit, a task still running would run twice."""
    from config.celery import app

    app.loader.import_default_modules()
    timeout = int(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]))
    limits = {
        name: (task.soft_time_limit, task.time_limit)
        for name, task in app.tasks.items()
        if isinstance(task, ProjectTask)
    }
    assert "evidence.tasks.scan_evidence_file" in limits
    assert all(soft and hard and soft < hard for soft, hard in limits.values()), limits
    longest = max(hard for _, hard in limits.values())
    assert longest <= settings.CELERY_TASK_TIME_LIMIT
    assert settings.CELERY_TASK_TIME_LIMIT < timeout <= settings.CELERY_TASK_TIME_LIMIT + 120
