"""A PostgreSQL restart under write load (issue 16): a short, bounded run of
tests/pg_restart.py on a throwaway cluster of its own. Every acknowledged write is
present, nothing is written twice, and writes come back within seconds.

`make fault-pg-restart` runs the long campaign and prints the same figures."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.pg_restart import run

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

RECOVERY_BOUND_SECONDS = 30


@pytest.mark.skipif(
    shutil.which("pg_createcluster") is None and os.environ.get("REQUIRE_POSTGRES") != "1",
    reason="needs Debian's postgresql-common (pg_createcluster)",
)
def test_acknowledged_writes_survive_a_restart_once_each(tmp_path: Path):
    report = run(seconds=12, clients=4, cache_url=os.environ["CELERY_BROKER_URL"], work=tmp_path)
    print("\n".join(report.lines()))

    assert report.acknowledged > 0
    assert report.acknowledged_missing == 0
    assert report.rows_never_acknowledged == 0
    assert report.duplicates == 0
    assert report.rows == report.acknowledged
    assert report.recovered_seconds < RECOVERY_BOUND_SECONDS
