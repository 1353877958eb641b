"""GraphQL foundations: me, partnerships and partnership(slug) through the same
selectors as REST; the API token mutations; constant query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from accounts.models import ApiToken, User
from audit.models import AuditEvent
from tests.conftest import make_user
from tests.integration.test_rest_api import _member_of

pytestmark = pytest.mark.django_db

ME = """{ me { email fullName isIndependentAdviser isAllianceAnalyst
  memberships { role partnership { slug name } } } }"""
PARTNERSHIPS = """{ partnerships { slug name role childPopulation
  alliance { slug name } statutoryPartners { slug name kind } } }"""
PARTNERSHIP = """query One($slug: String!) { partnership(slug: $slug) {
  slug name role alliance { slug } statutoryPartners { slug } } }"""
CREATE = """mutation Create($name: String!, $days: Int) {
  createApiToken(name: $name, days: $days) {
    token { id name prefix isLive expiresAt revokedAt } rawToken errors { field messages } } }"""
REVOKE = """mutation Revoke($id: ID!) {
  revokeApiToken(id: $id) { token { id isLive revokedAt } errors { field messages } } }"""


def gql(client: Client, query: str, variables: dict[str, Any] | None = None) -> Any:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    return client.post("/graphql/", json.dumps(body), content_type="application/json")


def bearer(user: User) -> Client:
    raw = account_services.api_token_create(user=user, name="GraphQL").raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


# --- me -----------------------------------------------------------------------------


def test_anonymous_graphql_is_refused_as_rest_refuses_it(world):
    graphql = gql(Client(), ME)
    rest = Client().get("/api/v1/me/")

    assert graphql.status_code == rest.status_code == 401
    assert graphql["WWW-Authenticate"] == rest["WWW-Authenticate"] == "Bearer"
    assert graphql.json() == {
        "errors": [
            {
                "message": rest.json()["detail"],
                "extensions": {"code": rest.json()["code"]},
            }
        ]
    }
    assert rest.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_me_shows_the_user_and_their_memberships(world, client_for):
    response = gql(client_for(world.bolton_lead), ME)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "me": {
                "email": "lead@bolton.test",
                "fullName": "Lead",
                "isIndependentAdviser": False,
                "isAllianceAnalyst": False,
                "memberships": [
                    {"role": "lead", "partnership": {"slug": "bolton", "name": "Bolton SCP"}}
                ],
            }
        }
    }


def test_me_flags_advisers_and_analysts(world, client_for):
    adviser = gql(client_for(world.adviser), ME).json()["data"]["me"]
    analyst = gql(client_for(world.analyst), ME).json()["data"]["me"]

    assert (adviser["isIndependentAdviser"], adviser["isAllianceAnalyst"]) == (True, False)
    assert (analyst["isIndependentAdviser"], analyst["isAllianceAnalyst"]) == (False, True)
    assert adviser["memberships"] == analyst["memberships"] == []


# --- partnerships -------------------------------------------------------------------


def test_partnerships_lists_only_the_callers_own(world, client_for):
    response = gql(client_for(world.salford_member), PARTNERSHIPS)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "partnerships": [
                {
                    "slug": "salford",
                    "name": "Salford SCP",
                    "role": "member",
                    "childPopulation": None,
                    "alliance": {"slug": "test-alliance", "name": "Test Alliance"},
                    "statutoryPartners": [
                        {"slug": "test-police", "name": "Test Police", "kind": "police"}
                    ],
                }
            ]
        }
    }


@pytest.mark.parametrize("principal", ["adviser", "analyst", "staff", "outsider"])
def test_partnerships_is_empty_without_a_membership(world, client_for, principal):
    response = gql(client_for(getattr(world, principal)), PARTNERSHIPS)

    assert response.json() == {"data": {"partnerships": []}}


def test_partnership_by_slug_for_a_member(world, client_for):
    response = gql(client_for(world.bolton_manager), PARTNERSHIP, {"slug": "bolton"})

    assert response.json() == {
        "data": {
            "partnership": {
                "slug": "bolton",
                "name": "Bolton SCP",
                "role": "business_manager",
                "alliance": {"slug": "test-alliance"},
                "statutoryPartners": [{"slug": "test-police"}],
            }
        }
    }


@pytest.mark.parametrize("principal", ["salford_lead", "adviser", "analyst", "staff"])
def test_foreign_slug_is_null_exactly_like_an_unknown_one(world, client_for, principal):
    client = client_for(getattr(world, principal))

    foreign = gql(client, PARTNERSHIP, {"slug": "bolton"})
    unknown = gql(client, PARTNERSHIP, {"slug": "atlantis"})

    assert foreign.status_code == unknown.status_code == 200
    assert foreign.content == unknown.content
    assert foreign.json() == {"data": {"partnership": None}}


# --- query counts -------------------------------------------------------------------


def _queries(user: User, query: str) -> tuple[int, Any]:
    client = bearer(user)
    gql(client, query)  # warm-up: the token's last-used time is written once
    with CaptureQueriesContext(connection) as captured:
        response = gql(client, query)
    assert response.status_code == 200
    assert "errors" not in response.json()
    return len(captured.captured_queries), response.json()


@pytest.mark.parametrize(
    "query",
    [
        PARTNERSHIPS,
        """{ me { memberships { role partnership {
            slug alliance { slug } statutoryPartners { slug kind } } } } }""",
    ],
    ids=["partnerships", "me.memberships"],
)
def test_list_fields_use_the_same_queries_for_1x_and_10x(world, query):
    one, ten = make_user("one@x.test"), make_user("ten@x.test")
    _member_of(one, 1, "one")
    _member_of(ten, 10, "ten")

    one_count, one_data = _queries(one, query)
    ten_count, ten_data = _queries(ten, query)

    assert one_count == ten_count
    assert one_count <= 8
    assert len(json.dumps(ten_data)) > len(json.dumps(one_data))  # the 10x data is there


# --- token mutations ----------------------------------------------------------------


def test_create_api_token_returns_the_token_and_the_raw_secret_once(world, client_for):
    response = gql(client_for(world.salford_lead), CREATE, {"name": "Reports", "days": 7})

    assert response.status_code == 200
    payload = response.json()["data"]["createApiToken"]
    assert payload["errors"] == []
    assert payload["token"]["name"] == "Reports"
    assert payload["token"]["isLive"] is True
    assert payload["rawToken"].startswith("prx_")
    token = ApiToken.objects.get()
    assert str(token.pk) == payload["token"]["id"]
    assert token.user == world.salford_lead
    # The secret works as a bearer token.
    me = Client(headers={"Authorization": f"Bearer {payload['rawToken']}"})
    assert gql(me, "{ me { email } }").json() == {"data": {"me": {"email": "lead@salford.test"}}}


def test_create_api_token_refusals_come_back_as_errors_with_nothing_written(world, client_for):
    events = AuditEvent.objects.count()

    response = gql(client_for(world.salford_lead), CREATE, {"name": "", "days": 400})

    assert response.status_code == 200
    assert response.json()["data"]["createApiToken"] == {
        "token": None,
        "rawToken": None,
        "errors": [
            {"field": None, "messages": ["The token could not be created."]},
            {"field": "name", "messages": ["Enter a name for the token."]},
            {"field": "days", "messages": ["Expiry must be between 1 and 366 days."]},
        ],
    }
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_create_api_token_needs_someone_signed_in(world):
    response = gql(Client(), CREATE, {"name": "Sneaky"})

    assert response.status_code == 401
    assert ApiToken.objects.count() == 0


def test_a_token_cannot_create_tokens_over_graphql(world):
    client = bearer(world.salford_lead)

    response = gql(client, CREATE, {"name": "Another"})

    assert response.json()["data"]["createApiToken"] == {
        "token": None,
        "rawToken": None,
        "errors": [
            {
                "field": None,
                "messages": [
                    "Create API tokens while signed in to the website, not with an API token."
                ],
            }
        ],
    }
    assert ApiToken.objects.count() == 1


def test_revoke_api_token_returns_the_revoked_token(world, client_for):
    issued = account_services.api_token_create(user=world.salford_lead, name="Old")

    response = gql(client_for(world.salford_lead), REVOKE, {"id": str(issued.token.pk)})

    payload = response.json()["data"]["revokeApiToken"]
    assert payload["errors"] == []
    assert payload["token"]["isLive"] is False
    assert payload["token"]["revokedAt"] is not None
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None


def test_revoking_a_foreign_token_looks_exactly_like_an_unknown_one(world, client_for):
    theirs = account_services.api_token_create(user=world.bolton_lead, name="Theirs")
    client = client_for(world.salford_lead)

    answers = [
        gql(client, REVOKE, {"id": token_id}).content
        for token_id in (str(theirs.token.pk), str(theirs.token.pk + 1000), "not-a-number")
    ]

    assert answers[0] == answers[1] == answers[2]
    assert json.loads(answers[0]) == {
        "data": {
            "revokeApiToken": {
                "token": None,
                "errors": [{"field": None, "messages": ["Not found."]}],
            }
        }
    }
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None
