"""The harness's databases: created, cloned from a template, dropped, and used.

Design: the commands never add a second alias. They point the "default" connection
at the perf database for the duration of the command (`pointed_at`), exactly as
Django's test runner points it at the test database, so that `migrate`, the ORM,
guardian, DRF and the test client all run against the perf data unchanged, and the
original database name is restored afterwards. Server-level statements (CREATE and
DROP DATABASE) go through Django's maintenance-database cursor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandError
from django.db import connection

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def require_postgres(command: str) -> None:
    if connection.vendor != "postgresql":
        raise CommandError(
            f"{command} needs PostgreSQL: the workload and its query plans mean nothing on "
            f"{connection.vendor}. Run it with DATABASE_URL=postgres://user@host:5432/postgres "
            "(any database on the server; the harness creates its own)."
        )


def checked(name: str) -> str:
    if not _NAME.match(name):
        raise CommandError(
            f"Database name {name!r} is not allowed: use lower-case letters, digits and "
            "underscores, starting with a letter (at most 63 characters)."
        )
    return name


def _server(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection._nodb_cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def exists(name: str) -> bool:
    return bool(_server("SELECT 1 FROM pg_database WHERE datname = %s", [checked(name)]))


def drop(name: str) -> None:
    quoted = connection.ops.quote_name(checked(name))
    _server(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def create(name: str, *, template: str | None = None) -> None:
    quoted = connection.ops.quote_name(checked(name))
    sql = f"CREATE DATABASE {quoted}"
    if template is not None:
        sql += f" TEMPLATE {connection.ops.quote_name(checked(template))}"
    _server(sql)


def read_marker(name: str) -> dict[str, Any] | None:
    """The seed's record on a database (a JSON comment on it), or None."""
    rows = _server(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [checked(name)],
    )
    if not rows or not rows[0][0]:
        return None
    try:
        marker = json.loads(rows[0][0])
    except ValueError:
        return None
    return marker if isinstance(marker, dict) and "perf_seed" in marker else None


def write_marker(name: str, marker: dict[str, Any]) -> None:
    text = json.dumps({"perf_seed": True, **marker}, sort_keys=True).replace("'", "''")
    _server(f"COMMENT ON DATABASE {connection.ops.quote_name(checked(name))} IS '{text}'")


def _reset_caches() -> None:
    from django.contrib.contenttypes.models import ContentType

    # Content type ids differ between databases; guardian and the ORM cache them.
    ContentType.objects.clear_cache()


@contextmanager
def pointed_at(name: str) -> Iterator[None]:
    """Run the block with the default connection on database `name`."""
    settings_dict = connection.settings_dict
    previous = settings_dict["NAME"]
    connection.close()
    settings_dict["NAME"] = checked(name)
    _reset_caches()
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = previous
        _reset_caches()
