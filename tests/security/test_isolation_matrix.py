"""The isolation matrix (SECURITY.md section 1): every route and GraphQL field crossed
with every principal, each answer checked against the table in `matrix.py`.

- The meta-tests enumerate the URL conf and the GraphQL schema and fail, naming
  them, for any route or field without a row, and for any row whose route or field
  is gone: a new endpoint cannot ship without saying who may use it.
- Each case signs in as one principal (principals.py), calls one route or field, and
  compares the answer with the table. A refusal must also write nothing (no audit
  event of a change).
- Routes that name an object also answer a missing id exactly as a foreign one.

The world is built once for the module inside a transaction that is rolled back at
the end; each case runs in a savepoint inside it, so cases cannot affect each other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from audit.models import AuditEvent

from . import matrix
from .matrix import GRAPHQL_ANON, TABLE, Row, route_of
from .principals import (
    ANONYMOUS,
    MARKER,
    OTHER_MEMBER,
    PRINCIPALS,
    MatrixWorld,
    build_matrix_world,
    check_principals,
)

# --- what exists ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or "namespace:<unnamed pattern>" when it has no name
    name: str | None  # for reverse()
    namespace: str | None
    patterns: tuple[Any, ...]  # the pattern of each resolver level, outermost first

    @property
    def text(self) -> str:
        return "".join(str(p) for p in self.patterns)


def _walk(entries: list[Any], namespace: str | None, patterns: tuple[Any, ...]) -> Iterator[Route]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, inner, (*patterns, entry.pattern))
        elif isinstance(entry, URLPattern):
            full = (*patterns, entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            text = "".join(str(p) for p in full)
            key = name or (f"{namespace}:<unnamed {text}>" if namespace else f"<unnamed {text}>")
            yield Route(key=key, name=name, namespace=namespace, patterns=full)


def url_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, None, ()))


def graphql_fields() -> list[str]:
    from config.schema import schema

    graphql_schema = schema.graphql_schema
    keys: list[str] = []
    for kind, type_ in (
        ("Query", graphql_schema.query_type),
        ("Mutation", graphql_schema.mutation_type),
        ("Subscription", graphql_schema.subscription_type),
    ):
        if type_ is not None:
            keys += [f"graphql:{kind}.{name}" for name in type_.fields]
    return keys


def _wildcard(route: Route) -> str | None:
    return f"{route.namespace}:*" if route.namespace else None


def rows_for(route: Route) -> list[str]:
    """Table keys that cover a route: its own rows, else its namespace's wildcard row."""
    own = [key for key in TABLE if route.name is not None and route_of(key) == route.name]
    if own:
        return own
    wildcard = _wildcard(route)
    return [wildcard] if wildcard in TABLE else []


# --- cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    key: str  # the table row
    target: str  # the route key (or GraphQL field) called
    principal: str

    @property
    def through_wildcard(self) -> bool:
        return self.key.endswith(":*")

    @property
    def id(self) -> str:
        return f"{self.target if self.through_wildcard else self.key}|{self.principal}"


def _cases() -> list[Case]:
    cases: list[Case] = []
    routes = {route.key: route for route in url_routes()}
    for key in TABLE:
        if key.endswith(":*"):
            continue
        target = route_of(key)
        if target.startswith("graphql:") or target in {r.name for r in routes.values()}:
            cases += [Case(key, target, principal) for principal in PRINCIPALS]
    for route in routes.values():
        if not any(route_of(k) == route.name for k in TABLE) and _wildcard(route) in TABLE:
            wildcard = _wildcard(route)
            assert wildcard is not None
            cases += [Case(wildcard, route.key, principal) for principal in PRINCIPALS]
    return cases


CASES = _cases()
ROUTES_BY_KEY = {route.key: route for route in url_routes()}


# --- the world ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[MatrixWorld]:
    """Built once per module, in a transaction rolled back after the last case.
    Each principal signs in once here; the cases reuse the session cookie."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_matrix_world()
        for principal, user in world.users.items():
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            _SESSIONS[principal] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield world
        _SESSIONS.clear()
        transaction.set_rollback(True)


_SESSIONS: dict[str, str] = {}


def _fill(value: Any, world: MatrixWorld) -> Any:
    if isinstance(value, str):
        return value.format(w=world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")
_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _sample_url(route: Route) -> str:
    """A concrete URL for a route reached through a wildcard row: converters become
    "1", a regex group its first alternative (or "matrix")."""
    parts = []
    for pattern in route.patterns:
        text = str(pattern)
        if isinstance(pattern, RegexPattern):
            text = _GROUP.sub(
                lambda m: (
                    m["body"].split("|")[0] if re.fullmatch(r"[\w|]+", m["body"]) else "matrix"
                ),
                text.lstrip("^").rstrip("$"),
            )
        elif isinstance(pattern, RoutePattern):
            text = _CONVERTER.sub("1", text)
        parts.append(text)
    return "/" + "".join(parts)


def _client(principal: str) -> Client:
    client = Client()
    if principal != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = _SESSIONS[principal]
    return client


def _call(
    client: Client,
    row: Row,
    world: MatrixWorld,
    route: Route | None = None,
    *,
    sample: bool = False,
    override: Mapping[str, str] | None = None,
) -> Any:
    """Call a route (by name with the row's kwargs, or a `sample` URL for one reached
    through a wildcard row) or, for a GraphQL row, post its operation."""
    if row.is_graphql:
        variables = {**_fill(dict(row.variables), world), **(override or {})}
        body = json.dumps({"query": row.query, "variables": variables})
        return client.post(reverse("graphql"), body, content_type="application/json")
    assert route is not None
    if sample or route.name is None:
        url = _sample_url(route)
    else:
        url = reverse(route.name, kwargs={**_fill(dict(row.kwargs), world), **(override or {})})
    data = _fill(row.data, world)
    if row.json:
        payload = json.dumps(data) if data is not None else ""
        return client.generic(row.method, url, payload, content_type="application/json")
    if row.method == "GET":
        return client.get(url)
    return client.generic(
        row.method,
        url,
        urlencode(data or {}, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )


# --- answers ------------------------------------------------------------------------------


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return str(response.content.decode(errors="replace"))


def describe_http(response: Any) -> str:
    """The answer in the table's words: "<status> sees|hidden [<redirect path>]"."""
    words = [str(response.status_code), "sees" if MARKER in _body(response) else "hidden"]
    if 300 <= response.status_code < 400:
        words.append(urlparse(response["Location"]).path)
    return " ".join(words)


def http_matches(expected: str, actual: str) -> bool:
    status, seen, *location = actual.split(" ")
    words = expected.split(" ")
    if words[0] == "not-5xx":
        return int(status) < 500
    if words[0] != status:
        return False
    for word in words[1:]:
        if word in ("sees", "hidden") and word != seen:
            return False
        if word.startswith("/") and [word] != location:
            return False
    return True


def describe_graphql(response: Any, key: str) -> str:
    if response.status_code != 200:
        return f"http {response.status_code}"
    payload = response.json()
    data = payload.get("data")
    if payload.get("errors") or data is None:
        messages = "; ".join(e.get("message", "") for e in payload.get("errors", []))
        return f"error: {messages}"
    kind, field_name = key.removeprefix("graphql:").split(".", 1)
    value = data[field_name]
    if kind == "Mutation":
        errors = value["errors"]
        if not errors:
            return "ok"
        message = errors[0]["messages"][0]
        if message == "Not found.":
            return "not-found"
        if message == "Sign in, or send an API token.":
            return "unauthenticated"
        return "refused"
    if value is None:
        return "null"
    if value == []:
        return "empty"
    return "sees" if MARKER in json.dumps(value) else "hidden"


# Audit actions of a change: a refusal must never leave one behind.
_CHANGES = ["create", "update", "delete", "share", "revoke", "grant", "transition", "export"]


def _changes_recorded() -> int:
    return AuditEvent.objects.filter(action__in=_CHANGES).count()


def _is_refusal(row: Row, actual: str, expected: str) -> bool:
    if row.is_graphql and not actual[0].isdigit():
        return actual not in ("ok",)
    if expected.startswith("302 ") and expected not in (matrix.LOGIN, matrix.ADMIN_LOGIN):
        return False  # the row says this principal's form post succeeds and redirects
    return int(actual.split(" ")[0]) >= 300


# --- meta-tests -------------------------------------------------------------------------------


def test_every_route_has_a_row():
    missing = sorted(route.key for route in url_routes() if not rows_for(route))
    assert not missing, (
        "Routes with no row in tests/security/matrix.py TABLE (say who may use them): "
        + ", ".join(missing)
    )


def test_every_graphql_field_has_a_row():
    missing = sorted(key for key in graphql_fields() if key not in TABLE)
    assert not missing, "GraphQL fields with no row in the matrix: " + ", ".join(missing)


def test_every_row_names_something_that_exists():
    routes = url_routes()
    names = {route.name for route in routes if route.name}
    namespaces = {route.namespace for route in routes if route.namespace}
    fields = set(graphql_fields())
    gone = []
    for key in TABLE:
        target = route_of(key)
        if target.endswith(":*"):
            if target[:-2] not in namespaces:
                gone.append(key)
        elif target.startswith("graphql:"):
            if target not in fields:
                gone.append(key)
        elif target not in names:
            gone.append(key)
    assert not gone, "Matrix rows for routes or fields that no longer exist: " + ", ".join(gone)


def test_every_row_covers_every_principal_with_a_known_outcome():
    http = re.compile(r"^(\d{3}( (sees|hidden))?( /\S*)?|not-5xx)$")
    graphql = {
        "sees",
        "hidden",
        "empty",
        "null",
        "ok",
        "not-found",
        "refused",
        "unauthenticated",
        GRAPHQL_ANON,
    }
    problems = []
    for key, row in TABLE.items():
        if set(row.expect) != set(PRINCIPALS):
            problems.append(f"{key}: principals {sorted(set(PRINCIPALS) ^ set(row.expect))}")
        field_row = route_of(key).startswith("graphql:")
        for principal, outcome in row.expect.items():
            if (outcome not in graphql) if field_row else not http.match(outcome):
                problems.append(f"{key}: {principal} -> {outcome!r}")
    assert not problems, "Malformed rows: " + "; ".join(problems)


def test_anonymous_graphql_is_refused_for_every_field():
    """GraphQL answers nobody who is not signed in (issue 8): every field's row says so."""
    wrong = sorted(
        key
        for key, row in TABLE.items()
        if route_of(key).startswith("graphql:") and row.expect[ANONYMOUS] != GRAPHQL_ANON
    )
    assert not wrong, "GraphQL rows expecting an anonymous answer: " + ", ".join(wrong)


def test_rows_outside_tenant_data_say_why_and_only_they_are_wildcards():
    problems = [
        key
        for key, row in TABLE.items()
        if (not row.tenant_data and not row.reason)
        or (route_of(key).endswith(":*") and row.tenant_data)
    ]
    assert not problems, (
        "A row that is not tenant data needs a reason, and a wildcard row may only cover "
        "routes that are not tenant data: " + ", ".join(problems)
    )


def test_the_matrix_has_cases():
    assert len(CASES) >= len(TABLE) * len(PRINCIPALS) - len(PRINCIPALS)


# --- the cases ------------------------------------------------------------------------------


def test_principals_are_what_they_claim(matrix_world, db):
    assert check_principals(matrix_world) == []


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_isolation(matrix_world: MatrixWorld, db: None, case: Case) -> None:
    row = TABLE[case.key]
    expected = _fill(row.expect[case.principal], matrix_world)
    route = None if case.target.startswith("graphql:") else ROUTES_BY_KEY[case.target]
    client = _client(case.principal)
    before = _changes_recorded()

    response = _call(client, row, matrix_world, route, sample=case.through_wildcard)

    if case.target.startswith("graphql:"):
        actual = describe_graphql(response, case.target)
        ok = actual == expected
    else:
        actual = describe_http(response)
        ok = http_matches(expected, actual)
    wrote = _changes_recorded() - before
    if ok and _is_refusal(row, actual, expected) and wrote:
        actual, ok = f"{actual}, but {wrote} change(s) were recorded", False
    matrix.REPORT.record(case.id, expected, actual, ok)
    assert ok, f"{case.target} as {case.principal}: expected {expected!r}, got {actual!r}"


# --- foreign and missing look the same ------------------------------------------------------------

MISSING_ROWS = [key for key, row in TABLE.items() if row.missing is not None]
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.mark.parametrize("key", MISSING_ROWS)
def test_foreign_and_missing_look_the_same(matrix_world: MatrixWorld, db: None, key: str) -> None:
    """As a member of an unrelated partnership, the owner's object and an id that does
    not exist get the same status and the same body."""
    row = TABLE[key]
    assert row.missing is not None
    assert row.expect[OTHER_MEMBER] in ("404", "null")
    route = None if row.is_graphql else ROUTES_BY_KEY[route_of(key)]
    client = _client(OTHER_MEMBER)

    foreign = _call(client, row, matrix_world, route)
    missing = _call(client, row, matrix_world, route, override=row.missing)

    assert foreign.status_code == missing.status_code
    assert _CSRF.sub("", _body(foreign)) == _CSRF.sub("", _body(missing))
