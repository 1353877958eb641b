"""`{% load evidence_nav %}`: whether the service navigation offers "Evidence"."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from tenancy.access import actor_of

register = template.Library()


@register.filter
def has_library(request: HttpRequest) -> bool:
    """The signed-in user belongs to a partnership, so has a library to open. The
    actor is resolved once per request (most views already have), so this adds
    no query to a page that knows who is asking."""
    if not isinstance(request, HttpRequest):
        return False  # a template rendered without its request
    return bool(actor_of(request).roles)
