"""Handbook pages through the Django test client: who sees each page, who is refused
(403 with the reason, or the same 404 as a missing page), each form's messages with
nothing written, and constant query counts on the list pages."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handbooks import services
from handbooks.models import (
    AreaOfFocus,
    BaselineReference,
    Handbook,
    HandbookVersion,
    LineOfEnquiry,
    Objective,
)
from tenancy.access import actor_for
from tests.factories import reference_version

pytestmark = pytest.mark.django_db


def bolton_handbook(world, *, title="Bolton method", visibility="private", publish=True):
    """A Bolton handbook whose version 1 has an objective and an area (published by default)."""
    actor = actor_for(world.bolton_manager)
    handbook = services.handbook_create(
        actor=actor, partnership_slug="bolton", title=title, visibility=visibility
    )
    version = handbook.versions.get()
    services.objective_save(actor=actor, version_id=version.pk, text="Know what works")
    services.area_save(
        actor=actor, version_id=version.pk, title="Leadership", key_question="Who leads?"
    )
    if publish:
        services.version_publish(actor=actor, version_id=version.pk, change_note="First")
    return handbook


def draft_of(world, handbook) -> HandbookVersion:
    return services.version_start_next(
        actor=actor_for(world.bolton_manager), handbook_id=handbook.pk
    )


def url(name, *args):
    return reverse(f"handbooks:{name}", args=args)


def text(response) -> str:
    return html.unescape(response.content.decode())


def without_token(response) -> str:
    """The page minus its CSRF token, which is masked afresh on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))


# --- list ------------------------------------------------------------------------


def test_list_groups_handbooks_by_owner_with_tags(world, client_for):
    bolton_handbook(world)
    bolton_handbook(world, title="Alliance method", visibility="alliance")

    bolton = client_for(world.bolton_member).get(url("list"))
    salford = client_for(world.salford_member).get(url("list"))

    assert bolton.status_code == salford.status_code == 200
    page = text(bolton)
    assert "Your partnership’s handbooks" in page
    assert "Bolton method" in page and "Private" in page
    assert reference_version().handbook.title in page
    assert "Shared with everyone" in page and "Platform" in page
    # Salford sees Bolton's alliance handbook but never its private one.
    assert "Alliance method" in text(salford)
    assert "Bolton method" not in text(salford)
    assert "Your partnership has no handbooks of its own" in text(salford)


def test_list_shows_an_empty_state(world, client_for):
    Handbook.objects.all().delete()
    response = client_for(world.outsider).get(url("list"))
    assert response.status_code == 200
    assert "There are no handbooks you can use yet." in text(response)


def test_list_hides_other_partnerships_drafts(world, client_for):
    handbook = bolton_handbook(world, visibility="alliance")
    draft_of(world, handbook)
    assert "Draft" in text(client_for(world.bolton_member).get(url("list")))
    assert "Draft" not in text(client_for(world.salford_lead).get(url("list")))


def test_pages_need_a_signed_in_user(world, client_for):
    response = client_for(None).get(url("list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_list_query_count_is_constant(world, client_for):
    client = client_for(world.bolton_lead)
    bolton_handbook(world)
    client.get(url("list"))  # warm the session and the first-request work
    with CaptureQueriesContext(connection) as one:
        client.get(url("list"))
    for n in range(4):
        bolton_handbook(world, title=f"Method {n}", visibility="alliance")
    with CaptureQueriesContext(connection) as several:
        response = client.get(url("list"))
    assert "Method 3" in text(response)
    assert len(several) == len(one)


# --- handbook and version pages --------------------------------------------------


def test_handbook_page_lists_versions_with_status_tags(world, client_for):
    handbook = bolton_handbook(world)
    draft_of(world, handbook)
    response = client_for(world.bolton_member).get(url("detail", handbook.pk))
    assert response.status_code == 200
    page = text(response)
    assert "Version 1" in page and "Published" in page
    assert "Version 2" in page and "Draft" in page
    assert "Continue the draft (version 2)" in page
    assert "Start a new version" not in page  # a member cannot, and a draft exists


def test_private_handbook_is_404_to_others_and_identical_to_missing(world, client_for):
    handbook = bolton_handbook(world)
    version = handbook.versions.get()
    for user in (world.salford_lead, world.outsider, world.adviser, world.analyst, world.staff):
        client = client_for(user)
        foreign = client.get(url("detail", handbook.pk))
        missing = client.get(url("detail", 999999))
        assert foreign.status_code == missing.status_code == 404
        assert without_token(foreign) == without_token(missing)
        assert client.get(url("version", version.pk)).status_code == 404
        assert client.get(url("compare", handbook.pk)).status_code == 404


def test_shared_handbook_drafts_are_404_to_other_partnerships(world, client_for):
    handbook = bolton_handbook(world, visibility="alliance")
    published = handbook.versions.get()
    draft = draft_of(world, handbook)
    salford = client_for(world.salford_member)
    assert salford.get(url("version", published.pk)).status_code == 200
    assert salford.get(url("version", draft.pk)).status_code == 404
    assert client_for(world.bolton_member).get(url("version", draft.pk)).status_code == 200


def test_version_page_shows_the_whole_method(world, client_for):
    version = reference_version()
    area = version.areas.order_by("position")[0]
    LineOfEnquiry.objects.create(
        area=area, position=1, question="How is the voice of the child heard?", guidance="wt2018"
    )
    response = client_for(world.outsider).get(url("version", version.pk))
    assert response.status_code == 200
    page = text(response)
    assert version.objectives.all()[0].text in page
    assert area.title in page
    assert "How is the voice of the child heard?" in page
    assert "Working Together 2018" in page
    assert version.references.all()[0].title in page
    assert "Methodology" in page
    assert "Copy into your partnership" not in page  # the outsider manages no partnership
    assert "Add an objective" not in page


def test_version_page_offers_editing_to_managers_of_the_owner_only(world, client_for):
    draft = draft_of(world, bolton_handbook(world))
    manager = text(client_for(world.bolton_manager).get(url("version", draft.pk)))
    member = text(client_for(world.bolton_member).get(url("version", draft.pk)))
    for link in ("Add an objective", "Add an area of focus", "Publish this version"):
        assert link in manager
        assert link not in member


# --- what changed -----------------------------------------------------------------


def test_compare_shows_what_changed(world, client_for):
    handbook = bolton_handbook(world)
    draft = draft_of(world, handbook)
    actor = actor_for(world.bolton_manager)
    services.objective_save(actor=actor, version_id=draft.pk, text="Hear children")
    area = draft.areas.get()
    services.area_save(
        actor=actor,
        version_id=draft.pk,
        area_id=area.pk,
        title="Leadership",
        key_question="Who leads, and how?",
    )
    response = client_for(world.bolton_member).get(url("compare", handbook.pk))
    assert response.status_code == 200
    page = text(response)
    assert "Version 1 (Published) compared with Version 2 (Draft)" in page
    assert "Added" in page and "Hear children" in page
    assert "Changed" in page and "Leadership: Who leads, and how?" in page


def test_compare_form_validation(world, client_for):
    handbook = bolton_handbook(world)
    first = handbook.versions.get()
    draft_of(world, handbook)
    client = client_for(world.bolton_member)
    same = client.get(url("compare", handbook.pk), {"old": first.pk, "new": first.pk})
    assert "Select a different version to compare with" in text(same)
    assert "<title>Error: " in text(same)
    foreign = client.get(url("compare", handbook.pk), {"old": reference_version().pk, "new": ""})
    assert "Select the earlier version" in text(foreign)
    assert "Select the later version" in text(foreign)


def test_compare_a_copy_with_its_source(world, client_for):
    source = reference_version()
    copy = services.handbook_copy(
        actor=actor_for(world.salford_manager), version_id=source.pk, partnership_slug="salford"
    )
    response = client_for(world.salford_member).get(url("compare", copy.pk))
    assert response.status_code == 200
    assert "(copied from)" in text(response)
    assert "There are no differences." in text(response)


# --- copy ----------------------------------------------------------------------------


def test_copy_confirm_then_copy_into_own_partnership(world, client_for):
    version = reference_version()
    client = client_for(world.salford_manager)
    confirm = client.get(url("copy", version.pk))
    assert confirm.status_code == 200
    assert "The copy will belong to <strong>Salford SCP</strong>" in text(confirm)

    response = client.post(url("copy", version.pk), {"partnership": "salford"})

    copy = Handbook.objects.get(partnership=world.salford)
    assert copy.visibility == "private" and copy.copied_from == version
    draft = copy.versions.get()
    assert response.status_code == 302
    assert response["Location"] == url("version", draft.pk)
    assert draft.areas.count() == version.areas.count()


def test_copy_is_refused_to_members_and_people_without_a_partnership(world, client_for):
    version = reference_version()
    for user in (world.salford_member, world.outsider, world.adviser):
        client = client_for(user)
        response = client.get(url("copy", version.pk))
        assert response.status_code == 403
        assert "Only a lead or business manager can copy a handbook." in text(response)
        assert client.post(url("copy", version.pk), {"partnership": "salford"}).status_code == 403
    assert not Handbook.objects.filter(partnership__isnull=False).exists()


def test_copy_into_another_partnership_is_a_form_error(world, client_for):
    before = Handbook.objects.count()
    response = client_for(world.salford_manager).post(
        url("copy", reference_version().pk), {"partnership": "bolton"}
    )
    assert response.status_code == 200
    assert "Select the partnership to copy the handbook into" in text(response)
    assert Handbook.objects.count() == before


def test_copy_of_a_foreign_draft_is_404(world, client_for):
    draft = bolton_handbook(world, publish=False).versions.get()
    assert client_for(world.salford_manager).get(url("copy", draft.pk)).status_code == 404


# --- new version ----------------------------------------------------------------------


def test_start_a_new_version(world, client_for):
    handbook = bolton_handbook(world)
    client = client_for(world.bolton_manager)
    assert "Start a new version" in text(client.get(url("detail", handbook.pk)))

    response = client.post(url("new-version", handbook.pk))

    draft = handbook.versions.get(number=2)
    assert response.status_code == 302
    assert response["Location"] == url("version", draft.pk)
    assert draft.status == "draft" and draft.based_on.number == 1
    # A second draft is refused with the service's message, nothing written.
    again = client.post(url("new-version", handbook.pk), follow=True)
    assert "This handbook already has a draft. Publish or edit that draft." in text(again)
    assert handbook.versions.count() == 2


def test_new_version_is_refused_to_others(world, client_for):
    handbook = bolton_handbook(world, visibility="alliance")
    member = client_for(world.bolton_member).post(url("new-version", handbook.pk))
    assert member.status_code == 403
    assert "Only a lead or business manager of Bolton SCP can change this handbook." in text(member)
    assert client_for(world.salford_lead).post(url("new-version", handbook.pk)).status_code == 403
    assert client_for(world.outsider).post(url("new-version", handbook.pk)).status_code == 404
    assert client_for(world.bolton_manager).get(url("new-version", handbook.pk)).status_code == 405
    platform = reference_version().handbook
    response = client_for(world.bolton_lead).post(url("new-version", platform.pk))
    assert response.status_code == 403
    assert "Copy it into your partnership to adapt it." in text(response)
    assert HandbookVersion.objects.filter(handbook__in=[handbook, platform]).count() == 2


# --- editing a draft ---------------------------------------------------------------


EDIT_PAGES = ("objective-add", "area-add", "reference-add", "publish")


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_edit_pages_render_for_managers_and_refuse_others(world, client_for, name):
    draft = bolton_handbook(world, publish=False).versions.get()
    assert client_for(world.bolton_manager).get(url(name, draft.pk)).status_code == 200
    assert client_for(world.bolton_lead).get(url(name, draft.pk)).status_code == 200
    member = client_for(world.bolton_member).get(url(name, draft.pk))
    assert member.status_code == 403
    assert "Only a lead or business manager of Bolton SCP" in text(member)
    for user in (world.salford_lead, world.outsider, world.adviser):
        assert client_for(user).get(url(name, draft.pk)).status_code == 404


@pytest.mark.parametrize("name", ("objective-add", "area-add", "reference-add"))
def test_a_published_version_cannot_be_edited(world, client_for, name):
    version = bolton_handbook(world).versions.get()
    response = client_for(world.bolton_manager).get(url(name, version.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("version", version.pk)
    assert "Version 1 is published, so it cannot be changed." in text(response)


def test_add_objective(world, client_for):
    draft = bolton_handbook(world, publish=False).versions.get()
    client = client_for(world.bolton_manager)

    empty = client.post(url("objective-add", draft.pk), {"text": "  "})
    assert empty.status_code == 200
    assert "<title>Error: Add an objective" in text(empty)
    assert 'href="#text">Enter the objective</a>' in text(empty)
    assert Objective.objects.filter(version=draft).count() == 1

    done = client.post(url("objective-add", draft.pk), {"text": "Hear children"})
    assert done.status_code == 302
    assert done["Location"] == url("version", draft.pk) + "#objectives"
    assert draft.objectives.filter(text="Hear children").exists()


def test_add_and_edit_an_area(world, client_for):
    draft = bolton_handbook(world, publish=False).versions.get()
    client = client_for(world.bolton_manager)

    empty = client.post(url("area-add", draft.pk), {"title": "", "key_question": ""})
    assert "Enter a title" in text(empty) and "Enter the key question" in text(empty)
    duplicate = client.post(
        url("area-add", draft.pk), {"title": "leadership", "key_question": "Again?"}
    )
    assert "An area of focus with this title already exists" in text(duplicate)
    assert draft.areas.count() == 1

    client.post(url("area-add", draft.pk), {"title": "Voice", "key_question": "Heard?"})
    area = draft.areas.get(title="Voice")
    form = client.get(url("area-edit", draft.pk, area.pk))
    assert 'value="Voice"' in text(form)
    changed = client.post(
        url("area-edit", draft.pk, area.pk),
        {"title": "Voice of the child", "key_question": "Heard?", "guidance": "Ask"},
    )
    assert changed.status_code == 302
    area.refresh_from_db()
    assert (area.title, area.guidance) == ("Voice of the child", "Ask")


def test_area_of_another_version_is_404(world, client_for):
    draft = bolton_handbook(world, publish=False).versions.get()
    foreign = reference_version().areas.all()[0]
    client = client_for(world.bolton_manager)
    assert client.get(url("area-edit", draft.pk, foreign.pk)).status_code == 404
    assert client.get(url("line-add", draft.pk, foreign.pk)).status_code == 404
    response = client.post(
        url("area-edit", draft.pk, foreign.pk), {"title": "Taken", "key_question": "?"}
    )
    assert response.status_code == 404
    assert not AreaOfFocus.objects.filter(title="Taken").exists()


def test_add_a_line_of_enquiry(world, client_for):
    draft = bolton_handbook(world, publish=False).versions.get()
    area = draft.areas.get()
    client = client_for(world.bolton_manager)
    assert "Leadership" in text(client.get(url("line-add", draft.pk, area.pk)))

    bad = client.post(url("line-add", draft.pk, area.pk), {"question": "", "guidance": "wt1999"})
    assert "Select which guidance this line of enquiry maps to" in text(bad)
    empty = client.post(url("line-add", draft.pk, area.pk), {"question": "", "guidance": ""})
    assert "Enter the line of enquiry" in text(empty)
    assert not area.lines.exists()

    done = client.post(
        url("line-add", draft.pk, area.pk),
        {"question": "Who chairs?", "prompts": "Minutes", "guidance": "wt2023"},
    )
    assert done.status_code == 302
    line = area.lines.get()
    assert (line.question, line.guidance) == ("Who chairs?", "wt2023")


def test_add_a_baseline_reference(world, client_for):
    draft = bolton_handbook(world, publish=False).versions.get()
    client = client_for(world.bolton_manager)
    not_a_number = client.post(url("reference-add", draft.pk), {"title": "WT", "year": "abc"})
    assert "Year must be a number, like 2018" in text(not_a_number)
    bad = client.post(
        url("reference-add", draft.pk), {"title": "", "year": "1800", "url": "ftp://x"}
    )
    page = text(bad)
    assert "Enter a title" in page
    assert "Year must be between 1900 and" in page
    assert "Enter a link starting with https://" in page
    assert not BaselineReference.objects.filter(version=draft).exists()

    client.post(
        url("reference-add", draft.pk),
        {"title": "Working Together", "publisher": "DfE", "year": "2018", "url": "https://x.test"},
    )
    reference = draft.references.get()
    assert (reference.title, reference.year) == ("Working Together", 2018)


def test_publish_with_check_answers(world, client_for):
    handbook = services.handbook_create(
        actor=actor_for(world.bolton_lead), partnership_slug="bolton", title="Empty"
    )
    draft = handbook.versions.get()
    client = client_for(world.bolton_lead)
    check = client.get(url("publish", draft.pk))
    assert check.status_code == 200
    assert "Check before you publish version 1" in text(check)

    refused = client.post(url("publish", draft.pk), {"change_note": "First"})
    assert "Add at least one objective before publishing" in text(refused)
    assert "Add at least one area of focus before publishing" in text(refused)
    draft.refresh_from_db()
    assert draft.status == "draft"

    actor = actor_for(world.bolton_lead)
    services.objective_save(actor=actor, version_id=draft.pk, text="One")
    services.area_save(actor=actor, version_id=draft.pk, title="A", key_question="Q?")
    done = client.post(url("publish", draft.pk), {"change_note": "First"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.change_note) == ("published", "First")


def test_version_page_query_count_is_constant(world, client_for):
    draft = bolton_handbook(world, publish=False).versions.get()
    client = client_for(world.bolton_manager)
    client.get(url("version", draft.pk))
    with CaptureQueriesContext(connection) as one:
        client.get(url("version", draft.pk))
    actor = actor_for(world.bolton_manager)
    for n in range(3):
        area = services.area_save(
            actor=actor, version_id=draft.pk, title=f"Area {n}", key_question="?"
        )
        services.line_save(actor=actor, version_id=draft.pk, area_id=area.pk, question="Why?")
        services.reference_save(actor=actor, version_id=draft.pk, title=f"Ref {n}")
    with CaptureQueriesContext(connection) as several:
        client.get(url("version", draft.pk))
    assert len(several) == len(one)


def test_the_reference_handbook_suggests_lines_of_enquiry_for_every_area(world, client_for):
    """Issue 11: the ten areas said "None yet"; each now has lines the platform
    suggests, marked as such, and a copy keeps the mark."""
    version = reference_version()
    areas = list(version.areas.prefetch_related("lines"))
    assert len(areas) == 10
    assert all(len(area.lines.all()) >= 3 for area in areas)
    assert all(line.suggested_by_platform for area in areas for line in area.lines.all())
    page = text(client_for(world.salford_member).get(url("version", version.pk)))
    assert "None yet" not in page
    assert page.count("Platform suggestion") == sum(len(a.lines.all()) for a in areas)

    copy = services.handbook_copy(
        actor=actor_for(world.bolton_manager), version_id=version.pk, partnership_slug="bolton"
    )
    copied = LineOfEnquiry.objects.filter(area__version__handbook=copy)
    assert copied.count() == sum(len(a.lines.all()) for a in areas)
    assert all(line.suggested_by_platform for line in copied)
