from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo import partnerships as demo
from demo.surveys import demo_links


class Command(BaseCommand):
    help = "Print the demo address, sign-ins and password. Refused unless DEMO_MODE is on."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = demo.demo_sign_ins()
            links = demo_links()
        except demo.DemoModeOff as exc:
            # Nothing about the demo accounts is printed outside demo mode.
            raise CommandError(str(exc)) from None
        lines = [
            "",
            f"Partnership peer review exchange (demo): {demo.DEMO_ADDRESS}",
            "",
            *demo.format_table(("Email", "Role", "Partnership"), rows),
            "",
            f"Password for every demo sign-in: {demo.DEMO_PASSWORD}",
            "",
            *links,
            "",
        ]
        self.stdout.write("\n".join(lines))
