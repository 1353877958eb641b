"""The test suite: DATABASE_URL when set (CI: PostgreSQL), else SQLite; fast hashing."""

import sys

from .base import *  # noqa: F403
from .base import PROJECT_DIR, env

SECRET_KEY = "test-only-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DEMO_MODE = True
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{PROJECT_DIR / '.data' / 'test.sqlite3'}")
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run tasks inline; the worker a test starts itself sets this to 0.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# High enough that no ordinary test meets a limit; the rate-limit tests set their own.
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "1000/min")
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": RATE_LIMITS["anon"], "user": RATE_LIMITS["user"]},
}
# Without CACHE_URL the tests count in one process's memory (see local.py).
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
# Serve static files straight from the build folder (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Test-only tenant models for the access chokepoint's sharing rules (tests/fixtures_app).
# Processes started with only backend/ on the path (a Celery worker, a settings check)
# must still import it, so the project root is appended (after everything else).
if str(PROJECT_DIR) not in sys.path:
    sys.path.append(str(PROJECT_DIR))
INSTALLED_APPS = [*INSTALLED_APPS, "tests.fixtures_app"]
