"""Tables of the project's plumbing: the outbox and idempotency keys. Neither holds a
partnership: both are read only by the relay, the middleware and platform staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    """Something to send once the transaction that wrote it has committed: a task to
    publish to the broker, or one email. Written in the same transaction as the change
    that causes it, so a change is never committed without its message, and a message
    never leaves for a change that rolled back. `core.outbox` sends it."""

    class Kind(models.TextChoices):
        TASK = "task", "Task"
        EMAIL = "email", "Email"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        DEAD = "dead", "Dead (gave up)"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # What the message is about, e.g. "evidence.tasks.scan_evidence_file:[42]" or
    # "email:reminder": lets a sweep see that a task is already on its way.
    key = models.CharField(max_length=200, db_index=True)
    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            # The relay's "what is due" query and the health check's oldest pending
            # row read only the pending rows, a handful among many done ones.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} ({self.status})"


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key` header, kept for a
    day per user (core.idempotency), so a retry gets that answer and writes nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=200, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'in progress'})"
