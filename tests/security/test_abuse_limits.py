"""Abuse limits (issue 8, item 2): GraphQL refuses anonymous callers, caps the body
and the selections before validation runs, keeps validated documents, and GraphQL
and the sign-in form are rate-limited per user and per address in the shared cache."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import graphql
import pytest
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings

from core import graphql as hardened
from core.graphql import CACHEABLE_QUERY_CHARS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# The request from the outside test: about 22 KB, 1,990 `__typename` fields.
BIG_QUERY = "{" + " ".join(["__typename"] * 1990) + "}"


def gql(client: Client, query: str, **extra: Any) -> Any:
    return client.post(
        "/graphql/", json.dumps({"query": query}), content_type="application/json", **extra
    )


@pytest.fixture
def validations(monkeypatch) -> Iterator[list[int]]:
    """Counts calls of graphql-core's validate (the real one still runs)."""
    calls: list[int] = []
    real = graphql.validate

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hardened, "validate", counted)
    hardened._cached_check_document.cache_clear()
    yield calls
    hardened._cached_check_document.cache_clear()


# --- anonymous callers --------------------------------------------------------------------


def test_the_big_anonymous_request_is_refused_before_anything_is_parsed(world, validations):
    response = gql(Client(), BIG_QUERY)

    assert len(json.dumps({"query": BIG_QUERY})) > 21_000
    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {
                "message": "Authentication credentials were not provided.",
                "extensions": {"code": "not_authenticated"},
            }
        ]
    }
    assert validations == []


# --- caps before validation ---------------------------------------------------------------


def test_too_many_selections_are_refused_without_validating(world, client_for, validations):
    response = gql(client_for(world.bolton_member), BIG_QUERY)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "Too many selections: 1990, the limit is 200."}]
    }
    assert validations == []


def test_selections_at_the_cap_are_validated_and_run(world, client_for, validations):
    query = "{" + " ".join(["__typename"] * 200) + "}"

    response = gql(client_for(world.bolton_member), query)

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
    assert validations == [1]


def test_fragment_spreads_count_as_selections(world, client_for):
    fields = " ".join(["__typename"] * 199)
    query = f"{{ ...F ...F }} fragment F on Query {{ {fields} }}"

    response = gql(client_for(world.bolton_member), query)

    assert response.json() == {
        "errors": [{"message": "Too many selections: 201, the limit is 200."}]
    }


@override_settings(GRAPHQL_MAX_BODY_BYTES=1000)
def test_a_body_over_the_cap_is_413_before_it_is_read(world, client_for, validations):
    query = "{ " + " ".join(["__typename"] * 100) + " }"

    response = gql(client_for(world.bolton_member), query)

    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": "The request body is too large: the limit is 1000 bytes.",
                "extensions": {"code": "too_large"},
            }
        ]
    }
    assert validations == []


# --- the document cache -------------------------------------------------------------------


def test_a_repeated_query_is_validated_once(world, client_for, validations):
    client = client_for(world.bolton_member)

    first = gql(client, "{ me { email } }")
    second = gql(client, "{ me { email } }")
    other = gql(client, "{ me { fullName } }")

    assert first.json() == second.json() == {"data": {"me": {"email": "member@bolton.test"}}}
    assert other.status_code == 200
    assert validations == [1, 1]


def test_a_repeated_bad_query_is_refused_from_the_cache(world, client_for, validations):
    client = client_for(world.bolton_member)

    answers = [gql(client, "{ helo }").json() for _ in range(3)]

    assert answers[0] == answers[2]
    assert answers[0]["errors"][0]["message"] == "Cannot query field 'helo' on type 'Query'."
    assert validations == [1]


def test_a_changed_limit_is_not_answered_from_the_cache(world, client_for):
    client = client_for(world.bolton_member)
    query = "{ me { memberships { partnership { name } } } }"  # depth 4

    assert gql(client, query).status_code == 200
    with override_settings(GRAPHQL_MAX_DEPTH=3):
        refused = gql(client, query)

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "Query is too deep: depth 4, the limit is 3."


def test_the_cache_is_bounded_in_entries_and_in_the_length_it_keeps(world, client_for, validations):
    client = client_for(world.bolton_member)
    long_query = "{ me { email } }" + " " * CACHEABLE_QUERY_CHARS

    for _ in range(2):
        assert gql(client, long_query).status_code == 200

    assert validations == [1, 1]  # checked each time, never kept
    cache = hardened._cached_check_document.cache_info()
    assert cache.maxsize == hardened.DOCUMENT_CACHE_SIZE == 128
    assert cache.currsize == 0


# --- rate limits: GraphQL -----------------------------------------------------------------


def _statuses(responses: list[Any]) -> list[int]:
    return [response.status_code for response in responses]


@override_settings(RATE_LIMITS={"anon": "3/min", "user": "5/min"})
def test_anonymous_graphql_is_limited_per_address(world):
    here = Client(REMOTE_ADDR="192.0.2.1")
    elsewhere = Client(REMOTE_ADDR="192.0.2.2")

    answers = [gql(here, "{ __typename }") for _ in range(5)]

    assert _statuses(answers) == [401, 401, 401, 429, 429]
    throttled = answers[-1]
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert throttled.json() == {
        "errors": [
            {
                "message": f"Request was throttled. Expected available in "
                f"{throttled['Retry-After']} seconds.",
                "extensions": {"code": "throttled"},
            }
        ]
    }
    assert gql(elsewhere, "{ __typename }").status_code == 401


@override_settings(RATE_LIMITS={"anon": "3/min", "user": "5/min"})
def test_bad_tokens_count_against_the_address(world):
    client = Client(REMOTE_ADDR="192.0.2.3", headers={"Authorization": "Bearer prx_guess"})

    answers = [gql(client, "{ __typename }") for _ in range(4)]

    assert _statuses(answers) == [401, 401, 401, 429]


@override_settings(RATE_LIMITS={"anon": "3/min", "user": "5/min"})
def test_signed_in_graphql_is_limited_per_user_wherever_it_comes_from(world, client_for):
    first, second = client_for(world.bolton_member), client_for(world.bolton_member)
    other_user = client_for(world.salford_member)

    answers = [gql(first, "{ __typename }") for _ in range(3)]
    answers += [gql(second, "{ __typename }", REMOTE_ADDR="192.0.2.9") for _ in range(3)]

    assert _statuses(answers) == [200, 200, 200, 200, 200, 429]
    assert answers[-1]["Retry-After"]
    assert gql(other_user, "{ __typename }").status_code == 200


@override_settings(RATE_LIMITS={"anon": "60/min", "user": "600/min"})
def test_seventy_anonymous_requests_in_a_row_meet_the_limit(world):
    client = Client(REMOTE_ADDR="192.0.2.4")

    statuses = _statuses([gql(client, BIG_QUERY) for _ in range(70)])

    assert statuses == [401] * 60 + [429] * 10


def test_the_counters_live_in_the_shared_cache(world, client_for):
    """The limiter counts in settings.CACHES["default"] (Redis wherever CACHE_URL is
    set), the cache DRF's throttles use too: clearing it forgets the count."""
    with override_settings(RATE_LIMITS={"anon": "1/min", "user": "1/min"}):
        client = Client(REMOTE_ADDR="192.0.2.5")
        assert gql(client, "{ __typename }").status_code == 401
        assert gql(client, "{ __typename }").status_code == 429
        cache.clear()
        assert gql(client, "{ __typename }").status_code == 401


# --- rate limits: sign-in -----------------------------------------------------------------


WRONG = "wrong-password-123"


def sign_in(client: Client, email: str, password: str = WRONG) -> Any:
    return client.post("/sign-in/", {"username": email, "password": password})


@override_settings(
    RATE_LIMITS={
        "anon": "1000/min",
        "user": "1000/min",
        "sign_in_address": "3/min",
        "sign_in_account": "1000/min",
    }
)
def test_sign_in_is_limited_per_address_with_a_page_saying_when_to_try_again(world):
    client = Client(REMOTE_ADDR="198.51.100.1")

    answers = [sign_in(client, f"nobody{n}@example.test") for n in range(4)]

    assert _statuses(answers) == [200, 200, 200, 429]
    page = answers[-1]
    assert 0 < int(page["Retry-After"]) <= 60
    text = page.content.decode()
    assert "<title>Too many attempts to sign in – " in text
    assert "You can try again in 1 minute." in text
    # Another address is not held back.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.2"), "nobody@example.test").status_code == 200


@override_settings(
    RATE_LIMITS={
        "anon": "1000/min",
        "user": "1000/min",
        "sign_in_address": "1000/min",
        "sign_in_account": "2/min",
    }
)
def test_sign_in_is_limited_per_account_from_any_address(world):
    answers = [
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), email)
        for n, email in enumerate(["lead@bolton.test", " LEAD@bolton.test", "lead@bolton.test"])
    ]

    assert _statuses(answers) == [200, 200, 429]
    # Even the right password waits: the limit comes before the password is checked.
    right = sign_in(Client(REMOTE_ADDR="198.51.100.9"), "lead@bolton.test", PASSWORD)
    assert right.status_code == 429
    assert sign_in(Client(), "member@bolton.test", PASSWORD).status_code == 302


# --- the address behind proxies -----------------------------------------------------------


@override_settings(RATELIMIT_TRUSTED_PROXIES=1, RATE_LIMITS={"anon": "1/min", "user": "1/min"})
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(world):
    """A client cannot dodge the limit by writing its own X-Forwarded-For entries: only
    the entry the trusted proxy appended counts."""
    proxy = "10.0.0.1"
    first = gql(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"), "{ __typename }")
    forged = gql(
        Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7"), "{ __typename }"
    )
    other = gql(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.8"), "{ __typename }")

    assert _statuses([first, forged, other]) == [401, 429, 401]
