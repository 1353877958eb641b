"""Findings pages: write, propose, moderate (agree, amend, reject) and publish
through the forms, as a browser without JavaScript would; the reviewed partnership
then reads exactly the published findings. Team-only forms answer 404 to the
reviewed partnership, as for a missing object."""

from __future__ import annotations

import pytest

from findings.models import Finding, ModerationDecision
from tests.findings_factories import Team, team_at_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    with team_at_work(world) as built:
        yield built


def _add(client, team: Team, text: str, area: int = 0, kind: str = "strength"):
    return client.post(
        f"/reviews/{team.review.pk}/findings/areas/{team.areas[area].pk}/add/",
        {
            "kind": kind,
            "text": text,
            "rating": "",
            "themes": ["meetings_overload"],
            "evidence": [str(team.document.pk), str(team.meeting.pk)],
        },
    )


def test_the_whole_journey_through_the_pages(team: Team, world, client_for):
    writer = client_for(world.bolton_manager)
    for n, (text, area) in enumerate(
        [("Agendas are clear.", 0), ("Papers overwhelm.", 0), ("Untested claim.", 1)]
    ):
        response = _add(writer, team, text, area, "strength" if n == 0 else "development")
        assert response.status_code == 302, response.content.decode()[:500]
    found = {f.text: f for f in Finding.objects.all()}
    for finding in found.values():
        assert (
            writer.post(f"/reviews/{team.review.pk}/findings/{finding.pk}/propose/").status_code
            == 302
        )
    page = writer.get(f"/reviews/{team.review.pk}/findings/areas/{team.areas[0].pk}/")
    assert "Agendas are clear." in page.content.decode()
    assert "Meetings overload" in page.content.decode()

    team.move("moderation")
    response = writer.post(
        f"/reviews/{team.review.pk}/moderation/",
        {
            "held_on-day": str(team.during.day),
            "held_on-month": str(team.during.month),
            "held_on-year": str(team.during.year),
            "attendees": [str(world.bolton_manager.pk), str(world.adviser.pk)],
            "notes": "Moderation notes, never published.",
        },
    )
    assert response.status_code == 302
    meeting = team.review.moderation_meetings.get()
    decide = {
        "Agendas are clear.": {"outcome": "agreed"},
        "Papers overwhelm.": {"outcome": "amended", "amended_text": "Papers overwhelm members."},
        "Untested claim.": {"outcome": "rejected", "dissent": "The adviser disagreed."},
    }
    for text, data in decide.items():
        response = writer.post(
            f"/reviews/{team.review.pk}/moderation/{found[text].pk}/",
            {"meeting": str(meeting.pk), "dissent": "", **data},
        )
        assert response.status_code == 302, response.content.decode()[:800]
    assert ModerationDecision.objects.get(outcome="amended").text_before == "Papers overwhelm."
    area_page = writer.get(f"/reviews/{team.review.pk}/findings/areas/{team.areas[0].pk}/")
    assert (
        "Papers <del>overwhelm.</del> <ins>overwhelm members.</ins>" in area_page.content.decode()
    )

    team.move("reporting")
    lead = client_for(world.bolton_lead)
    check = lead.get(f"/reviews/{team.review.pk}/publication/")
    assert check.status_code == 200
    assert "Papers overwhelm members." in check.content.decode()
    refused = lead.post(f"/reviews/{team.review.pk}/publication/", {})
    assert refused.status_code == 400
    assert "Error: " in refused.content.decode()
    assert (
        lead.post(f"/reviews/{team.review.pk}/publication/", {"confirm": "on"}).status_code == 302
    )

    reader = client_for(world.salford_lead)
    body = "".join(
        reader.get(f"/reviews/{team.review.pk}/findings/areas/{area.pk}/").content.decode()
        for area in team.areas[:2]
    )
    assert "Agendas are clear." in body and "Papers overwhelm members." in body
    assert "Untested claim." not in body
    assert "Moderation notes" not in body and "The adviser disagreed." not in body
    assert reader.get(f"/reviews/{team.review.pk}/moderation/").status_code == 404


def test_a_stale_save_shows_both_texts_and_keeps_yours(team: Team, world, client_for):
    finding = team.draft("First words.")
    adviser, writer = client_for(world.adviser), client_for(world.bolton_manager)
    form = {
        "kind": "strength",
        "rating": "",
        "evidence": [str(team.document.pk), str(team.meeting.pk)],
        "version": "1",
    }
    url = f"/reviews/{team.review.pk}/findings/{finding.pk}/edit/"
    assert adviser.post(url, {**form, "text": "The adviser's words."}).status_code == 302

    response = writer.post(url, {**form, "text": "The writer's words."})

    assert response.status_code == 409
    body = response.content.decode()
    assert "The adviser&#x27;s words." in body and "The writer&#x27;s words." in body
    assert 'name="version" value="2"' in body
    assert Finding.objects.get(pk=finding.pk).text == "The adviser's words."


@pytest.mark.parametrize("who", ["salford_lead", "salford_member"])
def test_the_reviewed_partnership_gets_404_from_team_only_forms(team: Team, world, client_for, who):
    finding = team.draft("Team draft.")
    client = client_for(getattr(world, who))
    base = f"/reviews/{team.review.pk}"
    for url in (
        f"{base}/findings/areas/{team.areas[0].pk}/add/",
        f"{base}/findings/{finding.pk}/edit/",
        f"{base}/findings/{finding.pk}/propose/",
        f"{base}/findings/{finding.pk}/quotes/add/",
        f"{base}/findings/{finding.pk}/delete/",
        f"{base}/moderation/",
        f"{base}/publication/",
    ):
        assert client.post(url, {"text": "From outside", "kind": "strength"}).status_code == 404, (
            url
        )
    assert Finding.objects.get(pk=finding.pk).text == "Team draft."
    page = client.get(f"{base}/findings/areas/{team.areas[0].pk}/").content.decode()
    assert "Team draft." not in page
