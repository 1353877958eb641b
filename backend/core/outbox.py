"""The transactional outbox: nothing leaves the database except through here
(SECURITY.md section 8; docs/adr/0010-outbox-and-idempotency.md).

    # in a service, inside its transaction:
    outbox.enqueue_task(tasks.scan_evidence_file, item.pk)
    outbox.enqueue_email(["lead@bolton.example"], subject, body)

Each call writes an `OutboxMessage` row in the caller's transaction. After the
commit the row is relayed at once (best effort: a broker or SMTP outage is only
logged), and the `relay_outbox` beat task relays whatever is still pending
(guaranteed). A row is marked done only once the broker or the SMTP server accepted
it; a failure is retried with exponential back-off up to a cap, and after
MAX_ATTEMPTS the row is "dead" for an operator to look at (docs/operations.md).

Delivery is at least once: a process dying between the broker's (or SMTP server's)
acceptance and the row's update sends it again on the next relay. Tasks are
idempotent (core.tasks); an email may, in that narrow window, arrive twice. Two
relays never send one row at the same time: each row is locked (SKIP LOCKED) while
it is sent.

With no broker (`make run`, the test settings) Celery runs tasks eagerly, so the
relay after commit runs the task inline, as `delay_on_commit` did.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ParamSpec

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from .models import OutboxMessage
from .tasks import Task

logger = logging.getLogger(__name__)

P = ParamSpec("P")

PENDING = OutboxMessage.Status.PENDING
MAX_ATTEMPTS = 10
FIRST_RETRY_SECONDS = 30
RETRY_CAP_SECONDS = 60 * 60
RELAY_BATCH = 200
# Sent messages are kept this long for operators to look back on, then purged (an email
# row holds its body and address).
KEEP_SENT = timedelta(days=7)


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling each time, never more than an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), RETRY_CAP_SECONDS))


def task_key(name: str, args: Iterable[Any]) -> str:
    return f"{name}:{json.dumps(list(args), separators=(',', ':'))}"[:200]


def _write(kind: str, key: str, payload: dict[str, Any]) -> OutboxMessage:
    now = timezone.now()
    message = OutboxMessage.objects.create(
        kind=kind, key=key, payload=payload, created_at=now, next_attempt_at=now
    )
    transaction.on_commit(lambda: relay_one(message.pk))
    return message


def enqueue_task(task: Task[P, Any], *args: P.args, **kwargs: P.kwargs) -> OutboxMessage:
    """Publish `task(*args, **kwargs)` once the caller's transaction commits.
    Arguments must be JSON (ids, not objects), as Celery's own serializer needs."""
    return enqueue_task_named(task.name, *args, **kwargs)


def enqueue_task_named(name: str, *args: Any, **kwargs: Any) -> OutboxMessage:
    """The same, by the task's registered name: for a service whose app's tasks
    module imports it (tasks are entry points, so services name them)."""
    return _write(
        OutboxMessage.Kind.TASK,
        task_key(name, args),
        {"task": name, "args": list(args), "kwargs": kwargs},
    )


def enqueue_email(recipients: Iterable[str], subject: str, body: str) -> list[OutboxMessage]:
    """One email per recipient (no address sees the others), sent once the caller's
    transaction commits. Each is retried on its own, so one bad address holds up
    nobody else's."""
    return [
        _write(
            OutboxMessage.Kind.EMAIL,
            f"email:{subject}"[:200],
            {
                "subject": subject,
                "body": body,
                "from": settings.DEFAULT_FROM_EMAIL,
                "to": [address],
            },
        )
        for address in sorted(set(recipients))
    ]


def _send(message: OutboxMessage) -> None:
    """Hand the message over; returns only once the broker or SMTP server took it."""
    payload = message.payload
    if message.kind == OutboxMessage.Kind.TASK:
        # The project's app (config.celery), which Django loads first: core names no
        # layer above it.
        from celery import current_app as app

        if payload["task"] not in app.tasks:
            app.loader.import_default_modules()  # a web process imports tasks lazily
        # No connection or publish retries here (kombu's would block for seconds):
        # the relay has its own back-off, and a request relaying after its commit
        # must not hang on a broker that is down.
        options = {**app.conf.broker_transport_options, "max_retries": 0}
        with app.connection_for_write(transport_options=options) as connection:
            app.tasks[payload["task"]].apply_async(
                args=payload["args"],
                kwargs=payload["kwargs"],
                retry=False,
                connection=connection,
            )
        return
    with get_connection(fail_silently=False) as connection:
        sent = connection.send_messages(
            [EmailMessage(payload["subject"], payload["body"], payload["from"], payload["to"])]
        )
    if sent != 1:
        raise RuntimeError("The mail server did not accept the message.")


def relay_one(message_id: int) -> bool:
    """Send one pending, due message; True when it went. Never raises for a failed
    send: the failure is recorded on the row and retried later."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if message is None:
            return False  # already sent, not yet due, or another relay has it now
        try:
            # A savepoint: an eager task that fails part-way leaves none of its writes.
            with transaction.atomic():
                _send(message)
        # Whatever the broker, the mail backend or an eager task raised, the row stays
        # pending and is retried: a failed send must never fail the caller's request.
        except Exception as error:  # noqa: BLE001
            _failed(message, error)
            return False
        message.status = OutboxMessage.Status.DONE
        message.sent_at = timezone.now()
        message.attempts += 1
        message.last_error = ""
        message.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        return True


def _failed(message: OutboxMessage, error: Exception) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxMessage.Status.DEAD
        logger.error(
            "Outbox message %s (%s) is dead after %s attempts: %s",
            message.pk,
            message.key,
            message.attempts,
            message.last_error,
        )
    else:
        message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
        logger.warning(
            "Outbox message %s (%s) failed, attempt %s: %s",
            message.pk,
            message.key,
            message.attempts,
            message.last_error,
        )
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


@dataclass(frozen=True)
class RelayResult:
    sent: int
    failed: int


def relay_pending(*, limit: int = RELAY_BATCH) -> RelayResult:
    """Send every pending message that is due, oldest first (the beat task)."""
    due = list(
        OutboxMessage.objects.filter(status=PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(relay_one(pk) for pk in due)
    return RelayResult(sent=sent, failed=len(due) - sent)


def oldest_pending(now: datetime | None = None) -> timedelta | None:
    """How long the oldest pending message has waited; None when nothing waits."""
    oldest = OutboxMessage.objects.filter(status=PENDING).aggregate(at=Min("created_at"))["at"]
    return None if oldest is None else (now or timezone.now()) - oldest


def keys_in_flight(prefix: str, *, since: datetime) -> set[str]:
    """Keys starting with `prefix` of the messages still pending, or sent after
    `since` (their task may still be queued or running): what is already on its way."""
    return set(
        OutboxMessage.objects.filter(key__startswith=prefix)
        .filter(Q(status=PENDING) | Q(created_at__gte=since))
        .values_list("key", flat=True)
    )


def purge_sent() -> int:
    """Delete the messages sent more than KEEP_SENT ago; pending and dead ones stay."""
    deleted, _ = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.DONE, sent_at__lt=timezone.now() - KEEP_SENT
    ).delete()
    return deleted
