"""Settings shared by every environment. Values come from the environment (12-factor)."""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ

# Lets generic classes such as ModelAdmin[Model] be subscripted at run time (for mypy).
django_stubs_ext.monkeypatch()

BACKEND_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BACKEND_DIR.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
PRODUCT_NAME = "Partnership peer review exchange"
# Demo sign-ins exist only when this is on; seed_demo refuses to run without it.
DEMO_MODE = env.bool("DEMO_MODE", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "graphene_django",
    "guardian",
    "axes",
    "django_ratelimit",
    "csp",
    "django_celery_beat",
    "django_celery_results",
    # Project apps
    "core",
    "accounts",
    "tenancy",
    "audit",
    "handbooks",
    "reviews",
    "evidence",
    "findings",
    "budgets",
    "surveys",
    "web",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    # After authentication: a stored answer belongs to one user.
    "core.idempotency.IdempotencyKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.product",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{PROJECT_DIR / '.data' / 'db.sqlite3'}")
}
# Persistent connections: a new PostgreSQL connection per request cost more than the
# request's own queries (issue 10: /health/db/ 407 -> 2,193 requests/s at 60 s). The
# health check replaces a connection the server dropped before it is used. Where a
# pooler sits in front (docs/operations.md), DATABASE_CONN_MAX_AGE=0 leaves pooling to it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind a transaction-pooling pgbouncer a server-side cursor does not survive.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: an idle timeout (SESSION_COOKIE_AGE with save-every-request) and an
# absolute cap enforced by accounts.middleware.SessionTimeoutMiddleware.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-axes: lock an account and address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BACKEND_DIR / "web" / "static_build"]
MEDIA_URL = "/media-not-served/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=PROJECT_DIR / ".data" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@peer-review.invalid")
# Seconds before an unreachable mail server counts as a failed send (core.outbox
# retries it later); without it one send may hang for minutes, holding its row.
EMAIL_TIMEOUT = 10
# Where the service is reached from outside, for the links in emails (no trailing slash).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Guardian: direct foreign-key permission models; no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_MONKEY_PATCH_USER = False

# The shared cache: DRF's throttles and django-ratelimit count here, so a limit holds
# across workers and machines. Redis (Django's own backend) when CACHE_URL or
# REDIS_URL is set, as production and CI do; otherwise one process's memory (make run).
# Give the cache its own Redis database: tests clear it, which must not drop queued tasks.
CACHE_URL = env("CACHE_URL", default=env("REDIS_URL", default=""))
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "peer-review",
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Rates per window ("60/min" is read alike by DRF and django-ratelimit). anon: per
# address, requests with no signed-in user or token; user: per user. The sign-in form
# counts its posts per address and per email address tried (django-axes locks an
# account after AXES_FAILURE_LIMIT failures on top of this).
RATE_LIMITS = {
    "anon": env("RATE_LIMIT_ANON", default="60/min"),
    "user": env("RATE_LIMIT_USER", default="600/min"),
    "sign_in_address": env("RATE_LIMIT_SIGN_IN_ADDRESS", default="20/min"),
    "sign_in_account": env("RATE_LIMIT_SIGN_IN_ACCOUNT", default="10/min"),
    # Responses one device may send through a survey's open link (an invitation link
    # needs no limit: it works once).
    "survey_open_link": env("RATE_LIMIT_SURVEY_OPEN_LINK", default="5/h"),
}
# How many proxies (load balancers) in front of the app append to X-Forwarded-For;
# 0: the caller is REMOTE_ADDR. Both DRF and django-ratelimit read it.
RATELIMIT_TRUSTED_PROXIES = env.int("RATELIMIT_TRUSTED_PROXIES", default=0)
RATELIMIT_IP_META_KEY = "core.ratelimit.client_address"
# django-ratelimit lists only django-redis as supported; Django's own RedisCache
# increments atomically too (INCR), which is what the check is about.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies only; the one view that takes a file opts into multipart itself.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": RATE_LIMITS["anon"], "user": RATE_LIMITS["user"]},
    # DRF finds the caller's address as core.ratelimit.client_address does.
    "NUM_PROXIES": RATELIMIT_TRUSTED_PROXIES,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partnership peer review exchange API",
    "DESCRIPTION": "REST API. Every list is cursor-paginated; ids of other partnerships' "
    "objects answer 404, exactly like missing ones. Bodies are JSON, except a file upload "
    "(multipart/form-data). Every error answers with the `Error` shape. GraphQL "
    "(`/graphql/`) offers the same operations, except file upload.",
    "VERSION": "1.0.0",
    # 3.1: a nullable reference is `oneOf: [ref, null]`, which generators read right
    # (3.0's `nullable` beside a bare `allOf` has no type to make nullable).
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every operation: signed-in callers only, unless API_SCHEMA_PUBLIC.
    "SERVE_PERMISSIONS": ["core.api.SchemaAccess"],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.document_errors",
        "core.openapi.openapi_31_nullable",
        "core.openapi.without_column_limits",
        "core.openapi.date_patterns",
    ],
    # Swagger UI from this server's own static files: the CSP allows no other origin.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Several models have a "status" or "kind": one schema name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "ExchangeStatusEnum": "reviews.models.Exchange.Status",
        "ReviewStatusEnum": "reviews.models.Review.Status",
        "TeamMemberStatusEnum": "reviews.models.TeamMember.Status",
        "HandbookVersionStatusEnum": "handbooks.models.HandbookVersion.Status",
        "PhaseKindEnum": "reviews.models.Phase.Kind",
        "OrganisationKindEnum": "tenancy.models.Organisation.Kind",
        "EvidenceKindEnum": "evidence.models.EvidenceItem.Kind",
        "FindingKindEnum": "findings.models.Finding.Kind",
    },
}

# Whether anonymous callers may read /api/schema/ and /api/docs/ (core.api.SchemaAccess).
API_SCHEMA_PUBLIC = env.bool("API_SCHEMA_PUBLIC", default=False)

# Whose Idempotency-Key a request uses (core.idempotency): accounts knows the callers.
IDEMPOTENCY_KEY_OWNER = "accounts.authentication.request_user_id"
GRAPHENE = {
    "SCHEMA": "config.schema.schema",
    "ATOMIC_MUTATIONS": True,
    # Choice fields are plain lower-case strings, exactly as in REST.
    "DJANGO_CHOICE_FIELD_ENUM_CONVERT": False,
}
GRAPHQL_MAX_DEPTH = 8
GRAPHQL_MAX_ALIASES = 15
GRAPHQL_MAX_TOKENS = 2000
# Counted after parsing, before validation (whose cost grows with the square of the
# fields in one selection set): 200 is several times the largest query the pages make.
GRAPHQL_MAX_SELECTIONS = 200
# Refused before the body is read or parsed (a mutation's longest text is 20,000 characters).
GRAPHQL_MAX_BODY_BYTES = 256 * 1024
GRAPHQL_INTROSPECTION = False
GRAPHQL_GRAPHIQL = False

API_TOKEN_DEFAULT_DAYS = 90

# Evidence uploads (SECURITY.md section 5; evidence/uploads). Sizes in bytes.
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# Office files are ZIP archives: limits on what they unpack to (zip bombs). The
# ratio applies to each part over 1MB.
EVIDENCE_ARCHIVE_MAX_ENTRIES = 2000
EVIDENCE_ARCHIVE_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
EVIDENCE_ARCHIVE_MAX_RATIO = 100

# "auto": ClamAV through clamd when CLAMD_SOCKET or CLAMD_HOST is set, otherwise the
# TypeAndSizeOnlyScanner (no malware scan). "clamd": no clamd address is an error.
EVIDENCE_SCANNER = env("EVIDENCE_SCANNER", default="auto")
CLAMD_SOCKET = env("CLAMD_SOCKET", default="")
CLAMD_HOST = env("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=60.0)

# Celery: eager when no broker is configured (make run), Redis otherwise.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# The longest any task may run (core.tasks sets these on every project task; a task
# may lower them, never raise them: tests/unit/test_tasks.py checks).
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# With acks_late, Redis hands a message to another worker when it has not been
# acknowledged within the visibility timeout: a worker that died is recovered after
# that long. Just above the longest hard time limit, so a task still running is
# never handed out twice (kombu's default is an hour).
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
    "socket_connect_timeout": 5,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# /health/outbox/ answers 503 when a message has waited longer than this to leave.
OUTBOX_ALARM_SECONDS = env.int("OUTBOX_ALARM_SECONDS", default=300)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # The outbox's guarantee (the relay after each commit is best effort).
    "relay-outbox": {
        "task": "core.tasks.relay_outbox",
        "schedule": 30,
        "options": {"expires": 25},
    },
    "purge-sent-outbox": {
        "task": "core.tasks.purge_sent_outbox",
        "schedule": 60 * 60,
        "options": {"expires": 55 * 60},
    },
    "purge-idempotency-keys": {
        "task": "core.tasks.purge_idempotency_keys",
        "schedule": 60 * 60,
        "options": {"expires": 55 * 60},
    },
    # Items left "scanning" whose scan the broker lost (docs/operations.md).
    "requeue-stuck-scans": {
        "task": "evidence.tasks.requeue_stuck_scans",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    "phase-reminders": {"task": "reviews.tasks.send_phase_reminders", "schedule": 60 * 60},
    "action-reminders": {"task": "findings.tasks.send_action_reminders", "schedule": 60 * 60},
    "review-team-access": {"task": "reviews.tasks.sync_review_team_access", "schedule": 15 * 60},
    # A missed run is skipped, not queued behind the next one.
    "sweep-expired-access": {
        "task": "tenancy.tasks.sweep_expired_access",
        "schedule": 15 * 60,
        "options": {"expires": 14 * 60},
    },
    "sweep-evidence-grants": {
        "task": "evidence.tasks.sweep_evidence_grants",
        "schedule": 15 * 60,
        "options": {"expires": 14 * 60},
    },
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")
SENTRY_RELEASE = env("SENTRY_RELEASE", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# No SDK at all without a DSN (SECURITY.md section 7); config/sentry.py says what is sent.
if SENTRY_DSN:
    from config.sentry import configure_sentry

    configure_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT, release=SENTRY_RELEASE or None)
