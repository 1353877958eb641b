"""The deployment files, checked by structure (there is no Docker engine on CI)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> Any:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> Any:
    return compose["services"]


def _command(service: dict) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_the_services(services):
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}


def test_postgres_15_and_redis_7_with_healthchecks_and_volumes(services):
    assert services["postgres"]["image"].split(":")[1].startswith("15")
    assert services["redis"]["image"].split(":")[1].startswith("7")
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]
    assert services["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert "--appendonly" in services["redis"]["command"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_the_one_image_with_production_settings(services, name):
    service = services[name]
    assert service["build"] == {"context": ".", "dockerfile": "infra/Dockerfile"}
    assert service["image"] == "peer-review-exchange:latest"
    env = service["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert re.fullmatch(r"postgres://.+@postgres:5432/.+", env["DATABASE_URL"])
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"


def test_migrate_is_a_one_shot_step_after_postgres(services):
    migrate = services["migrate"]
    assert _command(migrate) == "python manage.py migrate --no-input"
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_processes_wait_for_services_and_migrations(services, name):
    assert services[name]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_web_is_gunicorn_with_a_health_check(services):
    web = services["web"]
    assert _command(web).startswith("gunicorn config.wsgi --bind 0.0.0.0:8000")
    assert web["ports"] == ["8000:8000"]
    check = web["healthcheck"]
    assert "http://127.0.0.1:8000/health/" in " ".join(check["test"])
    assert check["test"][0] == "CMD"
    assert {"interval", "timeout", "retries"} <= set(check)


def test_worker_and_beat(services):
    assert _command(services["worker"]).startswith("celery -A config worker")
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    beat = _command(services["beat"])
    assert beat.startswith("celery -A config beat")
    assert "--scheduler django_celery_beat.schedulers:DatabaseScheduler" in beat


def _seconds(duration: str) -> int:
    """Compose durations as used here: "300s", "5m", "5m30s"."""
    parts = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert parts and duration, f"unreadable duration {duration!r}"
    return int(parts[1] or 0) * 60 + int(parts[2] or 0)


def test_worker_stop_grace_period_lets_running_tasks_finish(services, settings):
    """Compose's default is 10 s: a deploy would SIGKILL every running scan, leaving
    it to the broker's visibility timeout."""
    grace = _seconds(services["worker"]["stop_grace_period"])
    assert grace >= settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert grace >= settings.CELERY_TASK_TIME_LIMIT


def test_named_volumes_are_declared(compose, services):
    used = {
        volume.split(":")[0]
        for service in services.values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert used == set(compose["volumes"])


# --- The Dockerfile ------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, with continuation lines joined."""
    text = (ROOT / "infra" / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def _final_stage(dockerfile):
    starts = [i for i, (op, _) in enumerate(dockerfile) if op == "FROM"]
    return dockerfile[starts[-1] :]


def test_dockerfile_builds_assets_with_node_20_and_runs_on_python_311_slim(dockerfile):
    images = [args.split()[0] for op, args in dockerfile if op == "FROM"]
    assert images[0].startswith("node:20")
    assert images[-1] == "python:3.11-slim"
    assert any(
        op == "COPY" and args.startswith("--from=assets") for op, args in _final_stage(dockerfile)
    )


def test_dockerfile_installs_the_lock_file_and_collects_static(dockerfile):
    runs = " ".join(args for op, args in _final_stage(dockerfile) if op == "RUN")
    assert "pip install -r requirements.lock" in runs
    assert "manage.py collectstatic --no-input" in runs


def test_dockerfile_runs_as_a_non_root_user(dockerfile):
    users = [args for op, args in _final_stage(dockerfile) if op == "USER"]
    assert users, "the final stage sets no USER, so it runs as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    last_user = max(i for i, (op, _) in enumerate(dockerfile) if op == "USER")
    assert not any(op == "RUN" for op, _ in dockerfile[last_user:]), "RUN after USER"


def test_dockerfile_starts_gunicorn(dockerfile):
    cmd = [args for op, args in dockerfile if op == "CMD"][-1]
    argv = json.loads(cmd)  # exec form: signals reach gunicorn directly
    assert argv[:2] == ["gunicorn", "config.wsgi"]
    assert "0.0.0.0:8000" in argv


# --- The example environment -----------------------------------------------------


def _documented() -> set[str]:
    text = (ROOT / "infra" / "env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def _read_by_settings() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "backend" / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    return names


def test_every_variable_the_settings_read_is_documented():
    read = _read_by_settings()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "SENTRY_DSN"} <= read
    assert read - _documented() == set()


def test_every_variable_compose_passes_is_documented(services):
    passed = {variable for service in APP_SERVICES for variable in services[service]["environment"]}
    assert passed - _documented() == set()
