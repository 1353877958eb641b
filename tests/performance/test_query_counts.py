"""P2 in the ordinary suite (PERFORMANCE.md): a list or detail route, REST or GraphQL,
sends the same number of queries with 10x the objects as with 1x, and never more
than 8. Partnerships, `me` and tokens are counted in tests/integration/test_rest_api.py
and test_graphql.py, the evidence list in test_evidence_api.py and
test_evidence_graphql.py; here the handbooks, exchanges and reviews, and the evidence
detail, each at 1x and 10x."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from handbooks import services as handbook_services
from reviews.models import Exchange, Review
from tenancy.access import actor_for
from tests.factories import agreed_exchange

pytestmark = pytest.mark.django_db

CEILING = 8


def _client(user: Any) -> Client:
    raw = account_services.api_token_create(user=user, name="count").raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _count(client: Client, send: Callable[[Client], Any]) -> int:
    send(client)  # warm-up: the token's last use is written once
    with CaptureQueriesContext(connection) as captured:
        response = send(client)
    assert response.status_code == 200, response.content[:500]
    if response.headers.get("Content-Type", "").startswith("application/json"):
        assert "errors" not in response.json() or not response.json()["errors"]
    return len(captured.captured_queries)


def _rest(url: str) -> Callable[[Client], Any]:
    return lambda client: client.get(url)


def _graphql(query: str) -> Callable[[Client], Any]:
    return lambda client: client.post(
        "/graphql/", {"query": query}, content_type="application/json"
    )


def _flat(counts: tuple[int, int]) -> None:
    one, ten = counts
    assert one == ten, f"1x: {one} queries, 10x: {ten}"
    assert ten <= CEILING


def _handbooks(world, count: int) -> None:
    actor = actor_for(world.salford_lead)
    for n in range(count):
        handbook_services.handbook_create(
            actor=actor, partnership_slug="salford", title=f"Handbook {n}"
        )


@pytest.mark.parametrize(
    "send",
    [_rest("/api/v1/handbooks/"), _graphql("{ handbooks { id title versions { id } } }")],
    ids=["rest", "graphql"],
)
def test_handbook_lists_are_flat_from_1x_to_10x(world, send):
    client = _client(world.salford_lead)
    _handbooks(world, 1)
    one = _count(client, send)
    _handbooks(world, 9)

    _flat((one, _count(client, send)))


def _exchanges(world, count: int) -> list[Exchange]:
    start = timezone.localdate() + timedelta(days=30)
    return [agreed_exchange(world, starts_on=start + timedelta(days=100 * n)) for n in range(count)]


LISTS = {
    "rest exchanges": _rest("/api/v1/exchanges/"),
    "rest reviews": _rest("/api/v1/reviews/"),
    "graphql exchanges": _graphql("{ exchanges { id parties { partnership answer } } }"),
    "graphql reviews": _graphql("{ reviews { id status phases { kind } areas { id } } }"),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_exchange_and_review_lists_are_flat_from_1x_to_10x(world, name):
    client = _client(world.salford_lead)
    _exchanges(world, 1)
    one = _count(client, LISTS[name])
    _exchanges(world, 9)
    assert Review.objects.count() == 20

    _flat((one, _count(client, LISTS[name])))


def _detail_counts(world, route: Callable[[Exchange, Review], str]) -> tuple[int, int]:
    client = _client(world.salford_lead)
    (first,) = _exchanges(world, 1)
    review = Review.objects.filter(exchange=first).order_by("pk").first()
    assert review is not None
    url = route(first, review)
    one = _count(client, _rest(url))
    _exchanges(world, 9)
    return one, _count(client, _rest(url))


def test_the_exchange_detail_does_not_grow_with_the_exchanges_around_it(world):
    _flat(_detail_counts(world, lambda exchange, _: f"/api/v1/exchanges/{exchange.pk}/"))


def test_the_review_detail_does_not_grow_with_the_reviews_around_it(world):
    _flat(_detail_counts(world, lambda _, review: f"/api/v1/reviews/{review.pk}/"))
