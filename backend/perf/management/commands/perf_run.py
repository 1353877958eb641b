from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from perf import database
from perf.goals import Goals
from perf.http import http_figures
from perf.measure import Result, Timing
from perf.workload import NOT_SEEDED, SCALES, TENTH, default_database

GOAL_IDS = ("P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9")
NOT_MEASURED = {
    "P1": "GraphQL benchmark query / raw SQL: no benchmarking query exists in this codebase yet",
}


class Command(BaseCommand):
    help = """Measure the performance goals (shared/design/PERFORMANCE.md) against a database
    made by perf_seed: P2 (queries per request, 50 rows / 5 rows), P3 (heavy reviewer's
    evidence list / owner's), P5 (page with permission flags / without), P6 (REST list /
    raw SQL) and P7 (keyset page 200 / page 1), each A and B called alternately after a
    warm-up, reported as medians. Prints one table and writes the same as JSON (default
    .data/perf/perf-<scale>.json). PostgreSQL only; DATABASE_URL names the server."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="0.1")
        parser.add_argument("--database", help="Database made by perf_seed (default by scale).")
        parser.add_argument(
            "--tenth-database",
            help="Database seeded with a tenth of the data, for P4 (default by scale).",
        )
        parser.add_argument("--json", dest="json_path", help="Where to write the results.")
        parser.add_argument("--no-http", action="store_true", help="Skip P8 and P9 (wrk).")
        parser.add_argument("--rounds", type=int, default=51, help="Measured calls of each side.")
        parser.add_argument("--warmup", type=int, default=5, help="Unmeasured calls first.")
        parser.add_argument(
            "--check", action="store_true", help="Exit with status 1 if any goal fails."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        database.require_postgres("perf_run")
        scale: str = options["scale"]
        name = database.checked(options["database"] or default_database(scale))
        if not database.exists(name):
            raise CommandError(
                f"No database {name}: run `manage.py perf_seed --scale {scale}` first."
            )
        marker = database.read_marker(name)
        if marker is None:
            raise CommandError(f"{name} was not made by perf_seed; refusing to measure it.")
        tenth_scale = TENTH.get(scale)
        tenth = options["tenth_database"] or (tenth_scale and default_database(tenth_scale))
        if tenth and not (database.exists(database.checked(tenth)) and database.read_marker(tenth)):
            raise CommandError(
                f"No perf_seed database {tenth} for P4: run `manage.py perf_seed --scale "
                f"{tenth_scale}` first (or name one with --tenth-database)."
            )
        if options["rounds"] < 1 or options["warmup"] < 0:
            raise CommandError("--rounds must be at least 1 and --warmup at least 0.")
        timing = Timing(rounds=options["rounds"], warmup=options["warmup"])
        json_path = Path(
            options["json_path"]
            or Path(settings.PROJECT_DIR) / ".data" / "perf" / f"perf-{scale}.json"
        )
        started = time.perf_counter()
        load_before = os.getloadavg()
        self.stdout.write(
            f"perf_run {scale}x on {name}: {timing.rounds} rounds after {timing.warmup} warm-up "
            f"calls, A and B alternating; load average {load_before[0]:.2f}."
        )
        # DEBUG off (no query log); the test client's host allowed whatever the settings.
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        with database.pointed_at(name), override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
            try:
                goals = Goals(timing)
            except LookupError as error:
                raise CommandError(f"{name}: {error}") from None
            results: list[Result] = []
            for step in (goals.p2, goals.p3, goals.p5, goals.p6, goals.p7):
                results += step()
            if tenth and tenth_scale:
                results += goals.p4(tenth, tenth_scale)
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                server_version = cursor.fetchone()[0]
            if options["no_http"]:
                http: dict[str, Any] = {"measured": False, "reason": "--no-http"}
            else:
                who = {
                    "owner": goals.who.owner,
                    "member": goals.member_user,
                    "reviewer": goals.who.reviewer,
                }
                http = http_figures(name, who)
            results += http.pop("results", [])
        seconds = time.perf_counter() - started
        load_after = os.getloadavg()
        self._print(results, http)
        report = {
            "scale": scale,
            "database": name,
            "measured_at": timezone.now().isoformat(),
            "seconds": round(seconds, 1),
            "rounds": timing.rounds,
            "warmup": timing.warmup,
            "list_source": goals.source,
            "environment": {
                "python": platform.python_version(),
                "postgresql": server_version,
                "cpus": os.cpu_count(),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in load_after],
                "settings": os.environ.get("DJANGO_SETTINGS_MODULE", ""),
            },
            "workload": {
                "seed_version": marker.get("version"),
                "counts": marker.get("counts", {}),
                "heavy_grants": marker.get("heavy_grants"),
                "not_seeded": list(NOT_SEEDED),
            },
            "results": [result.as_json() for result in results],
            "not_measured": [{"id": key, "reason": why} for key, why in NOT_MEASURED.items()],
            "http": {k: v for k, v in http.items() if k != "lines"},
        }
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2) + "\n")
        failed = [r.id for r in results if r.verdict == "FAIL"]
        summary = f"{len(failed)} of {sum(r.id in GOAL_IDS for r in results)} goal rows failed"
        self.stdout.write(f"{summary}; {seconds:.0f} s; JSON: {json_path}")
        if options["check"] and failed:
            raise CommandError(f"Goals failed: {', '.join(sorted(set(failed)))}")

    def _print(self, results: list[Result], http: dict[str, Any]) -> None:
        def value(result: Result, side: float | None) -> str:
            if side is None:
                return "not built"
            if result.unit == "ms":
                return f"{side:.2f} ms"
            return f"{side:.1f} req/s" if result.unit == "req/s" else f"{int(side)} q"

        rows = [
            (
                r.id,
                r.measure,
                value(r, r.a),
                value(r, r.b),
                "-" if r.ratio is None else f"{r.ratio:.2f}",
                r.goal,
                r.verdict,
            )
            for r in results
        ]
        header = ("id", "measure", "A", "B", "ratio", "goal", "verdict")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        align = ("<", "<", ">", ">", ">", "<", "<")
        for row in [header, *rows]:
            cells = [f"{cell:{a}{w}}" for cell, a, w in zip(row, align, widths, strict=True)]
            self.stdout.write("  ".join(cells).rstrip())
        for result in results:
            if result.note:
                self.stdout.write(f"  note, {result.id}: {result.note}")
        for key, why in NOT_MEASURED.items():
            self.stdout.write(f"{key}: not measured ({why}).")
        if http.get("measured"):
            for line in http["lines"]:
                self.stdout.write(line)
        else:
            self.stdout.write(f"HTTP sanity figures: not measured ({http['reason']}).")
        self.stdout.write("Not seeded: " + "; ".join(NOT_SEEDED) + ".")
