"""Rate limits outside DRF (GraphQL, the sign-in form), counted by django-ratelimit in
the shared cache (settings.CACHES: Redis in production and CI), so every worker and
every machine counts the same requests. DRF's own throttles count in the same cache at
the same rates (settings.RATE_LIMITS feeds REST_FRAMEWORK's DEFAULT_THROTTLE_RATES).

Limits are fixed windows: a caller over a limit is refused until its window ends,
and told when that is (Retry-After, in seconds)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage


def client_address(request: HttpRequest) -> str:
    """The caller's address. Behind RATELIMIT_TRUSTED_PROXIES proxies (a load balancer),
    the address the nearest untrusted hop gave in X-Forwarded-For: entries further left
    were written by the client and can be forged. Used by django-ratelimit
    (RATELIMIT_IP_META_KEY) and, through NUM_PROXIES, by DRF's throttles alike."""
    proxies = settings.RATELIMIT_TRUSTED_PROXIES
    if proxies:
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [hop for hop in forwarded if hop]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    return str(request.META.get("REMOTE_ADDR") or "0.0.0.0")  # noqa: S104 - a key, not a bind


Key = str | Callable[[str, HttpRequest], str]


def wait_seconds(request: HttpRequest, *, group: str, key: Key, rate: str) -> int | None:
    """Count this request in `group` under `key` ("ip", "user", or a function of the
    group and request) and return how long the caller must wait if it is now over
    `rate` ("60/min"), else None. A cache that cannot count refuses (django-ratelimit
    fails closed), with a minute's wait."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    left = int(usage["time_left"])
    return left if left > 0 else 60


def rate(name: str) -> str:
    """A rate from settings.RATE_LIMITS, read on each request."""
    return str(settings.RATE_LIMITS[name])
