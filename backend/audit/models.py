"""The append-only, hash-chained audit log (SECURITY.md section 6)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing that happened. Never changed after it is written.

    Actor and partnerships are kept as plain ids and an email snapshot, not foreign
    keys: deleting a user must not rewrite (and so break) the chain. `hash` is
    SHA-256 over the previous event's hash and this event's canonical JSON, so an
    edit, a deletion or a reordering shows up in `manage.py verify_audit_chain`.

    The log is a few parallel chains ("lanes", ADR 0011): `prev_hash` is the hash of
    the previous event in the same lane, so concurrent writers append to different
    lanes instead of queueing on one lock.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Listed"
        DOWNLOAD = "download", "Downloaded"
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        SHARE = "share", "Shared"
        REVOKE = "revoke", "Revoked"
        GRANT = "grant", "Granted access"
        EXPORT = "export", "Exported"
        TRANSITION = "transition", "Changed status"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        DENIED = "denied", "Denied"

    occurred_at = models.DateTimeField(default=timezone.now)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    actor_partnership_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    owning_partnership_id = models.BigIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    lane = models.PositiveSmallIntegerField(default=0)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # "Who viewed our evidence": a partnership's events, newest first.
            models.Index(fields=["owning_partnership_id", "-id"], name="audit_owner_recent"),
            models.Index(fields=["object_type", "object_id", "-id"], name="audit_object_recent"),
            # A lane's tail, read by every append.
            models.Index(fields=["lane", "-id"], name="audit_lane_tail"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id} by {self.actor_email}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events are append-only.")
