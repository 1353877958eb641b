"""Emails about exchanges and reviews, written to the outbox with the change and sent
after it commits (core.outbox): mail being down delays them, never loses them."""

from __future__ import annotations

from collections.abc import Iterable

from core import outbox
from core.models import OutboxMessage
from tenancy.models import Membership, Partnership, Role


def lead_emails(partnership: Partnership) -> list[str]:
    return list(
        Membership.objects.filter(partnership=partnership, role=Role.LEAD)
        .select_related("user")
        .values_list("user__email", flat=True)
    )


def send_on_commit(recipients: Iterable[str], subject: str, body: str) -> list[OutboxMessage]:
    """One email per recipient (no address sees the others), written to the outbox in
    the caller's transaction and sent once it commits. Must be called inside the
    transaction of the change it reports."""
    return outbox.enqueue_email(recipients, subject, body)
