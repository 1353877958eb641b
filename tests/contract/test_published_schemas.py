"""docs/api/ holds the schemas the code serves (drift), and a new version breaks
nothing a client of the previous one relied on, unless it was deprecated first."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from core.published_schemas import graphql_sdl, openapi_yaml, published
from tests.contract.breaking import graphql_breaking_changes, openapi_breaking_changes

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = "docs/api/openapi.yaml"
GRAPHQL = "docs/api/schema.graphql"


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def previous_version(relative: str) -> str | None:
    """The published version this one must stay compatible with: the committed file
    while the working copy changes it; once committed, the version before the last
    commit that changed it (so CI checks the latest change too). None on its first
    publication."""
    current = (ROOT / relative).read_text()
    committed = _git("show", f"HEAD:{relative}") if _git("ls-files", relative) else None
    if committed is not None and committed != current:
        return committed
    commits = _git("log", "--format=%H", "--", relative).split()
    for commit in commits:
        try:
            before = _git("show", f"{commit}^:{relative}")
        except subprocess.CalledProcessError:
            return None  # added by that commit: its first publication
        if before != current:
            return before
    return None


@pytest.mark.parametrize("path", list(published()), ids=lambda p: p.name)
def test_the_published_schema_is_what_the_code_serves(path):
    render = published()[path]

    assert path.read_text() == render(), f"{path.name} is out of date: run `make schemas`"


def test_the_openapi_document_breaks_nothing_published_before():
    before = previous_version(OPENAPI)
    if before is None:
        pytest.skip("first publication: nothing to compare with")

    assert openapi_breaking_changes(yaml.safe_load(before), yaml.safe_load(openapi_yaml())) == []


def test_the_graphql_schema_breaks_nothing_published_before():
    before = previous_version(GRAPHQL)
    if before is None:
        pytest.skip("first publication: nothing to compare with")

    assert graphql_breaking_changes(before, graphql_sdl()) == []


# --- the checks themselves ---------------------------------------------------------------


def _document(*, deprecated: bool = False, note_type: object = "string") -> dict:
    return {
        "paths": {
            "/things/": {"get": {"deprecated": deprecated, "parameters": []}},
        },
        "components": {
            "schemas": {
                "Thing": {
                    "properties": {
                        "id": {"type": "integer"},
                        "note": {"type": note_type, "deprecated": deprecated},
                    }
                },
                "ThingRequest": {"properties": {"note": {"type": note_type}}},
            }
        },
    }


def test_removing_an_operation_or_a_field_breaks_unless_deprecated_first():
    old = _document()
    new: dict = {"paths": {}, "components": {"schemas": {"Thing": {"properties": {"id": {}}}}}}

    assert openapi_breaking_changes(old, new) == [
        "GET /things/: operation removed without being deprecated first",
        "Thing.note: property removed without being deprecated first",
    ]
    assert openapi_breaking_changes(_document(deprecated=True), new) == []


def test_a_narrowed_request_type_or_a_widened_response_type_breaks():
    old = _document(note_type=["string", "null"])
    narrowed = _document(note_type="string")
    widened_old, widened_new = _document(), _document(note_type=["string", "null"])

    assert openapi_breaking_changes(old, narrowed) == [
        "ThingRequest.note: no longer accepts ['null']"
    ]
    assert openapi_breaking_changes(widened_old, widened_new) == [
        "Thing.note: may now answer ['null']"
    ]


def test_a_removed_graphql_field_breaks_unless_deprecated_first():
    old = 'type Query { a: String @deprecated(reason: "Use b.") b: String c: String }'
    new = "type Query { b: String }"

    assert graphql_breaking_changes(old, new) == ["FIELD_REMOVED: Query.c was removed."]
