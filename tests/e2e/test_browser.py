"""The service in a real browser (issue 2 item 18, issue 3): signing in and out through
the forms, axe on every page, the keyboard alone, and the whole reciprocal review
journey as its people would walk it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from core.dates import long_date
from demo.partnerships import DEMO_PASSWORD
from handbooks.models import HandbookVersion
from handbooks.reference import REFERENCE_TITLE
from reviews import services
from reviews.models import Exchange, Review, TeamMember
from tenancy.access import actor_for
from tenancy.models import Membership, Organisation, Partnership, Role
from tests.e2e.conftest import (
    Browsing,
    axe_check,
    describe_violations,
    focus_is_visible,
    focused_style,
    sign_in,
)
from web import views as web_views

pytestmark = pytest.mark.browser

SALFORD = "Salford Safeguarding Children Partnership"
BOLTON = "Bolton Safeguarding Children Partnership"
WIGAN = "Wigan Safeguarding Children Partnership"
TRAFFORD = "Trafford Safeguarding Children Partnership"
HANDBOOK = f"{REFERENCE_TITLE}, version 1"
MIN_PAGES = 20


def assert_accessible(page: Page, name: str) -> None:
    violations = axe_check(page)
    assert not violations, describe_violations(name, page.url, violations)


def fill_date(group: Locator, day: date) -> None:
    """A GOV.UK date input (a fieldset of Day, Month and Year boxes)."""
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def read_date(group: Locator) -> date:
    parts = [group.get_by_label(name).input_value() for name in ("Year", "Month", "Day")]
    year, month, day = (int(part) for part in parts)
    return date(year, month, day)


def expect_error_summary(page: Page, *messages: str) -> None:
    """The GOV.UK error summary, focused on arrival, listing these messages."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    for message in messages:
        expect(summary.get_by_role("link", name=message)).to_be_visible()


def served(page: Page, path: str, response: HttpResponse) -> str:
    """Let the browser receive `response` at `path` on the live server; the path."""
    page.route(
        f"**{path}",
        lambda route: route.fulfill(
            status=response.status_code,
            content_type=response["Content-Type"],
            body=response.content,
        ),
    )
    return path


def open_review(page: Page, name: str) -> None:
    """From any page: the Reviews link in the service navigation, then the review's link."""
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Review of "))).to_be_visible()


def move_review(page: Page, action: str) -> None:
    """Press a move on the overview, then confirm it on the page that asks."""
    page.get_by_role("button", name=action).click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Are you sure"))).to_be_visible()
    page.get_by_role("button", name=action).click()


# --- 1. signing in and out ----------------------------------------------------------------


def test_a_lead_signs_in_sees_their_home_and_signs_out(demo_world: None, page: Page) -> None:
    # Given the demo data, when Salford's lead signs in through the form
    sign_in(page, "lead@salford.demo", DEMO_PASSWORD)

    # then their home page lists their partnership with their role, and their reviews
    partnerships = page.get_by_role(
        "table", name="Partnerships you belong to and your role in each"
    )
    expect(partnerships.get_by_role("row", name=f"{SALFORD} Partnership lead")).to_be_visible()
    reviews = page.get_by_role(
        "table", name="Reviews you take part in, their status and next deadline"
    )
    expect(reviews.get_by_role("link", name=f"Review of {SALFORD} by {BOLTON}")).to_be_visible()
    expect(reviews.get_by_role("link", name=f"Review of {BOLTON} by {SALFORD}")).to_be_visible()
    expect(page.get_by_text("lead@salford.demo")).to_be_visible()

    # when they sign out
    page.get_by_role("button", name="Sign out").click()

    # then they are back at the sign-in form, told so, and home needs signing in again
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    expect(page.get_by_text("You have been signed out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url("/sign-in/?next=/")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


# --- 2. axe on every page -----------------------------------------------------------------


@dataclass
class PageAudit:
    """Runs axe on each page visited and keeps every result for one report at the end."""

    results: list[tuple[str, str, list[dict[str, Any]]]] = field(default_factory=list)

    def check(self, page: Page, name: str) -> None:
        self.results.append((name, page.url, axe_check(page)))

    def visit(self, page: Page, name: str, path: str, status: int = 200) -> None:
        response = page.goto(path)
        answered = response.status if response else None
        assert answered == status, f"{name}: {path} answered {answered}, not {status}"
        self.check(page, name)

    def failures(self) -> str:
        return "\n\n".join(
            describe_violations(name, url, violations)
            for name, url, violations in self.results
            if violations
        )


@dataclass
class PagesWorld:
    """A review at mobilisation with a flagged team member, and an open invitation."""

    review: Review
    historic: Review
    officer: TeamMember
    lead_reviewer: TeamMember
    invitation: Exchange


def pages_world() -> PagesWorld:
    """On top of the demo data: Bolton and Salford agree a second exchange, Bolton's lead
    builds the team for the review of Salford (its detective inspector, employed by the
    police force that serves Salford too, is flagged), and Bolton invites Salford again."""
    bolton_lead = actor_for(User.objects.get(email="lead@bolton.demo"))
    salford_lead = actor_for(User.objects.get(email="lead@salford.demo"))
    version = HandbookVersion.objects.get(handbook__title=REFERENCE_TITLE, number=1)
    start = timezone.localdate() + timedelta(days=30)

    def propose() -> Exchange:
        return services.exchange_propose(
            actor=bolton_lead,
            partnership_slug="bolton",
            partner_slugs=["salford"],
            handbook_version_id=version.pk,
            fieldwork_starts_on=start,
            fieldwork_ends_on=start + timedelta(days=45),
            message="Shall we do it again?",
        )

    agreed = propose()
    services.exchange_answer(
        actor=salford_lead, exchange_id=agreed.pk, partnership_slug="salford", accept=True
    )
    review = Review.objects.get(exchange=agreed, reviewed_partnership__slug="salford")
    services.review_transition(actor=bolton_lead, review_id=review.pk, to_status="mobilisation")
    members = [
        services.team_member_add(
            actor=bolton_lead,
            review_id=review.pk,
            user_id=User.objects.get(email=email).pk,
            team_role=role,
        )
        for email, role in (
            ("manager@bolton.demo", "lead_reviewer"),
            ("member@bolton.demo", "reviewer"),
        )
    ]
    historic = Review.objects.get(
        exchange__fieldwork_starts_on=date(2020, 3, 16), reviewed_partnership__slug="salford"
    )
    return PagesWorld(
        review=review,
        historic=historic,
        lead_reviewer=members[0],
        officer=members[1],
        invitation=propose(),
    )


def test_axe_finds_no_violations_on_any_page(demo_world: None, browsing: Browsing) -> None:
    # Given the demo data, a review at mobilisation and an invitation to answer
    world = pages_world()
    review, officer = world.review, world.officer
    audit = PageAudit()

    # When each page is opened (and some forms are sent wrong), axe checks it.
    # Signed out: sign in (and its errors), the accessibility statement, a 404, lockout.
    anon = browsing.new_page()
    audit.visit(anon, "sign in", "/sign-in/")
    anon.get_by_role("button", name="Sign in").click()
    expect_error_summary(anon, "Enter your email address", "Enter your password")
    expect(anon).to_have_title(re.compile(r"^Error: Sign in"))
    audit.check(anon, "sign in, with errors")
    audit.visit(anon, "accessibility statement, signed out", "/accessibility/")
    audit.visit(anon, "404, signed out", "/no-such-page/", status=404)
    for _ in range(5):
        anon.goto("/sign-in/")
        anon.get_by_label("Email address").fill("nobody@nowhere.demo")
        anon.get_by_label("Password").fill("not-the-password")
        anon.get_by_role("button", name="Sign in").click()
    expect(anon.get_by_role("heading", level=1, name="Your account is locked")).to_be_visible()
    audit.check(anon, "locked out")
    # The 500 and 400 pages have no route that fails on purpose: the browser is given
    # what the handlers render, at an address on the live server (so its CSS loads).
    for status, handler in ((500, web_views.server_error), (400, web_views.bad_request)):
        rendered = handler(RequestFactory().get("/"))
        assert rendered.status_code == status
        audit.visit(anon, f"{status} page", served(anon, f"/error-{status}/", rendered), status)

    # Salford's lead: home, statement, errors, handbooks, exchanges, the review, tokens.
    salford = browsing.new_page()
    sign_in(salford, "lead@salford.demo", DEMO_PASSWORD)
    expect(salford.get_by_role("link", name="Answer the invitation")).to_be_visible()
    audit.check(salford, "home (your reviews), with an invitation")
    audit.visit(salford, "accessibility statement, signed in", "/accessibility/")
    audit.visit(salford, "404, signed in", "/reviews/999999/", status=404)
    audit.visit(salford, "403 with the reason", f"/reviews/{review.pk}/team/add/", status=403)
    expect(salford.get_by_text("signed in as lead@salford.demo")).to_be_visible()

    salford.get_by_role("link", name="Handbooks", exact=True).click()
    audit.check(salford, "handbooks")
    salford.get_by_role("link", name=REFERENCE_TITLE, exact=True).click()
    audit.check(salford, "handbook")
    salford.get_by_role("link", name="Version 1", exact=True).click()
    audit.check(salford, "handbook version")
    salford.get_by_role("link", name="Copy into your partnership").click()
    audit.check(salford, "copy a handbook")
    salford.get_by_role("button", name="Copy the handbook").click()
    expect(salford.get_by_text("is a private draft of")).to_be_visible()
    audit.check(salford, "draft version (after copying)")
    draft = salford.url
    for link, name in (
        ("Add an objective", "add an objective"),
        ("Add an area of focus", "add an area of focus"),
        ("Change Impact of the new arrangements", "change an area of focus"),
        ("Add a line of enquiry to Impact of the new arrangements", "add a line of enquiry"),
        ("Add a baseline reference", "add a baseline reference"),
        ("Publish this version", "publish: check your answers"),
    ):
        salford.goto(draft)
        salford.get_by_role("link", name=link).click()
        audit.check(salford, name)
    salford.goto(draft)
    salford.get_by_role("link", name="Add an area of focus").click()
    salford.get_by_role("button", name=re.compile("^(Save|Add)")).click()
    expect(salford.locator(".govuk-error-summary")).to_be_visible()
    audit.check(salford, "add an area of focus, with errors")
    salford.goto(draft)
    salford.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=re.compile(r"copy\)$")
    ).click()
    audit.check(salford, "copied handbook")
    salford.get_by_role("link", name="See what changed between versions").click()
    audit.check(salford, "compare versions")

    salford.goto("/exchanges/")
    expect(salford.get_by_text("You have 1 invitation to answer")).to_be_visible()
    audit.check(salford, "exchanges, with an invitation")
    salford.get_by_role("link", name=re.compile(f"^{BOLTON} invites {SALFORD}")).click()
    audit.check(salford, "answer an invitation")
    salford.get_by_role("button", name="Send your answer").click()
    expect_error_summary(salford, "Select whether you accept or decline the invitation")
    audit.check(salford, "answer an invitation, with errors")
    audit.visit(salford, "agreed exchange", f"/exchanges/{review.exchange_id}/")
    salford.goto("/exchanges/new/")
    audit.check(salford, "arrange a reciprocal review")
    salford.get_by_role("button", name="Continue").click()
    expect_error_summary(salford, "Select the partnership you want to exchange reviews with")
    audit.check(salford, "arrange a reciprocal review, with errors")
    start = timezone.localdate() + timedelta(days=60)
    salford.get_by_label("Which partnership do you want to exchange reviews with?").select_option(
        label="Bury Safeguarding Children Partnership"
    )
    salford.get_by_label("Which handbook will the reviews use?").select_option(label=HANDBOOK)
    fill_date(salford.get_by_role("group", name="When does fieldwork start?"), start)
    fill_date(salford.get_by_role("group", name="When does fieldwork end?"), start + timedelta(40))
    salford.get_by_role("button", name="Continue").click()
    audit.check(salford, "check your answers before sending")
    salford.get_by_role("button", name="Send the invitation").click()
    expect(salford.get_by_role("heading", level=1, name="Invitation sent")).to_be_visible()
    audit.check(salford, "invitation sent")
    salford.get_by_role("link", name="See the exchange").click()
    audit.check(salford, "proposed exchange")

    audit.visit(salford, "review overview", f"/reviews/{review.pk}/")
    audit.visit(salford, "areas of focus", f"/reviews/{review.pk}/scope/")
    for box in salford.get_by_role("checkbox").all():
        box.uncheck()
    salford.get_by_role("button", name="Save the areas of focus").click()
    expect_error_summary(salford, "Select at least one area of focus")
    audit.check(salford, "areas of focus, with errors")
    audit.visit(salford, "team and access", f"/reviews/{review.pk}/team/")
    salford.get_by_role("link", name=f"Change access for {officer.user}").click()
    audit.check(salford, "change access")
    fill_date(salford.get_by_role("group", name="Access opens on"), start)
    salford.get_by_role("button", name="Save the access window").click()
    expect_error_summary(
        salford, "Enter both the start and the end of the access window, or neither"
    )
    audit.check(salford, "change access, with errors")
    audit.visit(salford, "timeline", f"/reviews/{review.pk}/timeline/")
    salford.get_by_role("button", name="Save the new dates").click()
    expect_error_summary(salford, "Enter the reason for the new dates")
    audit.check(salford, "timeline, with errors")
    historic = world.historic.pk
    audit.visit(salford, "published review overview", f"/reviews/{historic}/")
    audit.visit(salford, "published review scope", f"/reviews/{historic}/scope/")
    audit.visit(salford, "published review team, with a mitigation", f"/reviews/{historic}/team/")
    audit.visit(salford, "rescheduled timeline", f"/reviews/{historic}/timeline/")

    # The API token pages (accounts:tokens must resolve: they are never skipped).
    tokens = reverse("accounts:tokens")
    assert tokens == "/account/tokens/"
    audit.visit(salford, "API tokens, none yet", tokens)
    salford.get_by_role("button", name="Create a token").click()
    audit.check(salford, "create an API token")
    salford.get_by_role("button", name="Create token").click()
    expect_error_summary(salford, "Enter a name for the token")
    audit.check(salford, "create an API token, with errors")
    salford.get_by_label("Name").fill("Monthly report script")
    salford.get_by_label("90 days").check()
    salford.get_by_role("button", name="Create token").click()
    audit.check(salford, "API token created")
    salford.goto(tokens)
    audit.check(salford, "API tokens")
    salford.get_by_role("link", name="Revoke Monthly report script").click()
    audit.check(salford, "revoke an API token")

    # Bolton's lead: add a member (and its errors), mitigate, remove, move, withdraw.
    bolton = browsing.new_page()
    sign_in(bolton, "lead@bolton.demo", DEMO_PASSWORD)
    audit.check(bolton, "home (your reviews)")
    audit.visit(bolton, "add a team member", f"/reviews/{review.pk}/team/add/")
    bolton.get_by_role("button", name="Add to the team").click()
    expect_error_summary(bolton, "Select a person to add", "Select a role in the team")
    audit.check(bolton, "add a team member, with errors")
    bolton.goto(f"/reviews/{review.pk}/team/")
    audit.check(bolton, "team and access, for the reviewing lead")
    bolton.get_by_role("link", name="Record a mitigation").click()
    audit.check(bolton, "record a mitigation")
    bolton.get_by_role("button", name="Record the mitigation").click()
    expect_error_summary(bolton, "Describe how the conflict is mitigated")
    audit.check(bolton, "record a mitigation, with errors")
    bolton.goto(f"/reviews/{review.pk}/team/")
    bolton.get_by_role("link", name=f"Remove {officer.user} from the team").click()
    audit.check(bolton, "remove a team member")
    bolton.goto(f"/reviews/{review.pk}/")
    bolton.get_by_role("button", name="Start fieldwork").click()
    audit.check(bolton, "confirm a move")
    bolton.get_by_role("button", name="Start fieldwork").click()
    expect_error_summary(
        bolton, "Both partnerships must confirm the areas of focus before fieldwork starts."
    )
    audit.check(bolton, "review overview, with a refused move")
    bolton.goto(f"/exchanges/{world.invitation.pk}/")
    bolton.get_by_role("link", name="Withdraw this proposal").click()
    audit.check(bolton, "withdraw a proposal")

    # Bolton's detective inspector: their home and their declaration (and its errors).
    member = browsing.new_page()
    sign_in(member, "member@bolton.demo", DEMO_PASSWORD)
    audit.check(member, "home, for a team member")
    member.goto(f"/reviews/{review.pk}/")
    member.get_by_role("link", name="Declare your interests").click()
    audit.check(member, "declare your interests")
    member.get_by_role("button", name="Save your declaration").click()
    expect_error_summary(member, "Select yes if you have an interest to declare")
    audit.check(member, "declare your interests, with errors")

    # Then no page has a violation, and the pages built so far were all checked.
    assert not audit.failures(), "axe found violations:\n\n" + audit.failures()
    assert len(audit.results) >= MIN_PAGES, f"only {len(audit.results)} pages were checked"


# --- 3. the keyboard alone ----------------------------------------------------------------


def press_tab_until(page: Page, text: str, *, limit: int = 60) -> dict[str, str]:
    """Tab forward until the focused element's text (or label) is `text`; every element
    passed on the way must show GOV.UK's focus state."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        style = focused_style(page)
        assert focus_is_visible(style), f"focus is not visible on {style}"
        if text in (style["text"], style["label"]):
            return style
    raise AssertionError(f"'{text}' was not reached with {limit} presses of Tab")


def test_keyboard_only_sign_in_and_reach_a_review(demo_world: None, browsing: Browsing) -> None:
    # Given the sign-in page, with the service's CSP applied as in production
    page = browsing.new_page(enforce_csp=True)
    page.goto("/sign-in/")

    # when Tab is pressed first, the skip link has focus, drawn in GOV.UK yellow
    page.keyboard.press("Tab")
    skip = focused_style(page)
    assert skip["text"] == "Skip to main content" and "govuk-skip-link" in skip["className"]
    assert focus_is_visible(skip), skip
    # and Enter moves focus to the main content
    page.keyboard.press("Enter")
    assert focused_style(page)["id"] == "main-content"

    # when the person tabs to each field, types, and presses Enter
    assert press_tab_until(page, "Email address", limit=1)["tag"] == "input"
    page.keyboard.type("lead@salford.demo")
    assert press_tab_until(page, "Password", limit=1)["tag"] == "input"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")

    # then they are signed in
    expect(page.get_by_role("heading", level=1, name="Your reviews")).to_be_visible()

    # when they tab to a review's link and press Enter
    press_tab_until(page, f"Review of {SALFORD} by {BOLTON}")
    page.keyboard.press("Enter")

    # then the review's overview opens, and its team page is reachable the same way
    expect(page.get_by_role("heading", level=1, name=f"Review of {SALFORD}")).to_be_visible()
    press_tab_until(page, "Team and access", limit=100)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Team and access")).to_be_visible()


# --- 4. the journey -----------------------------------------------------------------------


@dataclass
class JourneyPeople:
    wigan_lead: User
    trafford_lead: User
    wigan_manager: User
    wigan_officer: User
    password: str = DEMO_PASSWORD


@pytest.fixture
def journey_people(demo_world: None) -> JourneyPeople:
    """Wigan and Trafford have never exchanged reviews (the demo's Wigan exchange is with
    Stockport). The demo has no sign-ins for them, so each gets a lead; Wigan also has a
    business manager and a police officer employed by Greater Manchester Police, which
    is a statutory partner of Trafford: an organisational conflict when Wigan reviews it."""
    police = Organisation.objects.get(slug="greater-manchester-police")

    def person(email: str, name: str, slug: str, role: Role, employer: Organisation) -> User:
        user = User.objects.create_user(
            email, DEMO_PASSWORD, full_name=name, job_title="", employer=employer
        )
        Membership.objects.create(
            user=user, partnership=Partnership.objects.get(slug=slug), role=role
        )
        return user

    wigan_council = Organisation.objects.get(slug="wigan-council")
    trafford = Partnership.objects.get(slug="trafford")
    assert not Exchange.objects.filter(parties__partnership=trafford).exists()
    assert trafford.statutory_partners.filter(pk=police.pk).exists()
    return JourneyPeople(
        wigan_lead=person("lead@wigan.demo", "Wren Aldous", "wigan", Role.LEAD, wigan_council),
        trafford_lead=person(
            "lead@trafford.demo",
            "Tobias Kerrow",
            "trafford",
            Role.LEAD,
            Organisation.objects.get(slug="trafford-council"),
        ),
        wigan_manager=person(
            "manager@wigan.demo", "Maya Fenwick", "wigan", Role.BUSINESS_MANAGER, wigan_council
        ),
        wigan_officer=person("officer@wigan.demo", "Oscar Pendle", "wigan", Role.MEMBER, police),
    )


def test_the_whole_journey_in_the_browser(
    journey_people: JourneyPeople, browsing: Browsing
) -> None:
    people = journey_people
    review_name = f"Review of {TRAFFORD} by {WIGAN}"
    wigan = browsing.new_page()
    trafford = browsing.new_page()

    # Given Wigan's lead, when they arrange a reciprocal review with Trafford
    sign_in(wigan, people.wigan_lead.email, people.password)
    wigan.get_by_role("link", name="Arrange a reciprocal review").click()
    expect(wigan.get_by_text(f"You are arranging this for {WIGAN}")).to_be_visible()
    start = timezone.localdate() + timedelta(days=30)
    wigan.get_by_label("Which partnership do you want to exchange reviews with?").select_option(
        label=TRAFFORD
    )
    wigan.get_by_label("Which handbook will the reviews use?").select_option(label=HANDBOOK)
    fill_date(wigan.get_by_role("group", name="When does fieldwork start?"), start)
    fill_date(wigan.get_by_role("group", name="When does fieldwork end?"), start + timedelta(45))
    wigan.get_by_label("Message to the other partnerships (optional)").fill("Shall we?")
    wigan.get_by_role("button", name="Continue").click()

    # then they check the answers before anything is sent, and send the invitation
    expect(wigan.get_by_text(f"{WIGAN} reviews {TRAFFORD}")).to_be_visible()
    expect(wigan.get_by_text(f"{TRAFFORD} reviews {WIGAN}")).to_be_visible()
    assert_accessible(wigan, "journey: check your answers")
    wigan.get_by_role("button", name="Send the invitation").click()
    expect(wigan.get_by_role("heading", level=1, name="Invitation sent")).to_be_visible()

    # When Trafford's lead signs in, they are asked to answer, and accept
    sign_in(trafford, people.trafford_lead.email, people.password)
    trafford.get_by_role("link", name="Answer the invitation").click()
    trafford.get_by_label("Yes, accept the exchange").check()
    trafford.get_by_role("button", name="Send your answer").click()
    expect(trafford.get_by_text("Every partnership has accepted.")).to_be_visible()

    # then both reviews exist, and Wigan's lead starts mobilisation of theirs
    open_review(wigan, review_name)
    move_review(wigan, "Start mobilisation")
    expect(wigan.get_by_text("The review has moved to mobilisation.")).to_be_visible()

    # When Wigan narrows the areas of focus to three and adds a local one, and confirms
    wigan.get_by_role("link", name="Areas of focus", exact=True).click()
    for box in wigan.get_by_role("checkbox").all()[3:]:
        box.uncheck()
    local = wigan.get_by_role("group", name="Local area 1")
    local.get_by_label("Title").fill("Covid-19 recovery")
    local.get_by_label("Key question").fill("How did the partnership adapt during the pandemic?")
    wigan.get_by_role("button", name="Save the areas of focus").click()
    wigan.get_by_role("button", name=f"Confirm the areas of focus for {WIGAN}").click()
    # and Trafford confirms them too
    open_review(trafford, review_name)
    trafford.get_by_role("link", name="Areas of focus", exact=True).click()
    trafford.get_by_role("button", name=f"Confirm the areas of focus for {TRAFFORD}").click()

    # then both sides have confirmed
    confirmed = trafford.get_by_text(re.compile(r"^Confirmed on "))
    expect(confirmed).to_have_count(2)
    assert_accessible(trafford, "journey: areas of focus, confirmed")

    # When Wigan's lead builds the team: a lead reviewer, and a police officer
    wigan.get_by_role("link", name="Team and access", exact=True).click()
    for person, role in (
        (people.wigan_manager, "Lead reviewer"),
        (people.wigan_officer, "Reviewer"),
    ):
        wigan.get_by_role("link", name="Add a team member").click()
        wigan.get_by_label("Who do you want to add?").select_option(
            label=f"{person.full_name} ({person.email})"
        )
        wigan.get_by_label(role, exact=True).check()
        wigan.get_by_role("button", name="Add to the team").click()

    # then the officer is flagged: their force is a statutory partner of Trafford
    conflict = (
        f"Conflict of interest: employed by Greater Manchester Police, a statutory partner of "
        f"{TRAFFORD}."
    )
    expect(wigan.get_by_text(conflict)).to_be_visible()
    assert_accessible(wigan, "journey: team with a flagged conflict")

    # and fieldwork cannot start before everyone has declared
    open_review(wigan, review_name)
    move_review(wigan, "Start fieldwork")
    expect_error_summary(
        wigan, "Every team member must declare their interests before fieldwork starts."
    )

    # When the two members sign in and declare that they have no interests
    for person in (people.wigan_manager, people.wigan_officer):
        own = browsing.new_page()
        sign_in(own, person.email, people.password)
        open_review(own, review_name)
        own.get_by_role("link", name="Declare your interests").click()
        own.get_by_label("No", exact=True).check()
        own.get_by_role("button", name="Save your declaration").click()
        expect(own.get_by_text("Your declaration of interests has been saved.")).to_be_visible()

    # and Wigan's lead records how the officer's conflict is mitigated
    wigan.get_by_role("link", name="Team and access", exact=True).click()
    wigan.get_by_role("link", name="Record a mitigation").click()
    wigan.get_by_label("How is the conflict of interest mitigated?").fill(
        "Does not review police evidence about cases they worked on."
    )
    wigan.get_by_role("button", name="Record the mitigation").click()
    expect(wigan.get_by_text(re.compile(r"^Mitigation recorded on "))).to_be_visible()

    # then every task before fieldwork is complete, and fieldwork starts
    open_review(wigan, review_name)
    tasks = wigan.get_by_role("list").filter(has=wigan.get_by_role("link", name="Build the team"))
    expect(tasks.get_by_role("listitem").filter(has_text="Completed")).to_have_count(3)
    move_review(wigan, "Start fieldwork")
    expect(wigan.get_by_text("The review has moved to fieldwork.")).to_be_visible()

    # When Trafford's lead moves fieldwork and what follows a week later, with a reason
    open_review(trafford, review_name)
    trafford.get_by_role("link", name="Timeline", exact=True).click()
    week = timedelta(days=7)
    moved: dict[str, tuple[date, date]] = {}
    for phase in ("Undertake review", "Moderation", "Report back"):
        starts = trafford.get_by_role("group", name=f"{phase} starts", exact=True)
        ends = trafford.get_by_role("group", name=f"{phase} ends", exact=True)
        moved[phase] = (read_date(starts), read_date(ends))
        fill_date(starts, moved[phase][0] + week)
        fill_date(ends, moved[phase][1] + week)
    trafford.get_by_label("Why are the dates changing?").fill("Covid-19 pandemic")
    trafford.get_by_role("button", name="Save the new dates").click()

    # then the timeline shows each phase's original and new dates, and the reason
    expect(trafford.get_by_text("The new dates have been saved.")).to_be_visible()
    table = trafford.get_by_role("table", name="Original dates and new dates")
    for phase, (starts_on, ends_on) in moved.items():
        row = table.get_by_role("row", name=re.compile(f"^{phase} "))
        expect(row.get_by_role("cell").nth(0)).to_have_text(
            f"{long_date(starts_on)} to {long_date(ends_on)}"
        )
        expect(row.get_by_role("cell").nth(1)).to_have_text(
            f"{long_date(starts_on + week)} to {long_date(ends_on + week)}"
        )
    expect(trafford.get_by_role("cell", name="Covid-19 pandemic")).to_have_count(3)
    assert_accessible(trafford, "journey: rescheduled timeline")

    # When Wigan's lead moves the review on to published
    open_review(wigan, review_name)
    for action, stage in (
        ("Start moderation", "moderation"),
        ("Start reporting back", "reporting"),
        ("Publish the review", "published"),
    ):
        move_review(wigan, action)
        expect(wigan.get_by_text(f"The review has moved to {stage}.")).to_be_visible()
    # then only Trafford's lead may close it, and does
    expect(wigan.get_by_role("button", name="Close the review")).to_have_count(0)
    open_review(trafford, review_name)
    move_review(trafford, "Close the review")

    # then the review is closed, and reviewers no longer have access
    expect(trafford.get_by_text("The review has moved to closed.")).to_be_visible()
    expect(trafford.get_by_text(re.compile(r"^This review is closed\."))).to_be_visible()
    assert_accessible(trafford, "journey: closed review")
    review = Review.objects.get(
        reviewed_partnership__slug="trafford", reviewing_partnership__slug="wigan"
    )
    assert review.status == Review.Status.CLOSED
    assert review.areas.count() == 4
    assert review.phases.filter(changes__reason="Covid-19 pandemic").count() == 3
    officer = review.team.get(user=people.wigan_officer)
    assert officer.conflicting_organisation is not None and officer.mitigated_at is not None
