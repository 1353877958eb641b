"""Exchange pages (UX screen 3): arrange a reciprocal review, check the answers, send;
see exchanges and the invitations awaiting you; answer; withdraw.

Thin views over reviews.selectors and reviews.services: a foreign or missing exchange
is the same 404, a refusal is the 403 page with the service's reason, and invalid
answers are shown on the form with nothing written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_http_methods

from core.errors import Conflict, PermissionDenied, ValidationFailed, refuse
from handbooks import selectors as handbook_selectors
from tenancy import selectors as tenancy_selectors
from tenancy.access import Actor, actor_of
from tenancy.models import Partnership
from web.errors import page_errors
from web.forms import add_service_errors, posted

from . import policies, selectors, services
from .forms_exchanges import AnswerForm, ProposeForm
from .models import Exchange, ExchangeParty

# The answers of "Arrange a reciprocal review", kept between the form and the check
# page as the submitted fields, so the check page re-parses them with the same form.
DRAFT_KEY = "exchange_draft"


@login_required
@page_errors
def exchange_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(
        request,
        "reviews/exchange_list.html",
        {
            "exchanges": selectors.exchange_list(actor=actor),
            "invitations": selectors.invitations_awaiting(actor=actor),
            "can_propose": policies.propose_exchange(actor) is None,
        },
    )


def _propose_form(actor: Actor, data: Any = None) -> ProposeForm:
    """The proposal form for a lead, with its choices from the selectors."""
    refuse(policies.propose_exchange(actor))
    led = policies.lead_partnership_ids(actor)
    leads: list[Partnership] = [
        p for p in tenancy_selectors.partnership_list(actor=actor) if p.pk in led
    ]
    return ProposeForm(
        data,
        leads=leads,
        directory=tenancy_selectors.partnership_directory(),
        versions=handbook_selectors.published_version_list(actor=actor),
    )


def _draft(request: HttpRequest) -> MultiValueDict[str, Any] | None:
    draft = request.session.get(DRAFT_KEY)
    return MultiValueDict(draft) if isinstance(draft, dict) else None


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def exchange_propose(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if request.method == "POST":
        form = _propose_form(actor, request.POST)
        if form.is_valid():
            request.session[DRAFT_KEY] = {
                key: request.POST.getlist(key)
                for key in request.POST
                if key != "csrfmiddlewaretoken"
            }
            return redirect("exchanges:check")
    else:
        # Coming back from "Change" on the check page: the answers so far.
        form = _propose_form(actor, _draft(request))
    return render(request, "reviews/exchange_propose.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def exchange_check(request: HttpRequest) -> HttpResponse:
    """Check your answers; "Send" is the only step that writes."""
    actor = actor_of(request)
    draft = _draft(request)
    form = _propose_form(actor, draft)
    if draft is None or not form.is_valid():
        # No answers yet, or they no longer hold (a date has passed, a handbook went).
        return redirect("exchanges:propose")
    answers = form.answers
    if request.method == "POST":
        try:
            exchange = services.exchange_propose(
                actor=actor,
                partnership_slug=answers["proposer"].slug,
                partner_slugs=[p.slug for p in answers["partners"]],
                handbook_version_id=answers["version"].pk,
                fieldwork_starts_on=answers["starts_on"],
                fieldwork_ends_on=answers["ends_on"],
                message=answers["message"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
            return render(request, "reviews/exchange_propose.html", {"form": form})
        del request.session[DRAFT_KEY]
        return redirect("exchanges:sent", exchange_id=exchange.pk)
    return render(request, "reviews/exchange_check.html", {"answers": answers})


@login_required
@page_errors
def exchange_sent(request: HttpRequest, exchange_id: int) -> HttpResponse:
    exchange = selectors.exchange_get(actor=actor_of(request), exchange_id=exchange_id)
    return render(request, "reviews/exchange_sent.html", {"exchange": exchange})


def _awaiting(actor: Actor, exchange: Exchange) -> list[ExchangeParty]:
    return [p for p in selectors.invitations_awaiting(actor=actor) if p.exchange_id == exchange.pk]


@login_required
@page_errors
def exchange_detail(request: HttpRequest, exchange_id: int) -> HttpResponse:
    actor = actor_of(request)
    exchange = selectors.exchange_get(actor=actor, exchange_id=exchange_id)
    proposed = exchange.status == Exchange.Status.PROPOSED
    return render(
        request,
        "reviews/exchange_detail.html",
        {
            "exchange": exchange,
            "awaiting": _awaiting(actor, exchange) if proposed else [],
            "can_withdraw": policies.withdraw_exchange(actor, exchange) is None,
            # A partner may not be able to open the proposer's own handbook.
            "handbook_visible": handbook_selectors.published_version_list(actor=actor)
            .filter(pk=exchange.handbook_version_id)
            .exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def exchange_answer(request: HttpRequest, exchange_id: int) -> HttpResponse:
    actor = actor_of(request)
    exchange = selectors.exchange_get(actor=actor, exchange_id=exchange_id)
    parties = _awaiting(actor, exchange)
    if not parties:
        raise PermissionDenied(policies.answer_exchange(actor, exchange).message)
    form = AnswerForm(posted(request), parties=parties)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["answer"] == "accept"
        try:
            services.exchange_answer(
                actor=actor,
                exchange_id=exchange.pk,
                partnership_slug=form.cleaned_data["partnership"],
                accept=accept,
                note=form.cleaned_data["note"],
            )
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "You accepted the exchange. The other partnerships have been told."
                if accept
                else "You declined the exchange. The other partnerships have been told.",
            )
            return redirect("exchanges:detail", exchange_id=exchange.pk)
    return render(request, "reviews/exchange_answer.html", {"exchange": exchange, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def exchange_withdraw(request: HttpRequest, exchange_id: int) -> HttpResponse:
    actor = actor_of(request)
    exchange = selectors.exchange_get(actor=actor, exchange_id=exchange_id)
    refusal = policies.withdraw_exchange(actor, exchange)
    if isinstance(refusal, PermissionDenied):
        raise refusal  # a closed proposal is sent back to its page below
    error = ""
    if request.method == "POST":
        try:
            services.exchange_withdraw(actor=actor, exchange_id=exchange.pk)
        except Conflict as exc:
            error = exc.message
        else:
            messages.success(request, "You withdrew the proposal. The invitations are closed.")
            return redirect("exchanges:detail", exchange_id=exchange.pk)
    elif exchange.status != Exchange.Status.PROPOSED:
        return redirect("exchanges:detail", exchange_id=exchange.pk)
    return render(request, "reviews/exchange_withdraw.html", {"exchange": exchange, "error": error})
