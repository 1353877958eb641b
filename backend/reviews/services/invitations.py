"""Invitations: a place on a review team for someone with no account yet.

The reviewing lead invites by name, email and organisation; the invitee gets a
one-time link that expires, sets a password (or signs in, if the address already has an
account), and lands on the review as a team member with a declaration to make. Only the
token's SHA-256 is stored. Invitations can be resent (a new link; the old one stops
working) and revoked. Every step is audited for the reviewed partnership, whose evidence
the team will see.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from core.dates import long_date
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from core.links import absolute_url
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Organisation

from .. import notifications
from ..models import Review, TeamInvitation, TeamMember
from .team import _review_for_team_change, team_access_sync, team_member_create, team_require_open

INVITATION_DAYS = 14


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(invitation: TeamInvitation) -> str:
    """A fresh token for the invitation (the previous link stops working)."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + timedelta(days=INVITATION_DAYS)
    return token


def _send(invitation: TeamInvitation, token: str) -> None:
    review = invitation.review
    notifications.send_on_commit(
        [invitation.email],
        f"You are invited to join the team reviewing {review.reviewed_partnership.name}",
        f"{review.reviewing_partnership.name} invites you to its peer review team for the "
        f"review of {review.reviewed_partnership.name}, as "
        f"{invitation.get_team_role_display().lower()}.\n\n"
        f"Accept by {long_date(invitation.expires_at.date())}: "
        f"{absolute_url('reviews:invitation-accept', token)}\n\n"
        "The link works once. If you did not expect this email, you can ignore it.",
    )


def _audit(
    actor: Actor | User | None, action: str, invitation: TeamInvitation, **detail: object
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=invitation,
        owning_partnership_id=invitation.review.reviewed_partnership_id,
        detail={"review": invitation.review_id, **detail},
    )


def team_invitation_create(
    *,
    actor: Actor,
    review_id: object,
    full_name: str,
    email: str,
    organisation_id: object,
    team_role: str,
) -> TeamInvitation:
    """Invite someone by name, email and organisation. The answer is the same whether
    or not the address already has an account (no directory probing): an existing
    account signs in to accept."""
    with transaction.atomic():
        review = _review_for_team_change(actor, review_id)
        full_name, email = (full_name or "").strip(), (email or "").strip().lower()
        errors: dict[str, list[str]] = {}
        if not full_name:
            errors["full_name"] = ["Enter their full name"]
        elif len(full_name) > 150:
            errors["full_name"] = ["Full name must be 150 characters or fewer"]
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = [
                "Enter an email address in the correct format, like name@example.com"
            ]
        organisation = None
        if organisation_id not in (None, ""):
            organisation_pk = _int_or_none(organisation_id)
            organisation = (
                Organisation.objects.filter(pk=organisation_pk).first()
                if organisation_pk is not None
                else None
            )
            if organisation is None:
                errors["organisation"] = ["Select their organisation from the list"]
        if team_role not in TeamMember.TeamRole.values:
            errors["team_role"] = ["Select a role in the team"]
        if "email" not in errors and (
            review.invitations.filter(
                email=email, accepted_at__isnull=True, revoked_at__isnull=True
            ).exists()
            or review.team.filter(user__email=email, status=TeamMember.Status.ACTIVE).exists()
        ):
            errors["email"] = [f"{email} is already invited to or on this team"]
        if errors:
            raise ValidationFailed("The invitation could not be sent.", field_errors=errors)
        invitation = TeamInvitation(
            review=review,
            full_name=full_name,
            email=email,
            organisation=organisation,
            team_role=team_role,
            invited_by_id=actor.user_id,
        )
        token = _issue(invitation)
        invitation.save()
        _audit(actor, "create", invitation, team_role=team_role)
        _send(invitation, token)
    return invitation


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _pending(actor: Actor, review_id: object, invitation_id: object) -> TeamInvitation:
    review = _review_for_team_change(actor, review_id)
    invitation = access.get_child(
        access.visible(actor, TeamInvitation, "manage").filter(
            review=review, accepted_at__isnull=True, revoked_at__isnull=True
        ),
        invitation_id,
    )
    invitation.review = review
    return invitation


def team_invitation_resend(
    *, actor: Actor, review_id: object, invitation_id: object
) -> TeamInvitation:
    """Send a new link, valid for another 14 days; the old one stops working."""
    with transaction.atomic():
        invitation = _pending(actor, review_id, invitation_id)
        token = _issue(invitation)
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        _audit(actor, "update", invitation, resent=True)
        _send(invitation, token)
    return invitation


def team_invitation_revoke(
    *, actor: Actor, review_id: object, invitation_id: object
) -> TeamInvitation:
    with transaction.atomic():
        invitation = _pending(actor, review_id, invitation_id)
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit(actor, "revoke", invitation)
    return invitation


def invitation_for_token(token: str, *, now: datetime | None = None) -> TeamInvitation:
    """The open invitation a link carries. The token is the capability, so this is read
    by its hash rather than through the chokepoint; a used, revoked, expired or forged
    token is simply not found (one answer for all four)."""
    if not token or len(token) > 100:
        raise NotFound()
    invitation = (
        TeamInvitation.objects.select_related(
            "review__reviewed_partnership", "review__reviewing_partnership", "organisation"
        )
        .filter(token_hash=_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_open(now or timezone.now()):
        raise NotFound()
    return invitation


def invitation_has_account(invitation: TeamInvitation) -> bool:
    return User.objects.filter(email=invitation.email).exists()


def invitation_accept(
    *, token: str, password: str = "", user: User | None = None
) -> tuple[User, TeamMember]:
    """Accept an invitation: with a new password when the address has no account, or as
    the signed-in owner of that address. The user joins the team and the link is spent."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        invitation = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open(timezone.now()):
            raise NotFound()
        review = Review.objects.select_related(
            "reviewed_partnership", "reviewing_partnership", "team_group"
        ).get(pk=invitation.review_id)
        team_require_open(review)
        existing = User.objects.filter(email=invitation.email).first()
        if existing is not None:
            if user is None or user.pk != existing.pk:
                raise PermissionDenied(
                    f"This invitation is for {invitation.email}. Sign in with that account to "
                    "accept it."
                )
            joining = existing
        else:
            try:
                validate_password(password, User(email=invitation.email))
            except DjangoValidationError as exc:
                raise ValidationFailed(
                    "The password could not be set.", field_errors={"password": exc.messages}
                ) from None
            joining = User.objects.create_user(
                invitation.email,
                password,
                full_name=invitation.full_name,
                employer=invitation.organisation,
            )
        if review.team.filter(user=joining, status=TeamMember.Status.ACTIVE).exists():
            raise Conflict("You are already on this review's team.")
        member = team_member_create(
            actor=None,
            review=review,
            user=joining,
            team_role=invitation.team_role,
            added_by_id=invitation.invited_by_id,
        )
        invitation.accepted_at, invitation.accepted_by = timezone.now(), joining
        invitation.token_hash = _hash(secrets.token_urlsafe(32))  # spent: the link is dead
        invitation.save(update_fields=["accepted_at", "accepted_by", "token_hash"])
        _audit(joining, "update", invitation, accepted=True, user=joining.pk)
        team_access_sync(review=review)
    return joining, member
