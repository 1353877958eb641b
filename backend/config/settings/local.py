"""`make run`: SQLite under .data/, eager tasks, console email, GraphiQL on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
DEMO_MODE = env.bool("DEMO_MODE", default=True)
GRAPHQL_INTROSPECTION = True
API_SCHEMA_PUBLIC = True
GRAPHQL_GRAPHIQL = True
# Serve static files straight from the build folder (no collectstatic for make run).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One process (runserver) when CACHE_URL is unset: its own memory is a shared enough
# cache for django-ratelimit, whose check would otherwise refuse to start.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
