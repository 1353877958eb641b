"""Absolute links for messages that leave the site (emails), built from SITE_URL:
a request's own host is not to be trusted for them, and a task has no request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(view_name: str, *args: Any) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(view_name, args=args)}"
