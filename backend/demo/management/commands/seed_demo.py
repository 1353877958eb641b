from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo import partnerships as demo
from demo.evidence import demo_seed_evidence
from demo.reviews import demo_seed_reviews


class Command(BaseCommand):
    help = (
        "Create or update the demo alliance, partnerships, sign-ins, reviews and evidence "
        "(idempotent). Refused unless DEMO_MODE is on."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = demo.demo_seed()
        except demo.DemoModeOff as exc:
            raise CommandError(f"{exc} Nothing was written.") from None
        reviews = demo_seed_reviews()
        evidence = demo_seed_evidence()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {summary.partnerships} partnerships, "
                f"{summary.organisations} organisations, {summary.users} sign-ins, "
                f"{reviews.exchanges} exchanges, {reviews.reviews} reviews, "
                f"{evidence.items} evidence items ({evidence.shares} shared, "
                f"{evidence.requests} document requests)."
            )
        )
