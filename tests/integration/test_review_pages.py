"""Review pages (UX screens 2, 4, 5, 6 and the timeline) through the Django test
client: your reviews, the overview with its task list and moves, the scope, the team
and its access, the timeline with rescheduling and its calendar. Who may see and do
each; every form's messages with nothing written; the whole journey; constant query
counts on the list."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.dates import LONDON, date_time, deadline, long_date, start_of_day
from reviews import services
from reviews.models import Phase, PhaseChange, Review, ReviewArea, TeamMember
from tenancy.access import actor_for
from tenancy.models import Membership, Partnership, Role
from tests.conftest import make_user
from tests.factories import add_member, agreed_exchange, review_in_fieldwork, review_of_salford

pytestmark = pytest.mark.django_db

PAGES = ["detail", "scope", "team", "timeline", "calendar"]


def url(name: str, *args: object) -> str:
    return reverse(f"reviews:{name}", args=args)


def text(response) -> str:
    return html.unescape(response.content.decode())


def squash(response) -> str:
    """The page's text with tags removed and spaces collapsed, for sentences that
    cross elements."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def without_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))


def error_summary(response) -> list[str]:
    match = re.search(r'govuk-error-summary__list">(.*?)</ul>', text(response), re.S)
    assert match, "no error summary on the page"
    return [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", match[1])
    ]


def date_fields(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def wigan(world):
    """A third partnership, with a lead and a member."""
    partnership = Partnership.objects.create(
        name="Wigan SCP", slug="wigan", alliance=world.alliance
    )
    lead = make_user("lead@wigan.test")
    member = make_user("member@wigan.test")
    Membership.objects.create(user=lead, partnership=partnership, role=Role.LEAD)
    Membership.objects.create(user=member, partnership=partnership, role=Role.MEMBER)
    return lead, member


def reschedule_data(review: Review, reason: str = "Covid-19 pandemic", **moves) -> dict[str, str]:
    """Every phase's current dates, with `moves` ({kind: (start, end)}) applied."""
    data = {"reason": reason}
    for phase in review.phases.all():
        start, end = moves.get(phase.kind, (phase.starts_on, phase.ends_on))
        data.update(date_fields(f"{phase.kind}-starts", start))
        data.update(date_fields(f"{phase.kind}-ends", end))
    return data


def phase_dates(review: Review) -> list[tuple[date, date]]:
    return [(p.starts_on, p.ends_on) for p in Phase.objects.filter(review=review)]


def move(client, review: Review, to_status: str):
    return client.post(url("transition", review.pk), {"to_status": to_status, "confirm": "yes"})


# --- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "who",
    [
        "salford_lead",
        "salford_manager",
        "salford_member",
        "bolton_lead",
        "bolton_manager",
        "bolton_member",
    ],
)
def test_both_partnerships_see_every_review_page(world, client_for, page, who):
    review = review_of_salford(world)
    response = client_for(getattr(world, who)).get(url(page, review.pk))
    assert response.status_code == 200
    if page != "calendar":
        assert "Review of Salford SCP by Bolton SCP" in text(response)


@pytest.mark.parametrize("page", PAGES)
def test_a_team_member_from_outside_both_partnerships_sees_the_review(world, client_for, page):
    review = review_of_salford(world)
    add_member(world, review, world.adviser, "independent_adviser")
    assert client_for(world.adviser).get(url(page, review.pk)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["outsider", "analyst", "staff", "adviser", "wigan_lead"])
def test_a_foreign_review_is_the_same_404_as_a_missing_one(world, client_for, page, who):
    review = review_of_salford(world)
    user = wigan(world)[0] if who == "wigan_lead" else getattr(world, who)
    client = client_for(user)
    foreign = client.get(url(page, review.pk))
    missing = client.get(url(page, 999_999))
    assert foreign.status_code == missing.status_code == 404
    assert without_token(foreign) == without_token(missing)


@pytest.mark.parametrize("page", ["team-declare", "team-mitigate", "team-access", "team-remove"])
def test_a_member_of_another_review_is_the_same_404_as_a_missing_one(world, client_for, page):
    review = review_of_salford(world)
    other = Review.objects.get(reviewed_partnership=world.bolton)
    world.bolton_member.employer = world.police
    world.bolton_member.save()
    member = add_member(world, review, world.bolton_member)
    # Salford's lead manages access to Salford's review; the member is not in Bolton's.
    for user in (world.salford_lead, world.bolton_lead, world.bolton_member):
        client = client_for(user)
        foreign = client.get(url(page, other.pk, member.pk))
        missing = client.get(url(page, other.pk, 999_999))
        assert foreign.status_code in (403, 404)
        if foreign.status_code == 404:
            assert without_token(foreign) == without_token(missing)


def test_pages_need_sign_in(world, client):
    review = review_of_salford(world)
    for page in PAGES:
        response = client.get(url(page, review.pk))
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


# --- your reviews (home) --------------------------------------------------------------------


def test_home_lists_your_reviews_with_status_and_next_deadline(world, client_for):
    agreed_exchange(world)
    review = Review.objects.get(reviewed_partnership=world.salford)
    mobilisation = review.phases.get(kind=Phase.Kind.MOBILISATION)
    page = text(client_for(world.salford_lead).get(reverse("web:home")))
    assert "<title>Your reviews" in page
    assert "Review of Salford SCP by Bolton SCP" in page
    assert "Review of Bolton SCP by Salford SCP" in page
    assert "Reviewed (Salford SCP)" in page and "Reviewing (Salford SCP)" in page
    assert '<strong class="govuk-tag govuk-tag--grey">Draft</strong>' in page
    days = (mobilisation.ends_on - timezone.localdate()).days
    assert f"Mobilisation ends {deadline(mobilisation.ends_on)}" in page
    assert f"Due in {days} days" in page
    assert url("detail", review.pk) in page
    # Your partnerships, with your role, are kept.
    assert "Your partnerships" in page and "Partnership lead" in page
    assert "govuk-notification-banner" not in page  # nothing due within a week


def test_home_banner_for_a_deadline_within_a_week(world, client_for):
    agreed_exchange(world, starts_on=timezone.localdate() + timedelta(days=4))
    review = Review.objects.get(reviewed_partnership=world.salford)
    ends_on = review.phases.get(kind=Phase.Kind.MOBILISATION).ends_on
    page = squash(client_for(world.bolton_member).get(reverse("web:home")))
    assert "2 deadlines are coming up" in page
    assert (
        "Mobilisation for the review of Salford SCP by Bolton SCP ends "
        f"{deadline(ends_on)} Due in 3 days"
    ) in page


def test_home_shows_team_places_to_an_independent_adviser(world, client_for):
    review = review_of_salford(world)
    add_member(world, review, world.adviser, "independent_adviser")
    page = text(client_for(world.adviser).get(reverse("web:home")))
    assert "Review of Salford SCP by Bolton SCP" in page
    assert "Team: independent adviser" in page
    assert "Review of Bolton SCP by Salford SCP" not in page


def test_home_empty_state(world, client_for):
    review_of_salford(world)
    lead, _ = wigan(world)
    page = text(client_for(lead).get(reverse("web:home")))
    assert "You are not taking part in any reviews yet." in page
    assert f'href="{reverse("exchanges:propose")}"' in page
    assert "Arrange a reciprocal review" in page
    outsider = text(client_for(world.outsider).get(reverse("web:home")))
    assert "You are not taking part in any reviews yet." in outsider
    assert "Arrange a reciprocal review" not in outsider


def test_home_leads_platform_staff_to_the_admin_and_is_honest_with_analysts(world, client_for):
    """Issue 11: staff were told to ask a partnership lead, with no way to the admin; the
    analyst's home promised benchmarks that did not exist."""
    staff = text(client_for(world.staff).get(reverse("web:home")))
    assert f'href="{reverse("admin:index")}"' in staff
    assert "Ask your partnership lead" not in staff
    analyst = text(client_for(world.analyst).get(reverse("web:home")))
    assert "Benchmarks of budgets, findings and survey results are not available yet." in analyst
    assert "You can compare anonymised benchmarks" not in analyst


def test_home_query_count_is_constant(world, client_for):
    agreed_exchange(world)
    client = client_for(world.bolton_lead)
    client.get(reverse("web:home"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("web:home"))
    for _ in range(3):
        agreed_exchange(world)
    # Teams, declarations and a rescheduled phase on the newer reviews cost nothing more.
    for review in Review.objects.filter(reviewed_partnership=world.salford)[:2]:
        add_member(world, review, world.bolton_member)
        add_member(world, review, world.adviser, "independent_adviser")
        fieldwork = review.phases.get(kind="fieldwork")
        services.phases_reschedule(
            actor=actor_for(world.bolton_lead),
            review_id=review.pk,
            new_dates={"fieldwork": (fieldwork.starts_on, fieldwork.ends_on - timedelta(days=1))},
            reason="Staff sickness",
        )
    with CaptureQueriesContext(connection) as several:
        response = client.get(reverse("web:home"))
    assert text(response).count("Review of Salford SCP by Bolton SCP") == 4
    assert len(several) == len(one)


# --- overview -------------------------------------------------------------------------------


def test_overview_shows_key_facts_tasks_and_the_next_deadline(world, client_for):
    review = review_of_salford(world)
    mobilisation = review.phases.get(kind=Phase.Kind.MOBILISATION)
    response = client_for(world.salford_member).get(url("detail", review.pk))
    page, words = text(response), squash(response)
    assert "Reviewing partnership Bolton SCP" in words
    assert "Reviewed partnership Salford SCP" in words
    assert f"Handbook {review.handbook_version.handbook.title}, version 1" in words
    assert "Status Draft" in words
    assert f"Mobilisation ends {deadline(mobilisation.ends_on)}" in words
    assert "Due in" in words
    assert 'class="govuk-task-list"' in page
    for task in (
        "Agree the areas of focus",
        "Build the team",
        "Declarations of interest",
        "Fieldwork",
        "Moderation",
        "Report back",
    ):
        assert task in page
    assert (
        "Agree the areas of focus 10 areas of focus chosen, not yet confirmed Not yet started"
        in words
    )
    assert "Build the team No members yet Not yet started" in words
    assert "Declarations of interest Add team members first Cannot start yet" in words
    assert "Fieldwork" in words and "Cannot start yet" in words
    # A member cannot move the review on, and is told who can.
    assert 'name="to_status"' not in page
    assert "The review moves on when a lead of either partnership says so." in words


def test_overview_offers_the_moves_the_viewer_may_make(world, client_for):
    review = review_in_fieldwork(world)
    bolton = text(client_for(world.bolton_lead).get(url("detail", review.pk)))
    assert 'value="moderation"' in bolton and "Start moderation" in bolton
    salford = text(client_for(world.salford_lead).get(url("detail", review.pk)))
    assert 'value="moderation"' not in salford  # only the reviewing lead moves fieldwork on
    assert "the reviewing partnership's lead says so" in salford


def test_move_asks_for_confirmation_first(world, client_for):
    review = review_of_salford(world)
    client = client_for(world.bolton_lead)
    confirm = client.post(url("transition", review.pk), {"to_status": "mobilisation"})
    assert confirm.status_code == 200
    assert "Are you sure you want to start mobilisation?" in text(confirm)
    assert 'name="confirm" value="yes"' in text(confirm)
    review.refresh_from_db()
    assert review.status == "draft"

    done = move(client, review, "mobilisation")
    assert done.status_code == 302 and done["Location"] == url("detail", review.pk)
    review.refresh_from_db()
    assert review.status == "mobilisation"
    assert "The review has moved to mobilisation." in text(client.get(url("detail", review.pk)))


def test_move_only_by_post(world, client_for):
    review = review_of_salford(world)
    assert client_for(world.bolton_lead).get(url("transition", review.pk)).status_code == 405


def test_a_failed_guard_is_shown_in_the_error_summary(world, client_for):
    review = review_of_salford(world)
    client = client_for(world.bolton_lead)
    move(client, review, "mobilisation")
    response = move(client, review, "fieldwork")
    assert response.status_code == 409
    assert text(response).lstrip().count("<title>Error: ") == 1
    assert error_summary(response) == [
        "Both partnerships must confirm the areas of focus before fieldwork starts."
    ]
    review.refresh_from_db()
    assert review.status == "mobilisation"


def test_a_move_the_viewer_may_not_make_is_the_403_page_with_the_reason(world, client_for):
    review = review_of_salford(world)
    response = move(client_for(world.salford_member), review, "mobilisation")
    assert response.status_code == 403
    assert "Only a lead of either partnership can move the review to mobilisation." in text(
        response
    )
    review.refresh_from_db()
    assert review.status == "draft"


def test_an_unknown_or_impossible_move_is_refused(world, client_for):
    review = review_of_salford(world)
    client = client_for(world.bolton_lead)
    unknown = move(client, review, "finished")
    assert unknown.status_code == 400
    assert error_summary(unknown) == ["Select a stage the review can move to"]
    skip = move(client, review, "published")
    assert skip.status_code == 409
    assert error_summary(skip) == ["A review in draft cannot move to published."]
    review.refresh_from_db()
    assert review.status == "draft"


# --- scope ----------------------------------------------------------------------------------


def test_scope_page_lists_the_handbook_areas_with_their_key_questions(world, client_for):
    review = review_of_salford(world)
    areas = list(review.handbook_version.areas.all())
    page = text(client_for(world.salford_manager).get(url("scope", review.pk)))
    assert len(areas) == 10
    for area in areas:
        assert f'value="{area.pk}"' in page
        assert area.key_question in page
    assert page.count('type="checkbox"') == 10
    assert page.count(" checked") == 10  # every area starts selected
    assert 'name="local_areas-2-title"' in page and 'name="local_areas-3-title"' not in page
    assert "Not confirmed yet" in page
    assert "Confirm the areas of focus for Salford SCP" in page
    assert "Confirm the areas of focus for Bolton SCP" not in page


def test_scope_is_read_only_for_members(world, client_for):
    review = review_of_salford(world)
    page = text(client_for(world.bolton_member).get(url("scope", review.pk)))
    assert 'type="checkbox"' not in page
    assert "Agreed areas of focus" in page
    assert "Confirm the areas of focus" not in page
    refused = client_for(world.bolton_member).post(url("scope", review.pk), {})
    assert refused.status_code == 403
    assert "Only a lead or business manager of either partnership can change the scope." in text(
        refused
    )


def test_scope_save_a_subset_and_a_local_area(world, client_for):
    review = review_of_salford(world)
    first, second = list(review.handbook_version.areas.all())[:2]
    client = client_for(world.salford_manager)
    response = client.post(
        url("scope", review.pk),
        {
            "handbook_areas": [first.pk, second.pk],
            "local_areas-0-title": "Neglect",
            "local_areas-0-key_question": "How well do partners recognise neglect?",
            "local_areas-1-title": "",
            "local_areas-1-key_question": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == url("scope", review.pk)
    assert [a.title for a in review.areas.all()] == [first.title, second.title, "Neglect"]
    page = text(client.get(url("scope", review.pk)))
    assert "The areas of focus have been saved." in page
    assert 'value="Neglect"' in page
    # One filled local row, and three blank ones to add more.
    assert 'name="local_areas-3-title"' in page and 'name="local_areas-4-title"' not in page


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Select at least one area of focus"]),
        ({"handbook_areas": ["999999"]}, ["Select areas of focus from the handbook list"]),
        (
            {"local_areas-1-key_question": "Is it working?"},
            ["Enter a title for the local area of focus"],
        ),
        ({"local_areas-0-title": "Neglect"}, ["Enter the key question"]),
        (
            {
                "local_areas-0-title": "Neglect",
                "local_areas-0-key_question": "One?",
                "local_areas-1-title": "neglect",
                "local_areas-1-key_question": "Two?",
            },
            ["Each area of focus needs a different title"],
        ),
    ],
)
def test_scope_validation_writes_nothing(world, client_for, data, messages):
    review = review_of_salford(world)
    services.scope_confirm(actor=actor_for(world.salford_lead), review_id=review.pk)
    before = list(ReviewArea.objects.filter(review=review).values_list("id", "title"))
    response = client_for(world.salford_manager).post(url("scope", review.pk), data)
    assert response.status_code == 400
    assert "<title>Error: Areas of focus" in text(response)
    assert error_summary(response) == messages
    assert list(ReviewArea.objects.filter(review=review).values_list("id", "title")) == before
    review.refresh_from_db()
    assert review.scope_confirmed_by_reviewed_at is not None


def test_scope_field_errors_sit_on_their_row(world, client_for):
    review = review_of_salford(world)
    response = client_for(world.bolton_lead).post(
        url("scope", review.pk), {"local_areas-1-key_question": "Is it working?"}
    )
    page = text(response)
    assert '<a href="#local_areas-1-title">Enter a title for the local area of focus</a>' in page
    assert 'id="local_areas-1-title-error"' in page
    assert "Is it working?" in page  # what was typed is kept


def test_scope_confirmed_by_both_sides(world, client_for):
    review = review_of_salford(world)
    salford, bolton = client_for(world.salford_manager), client_for(world.bolton_lead)
    response = salford.post(url("scope-confirm", review.pk))
    assert response.status_code == 302
    words = squash(salford.get(url("scope", review.pk)))
    assert f"Salford SCP (reviewed) Confirmed on {long_date(timezone.localdate())}" in words
    assert "Bolton SCP (reviewing) Not confirmed yet" in words
    assert "Confirm the areas of focus for Salford SCP" not in words
    bolton.post(url("scope-confirm", review.pk))
    review.refresh_from_db()
    assert review.scope_agreed
    overview = squash(bolton.get(url("detail", review.pk)))
    assert "Agree the areas of focus 10 areas of focus agreed Completed" in overview


def test_scope_confirm_needs_an_area_and_an_open_scope(world, client_for):
    review = review_in_fieldwork(world)
    response = client_for(world.salford_lead).post(url("scope-confirm", review.pk))
    assert response.status_code == 409
    assert error_summary(response) == ["The scope is fixed once fieldwork has started."]
    changed = client_for(world.salford_lead).post(url("scope", review.pk), {"handbook_areas": []})
    assert changed.status_code == 409
    assert error_summary(changed) == ["The scope is fixed once fieldwork has started."]
    assert ReviewArea.objects.filter(review=review).count() == 10


def test_scope_confirm_is_refused_to_members(world, client_for):
    review = review_of_salford(world)
    response = client_for(world.salford_member).post(url("scope-confirm", review.pk))
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.scope_confirmed_by_reviewed_at is None


# --- team and access ------------------------------------------------------------------------


def test_team_page_shows_members_declarations_conflicts_and_access(world, client_for):
    review = review_in_fieldwork(world)
    world.bolton_member.employer = world.police
    world.bolton_member.save()
    officer = add_member(world, review, world.bolton_member, declare=False)
    response = client_for(world.salford_member).get(url("team", review.pk))
    words = squash(response)
    assert "Manager Role Lead reviewer" in words and "Member Role Reviewer" in words
    assert "Role Lead reviewer" in words and "Role Reviewer" in words
    assert "Employer Test Police" in words
    assert (
        "Conflict of interest: employed by Test Police, a statutory partner of Salford SCP."
        in words
    )
    assert "No mitigation recorded yet." in words
    assert "Declaration of interests Not declared yet" in words
    assert "No interests declared" in words
    # The lead reviewer's window opens with fieldwork, 30 days away.
    fieldwork = review.phases.get(kind=Phase.Kind.FIELDWORK)
    opens = start_of_day(fieldwork.starts_on)
    assert "Access Not yet open" in words
    assert f"From {date_time(opens)} to" in words
    assert date_time(opens).startswith("midnight at the start of ")
    assert "No access until a mitigation is recorded." in words
    # Members of the reviewed partnership see, and change nothing.
    page = text(response)
    assert url("team-add", review.pk) not in page
    assert url("team-remove", review.pk, officer.pk) not in page
    assert url("team-access", review.pk, officer.pk) not in page


def test_team_actions_by_role(world, client_for):
    review = review_in_fieldwork(world)
    world.bolton_member.employer = world.police
    world.bolton_member.save()
    officer = add_member(world, review, world.bolton_member, declare=False)
    bolton = text(client_for(world.bolton_lead).get(url("team", review.pk)))
    assert url("team-add", review.pk) in bolton
    assert url("team-remove", review.pk, officer.pk) in bolton
    assert url("team-mitigate", review.pk, officer.pk) in bolton
    assert url("team-access", review.pk, officer.pk) not in bolton
    salford = text(client_for(world.salford_lead).get(url("team", review.pk)))
    assert url("team-access", review.pk, officer.pk) in salford
    assert url("team-mitigate", review.pk, officer.pk) not in salford
    own = text(client_for(world.bolton_member).get(url("team", review.pk)))
    assert url("team-declare", review.pk, officer.pk) in own
    assert "Declare your interests" in own


def test_add_member_flags_a_conflict(world, client_for):
    review = review_of_salford(world)
    world.bolton_member.employer = world.police
    world.bolton_member.save()
    client = client_for(world.bolton_lead)
    form = text(client.get(url("team-add", review.pk)))
    assert f'<option value="{world.bolton_member.pk}">' in form
    assert f'<option value="{world.adviser.pk}">' in form
    assert f'<option value="{world.salford_member.pk}">' not in form
    response = client.post(
        url("team-add", review.pk), {"user": world.bolton_member.pk, "team_role": "reviewer"}
    )
    assert response.status_code == 302 and response["Location"] == url("team", review.pk)
    member = TeamMember.objects.get(review=review, user=world.bolton_member)
    assert member.conflicting_organisation == world.police
    page = squash(client.get(url("team", review.pk)))
    assert "Member has been added to the team. They are employed by Test Police" in page


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Select a person to add", "Select a role in the team"]),
        ({"user": "{bolton_member}", "team_role": "boss"}, ["Select a role in the team"]),
        ({"user": "nobody", "team_role": "reviewer"}, ["Select a person to add"]),
        (
            {"user": "{wigan_member}", "team_role": "reviewer"},
            ["Only members of Bolton SCP and independent advisers can join its review team"],
        ),
        (
            {"user": "{salford_member}", "team_role": "reviewer"},
            ["Only members of Bolton SCP and independent advisers can join its review team"],
        ),
        ({"user": "{bolton_manager}", "team_role": "reviewer"}, ["Manager is already in the team"]),
    ],
)
def test_add_member_validation_writes_nothing(world, client_for, data, messages):
    review = review_of_salford(world)
    add_member(world, review, world.bolton_manager, "lead_reviewer")
    _, wigan_member = wigan(world)
    ids = {
        "bolton_member": world.bolton_member.pk,
        "salford_member": world.salford_member.pk,
        "bolton_manager": world.bolton_manager.pk,
        "wigan_member": wigan_member.pk,
    }
    data = {key: value.format(**ids) for key, value in data.items()}
    before = TeamMember.objects.count()
    response = client_for(world.bolton_lead).post(url("team-add", review.pk), data)
    assert response.status_code == 400
    assert "<title>Error: Add a team member" in text(response)
    assert error_summary(response) == messages
    assert TeamMember.objects.count() == before


def test_only_the_reviewing_lead_manages_the_team(world, client_for):
    review = review_of_salford(world)
    for user in (world.salford_lead, world.bolton_manager, world.bolton_member):
        response = client_for(user).get(url("team-add", review.pk))
        assert response.status_code == 403
        assert "Only a lead of Bolton SCP can change its review team." in text(response)
    refused = client_for(world.salford_lead).post(
        url("team-add", review.pk), {"user": world.salford_member.pk, "team_role": "reviewer"}
    )
    assert refused.status_code == 403
    assert TeamMember.objects.count() == 0


def test_declare_interests(world, client_for):
    review = review_of_salford(world)
    member = add_member(world, review, world.bolton_member, declare=False)
    client = client_for(world.bolton_member)
    page = url("team-declare", review.pk, member.pk)
    assert client.get(page).status_code == 200

    blank = client.post(page, {})
    assert blank.status_code == 400
    assert error_summary(blank) == ["Select yes if you have an interest to declare"]
    no_details = client.post(page, {"has_interest": "yes", "details": "  "})
    assert error_summary(no_details) == ["Describe the interest you are declaring"]
    assert "govuk-radios__conditional" not in text(no_details)
    member.refresh_from_db()
    assert member.declared_at is None

    done = client.post(page, {"has_interest": "yes", "details": "My sister works at Salford."})
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.declared_interest == "My sister works at Salford."
    words = squash(client.get(url("team", review.pk)))
    assert "Your declaration of interests has been saved." in words
    assert "My sister works at Salford." in words


def test_only_the_member_declares(world, client_for):
    review = review_of_salford(world)
    member = add_member(world, review, world.bolton_member, declare=False)
    for user in (world.bolton_lead, world.salford_lead):
        response = client_for(user).post(
            url("team-declare", review.pk, member.pk), {"has_interest": "no"}
        )
        assert response.status_code == 403
        assert "Only the team member can make their own declaration." in text(response)
    member.refresh_from_db()
    assert member.declared_at is None


def test_record_a_mitigation(world, client_for):
    review = review_of_salford(world)
    world.bolton_member.employer = world.police
    world.bolton_member.save()
    member = add_member(world, review, world.bolton_member)
    client = client_for(world.bolton_lead)
    page = url("team-mitigate", review.pk, member.pk)
    form = squash(client.get(page))
    assert (
        "Conflict of interest: employed by Test Police, a statutory partner of Salford SCP." in form
    )

    blank = client.post(page, {"mitigation": " "})
    assert blank.status_code == 400
    assert error_summary(blank) == ["Describe how the conflict is mitigated"]
    member.refresh_from_db()
    assert member.mitigated_at is None

    done = client.post(page, {"mitigation": "Will not review police case files."})
    assert done.status_code == 302
    words = squash(client.get(url("team", review.pk)))
    assert "Mitigation recorded on" in words and "Will not review police case files." in words
    # Only the reviewing lead; and only for a flagged conflict.
    assert client_for(world.salford_lead).post(page, {"mitigation": "x"}).status_code == 403
    clean = add_member(world, review, world.adviser, "independent_adviser")
    assert client.get(url("team-mitigate", review.pk, clean.pk)).status_code == 404


def test_remove_a_member_after_confirming(world, client_for):
    review = review_in_fieldwork(world)
    member = add_member(world, review, world.bolton_member)
    client = client_for(world.bolton_lead)
    page = url("team-remove", review.pk, member.pk)
    confirm = client.get(page)
    assert "Are you sure you want to remove Member from the team?" in text(confirm)
    member.refresh_from_db()
    assert member.status == "active"
    done = client.post(page)
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.status == "removed"
    words = squash(client.get(url("team", review.pk)))
    assert "Removed from the team" in words and "Member, reviewer, removed on" in words
    assert client.get(page).status_code == 404  # no longer an active member
    assert member.access_window is None  # their access ended with the removal


def test_the_team_is_frozen_once_published(world, client_for):
    review = review_in_fieldwork(world)
    member = add_member(world, review, world.bolton_member)
    bolton = actor_for(world.bolton_lead)
    for status in ("moderation", "reporting", "published"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status=status)
    response = client_for(world.bolton_lead).post(url("team-remove", review.pk, member.pk))
    assert response.status_code == 409
    assert error_summary(response) == ["The team cannot change once the review is published."]
    member.refresh_from_db()
    assert member.status == "active"


def test_set_an_access_window(world, client_for):
    review = review_in_fieldwork(world)
    member = review.team.get()
    client = client_for(world.salford_lead)
    page = url("team-access", review.pk, member.pk)
    assert "By default, team members have access from midnight at the start of" in squash(
        client.get(page)
    )
    opens = timezone.localdate() + timedelta(days=40)
    done = client.post(
        page,
        {
            **date_fields("opens_at", opens),
            "opens_at_time": "9:30am",
            **date_fields("closes_at", opens + timedelta(days=10)),
            "closes_at_time": "",
        },
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.access_opens_at == datetime.combine(
        opens, datetime.min.time().replace(hour=9, minute=30), tzinfo=LONDON
    )
    assert member.access_closes_at is not None
    assert member.access_closes_at.astimezone(LONDON).time().isoformat() == "23:59:59"
    words = squash(client.get(url("team", review.pk)))
    assert (
        f"From {date_time(member.access_opens_at)} to {date_time(member.access_closes_at)}" in words
    )
    assert "(changed by Salford SCP)" in words

    # Both blank: the default again.
    client.post(page, {})
    member.refresh_from_db()
    assert member.access_opens_at is None and member.access_closes_at is None


def test_a_window_set_before_fieldwork_says_when_it_applies(world, client_for):
    """Issue 11: after opening a member's access from today during mobilisation, the
    team page still said "Access starts with fieldwork", as if nothing had happened."""
    review = review_of_salford(world)
    services.review_transition(
        actor=actor_for(world.bolton_lead), review_id=review.pk, to_status="mobilisation"
    )
    member = add_member(world, review, world.bolton_member)
    client = client_for(world.salford_lead)
    form = squash(client.get(url("team-access", review.pk, member.pk)))
    assert "the window you set applies once it moves to fieldwork" in form
    today = timezone.localdate()
    done = client.post(
        url("team-access", review.pk, member.pk),
        {**date_fields("opens_at", today), **date_fields("closes_at", today + timedelta(days=9))},
    )
    assert done.status_code == 302
    member.refresh_from_db()
    opens, closes = member.access_opens_at, member.access_closes_at
    assert opens is not None and closes is not None
    words = squash(client.get(url("team", review.pk)))
    assert (
        f"Salford SCP has set their access from {date_time(opens)} to "
        f"{date_time(closes)}. It applies once the review moves to fieldwork: "
        "the review is at mobilisation now." in words
    )


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {"opens": 40, "closes": 39},
            ["The access window must end after it starts"],
        ),
        (
            {"opens": 40, "closes": 40, "opens_at_time": "5pm", "closes_at_time": "9am"},
            ["The access window must end after it starts"],
        ),
        (
            {"opens": 40},
            ["Enter both the start and the end of the access window, or neither"],
        ),
        (
            {"opens": 40, "closes": 45, "opens_at_time": "25:00"},
            ["Enter a time like 9:30am or 14:30"],
        ),
        (
            {"closes_at_time": "5pm"},
            ["Enter the date access closes"],
        ),
        (
            {"opens_at-day": "31", "opens_at-month": "2", "opens_at-year": "2027", "closes": 45},
            ["The date access opens must be a real date"],
        ),
    ],
)
def test_access_window_validation_writes_nothing(world, client_for, data, messages):
    review = review_in_fieldwork(world)
    member = review.team.get()
    today = timezone.localdate()
    post = {k: v for k, v in data.items() if k not in ("opens", "closes")}
    if "opens" in data:
        post.update(date_fields("opens_at", today + timedelta(days=data["opens"])))
    if "closes" in data:
        post.update(date_fields("closes_at", today + timedelta(days=data["closes"])))
    response = client_for(world.salford_lead).post(url("team-access", review.pk, member.pk), post)
    assert response.status_code == 400
    assert error_summary(response) == messages
    member.refresh_from_db()
    assert member.access_opens_at is None and member.access_closes_at is None


def test_only_the_reviewed_lead_sets_access(world, client_for):
    review = review_in_fieldwork(world)
    member = review.team.get()
    for user in (world.bolton_lead, world.salford_manager, world.bolton_manager):
        response = client_for(user).get(url("team-access", review.pk, member.pk))
        assert response.status_code == 403
        assert "Only a lead of Salford SCP can change reviewers' access." in text(response)


# --- timeline -------------------------------------------------------------------------------


def test_timeline_shows_original_and_new_dates_and_the_history(world, client_for):
    review = review_of_salford(world)
    fieldwork = review.phases.get(kind=Phase.Kind.FIELDWORK)
    original = (fieldwork.starts_on, fieldwork.ends_on)
    services.phases_reschedule(
        actor=actor_for(world.salford_lead),
        review_id=review.pk,
        new_dates={"fieldwork": (original[0], original[1] - timedelta(days=3))},
        reason="Covid-19 pandemic",
    )
    words = squash(client_for(world.bolton_member).get(url("timeline", review.pk)))
    assert "Original dates and new dates" in words
    assert (
        f"Undertake review {long_date(original[0])} to {long_date(original[1])} "
        f"{long_date(original[0])} to {long_date(original[1] - timedelta(days=3))}"
    ) in words
    assert "Mobilisation" in words and "Not changed" in words
    assert "Covid-19 pandemic" in words
    assert "Change the dates" not in words  # members do not reschedule


def test_reschedule(world, client_for):
    review = review_of_salford(world)
    assert "Change the dates" in text(client_for(world.bolton_lead).get(url("timeline", review.pk)))
    # Moving report back later extends the team's access: the reviewed side's lead does it.
    client = client_for(world.salford_lead)
    phases = {p.kind: p for p in review.phases.all()}
    later = timedelta(days=140)
    moves = {
        kind: (phases[kind].starts_on + later, phases[kind].ends_on + later)
        for kind in ("fieldwork", "moderation", "report_back")
    }
    response = client.post(
        url("timeline", review.pk), reschedule_data(review, "Covid-19 pandemic", **moves)
    )
    assert response.status_code == 302 and response["Location"] == url("timeline", review.pk)
    assert PhaseChange.objects.filter(phase__review=review).count() == 3
    page = squash(client.get(url("timeline", review.pk)))
    assert "The new dates have been saved." in page
    assert len(re.findall(r"\d{4} Covid-19 pandemic", page)) == 3


@pytest.mark.parametrize(
    ("case", "reason", "field", "messages"),
    [
        (
            "end before start",
            "Delay",
            "fieldwork",
            ["Undertake review must end on or after the day it starts"],
        ),
        (
            "overlap",
            "Delay",
            "moderation",
            ["Moderation must start after undertake review ends"],
        ),
        ("shorter", "", "reason", ["Enter the reason for the new dates"]),
        ("nothing", "Nothing", None, ["Change at least one date"]),
    ],
)
def test_reschedule_validation_writes_nothing(world, client_for, case, reason, field, messages):
    review = review_of_salford(world)
    fieldwork = review.phases.get(kind="fieldwork")
    moderation = review.phases.get(kind="moderation")
    day = timedelta(days=1)
    moves = {
        "end before start": {"fieldwork": (fieldwork.starts_on, fieldwork.starts_on - day)},
        # Moderation starting on fieldwork's last day.
        "overlap": {"moderation": (fieldwork.ends_on, moderation.ends_on)},
        "shorter": {"fieldwork": (fieldwork.starts_on, fieldwork.ends_on - day)},
        "nothing": {},
    }[case]
    before = phase_dates(review)
    response = client_for(world.salford_lead).post(
        url("timeline", review.pk), reschedule_data(review, reason, **moves)
    )
    assert response.status_code == 400
    assert "<title>Error: Timeline" in text(response)
    assert error_summary(response) == messages
    if field:
        assert f'id="{field}-error"' in text(response)
    assert phase_dates(review) == before
    assert PhaseChange.objects.count() == 0


def test_reschedule_with_a_date_that_is_not_real(world, client_for):
    review = review_of_salford(world)
    data = reschedule_data(review)
    data.update({"fieldwork-starts-day": "31", "fieldwork-starts-month": "2"})
    data.update(
        {"moderation-ends-day": "", "moderation-ends-month": "", "moderation-ends-year": ""}
    )
    response = client_for(world.bolton_lead).post(url("timeline", review.pk), data)
    assert response.status_code == 400
    assert error_summary(response) == [
        "The date fieldwork starts must be a real date",
        "Enter the date moderation ends",
    ]
    page = text(response)
    assert 'id="fieldwork-starts-day" name="fieldwork-starts-day"' in page
    assert 'govuk-input--error" id="fieldwork-starts-day"' in page
    assert PhaseChange.objects.count() == 0


def test_reschedule_is_refused_to_members(world, client_for):
    review = review_of_salford(world)
    refused = client_for(world.salford_manager).post(
        url("timeline", review.pk), reschedule_data(review)
    )
    assert refused.status_code == 403
    assert "Only a lead of either partnership can reschedule." in text(refused)
    assert PhaseChange.objects.count() == 0


def test_a_closed_review_cannot_be_rescheduled(world, client_for):
    review = review_in_fieldwork(world)
    for status, user in (
        ("moderation", world.bolton_lead),
        ("reporting", world.bolton_lead),
        ("published", world.bolton_lead),
        ("closed", world.salford_lead),
    ):
        services.review_transition(actor=actor_for(user), review_id=review.pk, to_status=status)
    client = client_for(world.salford_lead)
    page = text(client.get(url("timeline", review.pk)))
    assert "Change the dates" not in page
    assert "The review is closed: its dates can no longer change." in page
    fieldwork = review.phases.get(kind="fieldwork")
    moves = {"fieldwork": (fieldwork.starts_on, fieldwork.ends_on - timedelta(days=1))}
    response = client.post(url("timeline", review.pk), reschedule_data(review, "Late", **moves))
    assert response.status_code == 409
    assert error_summary(response) == ["A closed review cannot be rescheduled."]
    assert PhaseChange.objects.count() == 0


def test_calendar_download(world, client_for):
    review = review_of_salford(world)
    response = client_for(world.salford_member).get(url("calendar", review.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="review-{review.pk}.ics"'
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.count("BEGIN:VEVENT") == 4
    assert url("calendar", review.pk) in text(
        client_for(world.salford_member).get(url("timeline", review.pk))
    )


# --- the whole journey ----------------------------------------------------------------------


def test_the_journey_through_the_pages(world, client_for):
    """Agree scope (both sides), build the team with a flagged conflict and its
    mitigation, declare, start fieldwork, reschedule, and on to closed."""
    world.bolton_member.employer = world.police
    world.bolton_member.save()
    review = review_of_salford(world)
    bolton, salford = client_for(world.bolton_lead), client_for(world.salford_lead)
    officer_client, manager_client = (
        client_for(world.bolton_member),
        client_for(world.bolton_manager),
    )

    assert move(bolton, review, "mobilisation").status_code == 302

    # Scope: narrow to three of the handbook's areas plus a local one; both confirm.
    areas = list(review.handbook_version.areas.all())[:3]
    saved = salford.post(
        url("scope", review.pk),
        {
            "handbook_areas": [a.pk for a in areas],
            "local_areas-0-title": "Covid-19 recovery",
            "local_areas-0-key_question": "How did the partnership adapt during the pandemic?",
        },
    )
    assert saved.status_code == 302
    assert salford.post(url("scope-confirm", review.pk)).status_code == 302
    assert bolton.post(url("scope-confirm", review.pk)).status_code == 302

    # Team: a lead reviewer, and a police officer who is flagged.
    for user, role in ((world.bolton_manager, "lead_reviewer"), (world.bolton_member, "reviewer")):
        added = bolton.post(url("team-add", review.pk), {"user": user.pk, "team_role": role})
        assert added.status_code == 302
    officer = TeamMember.objects.get(review=review, user=world.bolton_member)
    lead_reviewer = TeamMember.objects.get(review=review, user=world.bolton_manager)
    assert officer.conflicting_organisation == world.police

    # Not ready: nobody has declared.
    blocked = move(bolton, review, "fieldwork")
    assert blocked.status_code == 409
    assert error_summary(blocked) == [
        "Every team member must declare their interests before fieldwork starts."
    ]
    for client, member in ((officer_client, officer), (manager_client, lead_reviewer)):
        declared = client.post(url("team-declare", review.pk, member.pk), {"has_interest": "no"})
        assert declared.status_code == 302
    blocked = move(bolton, review, "fieldwork")
    assert error_summary(blocked) == [
        "Record a mitigation for every flagged conflict of interest before fieldwork starts."
    ]
    mitigated = bolton.post(
        url("team-mitigate", review.pk, officer.pk),
        {"mitigation": "Does not review police evidence about cases they worked on."},
    )
    assert mitigated.status_code == 302

    overview = squash(bolton.get(url("detail", review.pk)))
    assert "Agree the areas of focus 4 areas of focus agreed Completed" in overview
    assert "Build the team 2 members Completed" in overview
    assert "Declarations of interest 2 of 2 declared Completed" in overview
    assert "Start fieldwork" in overview

    assert move(bolton, review, "fieldwork").status_code == 302

    # Reschedule fieldwork and what follows by a week.
    review.refresh_from_db()
    phases = {p.kind: p for p in review.phases.all()}
    week = timedelta(days=7)
    moves = {
        kind: (phases[kind].starts_on + week, phases[kind].ends_on + week)
        for kind in ("fieldwork", "moderation", "report_back")
    }
    rescheduled = salford.post(
        url("timeline", review.pk), reschedule_data(review, "Covid-19 pandemic", **moves)
    )
    assert rescheduled.status_code == 302
    assert PhaseChange.objects.filter(phase__review=review, reason="Covid-19 pandemic").count() == 3

    for status in ("moderation", "reporting", "published"):
        assert move(bolton, review, status).status_code == 302
    # Only the reviewed partnership's lead closes it.
    assert move(bolton, review, "closed").status_code == 403
    assert move(salford, review, "closed").status_code == 302
    review.refresh_from_db()
    assert review.status == "closed"
    words = squash(salford.get(url("detail", review.pk)))
    assert "Status Closed" in words and "This review is closed." in words
    assert "Report back" in words and "Cannot start yet" not in words
    # Reviewers lose access to evidence: no open windows on the team page.
    team = squash(salford.get(url("team", review.pk)))
    assert "Open" not in re.findall(r"Access (Open|Not yet open|Closed|No access)", team)
