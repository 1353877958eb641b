"""Invitations for reviewers without an account (issue 11): invite, accept with a new
password (or an existing account), resend, revoke; one-time, expiring links stored
hashed; every step audited; nobody else may invite, and bad links all look the same."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from reviews import services
from reviews.models import TeamInvitation, TeamMember
from tenancy.access import actor_for
from tests.factories import review_in_fieldwork, review_of_salford
from tests.integration.test_review_pages import error_summary, squash

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def _invite(client, review, capture, **overrides):
    data = {
        "full_name": "Dana Inspector",
        "email": "dana@police.example",
        "organisation": "",
        "team_role": "reviewer",
        **overrides,
    }
    with capture(execute=True):
        return client.post(f"/reviews/{review.pk}/team/invite/", data)


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/reviews/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match[1]


def test_a_lead_invites_and_the_invitee_joins_with_a_new_password(
    world, client_for, django_capture_on_commit_callbacks
):
    review = review_of_salford(world)
    lead = client_for(world.bolton_lead)
    assert "Invite someone without an account" in squash(lead.get(f"/reviews/{review.pk}/team/"))
    sent = _invite(
        lead, review, django_capture_on_commit_callbacks, organisation=str(world.police.pk)
    )
    assert sent.status_code == 302
    (email,) = mail.outbox
    assert email.to == ["dana@police.example"]
    link = _link(email)
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = TeamInvitation.objects.get()
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert "Dana Inspector" in squash(lead.get(f"/reviews/{review.pk}/team/"))

    invitee = client_for(None)
    page = squash(invitee.get(link))
    assert "Join the review team" in page and "Reviewer" in page
    short = invitee.post(link, {"password": "short", "password_again": "short"})
    assert short.status_code == 400
    assert not User.objects.filter(email="dana@police.example").exists()

    joined = invitee.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    member = TeamMember.objects.get(user__email="dana@police.example")
    assert joined.status_code == 302
    assert joined["Location"] == f"/reviews/{review.pk}/team/{member.pk}/declaration/"
    assert member.team_role == "reviewer" and member.added_by_id == world.bolton_lead.pk
    assert member.conflicting_organisation == world.police  # a statutory partner of Salford
    assert invitee.get(joined["Location"]).status_code == 200  # signed in, on the team
    user = User.objects.get(email="dana@police.example")
    assert user.check_password(NEW_PASSWORD) and user.full_name == "Dana Inspector"

    # The link worked once.
    again = invitee.get(link)
    assert again.status_code == 404
    assert "This invitation link does not work" in squash(again)
    actions = list(
        AuditEvent.objects.filter(object_type="reviews.TeamInvitation").values_list(
            "action", flat=True
        )
    )
    assert actions == ["create", "update"]


@pytest.mark.parametrize("how", ["expired", "revoked", "forged", "resent"])
def test_bad_links_all_look_the_same(world, client_for, django_capture_on_commit_callbacks, how):
    review = review_of_salford(world)
    lead = client_for(world.bolton_lead)
    _invite(lead, review, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    invitation = TeamInvitation.objects.get()
    at = timezone.now()
    if how == "expired":
        at = invitation.expires_at + timedelta(seconds=1)
    elif how == "revoked":
        lead.post(f"/reviews/{review.pk}/team/invitations/{invitation.pk}/revoke/")
    elif how == "forged":
        link = "/reviews/invitations/not-a-real-token/"
    elif how == "resent":
        with django_capture_on_commit_callbacks(execute=True):
            lead.post(f"/reviews/{review.pk}/team/invitations/{invitation.pk}/resend/")
        assert client_for(None).get(_link(mail.outbox[1])).status_code == 200
    with time_machine.travel(at, tick=False):
        answer = client_for(None).post(
            link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
        )
    assert answer.status_code == 404
    assert "This invitation link does not work" in squash(answer)
    assert not User.objects.filter(email="dana@police.example").exists()


def test_an_existing_account_signs_in_to_accept(
    world, client_for, django_capture_on_commit_callbacks
):
    review = review_of_salford(world)
    _invite(
        client_for(world.bolton_lead),
        review,
        django_capture_on_commit_callbacks,
        email=world.adviser.email,
    )
    link = _link(mail.outbox[0])
    assert "Sign in to accept the invitation" in squash(client_for(None).get(link))
    someone_else = client_for(world.outsider).post(link)
    assert someone_else.status_code == 403
    assert error_summary(someone_else) == [
        f"This invitation is for {world.adviser.email}. Sign in with that account to accept it."
    ]
    assert not review.team.exists()
    joined = client_for(world.adviser).post(link)
    assert joined.status_code == 302
    assert review.team.get().user == world.adviser


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"full_name": ""}, "Enter their full name"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"organisation": "99999"}, "Select their organisation from the list"),
        ({"team_role": "boss"}, "Select a role in the team"),
    ],
)
def test_invitation_validation_writes_nothing(
    world, client_for, django_capture_on_commit_callbacks, data, field_message
):
    review = review_of_salford(world)
    response = _invite(
        client_for(world.bolton_lead), review, django_capture_on_commit_callbacks, **data
    )
    assert response.status_code == 400
    assert any(message.startswith(field_message) for message in error_summary(response))
    assert not TeamInvitation.objects.exists() and not mail.outbox


def test_a_second_invitation_to_the_same_address_is_refused(
    world, client_for, django_capture_on_commit_callbacks
):
    review = review_of_salford(world)
    lead = client_for(world.bolton_lead)
    _invite(lead, review, django_capture_on_commit_callbacks)
    again = _invite(lead, review, django_capture_on_commit_callbacks)
    assert again.status_code == 400
    assert error_summary(again) == ["dana@police.example is already invited to or on this team"]
    assert TeamInvitation.objects.count() == 1


@pytest.mark.parametrize("who", ["salford_lead", "bolton_member", "outsider"])
def test_only_the_reviewing_lead_invites_resends_and_revokes(
    world, client_for, django_capture_on_commit_callbacks, who
):
    review = review_of_salford(world)
    invitation = services.team_invitation_create(
        actor=actor_for(world.bolton_lead),
        review_id=review.pk,
        full_name="Dana Inspector",
        email="dana@police.example",
        organisation_id="",
        team_role="reviewer",
    )
    client = client_for(getattr(world, who))
    expected = 404 if who == "outsider" else 403
    assert _invite(client, review, django_capture_on_commit_callbacks).status_code == expected
    for verb in ("resend", "revoke"):
        url = f"/reviews/{review.pk}/team/invitations/{invitation.pk}/{verb}/"
        assert client.post(url).status_code == expected
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert TeamInvitation.objects.count() == 1
    assert "Dana Inspector" not in squash(client.get(f"/reviews/{review.pk}/team/"))


def test_an_invitation_cannot_be_accepted_once_the_review_is_published(world, client_for):
    review = review_in_fieldwork(world)
    services.team_invitation_create(
        actor=actor_for(world.bolton_lead),
        review_id=review.pk,
        full_name="Late Joiner",
        email="late@example.org",
        organisation_id="",
        team_role="reviewer",
    )
    # The emailed link is not captured here: give the invitation a token we know.
    token = "late-token"
    TeamInvitation.objects.update(token_hash=hashlib.sha256(token.encode()).hexdigest())
    for status in ("moderation", "reporting", "published"):
        services.review_transition(
            actor=actor_for(world.bolton_lead), review_id=review.pk, to_status=status
        )
    response = client_for(None).post(
        f"/reviews/invitations/{token}/",
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert response.status_code == 409
    assert error_summary(response) == ["The team cannot change once the review is published."]
    assert not User.objects.filter(email="late@example.org").exists()


def test_signing_in_with_the_new_account_works(
    world, client_for, django_capture_on_commit_callbacks
):
    review = review_of_salford(world)
    _invite(client_for(world.bolton_lead), review, django_capture_on_commit_callbacks)
    client_for(None).post(
        _link(mail.outbox[0]), {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    fresh = client_for(None)
    signed_in = fresh.post(
        "/sign-in/", {"username": "dana@police.example", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
