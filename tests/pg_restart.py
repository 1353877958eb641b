"""A PostgreSQL restart under write load, for real (issue 16).

A throwaway PostgreSQL cluster of its own (so the restart disturbs nobody else's
database), the product under gunicorn with production settings on it, and client
threads that add evidence over REST as a well-behaved integrator would: each write
carries an `Idempotency-Key`, and a write that fails (a 503, a reset connection, a
timeout) is retried with the same key until it is acknowledged. Half-way through, the
cluster restarts (`pg_ctlcluster ... restart`, fast shutdown: every session is ended).

What it reports:
- acknowledged writes (201 answers) against rows present: every acknowledged write must
  be there, and no row may exist that was never acknowledged;
- duplicates: rows beyond one per idempotency key (must be 0);
- the time to recover: from the restart command to the first write acknowledged after it;
- what the clients saw meanwhile (503s with Retry-After, refused connections).

`make fault-pg-restart` runs a long campaign and prints the figures; the suite runs a
short one (tests/integration/test_pg_restart.py). Needs root (pg_createcluster), Debian's
postgresql-common and a Redis for the cache.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
PYTHON = sys.executable
MARKER = "pg-restart-load"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def _run(*command: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    done = subprocess.run(
        command, env=env, cwd=BACKEND, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Cluster:
    version: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/peer_review"

    def restart(self) -> float:
        """Restart with a fast shutdown (every session ended, as a failover does); the
        seconds the command took."""
        started = time.monotonic()
        _run("pg_ctlcluster", self.version, self.name, "restart", "-m", "fast")
        return time.monotonic() - started


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    version = _postgres_version()
    cluster = Cluster(version=version, name=f"fault{uuid.uuid4().hex[:8]}", port=_free_port())
    _run(
        "pg_createcluster",
        version,
        cluster.name,
        "--port",
        str(cluster.port),
        "--start",
        "--",
        "--auth=trust",
    )
    try:
        _run(
            "psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-qc",
            "CREATE DATABASE peer_review",
        )  # fmt: skip
        yield cluster
    finally:
        with suppress(RuntimeError):
            _run("pg_dropcluster", "--stop", version, cluster.name)


SEED = """
from accounts.models import User
from accounts.services import api_token_create
from tenancy.models import Membership, Partnership, Role
partnership = Partnership.objects.create(name="Restartshire", slug="restartshire")
lead = User.objects.create_user(email="lead@restartshire.example", password="x" * 16)
Membership.objects.create(user=lead, partnership=partnership, role=Role.LEAD)
print(partnership.pk, api_token_create(user=lead, name="load").raw)
"""


def _environment(cluster: Cluster, cache_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": cluster.url,
        "DJANGO_SECRET_KEY": "pg-restart-" + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "False",
        "CACHE_URL": cache_url,
        "CELERY_BROKER_URL": cache_url,
        # The load is one user writing fast on purpose: the per-user limit is not
        # what is measured here.
        "RATE_LIMIT_USER": "1000000/min",
        "PYTHONPATH": str(BACKEND),
    }


@contextmanager
def gunicorn(env: dict[str, str], log: Path, workers: int = 2) -> Iterator[int]:
    port = _free_port()
    with log.open("ab") as output:
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"],
            cwd=BACKEND, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while _status(port, "GET", "/health/") != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


def _status(port: int, method: str, path: str) -> int | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request(method, path, headers={"X-Forwarded-Proto": "https"})
        return connection.getresponse().status
    except OSError:
        return None


@dataclass
class Load:
    port: int
    token: str
    partnership: int
    stop_at: float
    acknowledged: dict[str, int] = field(default_factory=dict)  # key -> item id
    answers: Counter[str] = field(default_factory=Counter)
    acknowledged_at: list[float] = field(default_factory=list)
    failed_at: list[float] = field(default_factory=list)
    unacknowledged_keys: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self) -> None:
        while time.monotonic() < self.stop_at:
            self._write_until_acknowledged(uuid.uuid4().hex)

    def _write_until_acknowledged(self, key: str) -> None:
        body = json.dumps(
            {"partnership": self.partnership, "kind": "other", "title": f"{MARKER} {key}"}
        )
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Idempotency-Key": key,
            "X-Forwarded-Proto": "https",
        }
        # Keep retrying past the load's end: a client gives up on a key only after it
        # was answered, else the write would be neither acknowledged nor known lost.
        give_up = self.stop_at + 60
        while time.monotonic() < give_up:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("POST", "/api/v1/evidence/", body=body, headers=headers)
                answer = connection.getresponse()
                payload = answer.read()
                status = answer.status
            except OSError as error:
                self._count(f"connection error ({type(error).__name__})")
                time.sleep(0.2)
                continue
            self._count(str(status))
            if status == 201:
                with self.lock:
                    self.acknowledged[key] = int(json.loads(payload)["id"])
                    self.acknowledged_at.append(time.monotonic())
                return
            if status in (409, 503) or status >= 500:
                # 409: the first attempt with this key is still being answered.
                time.sleep(min(float(answer.getheader("Retry-After") or 0.2), 1.0))
                continue
            raise RuntimeError(f"Unexpected answer {status}: {payload[:300]!r}")
        with self.lock:
            self.unacknowledged_keys.add(key)

    def _count(self, what: str) -> None:
        with self.lock:
            self.answers[what] += 1
            if what != "201":
                self.failed_at.append(time.monotonic())


@dataclass
class Report:
    acknowledged: int
    rows: int
    acknowledged_missing: int
    rows_never_acknowledged: int
    duplicates: int
    restart_seconds: float
    recovered_seconds: float  # first failed write to the first acknowledged after the last
    answers: dict[str, int]

    def lines(self) -> list[str]:
        return [
            f"PostgreSQL restart under write load: {self.acknowledged} acknowledged writes, "
            f"{self.rows} rows present, {self.acknowledged_missing} acknowledged but missing, "
            f"{self.rows_never_acknowledged} present but never acknowledged, "
            f"{self.duplicates} duplicates",
            f"restart command took {self.restart_seconds:.2f} s; writes recovered "
            f"{self.recovered_seconds:.2f} s after the first failed one",
            "answers seen: " + ", ".join(f"{k}: {v}" for k, v in sorted(self.answers.items())),
        ]


def run(
    *, seconds: float, clients: int, cache_url: str, work: Path, restart_after: float | None = None
) -> Report:
    restart_after = seconds / 2 if restart_after is None else restart_after
    with throwaway_cluster() as cluster:
        env = _environment(cluster, cache_url)
        _run(PYTHON, "manage.py", "migrate", "--no-input", "-v", "0", env=env, timeout=600)
        seeded = _run(PYTHON, "manage.py", "shell", "-c", SEED, env=env)
        partnership, token = seeded.strip().splitlines()[-1].split()
        with gunicorn(env, work / "gunicorn.log") as port:
            load = Load(port, token, int(partnership), stop_at=time.monotonic() + seconds)
            threads = [threading.Thread(target=load.client) for _ in range(clients)]
            for thread in threads:
                thread.start()
            time.sleep(restart_after)
            restart_began = time.monotonic()
            restart_seconds = cluster.restart()
            for thread in threads:
                thread.join()
        with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as db:
            rows = db.execute(
                "SELECT id, title FROM evidence_evidenceitem WHERE title LIKE %s",
                (f"{MARKER} %",),
            ).fetchall()
    if load.unacknowledged_keys:
        raise RuntimeError(f"{len(load.unacknowledged_keys)} writes never answered in time")
    failures = [moment for moment in load.failed_at if moment >= restart_began]
    if failures:
        after = [moment for moment in load.acknowledged_at if moment > max(failures)]
        recovered = (min(after) - min(failures)) if after else float("inf")
    else:
        recovered = 0.0
    titles = Counter(title for _, title in rows)
    row_ids = {row_id for row_id, _ in rows}
    acknowledged_ids = set(load.acknowledged.values())
    return Report(
        acknowledged=len(load.acknowledged),
        rows=len(rows),
        acknowledged_missing=len(acknowledged_ids - row_ids),
        rows_never_acknowledged=len(row_ids - acknowledged_ids),
        duplicates=sum(count - 1 for count in titles.values()),
        restart_seconds=restart_seconds,
        recovered_seconds=recovered,
        answers=dict(load.answers),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--restarts-at", type=float, default=None)
    options = parser.parse_args()
    cache_url = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/13")
    work = Path(tempfile.mkdtemp(prefix="pg-restart-"))
    report = run(
        seconds=options.seconds,
        clients=options.clients,
        cache_url=cache_url,
        work=work,
        restart_after=options.restarts_at,
    )
    print("\n".join(report.lines()))
    sys.exit(0 if report.acknowledged_missing == report.duplicates == 0 else 1)


if __name__ == "__main__":
    main()
