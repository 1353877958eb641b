from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.chain import first_break
from audit.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit non-zero naming the first bad event."

    def handle(self, *args: Any, **options: Any) -> None:
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
        broken = first_break(events)
        if broken is not None:
            raise CommandError(f"Audit chain broken at event {broken.event_id}: {broken.reason}.")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} events verified."))
