"""A handbook shared with the alliance shows its published versions to the alliance,
never its drafts: through the REST list, GraphQL and the pages alike."""

from __future__ import annotations

import pytest

from handbooks import services
from handbooks.models import Handbook, HandbookVersion
from tenancy.access import actor_for

DRAFT_NOTE = "Unpublished rethink by Salford"


@pytest.fixture
def shared_handbook(world):
    lead = actor_for(world.salford_lead)
    reference = HandbookVersion.objects.filter(
        handbook__partnership__isnull=True, status="published"
    ).earliest("pk")
    handbook = services.handbook_copy(
        actor=lead, version_id=reference.pk, partnership_slug="salford"
    )
    Handbook.objects.filter(pk=handbook.pk).update(visibility=Handbook.Visibility.ALLIANCE)
    first = handbook.versions.get()
    services.version_publish(actor=lead, version_id=first.pk, change_note="First edition")
    draft = services.version_start_next(actor=lead, handbook_id=handbook.pk)
    draft.change_note = DRAFT_NOTE
    draft.save(update_fields=["change_note"])
    return handbook


def _versions_in_rest_list(client, handbook: Handbook) -> list[int]:
    response = client.get("/api/v1/handbooks/")
    assert response.status_code == 200
    row = next(item for item in response.json()["results"] if item["id"] == handbook.pk)
    return [version["number"] for version in row["versions"]]


def test_the_rest_list_shows_another_partnership_only_published_versions(
    world, client_for, shared_handbook
):
    assert _versions_in_rest_list(client_for(world.bolton_member), shared_handbook) == [1]


def test_the_rest_list_shows_the_owners_their_draft(world, client_for, shared_handbook):
    assert _versions_in_rest_list(client_for(world.salford_member), shared_handbook) == [1, 2]


def test_graphql_shows_another_partnership_only_published_versions(
    world, client_for, shared_handbook
):
    response = client_for(world.bolton_lead).post(
        "/graphql/",
        {"query": "{ handbooks { id versions { number } } }"},
        content_type="application/json",
    )
    handbooks = response.json()["data"]["handbooks"]
    row = next(item for item in handbooks if item["id"] == str(shared_handbook.pk))
    assert row["versions"] == [{"number": 1}]


def test_the_handbook_pages_do_not_show_another_partnership_the_draft(
    world, client_for, shared_handbook
):
    client = client_for(world.bolton_lead)
    for url in ("/handbooks/", f"/handbooks/{shared_handbook.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert DRAFT_NOTE not in response.content.decode()
    owner_page = client_for(world.salford_lead).get(f"/handbooks/{shared_handbook.pk}/")
    assert DRAFT_NOTE in owner_page.content.decode()


def _versions_in_rest_detail(client, handbook: Handbook) -> list[dict[str, object]]:
    response = client.get(f"/api/v1/handbooks/{handbook.pk}/")
    assert response.status_code == 200
    return list(response.json()["versions"])


def test_the_rest_detail_shows_another_partnerships_lead_only_published_versions(
    world, client_for, shared_handbook
):
    versions = _versions_in_rest_detail(client_for(world.bolton_lead), shared_handbook)

    assert [version["number"] for version in versions] == [1]
    assert DRAFT_NOTE not in str(versions)


def test_the_rest_detail_shows_the_owners_their_draft(world, client_for, shared_handbook):
    versions = _versions_in_rest_detail(client_for(world.salford_lead), shared_handbook)

    assert [version["number"] for version in versions] == [1, 2]
