"""HTTP sanity figures (PERFORMANCE.md): gunicorn with 2 workers and DEBUG off, wrk with
8 connections on loopback, median of 3 rounds. Reported, never gated.

Only with `wrk` installed (Debian's package): a Python load generator would take a
whole core of a two-core machine and measure itself. Without wrk, or without the
REST route, the figures are reported as not measured.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROUNDS = 3
SECONDS = 10
CONNECTIONS = 8
P95_BUDGET_MS = 50

# wrk prints this line when a round is done: requests, errors, p50, p95 (ms), seconds.
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("perf %d %d %.3f %.3f %.3f\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration / 1e6))
end
"""


def http_figures(database_name: str, *, route_built: bool, path: str) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        return {
            "measured": False,
            "reason": "wrk is not installed (Debian: apt-get install wrk); "
            "no Python load generator is used in its place",
        }
    if not route_built:
        return {"measured": False, "reason": f"{path} is not built"}
    return _measure(wrk, database_name, path)


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


def _session_cookie() -> str:
    from django.test import Client

    from .goals import Subjects

    client = Client()
    client.force_login(Subjects.load().owner, backend="django.contrib.auth.backends.ModelBackend")
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited while starting; see its log above")
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer /health/ within 30 s")


def _measure(wrk: str, database_name: str, path: str) -> dict[str, Any]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(database_name),
        "DJANGO_DEBUG": "False",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    cookie = _session_cookie()
    with tempfile.TemporaryDirectory() as work:
        script = Path(work) / "perf.lua"
        script.write_text(LUA)
        log = (Path(work) / "gunicorn.log").open("wb")
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=settings.BACKEND_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(base, server)
            rounds: list[dict[str, Any]] = []
            for _ in range(ROUNDS):
                done = subprocess.run(  # noqa: S603
                    [
                        wrk,
                        "-t2",
                        f"-c{CONNECTIONS}",
                        f"-d{SECONDS}s",
                        "-s",
                        str(script),
                        "-H",
                        f"Cookie: {cookie}",
                        "-H",
                        "Accept: application/json",
                        "-H",
                        "X-Forwarded-Proto: https",
                        f"{base}{path}",
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                    timeout=SECONDS + 30,
                )
                line = next(x for x in done.stdout.splitlines() if x.startswith("perf "))
                requests, errors, p50, p95, seconds = line.split()[1:]
                rounds.append(
                    {
                        "requests": int(requests),
                        "errors": int(errors),
                        "p50_ms": float(p50),
                        "p95_ms": float(p95),
                        "rps": round(int(requests) / float(seconds), 1),
                    }
                )
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    p50 = statistics.median(r["p50_ms"] for r in rounds)
    p95 = statistics.median(r["p95_ms"] for r in rounds)
    errors = sum(r["errors"] for r in rounds)
    rps = statistics.median(r["rps"] for r in rounds)
    return {
        "measured": True,
        "path": path,
        "rounds": rounds,
        "p50_ms": p50,
        "p95_ms": p95,
        "errors": errors,
        "lines": [
            f"HTTP (gunicorn 2 workers, wrk {CONNECTIONS} connections, median of {ROUNDS} x "
            f"{SECONDS} s): GET {path} as the owner: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
            f"(sanity <= {P95_BUDGET_MS} ms), {rps:.0f} req/s, {errors} errors"
        ],
    }
