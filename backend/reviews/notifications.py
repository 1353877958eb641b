"""Emails about exchanges and reviews, sent after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from tenancy.models import Membership, Partnership, Role


def lead_emails(partnership: Partnership) -> list[str]:
    return list(
        Membership.objects.filter(partnership=partnership, role=Role.LEAD)
        .select_related("user")
        .values_list("user__email", flat=True)
    )


def send_on_commit(recipients: Iterable[str], subject: str, body: str) -> None:
    """Queue one email per recipient (no address sees the others) once the change commits."""
    to = sorted(set(recipients))
    if not to:
        return
    messages = tuple((subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in to)
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
