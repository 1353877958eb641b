"""Whole-request figures over HTTP (PERFORMANCE.md P8, P9 and the sanity figures).

gunicorn with production settings (DEBUG off, manifest static files, persistent
connections) against the perf database; `wrk` (Debian's package, installed by the
set-up when missing: a Python load generator would take a whole core of a two-core
machine and measure itself) with token authentication for REST and GraphQL and a
session for the page; an owner, a plain member and the heavy reviewer; `/health/`
and `/health/db/` as baselines on the same server. Each target gets a short
unmeasured warm-up, then a drain (the server idle again, so one round's queue never
spills into the next), then its measured rounds.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from .measure import Result

SECONDS = 5
ROUNDS = 2
CONNECTIONS = 8
P9_CONNECTIONS = 16
DRAIN_SECONDS = 2
P95_BUDGET_MS = 50
P8_GOAL, P9_GOAL = 0.35, 1.7

API_LIST = "/api/v1/evidence/"
PAGE_LIST = "/evidence/"
GRAPHQL = "/graphql/"
GRAPHQL_LIST = "{ evidenceItems(first: 50) { id title kind sensitivity shareCount canChange } }"

# wrk prints this line when a round is done: requests, errors, p50, p95 (ms), seconds.
DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("perf %d %d %.3f %.3f %.3f\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration / 1e6))
end
"""


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    headers: tuple[str, ...] = ()
    body: str | None = None

    def script(self) -> str:
        lines = []
        if self.body is not None:
            lines += ['wrk.method = "POST"', f"wrk.body = {json.dumps(self.body)}"]
        return "\n".join(lines) + DONE


def ensure_wrk() -> str | None:
    """wrk's path, installing Debian's package first if it is missing (the harness's
    set-up); None if it cannot be installed here."""
    found = shutil.which("wrk")
    if found is not None:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    command = [apt, "install", "-y", "wrk"]
    if os.geteuid() != 0 and shutil.which("sudo"):
        command = ["sudo", "-n", *command]
    subprocess.run(command, capture_output=True, check=False, timeout=300)  # noqa: S603
    return shutil.which("wrk")


def _database_url(name: str) -> str:
    params = connection.settings_dict
    user = quote(params.get("USER") or "")
    password = quote(params.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = params.get("HOST") or "127.0.0.1"
    if host.startswith("/"):
        return f"postgres://{credentials}/{host}/{name}"
    return f"postgres://{credentials}{host}:{params.get('PORT') or 5432}/{name}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _production_env(database_name: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": _database_url(database_name),
        # This process's key, so that the session it signs for the page is valid there.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "False",
    }


def _collectstatic(env: dict[str, str]) -> None:
    """Production pages need the static manifest."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=settings.BACKEND_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def _get(url: str) -> int:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
        return int(answer.status)


@contextmanager
def _server(env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as output:
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=settings.BACKEND_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            # Generous: workers boot slowly on a loaded two-core machine.
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"gunicorn exited while starting; see {log}")
                try:
                    if _get(f"{base}/health/") == 200:
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("gunicorn did not answer /health/ in 120 s") from None
                    time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _wrk(
    wrk: str, base: str, target: Target, work: Path, *, seconds: int, conns: int
) -> dict[str, Any]:
    script = work / f"{target.name.replace(' ', '_').replace('/', '_')}.lua"
    script.write_text(target.script())
    headers = [
        "X-Forwarded-Proto: https",
        "Accept: application/json" if target.path != PAGE_LIST else "Accept: text/html",
        *target.headers,
    ]
    done = subprocess.run(  # noqa: S603
        [
            wrk,
            "-t2",
            f"-c{conns}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            *(arg for header in headers for arg in ("-H", header)),
            f"{base}{target.path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("perf "))
    requests, errors, p50, p95, duration = line.split()[1:]
    return {
        "requests": int(requests),
        "errors": int(errors),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "rps": round(int(requests) / float(duration), 1),
    }


def _drain(base: str) -> None:
    """Let the previous round's queued requests finish before the next starts: a
    pause, then until /health/ answers (it queues behind whatever is left)."""
    time.sleep(DRAIN_SECONDS)
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(f"{base}/health/")
            return
        except OSError:
            if time.monotonic() > deadline:
                raise


def _measure(wrk: str, base: str, target: Target, work: Path, *, conns: int) -> dict[str, Any]:
    _wrk(wrk, base, target, work, seconds=1, conns=conns)  # warm-up, unmeasured
    rounds = []
    for _ in range(ROUNDS):
        _drain(base)
        rounds.append(_wrk(wrk, base, target, work, seconds=SECONDS, conns=conns))
    return {
        "target": target.name,
        "path": target.path,
        "connections": conns,
        "rps": statistics.median(r["rps"] for r in rounds),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p95_ms": statistics.median(r["p95_ms"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        "rounds": rounds,
    }


def _at_least(
    id: str, measure: str, a: dict[str, Any], b: dict[str, Any], goal: float, note: str = ""
) -> Result:
    ratio = a["rps"] / b["rps"] if b["rps"] else None
    errors = a["errors"] + b["errors"]
    return Result(
        id=id,
        measure=measure,
        unit="req/s",
        a=a["rps"],
        b=b["rps"],
        ratio=None if ratio is None else round(ratio, 2),
        goal=f">= {goal}",
        verdict="PASS" if ratio is not None and ratio >= goal and not errors else "FAIL",
        a_label=f"{a['target']} ({a['connections']} connections)",
        b_label=f"{b['target']} ({b['connections']} connections)",
        note=note or (f"{errors} errors" if errors else ""),
        extra={"a": a, "b": b},
    )


def http_figures(database_name: str, who: dict[str, Any]) -> dict[str, Any]:
    """P8 and P9 rows and the sanity figures. `who` maps "owner", "member" and
    "reviewer" to users of the perf database."""
    wrk = ensure_wrk()
    if wrk is None:
        return {"measured": False, "reason": "wrk is not installed and apt-get could not add it"}
    from django.test import Client

    from accounts.services import api_token_create

    tokens = {
        role: api_token_create(user=user, name=f"perf_run {role}").raw for role, user in who.items()
    }
    client = Client()
    client.force_login(who["member"], backend="django.contrib.auth.backends.ModelBackend")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    env = _production_env(database_name)
    cookie = f"Cookie: __Host-sessionid={session}"
    graphql_body = json.dumps({"query": GRAPHQL_LIST})
    lists: dict[str, Target] = {}
    for role, token in tokens.items():
        bearer = f"Authorization: Bearer {token}"
        lists[f"REST {role}"] = Target(f"REST {role}", API_LIST, (bearer,))
        lists[f"GraphQL {role}"] = Target(
            f"GraphQL {role}", GRAPHQL, (bearer, "Content-Type: application/json"), graphql_body
        )
    lists["page member"] = Target("page member", PAGE_LIST, (cookie,))
    health = Target("/health/", "/health/")
    health_db = Target("/health/db/", "/health/db/")
    figures: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        log = work / "gunicorn.log"
        try:
            _collectstatic(env)
            with _server(env, 2, log) as base:
                for target in (health, health_db, *lists.values()):
                    figures[target.name] = _measure(wrk, base, target, work, conns=CONNECTIONS)
            p9 = {}
            for workers in (1, 4):
                with _server(env, workers, log) as base:
                    p9[workers] = _measure(
                        wrk, base, lists["REST member"], work, conns=P9_CONNECTIONS
                    )
                    p9[workers]["target"] = f"REST member, {workers} worker(s)"
        except (RuntimeError, subprocess.SubprocessError, OSError, StopIteration) as error:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            return {"measured": False, "reason": f"{error!r}; gunicorn log: {tail}"}
    results = [
        _at_least(
            "P8",
            f"whole-request throughput, {face} / /health/db/, 2 workers, {CONNECTIONS} connections",
            figures[face],
            figures["/health/db/"],
            P8_GOAL,
        )
        for face in ("REST member", "GraphQL member", "page member")
    ]
    results.append(
        _at_least(
            "P9",
            f"REST member list throughput, 4 workers / 1 worker, {P9_CONNECTIONS} connections",
            p9[4],
            p9[1],
            P9_GOAL,
            note=f"{os.cpu_count()} CPUs",
        )
    )
    lines = [
        f"HTTP (gunicorn, production settings, wrk {CONNECTIONS} connections, median of "
        f"{ROUNDS} x {SECONDS} s after a warm-up, {DRAIN_SECONDS} s drain before each round):"
    ]
    for name, figure in figures.items():
        lines.append(
            f"  {name:<18} {figure['rps']:8.1f} req/s  p50 {figure['p50_ms']:7.1f} ms  "
            f"p95 {figure['p95_ms']:7.1f} ms  {figure['errors']} errors"
        )
    lines.append(f"  (sanity: evidence list p95 <= {P95_BUDGET_MS} ms at 1x, 0 errors)")
    return {
        "measured": True,
        "figures": figures,
        "p9": {str(k): v for k, v in p9.items()},
        "results": results,
        "lines": lines,
    }
