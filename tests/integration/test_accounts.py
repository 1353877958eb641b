"""Accounts through the Django test client: signing in and out, lockout, session
timeouts, password rules, and the personal API token pages.

Covered elsewhere, so not repeated here: an expired token (test_rest_api, GraphQL in
test_graphql_hardening), a revoked token (test_rest_api), malformed JSON to a REST
POST (test_rest_api), an unknown partnership slug (test_rest_api), and every route
against every principal (tests/security/test_isolation_matrix)."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ApiToken, hash_token
from audit.models import AuditEvent
from core import dates
from reviews.models import Exchange
from tests.conftest import PASSWORD
from tests.factories import reference_version

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign-in")
HOME = reverse("web:home")
TOKENS = reverse("accounts:tokens")
CREATE = reverse("accounts:token-create")
WRONG_PASSWORD = (
    "Enter a correct email address and password. "
    "After 5 wrong attempts your account is locked for 30 minutes."
)


def revoke_url(token_id: int) -> str:
    return reverse("accounts:token-revoke", args=[token_id])


def text(response) -> str:
    return html.unescape(response.content.decode())


def without_csrf(response) -> str:
    """The page minus its CSRF token, which is masked afresh on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))


def error_summary(response) -> list[str]:
    match = re.search(r'govuk-error-summary__list">(.*?)</ul>', text(response), re.S)
    assert match, "no error summary on the page"
    return [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", match[1])
    ]


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(SIGN_IN, {"username": email, "password": password})


def raw_token_on(response) -> str:
    match = re.search(r'id="raw-token" type="text" value="(prx_[^"]+)"', text(response))
    assert match, "no token on the page"
    return match[1]


# --- signing in and out ----------------------------------------------------------------


def test_sign_in_page_asks_for_email_and_password(db):
    response = Client().get(SIGN_IN)

    assert response.status_code == 200
    page = text(response)
    assert "<title>Sign in – " in page
    assert 'autocomplete="email"' in page
    assert 'type="password"' in page and 'autocomplete="current-password"' in page


def test_the_right_password_signs_in_and_lands_on_home(world):
    client = Client()

    response = sign_in(client, "lead@salford.test")

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.session["_auth_user_id"] == str(world.salford_lead.pk)
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(actor_id=world.salford_lead.pk, action="sign_in").count() == 1


def test_a_wrong_password_shows_the_error_summary_and_writes_no_session(world):
    client = Client()

    response = sign_in(client, "lead@salford.test", "not-the-password")

    assert response.status_code == 200
    assert error_summary(response) == [WRONG_PASSWORD]
    assert "<title>Error: Sign in – " in text(response)
    assert Session.objects.count() == 0
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert client.get(HOME).status_code == 302


def test_empty_fields_each_get_a_message(db):
    response = Client().post(SIGN_IN, {"username": "", "password": ""})

    assert error_summary(response) == ["Enter your email address", "Enter your password"]


def test_repeated_failures_lock_the_account_even_for_the_right_password(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "lead@salford.test", "guess").status_code == 200

    locked = sign_in(client, "lead@salford.test", "guess")
    right = sign_in(client, "lead@salford.test")

    for response in (locked, right):
        assert response.status_code == 429
        assert response["Retry-After"] == "1800"
        page = text(response)
        assert "Your account is locked" in page
        assert "You can try again in 30 minutes." in page
    assert Session.objects.count() == 0


def test_a_lockout_ends_after_the_cool_off(world):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "lead@salford.test", "guess")
        assert sign_in(client, "lead@salford.test").status_code == 429

    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert sign_in(client, "lead@salford.test").status_code == 302


def test_sign_out_is_a_post_that_ends_the_session(world):
    client = Client()
    sign_in(client, "lead@salford.test")

    assert client.get(reverse("accounts:sign-out")).status_code == 405
    assert client.get(HOME).status_code == 200
    response = client.post(reverse("accounts:sign-out"), follow=True)

    assert response.redirect_chain[-1] == (SIGN_IN, 302)
    assert "You have been signed out." in text(response)
    assert "_auth_user_id" not in client.session
    assert client.get(HOME)["Location"].startswith(SIGN_IN)


# --- session timeouts ----------------------------------------------------------------------


def test_an_idle_session_ends_after_the_idle_limit(world):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, "lead@salford.test")
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)

    with time_machine.travel(start + idle - timedelta(minutes=1), tick=False):
        assert client.get(HOME).status_code == 200  # activity renews the idle limit
    with time_machine.travel(start + 2 * idle - timedelta(minutes=2), tick=False):
        assert client.get(HOME).status_code == 200
    with time_machine.travel(start + 3 * idle, tick=False):
        response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_a_busy_session_still_ends_at_the_absolute_limit(world):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, "lead@salford.test")
    step = timedelta(seconds=settings.SESSION_COOKIE_AGE) - timedelta(minutes=5)
    limit = start + timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)

    moment = start + step
    while moment < limit:  # never idle for long enough to time out that way
        with time_machine.travel(moment, tick=False):
            assert client.get(HOME).status_code == 200, f"signed out at {moment}"
        moment += step
    with time_machine.travel(limit + timedelta(minutes=1), tick=False):
        response = client.get(HOME, follow=True)

    assert response.redirect_chain[0][0] == SIGN_IN
    assert "You were signed out because your session ended. Sign in again." in text(response)
    assert "_auth_user_id" not in client.session


def test_a_session_begun_at_the_admin_sign_in_also_ends_at_the_absolute_limit(world):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = client.post(
            reverse("admin:login"),
            {"username": "staff@platform.test", "password": PASSWORD, "next": "/admin/"},
        )
        assert response.status_code == 302
        assert client.get("/admin/").status_code == 200
    step = timedelta(seconds=settings.SESSION_COOKIE_AGE) - timedelta(minutes=5)
    limit = start + timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)

    moment = start + step
    while moment < limit:
        with time_machine.travel(moment, tick=False):
            assert client.get("/admin/").status_code == 200, f"signed out at {moment}"
        moment += step
    with time_machine.travel(limit + timedelta(minutes=1), tick=False):
        response = client.get("/admin/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_signed_in_session_without_a_start_time_is_ended(world, client_for):
    client = client_for(world.salford_lead)
    session = client.session
    del session["signed_in_at"]
    session.save()

    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    assert "_auth_user_id" not in client.session


# --- passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("839274619283", "This password is entirely numeric."),
        ("lead.salford.test", "The password is too similar to the email address."),
    ],
)
def test_weak_passwords_are_rejected_with_the_reason(world, password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, world.salford_lead)
    assert message in refused.value.messages

    form = SetPasswordForm(
        world.salford_lead, {"new_password1": password, "new_password2": password}
    )
    assert not form.is_valid()
    assert message in form.errors["new_password2"]


def test_a_long_uncommon_password_is_accepted(world):
    validate_password("tangerine-lighthouse-47-orbit", world.salford_lead)


# --- API token pages: the list ---------------------------------------------------------------


def test_the_token_page_says_when_there_are_no_tokens(world, client_for):
    response = client_for(world.salford_lead).get(TOKENS)

    assert response.status_code == 200
    page = text(response)
    assert "You have no API tokens." in page
    assert f'href="{CREATE}"' in page
    assert "<table" not in page


def test_signed_in_pages_link_to_the_token_page(world, client_for):
    page = text(client_for(world.salford_member).get(HOME))

    assert f'href="{TOKENS}"' in page and ">API tokens</a>" in page


def test_the_list_shows_each_token_with_its_dates_and_status(world, client_for):
    user = world.salford_lead
    live = account_services.api_token_create(user=user, name="Live script", days=30).token
    expired = account_services.api_token_create(user=user, name="Old script", days=30).token
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked = account_services.api_token_create(user=user, name="Leaked script").token
    account_services.api_token_revoke(user=user, token_id=revoked.pk)
    used_at = timezone.now() - timedelta(days=2)
    ApiToken.objects.filter(pk=live.pk).update(last_used_at=used_at)
    account_services.api_token_create(user=world.bolton_lead, name="Bolton script")

    page = text(client_for(user).get(TOKENS))

    rows = dict(re.findall(r'<td class="govuk-table__cell">([^<]+)<br>(.*?)</tr>', page, re.S))
    assert set(rows) == {"Live script", "Old script", "Leaked script"}
    assert dates.long_date(dates.local_today(live.expires_at)) in rows["Live script"]
    assert dates.long_date(dates.local_today(live.created_at)) in rows["Live script"]
    assert dates.long_date(dates.local_today(used_at)) in rows["Live script"]
    assert "Never" in rows["Old script"]
    assert ">Active</strong>" in rows["Live script"]
    assert ">Expired</strong>" in rows["Old script"]
    assert ">Revoked</strong>" in rows["Leaked script"]
    # Only a live token can be revoked.
    assert revoke_url(live.pk) in rows["Live script"]
    assert ">Revoke<" not in rows["Old script"] and ">Revoke<" not in rows["Leaked script"]
    assert f"Starts {live.prefix}" in rows["Live script"]


def test_the_token_list_uses_the_same_queries_for_1x_and_10x(world, client_for):
    client = client_for(world.salford_lead)
    account_services.api_token_create(user=world.salford_lead, name="Token 0")
    client.get(TOKENS)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(TOKENS)
    for n in range(1, 10):
        account_services.api_token_create(user=world.salford_lead, name=f"Token {n}")

    with CaptureQueriesContext(connection) as ten:
        response = client.get(TOKENS)

    assert "Token 9" in text(response)
    assert len(ten) == len(one)


def test_the_token_pages_need_sign_in(db):
    for url in (TOKENS, CREATE, revoke_url(1)):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(SIGN_IN)


# --- API token pages: create ---------------------------------------------------------------


def test_creating_a_token_shows_it_once_and_keeps_only_its_hash(world, client_for):
    client = client_for(world.salford_lead)
    form = client.get(CREATE)
    assert form.status_code == 200
    assert "When should the token expire?" in text(form)

    response = client.post(CREATE, {"name": "Monthly report", "days": "90"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = raw_token_on(response)
    page = text(response)
    assert "API token created" in page
    assert "Copy your token now. It will not be shown again." in page
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (world.salford_lead, "Monthly report")
    assert token.token_hash == hash_token(raw)
    assert token.expires_at.date() == (timezone.now() + timedelta(days=90)).date()
    assert raw not in text(client.get(TOKENS))
    assert raw not in json.dumps(dict(client.session))
    assert "Monthly report" in text(client.get(TOKENS))
    # The token works for the API, as its owner.
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/me/").json()["email"] == "lead@salford.test"


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Enter a name for the token", "Select when the token should expire"]),
        ({"name": "   ", "days": "30"}, ["Enter a name for the token"]),
        ({"name": "x" * 101, "days": "30"}, ["Name must be 100 characters or fewer"]),
        ({"name": "Script", "days": "7"}, ["Select when the token should expire"]),
        ({"name": "Script", "days": "forever"}, ["Select when the token should expire"]),
        ({"name": "Nul\x00byte", "days": "30"}, ["Null characters are not allowed."]),
    ],
)
def test_bad_input_gives_a_message_per_field_and_writes_nothing(world, client_for, data, messages):
    events = AuditEvent.objects.count()

    response = client_for(world.salford_lead).post(CREATE, data)

    assert response.status_code == 200
    assert "<title>Error: Create an API token – " in text(response)
    assert error_summary(response) == messages
    assert "raw-token" not in text(response)
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_name_of_100_characters_is_allowed(world, client_for):
    response = client_for(world.salford_lead).post(CREATE, {"name": "x" * 100, "days": "365"})

    assert response.status_code == 200
    assert ApiToken.objects.get().name == "x" * 100


# --- API token pages: revoke ---------------------------------------------------------------


def test_revoking_asks_first_then_ends_the_token(world, client_for):
    issued = account_services.api_token_create(user=world.salford_lead, name="Old laptop")
    client = client_for(world.salford_lead)

    confirm = client.get(revoke_url(issued.token.pk))
    assert confirm.status_code == 200
    assert "Are you sure you want to revoke ‘Old laptop’?" in text(confirm)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None

    done = client.post(revoke_url(issued.token.pk), follow=True)

    assert done.redirect_chain == [(TOKENS, 302)]
    assert "The token ‘Old laptop’ has been revoked. It can no longer be used." in text(done)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert AuditEvent.objects.filter(action="revoke").count() == 1
    api = Client(headers={"Authorization": f"Bearer {issued.raw}"})
    assert api.get("/api/v1/me/").status_code == 401


def test_revoking_a_revoked_token_again_says_so_and_changes_nothing(world, client_for):
    issued = account_services.api_token_create(user=world.salford_lead, name="Gone")
    account_services.api_token_revoke(user=world.salford_lead, token_id=issued.token.pk)
    issued.token.refresh_from_db()
    revoked_at = issued.token.revoked_at

    response = client_for(world.salford_lead).post(revoke_url(issued.token.pk), follow=True)

    assert response.redirect_chain == [(TOKENS, 302)]
    assert "The token ‘Gone’ has already been revoked." in text(response)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at == revoked_at
    assert AuditEvent.objects.filter(action="revoke").count() == 1


def test_another_users_token_is_the_same_404_as_a_missing_one(world, client_for):
    theirs = account_services.api_token_create(user=world.bolton_lead, name="Bolton script")
    client = client_for(world.salford_lead)
    events = AuditEvent.objects.count()

    for method in (client.get, client.post):
        foreign = method(revoke_url(theirs.token.pk))
        missing = method(revoke_url(theirs.token.pk + 1000))
        assert foreign.status_code == missing.status_code == 404
        assert without_csrf(foreign) == without_csrf(missing)
        assert "Bolton script" not in text(foreign)

    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None
    assert AuditEvent.objects.count() == events


# --- REST: a foreign partnership named in a write ---------------------------------------------


def test_proposing_for_a_partnership_you_do_not_lead_is_not_found_and_writes_nothing(
    world, client_for
):
    start = timezone.localdate() + timedelta(days=40)
    client = client_for(world.bolton_lead)
    events = AuditEvent.objects.count()

    def propose(slug: str):
        body = {
            "partnership": slug,
            "partners": ["bolton"],
            "handbook_version": reference_version().pk,
            "fieldwork_starts_on": start.isoformat(),
            "fieldwork_ends_on": (start + timedelta(days=30)).isoformat(),
        }
        return client.post("/api/v1/exchanges/", json.dumps(body), content_type="application/json")

    foreign = propose("salford")
    missing = propose("atlantis")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == {"detail": "Not found.", "code": "not_found"}
    assert foreign.content == missing.content
    assert not Exchange.objects.exists()
    assert AuditEvent.objects.count() == events
