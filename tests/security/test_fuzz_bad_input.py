"""The bad-input class (issue 8; SECURITY.md section 2), not just its instances: every
URL pattern the resolver knows and every GraphQL field of the isolation matrix, called
as the owning partnership's lead with NUL bytes, tampered cursors, huge and deeply
nested bodies and JSON of the wrong types. Whatever the answer, it is never a 5xx (the
test client re-raises an unhandled exception, so a crash fails too).

Seeded (derandomize) and bounded: the same few examples per route on every run, well
under a minute in all. The URL of each route comes from its matrix row (so ids name
real objects), or a sample URL for a wildcard row."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.json_input import MAX_DEPTH

from .matrix import TABLE
from .principals import OWNER_LEAD, MatrixWorld
from .test_isolation_matrix import (
    Route,
    _client,
    _fill,
    _sample_url,
    rows_for,
    url_routes,
)
from .test_isolation_matrix import matrix_world as matrix_world  # the world, built once

# Bodies over this are refused by Django (DATA_UPLOAD_MAX_MEMORY_SIZE) and GraphQL's
# own cap; kept small here so a "huge" body costs little to build.
BODY_LIMIT = 4096

ROUTES = url_routes()
GRAPHQL_ROWS = [key for key in TABLE if key.startswith("graphql:")]


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- what is thrown ---------------------------------------------------------------------
# Each strategy's simplest value (what a derandomized run tries first) is already a bad
# one: a bare NUL, a position past bigint, JSON 50,000 deep.

short_text = st.text(max_size=12)
with_nul = st.builds(lambda a, b: f"{a}\x00{b}", short_text, short_text)
huge_number = st.integers(min_value=2**63, max_value=2**80).map(str)
bad_cursor = st.one_of(
    st.builds(
        lambda key, value: base64.b64encode(f"{key}={value}".encode()).decode(),
        st.sampled_from(["p", "o", "r"]),
        st.one_of(huge_number, with_nul, short_text),
    ),
    st.binary(min_size=1, max_size=24).map(lambda raw: base64.b64encode(raw).decode()),
    short_text,
)
PARAMS = ["cursor", "q", "partnership", "review", "sort", "page_size", "kind", "area", "after"]

json_scalar = st.one_of(
    short_text, with_nul, st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False)
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(short_text, inner, max_size=3)
    ),
    max_leaves=8,
)


def deep(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


content_type = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain"]
)

# The classes, each a strategy for one bad request: ("query", params) | ("path", value)
# | ("body", (content, content type)).
ATTACKS: dict[str, Any] = {
    "nul-in-query": st.lists(
        st.tuples(st.sampled_from(PARAMS), with_nul), min_size=1, max_size=2
    ).map(lambda params: ("query", params)),
    "bad-cursor": st.tuples(st.just("cursor"), bad_cursor).map(lambda p: ("query", [p])),
    "bad-path-argument": st.one_of(with_nul, huge_number, short_text.filter(bool)).map(
        lambda value: ("path", value)
    ),
    "deep-body": st.tuples(st.sampled_from([50_000, 1_000, 33]).map(deep), content_type).map(
        lambda body: ("body", body)
    ),
    "wrong-json-types": st.tuples(json_value.map(json.dumps), content_type).map(
        lambda body: ("body", body)
    ),
    "huge-body": st.tuples(
        st.integers(min_value=BODY_LIMIT + 1, max_value=2 * BODY_LIMIT).map(
            lambda size: json.dumps({"query": "{ me { email } }", "title": "x" * size})
        ),
        content_type,
    ).map(lambda body: ("body", body)),
}
BODY_ATTACKS = ["deep-body", "wrong-json-types", "huge-body"]
# A route read with GET gets its body posted, which it refuses (405) before reading it:
# one body of any class is enough there.
ATTACKS["any-body"] = st.one_of(*(ATTACKS[name] for name in BODY_ATTACKS))
# Admin pages send anyone who is not staff to the admin sign-in before reading any
# input, so one class each is enough there too.
ADMIN_ATTACKS = ["bad-path-argument"]


def attacks_for(route: Route, method: str) -> list[str]:
    if route.namespace == "admin":
        return ADMIN_ATTACKS
    inputs = ["nul-in-query", "bad-cursor", "bad-path-argument"]
    return inputs + (["any-body"] if method == "GET" else BODY_ATTACKS)


# --- calling a route ----------------------------------------------------------------------


def _url(route: Route, world: MatrixWorld, replace_with: str | None = None) -> tuple[str, str]:
    """The route's URL (with `replace_with` as every path argument) and the method its
    matrix row uses."""
    keys = rows_for(route)
    row = TABLE[keys[0]] if keys else None
    if row is None or route.name is None or keys[0].endswith(":*"):
        url = _sample_url(route)
        if replace_with is not None:
            url = url.rstrip("/") + "/" + quote(replace_with) + "/"
        return url, "GET"
    kwargs = _fill(dict(row.kwargs), world)
    if replace_with is not None and kwargs:
        try:
            return reverse(route.name, kwargs=dict.fromkeys(kwargs, replace_with)), row.method
        except NoReverseMatch:
            # An int converter refuses text: such a path is the resolver's 404.
            path = reverse(route.name, kwargs=kwargs)
            return path.rstrip("/") + "/" + quote(replace_with) + "/", row.method
    return reverse(route.name, kwargs=kwargs), row.method


def _send(client: Client, route: Route, world: MatrixWorld, thrown: tuple[str, Any]) -> Any:
    where, what = thrown
    if where == "path":
        url, method = _url(route, world, what)
        return client.generic(method, url)
    url, method = _url(route, world)
    if where == "query":
        joiner = "&" if "?" in url else "?"
        return client.generic(method, url + joiner + urlencode(what))
    content, kind = what
    return client.generic("POST" if method == "GET" else method, url, content, content_type=kind)


SMALL_BODIES = {"DATA_UPLOAD_MAX_MEMORY_SIZE": BODY_LIMIT, "GRAPHQL_MAX_BODY_BYTES": BODY_LIMIT}


def _throw(name: str, strategy: Any, examples: int, send: Any) -> None:
    """Run `send` on `examples` seeded draws of `strategy`; `name` labels a failure."""

    @fuzz(examples)
    @given(thrown=strategy)
    def run(thrown: Any) -> None:
        with transaction.atomic():
            response = send(thrown)
            transaction.set_rollback(True)
        what = f"{name} {str(thrown)[:200]}"
        assert response.status_code < 500, f"{what}: {response.status_code}"
        if not response.streaming:
            assert b"Internal server error." not in response.content, what

    with override_settings(**SMALL_BODIES):
        run()


@pytest.mark.parametrize("route", ROUTES, ids=[route.key for route in ROUTES])
def test_no_route_answers_5xx_to_bad_input(matrix_world: MatrixWorld, db: None, route: Route):
    client = _client(OWNER_LEAD)

    for name in attacks_for(route, _url(route, matrix_world)[1]):
        _throw(
            f"{route.key} {name}",
            ATTACKS[name],
            1,
            lambda thrown: _send(client, route, matrix_world, thrown),
        )


# --- GraphQL ------------------------------------------------------------------------------


def graphql_attacks(query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The classes for one field's operation, each a strategy for the body to post."""
    names = list(variables) or ["x"]

    def with_variables(value: Any) -> str:
        return json.dumps({"query": query, "variables": dict.fromkeys(names, value)})

    return {
        "bad-variables": st.one_of(with_nul, huge_number, bad_cursor, json_value).map(
            with_variables
        ),
        "wrong-json-types": st.tuples(json_value, json_value, json_value).map(
            lambda t: json.dumps({"query": t[0], "variables": t[1], "operationName": t[2]})
        ),
        "deep-body": st.sampled_from([50_000, 1_000, 33]).map(
            lambda levels: (
                with_variables(json.loads(deep(min(levels, MAX_DEPTH - 2))))
                if levels < MAX_DEPTH
                else '{"query": ' + json.dumps(query) + ', "variables": ' + deep(levels) + "}"
            )
        ),
        "huge-body": st.integers(min_value=BODY_LIMIT + 1, max_value=2 * BODY_LIMIT).map(
            lambda size: with_variables("x" * size)
        ),
    }


@pytest.mark.parametrize("key", GRAPHQL_ROWS)
def test_graphql_never_answers_5xx_to_bad_input(matrix_world: MatrixWorld, db: None, key: str):
    row = TABLE[key]
    client = _client(OWNER_LEAD)
    attacks = graphql_attacks(row.query, _fill(dict(row.variables), matrix_world))

    for name, strategy in attacks.items():
        _throw(
            f"{key} {name}",
            strategy,
            2 if name == "bad-variables" else 1,
            lambda sent: client.post("/graphql/", sent, content_type="application/json"),
        )
