"""A client nobody here wrote: openapi-python-client generates one from the published
document (offline), every module imports, and a short journey through it works
against a live server with a bearer token."""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from accounts import services as account_services
from tests.security.principals import MARKER, OWNER_LEAD, MatrixWorld, build_matrix_world

PACKAGE = "peer_review_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[ModuleType]]:
    """The client generated from docs/api/openapi.yaml, every module imported."""
    from django.conf import settings

    root = tmp_path_factory.mktemp("client")
    schema = Path(settings.PROJECT_DIR) / "docs" / "api" / "openapi.yaml"
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(root / PACKAGE),
        ],
        capture_output=True,
        text=True,
        # Its post-generation hook runs ruff, which lives beside this Python.
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(root))
    try:
        package = importlib.import_module(PACKAGE)
        modules = [package] + [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")
        ]
        yield modules
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_every_generated_module_imports(generated):
    names = {module.__name__ for module in generated}

    # One module per operation, and the models they use.
    operations = [n for n in names if n.startswith(f"{PACKAGE}.api.v1.v1_")]
    assert len(operations) >= 50
    assert f"{PACKAGE}.models.error" in names


@pytest.fixture
def world(transactional_db: Any) -> MatrixWorld:
    """Committed data for the live server; the reference handbook is loaded again in
    case an earlier transactional test flushed it."""
    from tests.reference_data import reload_reference_data

    logging.getLogger("django.request").setLevel(logging.ERROR)
    reload_reference_data()
    return build_matrix_world()


def test_a_journey_through_the_generated_client(generated, live_server, world):
    token = account_services.api_token_create(user=world.users[OWNER_LEAD], name="client").raw
    client = _module("client").AuthenticatedClient(base_url=live_server.url, token=token)
    v1 = "api.v1."

    # List, one page at a time.
    first = _module(v1 + "v1_evidence_list").sync(client=client, page_size=2)
    assert len(first.results) == 2
    assert first.next_ is not None
    cursor = parse_qs(urlparse(first.next_).query)["cursor"][0]
    second = _module(v1 + "v1_evidence_list").sync(client=client, page_size=2, cursor=cursor)
    assert {row.id for row in first.results}.isdisjoint({row.id for row in second.results})

    # Detail.
    item = _module(v1 + "v1_evidence_retrieve").sync(client=client, item_id=world.shared_item.pk)
    assert item.title == world.shared_item.title
    assert MARKER in item.title

    # The team list, paged like the rest; windows are null until set.
    team = _module(v1 + "v1_reviews_team_list").sync(client=client, review_id=world.review.pk)
    assert {member.user for member in team.results} >= {"open@reviewers.matrix"}
    assert any(member.access_opens_at is None for member in team.results)

    # Create, as JSON.
    models = _module("models")
    created = _module(v1 + "v1_evidence_create").sync_detailed(
        client=client,
        body=models.EvidenceCreateInputRequest(
            kind=models.EvidenceKindEnum.OTHER,
            partnership=world.owner.pk,
            title="Made by a generated client",
        ),
    )
    assert created.status_code == 201
    assert created.parsed.title == "Made by a generated client"

    # Upload, as multipart/form-data.
    upload = _module("types").File(
        payload=BytesIO(b"Minutes of the board."), file_name="minutes.txt", mime_type="text/plain"
    )
    uploaded = _module(v1 + "v1_evidence_upload_create").sync_detailed(
        client=client,
        body=models.EvidenceUploadInputRequest(
            partnership=world.owner.pk,
            kind=models.EvidenceUploadInputKindEnum.DOCUMENT,
            title="Board minutes",
            file=upload,
        ),
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.parsed.file.name == "minutes.txt"

    # Errors come back as the Error model.
    missing = _module(v1 + "v1_evidence_retrieve").sync_detailed(client=client, item_id=999999)
    assert missing.status_code == 404
    assert (missing.parsed.code, missing.parsed.detail) == ("not_found", "Not found.")
    refused = _module(v1 + "v1_evidence_list").sync_detailed(client=client, page_size=201)
    assert refused.status_code == 400
    assert refused.parsed.errors.additional_properties == {
        "page_size": ["Page size must be a whole number from 1 to 200."]
    }
