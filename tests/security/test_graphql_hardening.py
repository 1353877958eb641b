"""Every GraphQL hardening rule of SECURITY.md section 4, each with a test that can fail."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from typing import Any

import graphene
import pytest
from django.test import Client, RequestFactory
from django.test.utils import override_settings
from django.utils import timezone
from graphql import parse, validate

from accounts import services as account_services
from accounts.models import ApiToken, User
from config.schema import schema as root_schema
from core import graphql as hardened
from core.graphql import HardenedGraphQLView, validation_rules
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CALLER = "caller@graphql.test"


def caller() -> User:
    """A user of no partnership: GraphQL refuses anonymous callers, and none of these
    rules depends on who asks."""
    return User.objects.filter(email=CALLER).first() or make_user(CALLER)


def signed_in() -> Client:
    client = Client()
    client.force_login(caller(), backend="django.contrib.auth.backends.ModelBackend")
    return client


def gql(client: Client, query: str, **extra: Any) -> Any:
    return client.post(
        "/graphql/", json.dumps({"query": query}), content_type="application/json", **extra
    )


def messages(response: Any) -> list[str]:
    return [error["message"] for error in response.json()["errors"]]


def assert_refused(response: Any, message: str, status: int = 400) -> None:
    assert response.status_code == status
    body = response.json()
    assert "data" not in body
    assert message in messages(response)


# --- standard validation is kept ----------------------------------------------------


def test_unknown_field_is_still_a_validation_error(world):
    response = gql(signed_in(), "{ helo }")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "Cannot query field 'helo' on type 'Query'.",
                "locations": [{"line": 1, "column": 3}],
            }
        ]
    }


def test_every_specified_rule_runs_with_ours():
    rules = validation_rules()

    from graphql import specified_rules

    assert all(rule in rules for rule in specified_rules)
    assert len(rules) == len(specified_rules) + 3  # depth, aliases, no introspection


# --- no suggestions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ partnershipz { slug } }", "Cannot query field 'partnershipz' on type 'Query'."),
        ("{ me { emial } }", "Cannot query field 'emial' on type 'MeType'."),
        (
            '{ partnership(slg: "x") { slug } }',
            "Unknown argument 'slg' on field 'Query.partnership'.",
        ),
        ("query Q($s: Strin!) { partnership(slug: $s) { slug } }", "Unknown type 'Strin'."),
        ("{ me }", "Field 'me' of type 'MeType' must have a selection of subfields."),
        ("{ __typename { x } }", "Field '__typename' must not have a selection"),
    ],
)
def test_no_error_suggests_a_field_type_or_argument(world, query, message):
    response = gql(signed_in(), query)

    assert response.status_code == 400
    assert "data" not in response.json()
    assert "did you mean" not in response.content.decode().lower()
    assert any(m.startswith(message) for m in messages(response))


def test_variable_coercion_errors_carry_no_suggestion(world):
    response = signed_in().post(
        "/graphql/",
        json.dumps(
            {
                "query": "query Q($days: Int) { __typename }",
                "variables": {"days": "ten"},
            }
        ),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "did you mean" not in response.content.decode().lower()


def test_plain_message_trims_any_suggestion():
    assert (
        hardened.plain_message("Unknown type 'Strin'. Did you mean 'String'?")
        == "Unknown type 'Strin'."
    )
    assert hardened.plain_message("Not found.") == "Not found."


# --- depth limit (8) ----------------------------------------------------------------


class Node(graphene.ObjectType):  # type: ignore[misc]  # graphene is untyped
    name = graphene.String()
    child = graphene.Field(lambda: Node)

    @staticmethod
    def resolve_name(root: Any, info: Any) -> str:
        return "node"

    @staticmethod
    def resolve_child(root: Any, info: Any) -> dict[str, Any]:
        return {}


class DeepQuery(graphene.ObjectType):  # type: ignore[misc]
    node = graphene.Field(Node)
    broken = graphene.String()

    @staticmethod
    def resolve_node(root: Any, info: Any) -> dict[str, Any]:
        return {}

    @staticmethod
    def resolve_broken(root: Any, info: Any) -> str:
        raise RuntimeError("secret-canary from the database")


DEEP_SCHEMA = graphene.Schema(query=DeepQuery)


def nested(depth: int) -> str:
    """A query exactly `depth` fields deep: node { child { ... { name } } }."""
    inner = "name"
    for _ in range(depth - 2):
        inner = f"child {{ {inner} }}"
    return f"{{ node {{ {inner} }} }}"


def test_nested_builds_queries_of_the_stated_depth():
    assert nested(2) == "{ node { name } }"
    assert nested(3) == "{ node { child { name } } }"


def depth_errors(query: str) -> list[str]:
    errors = validate(DEEP_SCHEMA.graphql_schema, parse(query), validation_rules())
    return [error.message for error in errors]


def test_depth_rule_allows_depth_8_and_refuses_depth_9():
    assert depth_errors(nested(8)) == []
    assert depth_errors(nested(9)) == ["Query is too deep: depth 9, the limit is 8."]


def test_depth_rule_follows_fragments_and_inline_fragments():
    via_fragments = (
        "{ node { child { ...Deep } } } "
        f"fragment Deep on Node {{ ... on Node {{ {nested(8)[9:-4]} }} }}"
    )

    assert parse(via_fragments)  # well formed
    assert depth_errors(via_fragments) == ["Query is too deep: depth 9, the limit is 8."]


def call_view(query: str, schema: graphene.Schema = DEEP_SCHEMA) -> Any:
    request = RequestFactory().post(
        "/graphql/", json.dumps({"query": query}), content_type="application/json"
    )
    request.user = caller()
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]  # as the test client
    return HardenedGraphQLView.as_view(schema=schema)(request)


def test_depth_8_runs_over_http_and_depth_9_is_refused():
    allowed = call_view(nested(8))
    refused = call_view(nested(9))

    assert allowed.status_code == 200
    assert "errors" not in json.loads(allowed.content)
    assert refused.status_code == 400
    assert json.loads(refused.content) == {
        "errors": [
            {
                "message": "Query is too deep: depth 9, the limit is 8.",
                "locations": [{"line": 1, "column": 1}],
            }
        ]
    }


def test_the_real_endpoint_refuses_a_query_nine_deep(world, client_for):
    deep = (
        "{ me { memberships { partnership { statutoryPartners { a { b { c { d { e } } } } } } } } }"
    )

    response = gql(client_for(world.bolton_lead), deep)

    assert_refused(response, "Query is too deep: depth 9, the limit is 8.")


# --- alias cap (15) -----------------------------------------------------------------


def aliased(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


def test_fifteen_aliases_are_allowed(world):
    response = gql(signed_in(), aliased(15))

    assert response.status_code == 200
    assert len(response.json()["data"]) == 15


def test_sixteen_aliases_are_refused(world):
    response = gql(signed_in(), aliased(16))

    assert response.status_code == 400
    assert "data" not in response.json()
    assert messages(response) == ["Too many aliases: the limit is 15."]


# --- token cap ----------------------------------------------------------------------


def typenames(count: int) -> str:
    """`{ __typename ... }`: count + 2 tokens."""
    return "{ " + "__typename " * count + "}"


@override_settings(GRAPHQL_MAX_TOKENS=50)
def test_a_query_at_the_token_cap_runs(world):
    response = gql(signed_in(), typenames(48))

    assert response.status_code == 200


@override_settings(GRAPHQL_MAX_TOKENS=50)
def test_a_query_over_the_token_cap_is_refused_while_parsing(world, monkeypatch):
    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("validation must not run: the parser refuses first")

    monkeypatch.setattr(hardened, "validate", never)

    response = gql(signed_in(), typenames(49))

    assert response.status_code == 400
    assert messages(response) == [
        "Syntax Error: Document contains more than 50 tokens. Parsing aborted."
    ]


def test_the_default_token_cap_refuses_a_huge_query(world, settings):
    response = gql(signed_in(), typenames(settings.GRAPHQL_MAX_TOKENS))

    assert_refused(
        response,
        f"Syntax Error: Document contains more than {settings.GRAPHQL_MAX_TOKENS} tokens. "
        "Parsing aborted.",
    )


# --- no batching --------------------------------------------------------------------


def test_a_batch_is_refused_and_nothing_runs(world, client_for):
    batch = [
        {"query": "{ __typename }"},
        {"query": 'mutation { createApiToken(name: "x") { errors { messages } } }'},
    ]

    response = client_for(world.bolton_lead).post(
        "/graphql/", json.dumps(batch), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "Batched queries are not accepted. Send one operation per request."}]
    }
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "The request body is not valid JSON."),
        (b"\xff\xfe", "The request body is not valid UTF-8."),
        ('"{ me { email } }"', 'The request body must be a JSON object with a "query".'),
        ("{}", "Must provide a query string."),
    ],
)
def test_malformed_bodies_are_a_plain_400(world, body, message):
    response = signed_in().post("/graphql/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": message}]}


# --- introspection ------------------------------------------------------------------

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.mark.parametrize(
    ("query", "field"),
    [(INTROSPECTION, "__schema"), ('{ __type(name: "Query") { name } }', "__type")],
)
def test_introspection_is_refused_with_production_settings(world, query, field):
    with override_settings(GRAPHQL_INTROSPECTION=False):
        response = gql(signed_in(), query)

    assert_refused(
        response,
        "GraphQL introspection has been disabled, but the requested query contained "
        f"the field '{field}'.",
    )


def test_typename_is_not_introspection(world):
    assert gql(signed_in(), "{ __typename }").json() == {"data": {"__typename": "Query"}}


def test_introspection_is_allowed_with_local_settings(world):
    with override_settings(GRAPHQL_INTROSPECTION=True):
        response = gql(signed_in(), INTROSPECTION)

    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_introspection_is_not_counted_for_depth_so_graphiql_can_load(world):
    # GraphiQL's schema query nests ofType eight levels under __schema.
    type_ref = "name " + "ofType { " * 8 + "name" + " }" * 8
    query = f"{{ __schema {{ types {{ fields {{ type {{ {type_ref} }} }} }} }} }}"

    with override_settings(GRAPHQL_INTROSPECTION=True):
        response = gql(signed_in(), query)

    assert response.status_code == 200
    assert "errors" not in response.json()


def test_introspection_is_off_in_test_and_production_settings(monkeypatch):
    from django.conf import settings

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "peer-review.example")
    production = importlib.import_module("config.settings.production")
    local = importlib.import_module("config.settings.local")

    assert settings.GRAPHQL_INTROSPECTION is False
    assert production.GRAPHQL_INTROSPECTION is False
    assert local.GRAPHQL_INTROSPECTION is True


# --- GraphiQL only in local settings ------------------------------------------------


def test_graphiql_is_on_only_in_local_settings(monkeypatch):
    from django.conf import settings

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "peer-review.example")
    production = importlib.import_module("config.settings.production")
    local = importlib.import_module("config.settings.local")
    base = importlib.import_module("config.settings.base")

    assert local.GRAPHQL_GRAPHIQL is True
    assert base.GRAPHQL_GRAPHIQL is False
    assert production.GRAPHQL_GRAPHIQL is False
    assert settings.GRAPHQL_GRAPHIQL is False  # the test settings


def browser_get() -> Any:
    return signed_in().get("/graphql/", headers={"Accept": "text/html"})


def test_graphiql_page_is_served_when_the_setting_is_on(world):
    with override_settings(GRAPHQL_GRAPHIQL=True):
        response = browser_get()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"graphiql" in response.content.lower()


def test_no_graphiql_page_when_the_setting_is_off(world):
    response = browser_get()

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"errors": [{"message": "Must provide a query string."}]}


# --- CSRF and tokens ----------------------------------------------------------------


def signed_in_strict_client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_session_post_without_the_csrf_token_is_403(world):
    client = signed_in_strict_client(world.bolton_lead)

    response = gql(client, "{ me { email } }")

    assert_refused(response, "CSRF check failed. Send the CSRF token or use an API token.", 403)


def test_a_session_mutation_without_the_csrf_token_writes_nothing(world):
    client = signed_in_strict_client(world.bolton_lead)

    response = gql(client, 'mutation { createApiToken(name: "x") { errors { messages } } }')

    assert response.status_code == 403
    assert ApiToken.objects.count() == 0


def test_a_session_post_with_the_csrf_token_runs(world):
    client = signed_in_strict_client(world.bolton_lead)
    client.get("/graphql/", {"query": "{ __typename }"})  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = gql(client, "{ me { email } }", headers={"X-CSRFToken": token})

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"email": "lead@bolton.test"}}}


def test_a_bearer_token_needs_no_csrf_token(world):
    raw = account_services.api_token_create(user=world.salford_member, name="CLI").raw
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})

    response = gql(client, "{ me { email } }")

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"email": "member@salford.test"}}}


@pytest.mark.parametrize("raw", ["prx_unknown", "garbage"])
def test_a_bad_token_is_401(world, raw):
    client = Client(headers={"Authorization": f"Bearer {raw}"})

    response = gql(client, "{ me { email } }")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "errors": [{"message": "Invalid token.", "extensions": {"code": "authentication_failed"}}]
    }


def test_an_expired_token_is_401_with_a_clear_message(world):
    issued = account_services.api_token_create(user=world.salford_member, name="Old")
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    client = Client(headers={"Authorization": f"Bearer {issued.raw}"})

    response = gql(client, "{ me { email } }")

    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {
                "message": "Token has expired. Create a new token.",
                "extensions": {"code": "authentication_failed"},
            }
        ]
    }


def test_a_revoked_token_is_401(world):
    issued = account_services.api_token_create(user=world.salford_member, name="Old")
    account_services.api_token_revoke(user=world.salford_member, token_id=issued.token.pk)
    client = Client(headers={"Authorization": f"Bearer {issued.raw}"})

    response = gql(client, "{ me { email } }")

    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"message": "Invalid token.", "extensions": {"code": "authentication_failed"}}]
    }


# --- mutations only by POST ---------------------------------------------------------


def test_a_mutation_sent_with_get_is_refused_and_nothing_changes(world, client_for):
    issued = account_services.api_token_create(user=world.bolton_lead, name="Keep")
    mutation = f'mutation {{ revokeApiToken(id: "{issued.token.pk}") {{ errors {{ messages }} }} }}'

    response = client_for(world.bolton_lead).get("/graphql/", {"query": mutation})

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"errors": [{"message": "Mutations must be sent with POST."}]}
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_a_query_sent_with_get_runs(world, client_for):
    response = client_for(world.bolton_lead).get("/graphql/", {"query": "{ me { email } }"})

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"email": "lead@bolton.test"}}}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_refused(world, method):
    response = getattr(signed_in(), method)("/graphql/")

    assert response.status_code == 405


# --- unexpected errors stay on the server -------------------------------------------


def test_an_unexpected_resolver_error_is_masked(caplog):
    response = call_view("{ broken node { name } }")

    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["data"] == {"broken": None, "node": {"name": "node"}}
    assert [error["message"] for error in body["errors"]] == ["Internal server error."]
    assert b"secret-canary" not in response.content
    assert "GraphQL resolver failed" in caplog.text


def test_the_root_schema_has_mutations_for_tokens():
    mutation = root_schema.graphql_schema.mutation_type
    assert mutation is not None
    assert {"createApiToken", "revokeApiToken"} <= set(mutation.fields)
    token_type = root_schema.graphql_schema.get_type("ApiTokenType")
    assert token_type is not None
    assert "tokenHash" not in token_type.fields
