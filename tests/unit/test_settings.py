"""Settings per environment, each loaded in a fresh interpreter with a controlled
environment (the test process's own settings are already loaded)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"

# Variables the settings read; removed so the machine's environment cannot leak in.
_READ_BY_SETTINGS = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "SENTRY_DSN",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DEMO_MODE",
    "CACHE_URL",
    "REDIS_URL",
)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _READ_BY_SETTINGS}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(PYTHONPATH=str(BACKEND), **extra)
    return env


def _production_env() -> dict[str, str]:
    return _env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="sqlite:////tmp/x.sqlite3",
        CACHE_URL="redis://127.0.0.1:6379/14",
    )


def _settings(env: dict[str, str], *names: str) -> Any:
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_settings_pass_the_deploy_check():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BACKEND,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_production_keeps_health_checks_off_the_https_redirect():
    values = _settings(_production_env(), "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "DEBUG")

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_REDIRECT_EXEMPT": ["^health/"],
        "DEBUG": False,
    }


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["DJANGO_SECRET_KEY"]

    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY" in done.stderr


def test_local_settings_use_sqlite_under_data_and_eager_tasks():
    values = _settings(
        _env(DJANGO_SETTINGS_MODULE="config.settings.local"),
        "DATABASES",
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "EMAIL_BACKEND",
        "DEBUG",
    )

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == ROOT / ".data" / "db.sqlite3"
    assert values["CELERY_BROKER_URL"] == ""
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["DEBUG"] is True


def test_a_broker_turns_eager_tasks_off_outside_tests():
    values = _settings(
        _env(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        ),
        "CELERY_TASK_ALWAYS_EAGER",
    )

    assert values == {"CELERY_TASK_ALWAYS_EAGER": False}


def test_test_settings_run_tasks_inline_unless_told_otherwise():
    module = {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
    inline = _settings(_env(**module), "CELERY_TASK_ALWAYS_EAGER")
    worker = _settings(_env(**module, CELERY_TASK_ALWAYS_EAGER="0"), "CELERY_TASK_ALWAYS_EAGER")

    assert inline == {"CELERY_TASK_ALWAYS_EAGER": True}
    assert worker == {"CELERY_TASK_ALWAYS_EAGER": False}


def test_the_cache_is_redis_when_a_cache_url_is_set_and_memory_otherwise():
    local = {"DJANGO_SETTINGS_MODULE": "config.settings.local"}
    shared = _settings(_env(**local, CACHE_URL="redis://127.0.0.1:6379/14"), "CACHES")
    by_redis_url = _settings(_env(**local, REDIS_URL="redis://127.0.0.1:6379/13"), "CACHES")
    alone = _settings(_env(**local), "CACHES")

    assert shared["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/14"
    assert by_redis_url["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/13"
    assert alone["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_production_without_a_shared_cache_fails_the_deploy_check():
    """Rate limits counted per process would let each worker allow the full rate."""
    env = _production_env()
    del env["CACHE_URL"]

    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode != 0
    assert "django_ratelimit.E003" in done.stderr + done.stdout


def test_drf_and_the_rate_limiter_read_the_same_rates():
    values = _settings(_production_env(), "RATE_LIMITS", "REST_FRAMEWORK", "RATELIMIT_IP_META_KEY")

    throttle_rates = values["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    assert throttle_rates == {"anon": "60/min", "user": "600/min"}
    assert values["RATE_LIMITS"]["anon"] == throttle_rates["anon"]
    assert values["RATE_LIMITS"]["user"] == throttle_rates["user"]
    assert values["REST_FRAMEWORK"]["NUM_PROXIES"] == 0
    assert values["RATELIMIT_IP_META_KEY"] == "core.ratelimit.client_address"
