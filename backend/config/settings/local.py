"""`make run`: SQLite under .data/, eager tasks, console email, GraphiQL on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
DEMO_MODE = env.bool("DEMO_MODE", default=True)
GRAPHQL_INTROSPECTION = True
GRAPHQL_GRAPHIQL = True
# Serve static files straight from the build folder (no collectstatic for make run).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
