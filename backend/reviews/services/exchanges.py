"""Proposing and answering exchanges; creating the reviews they agree."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.dates import long_date
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.links import absolute_url
from handbooks.models import HandbookVersion
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership
from tenancy.selectors import partnership_directory

from .. import notifications
from ..models import Exchange, ExchangeParty, Phase, Review, ReviewArea, ReviewObjective

MAX_PARTNERS = 2
# Exchanges are planned months ahead, not years: a date further out is a typo.
MAX_YEARS_AHEAD = 3


def fieldwork_window_errors(
    starts_on: date | None, ends_on: date | None, errors: dict[str, list[str]]
) -> None:
    """Add the fieldwork window's problems to `errors` (shared with the exchange form,
    so the page and the service word every rule the same way)."""
    today = timezone.localdate()
    if starts_on is None:
        errors["fieldwork_starts_on"] = ["Enter the date fieldwork starts"]
    if ends_on is None:
        errors["fieldwork_ends_on"] = ["Enter the date fieldwork ends"]
    if starts_on is None or ends_on is None:
        return
    if starts_on < today:
        errors["fieldwork_starts_on"] = ["The date fieldwork starts must be today or in the future"]
    latest = today.replace(year=today.year + MAX_YEARS_AHEAD)
    if starts_on > latest or ends_on > latest:
        errors["fieldwork_ends_on"] = [f"Fieldwork must be planned before {long_date(latest)}"]
    if ends_on <= starts_on:
        errors["fieldwork_ends_on"] = ["The date fieldwork ends must be after the date it starts"]


def exchange_propose(
    *,
    actor: Actor,
    partnership_slug: str,
    partner_slugs: list[str],
    handbook_version_id: object,
    fieldwork_starts_on: date | None,
    fieldwork_ends_on: date | None,
    message: str = "",
) -> Exchange:
    """A lead proposes reciprocal reviews with one partnership (a pair) or two (a
    ring A->B->C->A). Nothing is written unless every rule holds."""
    proposer = access.get_visible_by(actor, Partnership, slug=partnership_slug)
    if actor.role_in(proposer.pk) not in access.LEADS:
        raise PermissionDenied(f"Only a lead of {proposer.name} can propose an exchange.")
    errors: dict[str, list[str]] = {}
    slugs = [s for s in dict.fromkeys(partner_slugs or []) if s]
    partners: list[Partnership] = []
    if not slugs:
        errors["partners"] = ["Select the partnership you want to exchange reviews with"]
    elif len(slugs) > MAX_PARTNERS:
        errors["partners"] = [f"Select no more than {MAX_PARTNERS} partnerships"]
    elif proposer.slug in slugs:
        errors["partners"] = ["You cannot propose an exchange with your own partnership"]
    else:
        found = {p.slug: p for p in partnership_directory().filter(slug__in=slugs)}
        unknown = [s for s in slugs if s not in found]
        if unknown:
            errors["partners"] = [f"There is no partnership called '{unknown[0]}'"]
        partners = [found[s] for s in slugs if s in found]
    version = (
        access.visible(actor, HandbookVersion)
        .filter(status=HandbookVersion.Status.PUBLISHED)
        .filter(pk=_int_or_none(handbook_version_id) or 0)
        .first()
    )
    if version is None:
        errors["handbook_version"] = ["Select a published handbook"]
    fieldwork_window_errors(fieldwork_starts_on, fieldwork_ends_on, errors)
    message = (message or "").strip()
    if len(message) > 2000:
        errors["message"] = ["Message must be 2000 characters or fewer"]
    if errors:
        raise ValidationFailed("The exchange could not be proposed.", field_errors=errors)
    assert version is not None and fieldwork_starts_on and fieldwork_ends_on

    assert actor.user_id is not None
    ring = [proposer, *partners]
    with transaction.atomic():
        exchange = Exchange.objects.create(
            partnership=proposer,
            proposed_by_id=actor.user_id,
            handbook_version=version,
            fieldwork_starts_on=fieldwork_starts_on,
            fieldwork_ends_on=fieldwork_ends_on,
            message=message,
        )
        ExchangeParty.objects.bulk_create(
            ExchangeParty(
                exchange=exchange,
                partnership=partnership,
                reviews=ring[(position + 1) % len(ring)],
                position=position,
                answer=ExchangeParty.Answer.PROPOSER
                if position == 0
                else ExchangeParty.Answer.INVITED,
                answered_by_id=actor.user_id if position == 0 else None,
                answered_at=exchange.created_at if position == 0 else None,
            )
            for position, partnership in enumerate(ring)
        )
        audit.record(
            actor=actor,
            action="create",
            obj=exchange,
            detail={"partners": [p.pk for p in partners], "handbook_version": version.pk},
        )
        for partner in partners:
            notifications.send_on_commit(
                notifications.lead_emails(partner),
                f"{proposer.name} invites {partner.name} to a reciprocal peer review",
                f"{proposer.name} has proposed a reciprocal peer review with {partner.name}.\n\n"
                f"Fieldwork: {long_date(fieldwork_starts_on)} to {long_date(fieldwork_ends_on)}.\n"
                f"Handbook: {version}.\n\n"
                f"{message}\n\nAccept or decline the invitation: "
                f"{absolute_url('exchanges:detail', exchange.pk)}",
            )
    return exchange


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def exchange_answer(
    *, actor: Actor, exchange_id: object, partnership_slug: str, accept: bool, note: str = ""
) -> Exchange:
    """The lead of an invited partnership accepts or declines for that partnership.
    When every invited partnership has accepted, the reviews are created."""
    with transaction.atomic():
        exchange = access.get_visible(actor, Exchange, exchange_id)
        exchange = Exchange.objects.select_for_update().get(pk=exchange.pk)
        party = (
            exchange.parties.select_related("partnership")
            .filter(partnership__slug=partnership_slug)
            .first()
        )
        if party is None:
            raise ValidationFailed(
                "The answer could not be recorded.",
                field_errors={"partnership": ["That partnership is not part of this exchange"]},
            )
        access.require(
            actor,
            "answer",
            party,
            f"Only a lead of {party.partnership.name} can answer for {party.partnership.name}.",
        )
        if exchange.status != Exchange.Status.PROPOSED:
            raise Conflict(
                f"This exchange is {exchange.get_status_display().lower()}: "
                "it can no longer be answered."
            )
        if party.answer != ExchangeParty.Answer.INVITED:
            raise Conflict(f"{party.partnership.name} has already answered.")
        note = (note or "").strip()
        if len(note) > 2000:
            raise ValidationFailed(
                "The answer could not be recorded.",
                field_errors={"note": ["Note must be 2000 characters or fewer"]},
            )
        party.answer = ExchangeParty.Answer.ACCEPTED if accept else ExchangeParty.Answer.DECLINED
        party.answered_by_id = actor.user_id
        party.answered_at = timezone.now()
        party.answer_note = note
        party.save(update_fields=["answer", "answered_by", "answered_at", "answer_note"])
        if not accept:
            exchange.status = Exchange.Status.DECLINED
        elif not exchange.parties.filter(answer=ExchangeParty.Answer.INVITED).exists():
            exchange.status = Exchange.Status.AGREED
            _create_reviews(exchange)
        exchange.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="update",
            obj=exchange,
            actor_partnership_id=party.partnership_id,
            detail={"answer": party.answer, "partnership": party.partnership_id},
        )
        everyone = [
            email
            for p in exchange.parties.select_related("partnership")
            for email in notifications.lead_emails(p.partnership)
        ]
        verb = "accepted" if accept else "declined"
        notifications.send_on_commit(
            everyone,
            f"{party.partnership.name} has {verb} the reciprocal peer review",
            f"{party.partnership.name} has {verb} the exchange proposed by "
            f"{exchange.partnership.name}."
            + (f"\n\nTheir note: {note}" if note else "")
            + (
                "\n\nEvery partnership has accepted: the reviews are ready for mobilisation."
                if exchange.status == Exchange.Status.AGREED
                else ""
            ),
        )
    return exchange


def exchange_withdraw(*, actor: Actor, exchange_id: object) -> Exchange:
    with transaction.atomic():
        exchange = access.get_visible(actor, Exchange, exchange_id)
        access.require(
            actor,
            "withdraw",
            exchange,
            "Only the proposing partnership's lead can withdraw an exchange.",
        )
        if exchange.status != Exchange.Status.PROPOSED:
            raise Conflict("Only an exchange that is waiting for answers can be withdrawn.")
        exchange.status = Exchange.Status.WITHDRAWN
        exchange.save(update_fields=["status"])
        audit.record(actor=actor, action="update", obj=exchange, detail={"status": "withdrawn"})
    return exchange


def default_phase_dates(starts_on: date, ends_on: date) -> list[tuple[str, date, date]]:
    """Mobilisation in the three weeks before fieldwork; moderation in the two weeks
    after; report-back within the following three weeks (the reference rhythm)."""
    return [
        (Phase.Kind.MOBILISATION, starts_on - timedelta(days=21), starts_on - timedelta(days=1)),
        (Phase.Kind.FIELDWORK, starts_on, ends_on),
        (Phase.Kind.MODERATION, ends_on + timedelta(days=1), ends_on + timedelta(days=14)),
        (Phase.Kind.REPORT_BACK, ends_on + timedelta(days=15), ends_on + timedelta(days=35)),
    ]


def _create_reviews(exchange: Exchange) -> list[Review]:
    version = exchange.handbook_version
    objectives = list(version.objectives.all())
    areas = list(version.areas.all())
    reviews = []
    for party in exchange.parties.all():
        review = Review.objects.create(
            exchange=exchange,
            reviewing_partnership_id=party.partnership_id,
            reviewed_partnership_id=party.reviews_id,
            handbook_version=version,
            team_group=Group.objects.create(name=f"review-team-{uuid4().hex}"),
        )
        Phase.objects.bulk_create(
            Phase(
                review=review,
                kind=kind,
                position=position,
                original_starts_on=start,
                original_ends_on=end,
                starts_on=start,
                ends_on=end,
            )
            for position, (kind, start, end) in enumerate(
                default_phase_dates(exchange.fieldwork_starts_on, exchange.fieldwork_ends_on),
                start=1,
            )
        )
        ReviewObjective.objects.bulk_create(
            ReviewObjective(review=review, position=o.position, text=o.text) for o in objectives
        )
        # Every handbook area starts selected; the partnerships narrow it at mobilisation.
        ReviewArea.objects.bulk_create(
            ReviewArea(
                review=review,
                source=a,
                position=a.position,
                title=a.title,
                key_question=a.key_question,
            )
            for a in areas
        )
        audit.record(
            actor=None,
            action="create",
            obj=review,
            owning_partnership_id=review.reviewed_partnership_id,
        )
        reviews.append(review)
    return reviews
