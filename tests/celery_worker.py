"""Start a real `celery worker` process for a test, on the test's own database and
broker, and make sure nothing outlives the test. Used by the worker and fault tests
(they run when CELERY_BROKER_URL is set and DATABASE_URL is PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CELERY = ROOT / ".venv" / "bin" / "celery"


def session_database_url() -> str:
    """The URL of the database this test session runs on (test_<name>), which the
    worker must use to see the rows the test commits."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool): what a lost machine does."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def celery_worker(
    log_path: Path,
    *,
    queue: str,
    settings_module: str = "config.settings.test",
    env: dict[str, str] | None = None,
) -> Iterator[Worker]:
    """A solo-pool worker consuming `queue`; stopped (warm, then killed) on exit."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": session_database_url(),
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "backend"), str(ROOT)]),
        **(env or {}),
    }
    environment.pop("SENTRY_DSN", None)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                str(CELERY if CELERY.exists() else Path(sys.executable).with_name("celery")),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                f"{queue}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT / "backend",
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so nothing outlives the test
        )
        try:
            yield Worker(queue=queue, process=process, log_path=log_path)
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # warm shutdown
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
