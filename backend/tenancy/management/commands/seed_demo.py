from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tenancy import demo


class Command(BaseCommand):
    help = (
        "Create or update the demo alliance, partnerships, sign-ins, reviews, evidence and "
        "budgets (idempotent). Refused unless DEMO_MODE is on."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here: tenancy is the base app and imports no domain app at module level.
        from budgets.demo import demo_seed_budgets
        from evidence.demo import demo_seed_evidence
        from findings.demo import demo_seed_findings
        from reviews.demo import demo_seed_reviews

        try:
            summary = demo.demo_seed()
        except demo.DemoModeOff as exc:
            raise CommandError(f"{exc} Nothing was written.") from None
        reviews = demo_seed_reviews()
        evidence = demo_seed_evidence()
        findings = demo_seed_findings()
        budgets = demo_seed_budgets()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {summary.partnerships} partnerships, "
                f"{summary.organisations} organisations, {summary.users} sign-ins, "
                f"{reviews.exchanges} exchanges, {reviews.reviews} reviews, "
                f"{evidence.items} evidence items ({evidence.shares} shared, "
                f"{evidence.requests} document requests), {findings.findings} findings, "
                f"{findings.criteria} success criteria, {findings.recommendations} next steps, "
                f"{budgets.budgets} budgets (illustrative but for the police payments of "
                "2022/23)."
            )
        )
