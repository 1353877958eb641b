"""What the OpenAPI document promises a client generator: one content type per write,
every error documented with one shape, nulls and file types as served; and the
server keeps the promises the document cannot enforce by itself (page sizes, error
bodies for paths no route matches)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from core.published_schemas import openapi_yaml
from tests.conftest import World

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/Error"}
BUDGET_IMPORT = "POST /api/v1/partnerships/{slug}/budgets/import/"
UPLOAD = "POST /api/v1/evidence/upload/"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return dict(yaml.safe_load(openapi_yaml()))


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_every_write_body_is_json_except_the_uploads(document):
    bodies = {
        label: sorted(operation["requestBody"]["content"])
        for label, operation in operations(document).items()
        if "requestBody" in operation
    }

    # Bodies that carry a file, and only those, are multipart.
    for upload in (UPLOAD, BUDGET_IMPORT):
        assert bodies.pop(upload) == ["multipart/form-data"], upload
    assert {types[0] for types in bodies.values()} == {"application/json"}
    assert all(len(types) == 1 for types in bodies.values())


def test_every_operation_documents_its_errors_with_the_error_shape(document):
    for label, operation in operations(document).items():
        method = label.split()[0]
        expected = {"400", "401", "403", "404", "429"}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            expected.add("409")
        if "requestBody" in operation:
            expected |= {"413", "415"}
        errors = {status for status in operation["responses"] if status >= "400"}
        assert errors == expected, label
        for status in errors:
            assert operation["responses"][status]["content"] == {
                "application/json": {"schema": ERROR_REF}
            }, (label, status)
    assert document["components"]["schemas"]["Error"]["required"] == ["detail", "code"]


def test_nulls_are_declared_the_openapi_31_way(document):
    text = json.dumps(document)
    member = document["components"]["schemas"]["TeamMember"]["properties"]

    assert document["openapi"] == "3.1.0"
    assert '"nullable"' not in text
    for name in ("access_opens_at", "access_closes_at", "conflicting_organisation"):
        assert "null" in member[name]["type"], name
    coverage_area = document["components"]["schemas"]["CoverageRow"]["properties"]["area"]
    assert coverage_area["oneOf"] == [
        {"$ref": "#/components/schemas/AreaRef"},
        {"type": "null"},
    ]


def test_the_team_list_is_paginated_like_every_list(document):
    team = document["paths"]["/api/v1/reviews/{review_id}/team/"]["get"]
    schema = team["responses"]["200"]["content"]["application/json"]["schema"]

    assert schema == {"$ref": "#/components/schemas/PaginatedTeamMemberList"}
    assert {p["name"] for p in team["parameters"]} >= {"cursor", "page_size"}


def test_downloads_declare_the_types_they_are_served_as(document):
    download = document["paths"]["/api/v1/evidence/{item_id}/download/"]["get"]
    calendar = document["paths"]["/api/v1/reviews/{review_id}/calendar.ics"]["get"]

    assert sorted(download["responses"]["200"]["content"]) == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/jpeg",
        "image/png",
        "text/csv",
        "text/plain",
    ]
    assert list(calendar["responses"]["200"]["content"]) == ["text/calendar"]


def test_page_size_is_documented_with_its_limits(document):
    listing = document["paths"]["/api/v1/reviews/"]["get"]
    (page_size,) = [p for p in listing["parameters"] if p["name"] == "page_size"]

    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}


# --- the server keeps them ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "201", "abc", "", "1.5", " 5"])
@pytest.mark.parametrize("url", ["/api/v1/reviews/", "/api/v1/evidence/", "/api/v1/tokens/"])
def test_a_page_size_outside_1_to_200_is_refused_naming_the_limit(
    world: World, client_for, url, value
):
    response = client_for(world.salford_lead).get(url, {"page_size": value})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request has errors. Nothing was saved.",
        "code": "invalid",
        "errors": {"page_size": ["Page size must be a whole number from 1 to 200."]},
    }


@pytest.mark.parametrize("value", ["1", "200"])
def test_a_page_size_from_1_to_200_is_used(world: World, client_for, value):
    response = client_for(world.salford_lead).get("/api/v1/partnerships/", {"page_size": value})

    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == "salford"


@pytest.mark.parametrize(
    "url", ["/api/v1/evidence/not-a-number/", "/api/v1/no-such-thing/", "/api/v2/"]
)
def test_a_path_no_api_route_matches_is_a_json_404(world: World, client_for, url):
    response = client_for(world.salford_lead).get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
