from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.published_schemas import published


class Command(BaseCommand):
    help = "Write docs/api/openapi.yaml and docs/api/schema.graphql from the code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Only say whether the files are up to date."
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        stale = []
        for path, render in published().items():
            text = render()
            current = path.read_text() if path.exists() else None
            if current == text:
                continue
            stale.append(path.name)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                self.stdout.write(f"Wrote {path}")
        if check and stale:
            raise CommandError(f"Out of date: {', '.join(stale)}. Run `make schemas`.")
