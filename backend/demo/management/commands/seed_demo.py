from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo import partnerships as demo
from demo.budgets import demo_seed_budgets
from demo.evidence import demo_seed_evidence
from demo.findings import demo_seed_findings
from demo.reviews import demo_seed_reviews
from demo.surveys import demo_seed_surveys


class Command(BaseCommand):
    help = (
        "Create or update the demo alliance, partnerships, sign-ins, reviews, evidence, "
        "findings, budgets and surveys (idempotent). Refused unless DEMO_MODE is on."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = demo.demo_seed()
        except demo.DemoModeOff as exc:
            raise CommandError(f"{exc} Nothing was written.") from None
        reviews = demo_seed_reviews()
        evidence = demo_seed_evidence()
        findings = demo_seed_findings()
        budgets = demo_seed_budgets()
        surveys = demo_seed_surveys()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {summary.partnerships} partnerships, "
                f"{summary.organisations} organisations, {summary.users} sign-ins, "
                f"{reviews.exchanges} exchanges, {reviews.reviews} reviews, "
                f"{evidence.items} evidence items ({evidence.shares} shared, "
                f"{evidence.requests} document requests), {findings.findings} findings, "
                f"{findings.criteria} success criteria, {findings.recommendations} next steps, "
                f"{budgets.budgets} budgets (illustrative but for the police payments of "
                f"2022/23), {surveys.surveys} surveys ({surveys.responses} responses)."
            )
        )
