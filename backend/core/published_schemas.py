"""The two API schemas as published in docs/api/: what integrators build against.

`make schemas` writes them (manage.py publish_schemas); tests fail when the code and
the files differ, and when a change breaks what was published before
(tests/contract/test_published_schemas.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


def openapi_yaml() -> str:
    """The OpenAPI document, exactly as `/api/schema/` serves it (public, no request)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiYamlRenderer

    # drf-spectacular has no type hints.
    schema = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    rendered: bytes = OpenApiYamlRenderer().render(schema, renderer_context={})  # type: ignore[no-untyped-call]
    return rendered.decode()


def graphql_sdl() -> str:
    """The GraphQL schema in its own language (introspection is off in production)."""
    from graphql import print_schema

    # The composed root schema, named by settings as graphene-django names it.
    schema = import_string(str(settings.GRAPHENE["SCHEMA"]))
    return print_schema(schema.graphql_schema) + "\n"


def published() -> dict[Path, Callable[[], str]]:
    """Each published file and what renders it."""
    docs = Path(settings.PROJECT_DIR) / "docs" / "api"
    return {docs / "openapi.yaml": openapi_yaml, docs / "schema.graphql": graphql_sdl}
