"""Bad input is a 400 with a clear message, never a 500 (issue 8, item 4; SECURITY.md
section 2). One case per finding; test_fuzz_bad_input throws the classes at every route."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from core.json_input import MAX_DEPTH
from core.middleware import NUL_IN_ADDRESS
from handbooks.models import Handbook
from tests.evidence_factories import make_item

pytestmark = pytest.mark.django_db

INVALID_CURSOR = "The cursor is not valid. Follow the next and previous links as given."


def cursor(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def gql_raw(client: Client, body: str | bytes) -> Any:
    return client.post("/graphql/", body, content_type="application/json")


# --- NUL bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/evidence/?q=a%00b",
        "/api/v1/partnerships/a%00b/",
        "/api/v1/evidence/?partnership=%00",
        "/api/v1/handbooks/?cursor=%00",
    ],
)
def test_a_nul_in_an_api_address_is_a_400(world, client_for, url):
    response = client_for(world.bolton_lead).get(url)

    assert response.status_code == 400
    assert response.json() == {"detail": NUL_IN_ADDRESS, "code": "invalid"}


@pytest.mark.parametrize("url", ["/evidence/?q=a%00b", "/handbooks/?x=%00", "/reviews/a%00b/"])
def test_a_nul_in_a_page_address_is_the_400_page(world, client_for, url):
    response = client_for(world.bolton_lead).get(url)

    assert response.status_code == 400
    assert "There is a problem with the request" in response.content.decode()


def test_a_nul_in_a_graphql_get_is_a_400(world, client_for):
    response = client_for(world.bolton_lead).get("/graphql/?query=%7B%20me%00%20%7D")

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == NUL_IN_ADDRESS


def test_a_nul_in_a_graphql_string_literal_is_a_400(world, client_for):
    query = '{ partnership(slug: "a\\u0000b") { slug } }'

    response = gql_raw(client_for(world.bolton_lead), json.dumps({"query": query}))

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"message": "A string in the query contains a NUL character, which is not allowed."}
        ]
    }


def test_a_nul_in_graphql_variables_is_a_400(world, client_for):
    body = {
        "query": "query($slug: String!) { partnership(slug: $slug) { slug } }",
        "variables": {"slug": "a\x00b"},
    }

    response = gql_raw(client_for(world.bolton_lead), json.dumps(body))

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "The request body contains a NUL character (\\u0000), "
                "which is not allowed."
            }
        ]
    }


def test_a_nul_in_a_rest_json_body_is_a_400_naming_the_field_and_nothing_is_written(
    world, client_for
):
    response = client_for(world.bolton_lead).post(
        "/api/v1/handbooks/new/",
        json.dumps({"partnership": "bolton\x00", "title": "A\x00B"}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request has errors. Nothing was saved.",
        "code": "invalid",
        "errors": {
            "partnership": [
                "Null characters are not allowed.",
                'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
            ],
            "title": ["Null characters are not allowed."],
        },
    }
    assert not Handbook.objects.filter(partnership__slug="bolton").exists()


# --- tampered cursors ---------------------------------------------------------------------

# Each cursor-paged list, with the kind of its first ordering field.
CURSOR_LISTS = {
    "/api/v1/evidence/": "id",
    "/api/v1/evidence/?sort=kind": "text",
    "/api/v1/evidence/?sort=title": "text",
    "/api/v1/evidence/?sort=-added_at": "time",
    "/api/v1/evidence/log/": "id",
    "/api/v1/partnerships/": "text",
    "/api/v1/handbooks/": "id",
    "/api/v1/exchanges/": "id",
    "/api/v1/reviews/": "id",
    "/api/v1/tokens/": "id",
}
# Cursors no list can have made: a bad offset or direction, a NUL in the position...
ANY_LIST = ["p=a\x00b", "o=-5", "o=x", "r=maybe"]
# ... and positions that are not values of the ordering field.
NOT_A_POSITION = {
    "id": ["p=x", "p=99999999999999999999999", "p=1.5"],
    "time": ["p=2020-13-45", "p=x"],
    "text": [],
}
TAMPERED = [
    (url, raw) for url, kind in CURSOR_LISTS.items() for raw in ANY_LIST + NOT_A_POSITION[kind]
]


@pytest.mark.parametrize(("url", "raw"), TAMPERED)
def test_a_tampered_cursor_is_a_400_on_every_cursor_paged_list(world, client_for, url, raw):
    joiner = "&" if "?" in url else "?"

    response = client_for(world.bolton_lead).get(f"{url}{joiner}cursor={cursor(raw)}")

    assert response.status_code == 400, response.content
    assert response.json() == {"detail": INVALID_CURSOR, "code": "parse_error"}


@pytest.mark.parametrize("url", CURSOR_LISTS)
def test_a_cursor_that_is_not_base64_is_a_400(world, client_for, url):
    joiner = "&" if "?" in url else "?"

    response = client_for(world.bolton_lead).get(f"{url}{joiner}cursor=%E2%98%83!!")

    assert response.status_code == 400
    assert response.json()["detail"] == INVALID_CURSOR


def test_a_real_cursor_still_pages(world, client_for):
    for n in range(3):
        make_item(world, title=f"Item {n}")
    client = client_for(world.salford_member)

    first = client.get("/api/v1/evidence/?page_size=2").json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1


@pytest.mark.parametrize("after", ["x", "99999999999999999999999", "-1", "1e3"])
def test_a_bad_after_on_the_graphql_keyset_lists_is_refused_not_a_500(world, client_for, after):
    query = "query($after: ID) { evidenceItems(after: $after) { id } }"

    response = gql_raw(
        client_for(world.salford_member),
        json.dumps({"query": query, "variables": {"after": after}}),
    )

    assert response.status_code < 500
    body = response.json()
    assert "Internal server error." not in json.dumps(body)


# --- deep and large bodies ----------------------------------------------------------------


TOO_DEEP = f"The request body is nested too deeply: the limit is {MAX_DEPTH} levels."


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 50_000])
def test_json_nested_too_deep_is_a_400_on_graphql(world, client_for, levels):
    body = '{"query": "{ me { email } }", "variables": {"x": ' + deep(levels) + "}}"

    response = gql_raw(client_for(world.bolton_lead), body)

    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": TOO_DEEP}]}


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 50_000])
def test_json_nested_too_deep_is_a_400_on_rest(world, client_for, levels):
    body = '{"name": "x", "days": ' + deep(levels) + "}"

    response = client_for(world.bolton_lead).post(
        "/api/v1/tokens/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP, "code": "parse_error"}


def test_json_at_the_depth_limit_is_parsed(world, client_for):
    body = '{"name": ' + deep(MAX_DEPTH - 1) + "}"

    response = client_for(world.bolton_lead).post(
        "/api/v1/tokens/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"  # the serializer's answer: parsed fine


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_rest_json_body_over_the_limit_is_a_413(world, client_for):
    body = json.dumps({"name": "x" * 2000})

    response = client_for(world.bolton_lead).post(
        "/api/v1/tokens/", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large: the limit is 1000 bytes.",
        "code": "too_large",
    }


# --- wrong JSON types to GraphQL ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"query": 5}, '"query" must be a string.'),
        ({"query": ["{ me { email } }"]}, '"query" must be a string.'),
        ({"query": {"a": 1}}, '"query" must be a string.'),
        ({"query": "{ me { email } }", "variables": 5}, '"variables" must be an object.'),
        ({"query": "{ me { email } }", "variables": ["x"]}, '"variables" must be an object.'),
        ({"query": "{ me { email } }", "operationName": 7}, '"operationName" must be a string.'),
        (
            {"query": "{ me { email } }", "variables": "[[[[" + "]]]]"},
            '"variables" must be an object.',
        ),
        (
            {"query": "{ me { email } }", "variables": "{not json"},
            "Variables: The request body is not valid JSON.",
        ),
        ({"query": "{ me { email } }", "variables": "NaN"}, "Variables: "),
    ],
)
def test_wrong_json_types_to_graphql_are_a_400(world, client_for, body, message):
    response = gql_raw(client_for(world.bolton_lead), json.dumps(body))

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith(message)


def test_a_list_as_the_graphql_body_is_a_400(world, client_for):
    response = gql_raw(client_for(world.bolton_lead), json.dumps(["{ me { email } }"]))

    assert response.status_code == 400
