from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from perf import database
from perf.seed import Seeder, table_counts
from perf.workload import (
    LIBRARY_EMAIL,
    NOT_SEEDED,
    OWNER_EMAIL,
    REVIEWER_EMAIL,
    SCALES,
    SEED_VERSION,
    Workload,
    default_database,
    default_template,
)


class Command(BaseCommand):
    help = """Create the performance workload (shared/design/PERFORMANCE.md) in its own
    PostgreSQL database. PostgreSQL only: DATABASE_URL names the server (any database on
    it, e.g. postgres://postgres@127.0.0.1:5432/postgres); the command creates
    peer_review_perf_<scale> (--database) by cloning the template database
    peer_review_perf_tpl_<scale> (--template), seeding the template first if it is missing,
    was made by another version of the seed, or --fresh is given. Migrations run on the
    template before seeding and on the clone after cloning (the default connection is
    pointed at each database in turn; nothing else is touched). The seed is set-based SQL,
    then VACUUM ANALYZE. Findings, budget lines and survey responses are not seeded: this
    codebase has no such tables yet."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="0.1")
        parser.add_argument("--fresh", action="store_true", help="Rebuild the template.")
        parser.add_argument("--database", help="Database to create (default by scale).")
        parser.add_argument("--template", help="Template database (default by scale).")

    def handle(self, *args: Any, **options: Any) -> None:
        database.require_postgres("perf_seed")
        scale: str = options["scale"]
        target = database.checked(options["database"] or default_database(scale))
        template = database.checked(options["template"] or default_template(scale))
        workload = Workload.at(scale)
        started = time.perf_counter()
        marker = database.read_marker(template) if database.exists(template) else None
        reusable = (
            marker is not None
            and marker.get("version") == SEED_VERSION
            and marker.get("scale") == scale
            and marker.get("complete") is True
        )
        if options["fresh"] or not reusable:
            why = "--fresh" if options["fresh"] else "no usable template"
            self.stdout.write(f"Seeding {template} at {scale}x ({why}):")
            marker = self._seed_template(template, workload)
        else:
            assert marker is not None
            self.stdout.write(
                f"Template {template} is ready (seeded in {marker['seconds']:.1f} s); "
                "cloning it. Use --fresh to rebuild."
            )
        clone_started = time.perf_counter()
        database.drop(target)
        database.create(target, template=template)
        with database.pointed_at(target):
            call_command("migrate", verbosity=0, interactive=False)
        database.write_marker(target, {**marker, "template": template})
        counts: dict[str, int] = marker["counts"]
        clone_seconds = time.perf_counter() - clone_started
        self.stdout.write(f"Cloned into {target} and migrated it in {clone_seconds:.1f} s. Rows:")
        for name, count in counts.items():
            self.stdout.write(f"  {name:<44} {count:>10,}")
        self.stdout.write(
            "Not seeded (no such tables in this codebase yet): " + "; ".join(NOT_SEEDED)
        )
        self.stdout.write(
            f"Known users: {OWNER_EMAIL} (lead, library of about 1k items), "
            f"{LIBRARY_EMAIL} (lead of the largest library), "
            f"{REVIEWER_EMAIL} ({workload.heavy_grants:,} grants, window open)."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"perf_seed {scale}x: {target} ready in {time.perf_counter() - started:.1f} s."
            )
        )

    def _seed_template(self, template: str, workload: Workload) -> dict[str, Any]:
        started = time.perf_counter()
        database.drop(template)
        database.create(template)
        with database.pointed_at(template):
            migrate_started = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            self.stdout.write(
                f"  {'migrate':<44} {'':>15} {time.perf_counter() - migrate_started:7.2f} s"
            )
            report = Seeder(workload, self.stdout.write).run()
            counted = time.perf_counter()
            counts = table_counts()
            self.stdout.write(
                f"  {'row counts':<44} {'':>15} {time.perf_counter() - counted:7.2f} s"
            )
        seconds = time.perf_counter() - started
        marker = {
            "version": SEED_VERSION,
            "scale": workload.scale,
            "complete": True,
            "seconds": round(seconds, 1),
            "seed_seconds": round(report.seconds, 1),
            "heavy_grants": workload.heavy_grants,
            "counts": counts,
        }
        database.write_marker(template, marker)
        self.stdout.write(
            f"Seeded {template} in {seconds:.1f} s "
            f"({report.seconds:.1f} s of SQL: inserts, commit, VACUUM ANALYZE)."
        )
        return marker
