"""Exchange pages (UX screen 3) through the Django test client: arrange a reciprocal
review, check the answers, send, answer; who may see and do each; validation with
nothing written; constant query counts on the list."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.dates import weekday_date
from core.errors import ValidationFailed
from handbooks import services as handbook_services
from reviews import services
from reviews.models import Exchange, ExchangeParty, Review
from tenancy.access import actor_for
from tenancy.models import Membership, Partnership, Role
from tests.conftest import make_user
from tests.factories import agreed_exchange, reference_version

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"exchanges:{name}", args=args)


def text(response) -> str:
    return html.unescape(response.content.decode())


def without_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))


def date_fields(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def answers(**overrides) -> dict[str, str]:
    start = timezone.localdate() + timedelta(days=30)
    data = {
        "partnership": "bolton",
        "partners": "salford",
        "second_partner": "",
        "handbook_version": str(reference_version().pk),
        **date_fields("fieldwork_starts_on", start),
        **date_fields("fieldwork_ends_on", start + timedelta(days=45)),
        "message": "Shall we?",
    }
    data.update(overrides)
    return data


def proposed(world) -> Exchange:
    start = timezone.localdate() + timedelta(days=30)
    return services.exchange_propose(
        actor=actor_for(world.bolton_lead),
        partnership_slug="bolton",
        partner_slugs=["salford"],
        handbook_version_id=reference_version().pk,
        fieldwork_starts_on=start,
        fieldwork_ends_on=start + timedelta(days=45),
        message="Shall we?",
    )


def wigan(world):
    partnership = Partnership.objects.create(
        name="Wigan SCP", slug="wigan", alliance=world.alliance
    )
    lead = make_user("lead@wigan.test")
    Membership.objects.create(user=lead, partnership=partnership, role=Role.LEAD)
    return partnership, lead


# --- the whole journey ---------------------------------------------------------------


def test_propose_check_send_and_accept(world, client_for, django_capture_on_commit_callbacks):
    bolton = client_for(world.bolton_lead)
    form = bolton.get(url("propose"))
    assert form.status_code == 200
    assert "You are arranging this for <strong>Bolton SCP</strong>" in text(form)
    assert '<option value="bolton"' not in text(form)  # not your own partnership

    to_check = bolton.post(url("propose"), answers())
    assert to_check.status_code == 302 and to_check["Location"] == url("check")
    assert Exchange.objects.count() == 0

    check = bolton.get(url("check"))
    page = text(check)
    assert "Check your answers before sending the invitation" in page
    assert "Bolton SCP reviews Salford SCP" in page and "Salford SCP reviews Bolton SCP" in page
    start = timezone.localdate() + timedelta(days=30)
    assert weekday_date(start) in page
    assert reference_version().handbook.title in page
    assert Exchange.objects.count() == 0  # nothing is sent before "Send"

    with django_capture_on_commit_callbacks(execute=True):
        sent = bolton.post(url("check"))
    exchange = Exchange.objects.get()
    assert sent.status_code == 302 and sent["Location"] == url("sent", exchange.pk)
    assert [m.to for m in mail.outbox] == [["lead@salford.test"]]
    panel = text(bolton.get(url("sent", exchange.pk)))
    assert "govuk-panel--confirmation" in panel and "Invitation sent" in panel
    assert bolton.get(url("check")).status_code == 302  # the answers are cleared

    salford = client_for(world.salford_lead)
    listing = text(salford.get(url("list")))
    assert "You have 1 invitation to answer" in listing
    assert url("answer", exchange.pk) in listing
    assert "Answer the invitation" in text(salford.get(url("detail", exchange.pk)))
    assert salford.get(url("answer", exchange.pk)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        answered = salford.post(
            url("answer", exchange.pk), {"partnership": "salford", "answer": "accept"}
        )
    assert answered.status_code == 302 and answered["Location"] == url("detail", exchange.pk)
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.AGREED
    assert Review.objects.filter(exchange=exchange).count() == 2
    detail = text(salford.get(url("detail", exchange.pk)))
    assert "Agreed" in detail and "Accepted" in detail
    assert "You have 1 invitation" not in text(salford.get(url("list")))


def test_a_triad_shows_who_reviews_whom(world, client_for):
    wigan(world)
    client = client_for(world.bolton_lead)
    client.post(url("propose"), answers(second_partner="wigan"))
    page = text(client.get(url("check")))
    for line in (
        "Bolton SCP reviews Salford SCP",
        "Salford SCP reviews Wigan SCP",
        "Wigan SCP reviews Bolton SCP",
    ):
        assert line in page
    client.post(url("check"))
    assert Exchange.objects.get().parties.count() == 3


def test_change_links_bring_back_the_answers(world, client_for):
    client = client_for(world.bolton_lead)
    client.post(url("propose"), answers(message="See you in Salford"))
    page = text(client.get(url("propose")))
    assert "See you in Salford" in page
    assert '<option value="salford" selected>' in page
    assert "Error:" not in page


def test_decline(world, client_for):
    exchange = proposed(world)
    response = client_for(world.salford_lead).post(
        url("answer", exchange.pk),
        {"partnership": "salford", "answer": "decline", "note": "Not this year"},
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.DECLINED
    assert not Review.objects.exists()
    assert "Not this year" in text(client_for(world.bolton_member).get(url("detail", exchange.pk)))


# --- arrange: validation, nothing written ------------------------------------------------


def propose_errors(client, data):
    before = Exchange.objects.count()
    response = client.post(url("propose"), data)
    assert response.status_code == 200
    assert "<title>Error: Arrange a reciprocal review" in text(response)
    assert Exchange.objects.count() == before
    assert "exchange_draft" not in client.session
    return text(response)


def test_empty_proposal_names_every_missing_answer(world, client_for):
    page = propose_errors(client_for(world.bolton_lead), {"partnership": "bolton"})
    assert 'href="#partners">Select the partnership you want to exchange reviews with</a>' in page
    assert 'href="#handbook_version">Select a published handbook</a>' in page
    assert 'href="#fieldwork_starts_on-day">Enter the date fieldwork starts</a>' in page
    assert "Enter the date fieldwork ends" in page


def test_date_parts_are_checked_one_by_one(world, client_for):
    client = client_for(world.bolton_lead)
    page = propose_errors(
        client,
        answers(**{"fieldwork_starts_on-day": "", "fieldwork_starts_on-year": ""}),
    )
    assert "The date fieldwork starts must include a day and year" in page
    assert 'href="#fieldwork_starts_on-day"' in page
    day_box, month_box = (
        re.findall(rf'<input[^>]+id="fieldwork_starts_on-{part}"[^>]*>', page)[0]
        for part in ("day", "month")
    )
    assert "govuk-input--error" in day_box and "govuk-input--error" not in month_box

    page = propose_errors(
        client,
        answers(**{"fieldwork_ends_on-day": "31", "fieldwork_ends_on-month": "2"}),
    )
    assert "The date fieldwork ends must be a real date" in page

    page = propose_errors(client, answers(**{"fieldwork_ends_on-year": "27"}))
    assert "Year must include 4 numbers" in page
    assert 'href="#fieldwork_ends_on-year"' in page


def test_window_rules_of_the_service_show_on_the_form(world, client_for):
    client = client_for(world.bolton_lead)
    today = timezone.localdate()
    page = propose_errors(
        client,
        answers(
            **date_fields("fieldwork_starts_on", today + timedelta(days=30)),
            **date_fields("fieldwork_ends_on", today + timedelta(days=10)),
        ),
    )
    assert "The date fieldwork ends must be after the date it starts" in page
    page = propose_errors(
        client, answers(**date_fields("fieldwork_starts_on", today - timedelta(1)))
    )
    assert "The date fieldwork starts must be today or in the future" in page


def test_own_unknown_or_repeated_partners_are_refused(world, client_for):
    wigan(world)
    client = client_for(world.bolton_lead)
    own = propose_errors(client, answers(partners="bolton"))
    assert "Select the partnership you want to exchange reviews with" in own
    unknown = propose_errors(client, answers(partners="atlantis"))
    assert "Select the partnership you want to exchange reviews with" in unknown
    repeated = propose_errors(client, answers(second_partner="salford"))
    assert "Select a third partnership different from the others" in repeated
    other_partnership = propose_errors(client, answers(partnership="salford"))
    assert "Select the partnership you are arranging this for" in other_partnership


def test_a_handbook_you_cannot_use_is_refused(world, client_for):
    salford_private = handbook_services.handbook_create(
        actor=actor_for(world.salford_lead), partnership_slug="salford", title="Ours"
    ).versions.get()
    page = propose_errors(
        client_for(world.bolton_lead), answers(handbook_version=str(salford_private.pk))
    )
    assert "Select a published handbook" in page


def test_a_refusal_when_sending_goes_back_to_the_form(world, client_for, monkeypatch):
    client = client_for(world.bolton_lead)
    client.post(url("propose"), answers())

    def refuse(**kwargs):
        raise ValidationFailed(
            "The exchange could not be proposed.",
            field_errors={"partners": ["Salford SCP has left the product"]},
        )

    monkeypatch.setattr(services, "exchange_propose", refuse)
    response = client.post(url("check"))
    assert response.status_code == 200
    assert "<title>Error: " in text(response)
    assert 'href="#partners">Salford SCP has left the product</a>' in text(response)
    assert Exchange.objects.count() == 0


def test_check_without_answers_goes_to_the_form(world, client_for):
    response = client_for(world.bolton_lead).get(url("check"))
    assert response.status_code == 302 and response["Location"] == url("propose")


# --- who may do what ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["propose", "check"])
def test_only_leads_can_arrange(world, client_for, name):
    for user in (world.bolton_member, world.bolton_manager, world.outsider, world.adviser):
        response = client_for(user).get(url(name))
        assert response.status_code == 403
        assert "Only a partnership lead can arrange a reciprocal review." in text(response)
    assert client_for(world.bolton_member).post(url("propose"), answers()).status_code == 403
    assert Exchange.objects.count() == 0
    anonymous = client_for(None).get(url(name))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:sign-in"))


def test_list_for_each_principal(world, client_for):
    exchange = proposed(world)
    lead = text(client_for(world.bolton_lead).get(url("list")))
    assert "Arrange a reciprocal review" in lead and "Waiting for answers" in lead
    member = text(client_for(world.salford_member).get(url("list")))
    assert url("detail", exchange.pk) in member
    assert "Arrange a reciprocal review" not in member
    assert "invitation to answer" not in member  # only the lead answers
    outsider = client_for(world.outsider).get(url("list"))
    assert outsider.status_code == 200
    assert "Your partnerships are not in any exchanges yet." in text(outsider)


@pytest.mark.parametrize("name", ["detail", "sent", "answer", "withdraw"])
def test_foreign_exchange_is_404_and_identical_to_missing(world, client_for, name):
    exchange = proposed(world)
    _, wigan_lead = wigan(world)
    for user in (wigan_lead, world.outsider, world.adviser, world.analyst, world.staff):
        client = client_for(user)
        foreign = client.get(url(name, exchange.pk))
        missing = client.get(url(name, 999999))
        assert foreign.status_code == missing.status_code == 404
        assert without_token(foreign) == without_token(missing)
    assert client_for(wigan_lead).post(url("answer", exchange.pk), {}).status_code == 404
    assert client_for(wigan_lead).post(url("withdraw", exchange.pk)).status_code == 404
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.PROPOSED


def test_every_party_member_sees_the_exchange(world, client_for):
    exchange = proposed(world)
    for user in (world.bolton_member, world.salford_member, world.salford_lead):
        response = client_for(user).get(url("detail", exchange.pk))
        assert response.status_code == 200
        assert "Bolton SCP" in text(response) and "Salford SCP" in text(response)
        assert "Waiting for an answer" in text(response)


def test_only_the_invited_lead_can_answer(world, client_for):
    exchange = proposed(world)
    member = client_for(world.salford_member).get(url("answer", exchange.pk))
    assert member.status_code == 403
    assert "Only a lead of Salford SCP can answer for Salford SCP." in text(member)
    proposer = client_for(world.bolton_lead).post(
        url("answer", exchange.pk), {"partnership": "bolton", "answer": "accept"}
    )
    assert proposer.status_code == 403
    assert ExchangeParty.objects.filter(answer="invited").count() == 1


def test_answer_form_validation_writes_nothing(world, client_for):
    exchange = proposed(world)
    client = client_for(world.salford_lead)
    empty = client.post(url("answer", exchange.pk), {"partnership": "salford"})
    assert "<title>Error: " in text(empty)
    assert 'href="#answer">Select whether you accept or decline the invitation</a>' in text(empty)
    # Answering on behalf of another partnership is not a choice on the form.
    other = client.post(url("answer", exchange.pk), {"partnership": "bolton", "answer": "accept"})
    assert "Select the partnership you are answering for" in text(other)
    too_long = client.post(
        url("answer", exchange.pk),
        {"partnership": "salford", "answer": "accept", "note": "x" * 2001},
    )
    assert "Note must be 2000 characters or fewer" in text(too_long)
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.PROPOSED
    assert ExchangeParty.objects.filter(answer="invited").count() == 1


def test_an_answered_exchange_cannot_be_answered_again(world, client_for):
    exchange = agreed_exchange(world)
    response = client_for(world.salford_lead).get(url("answer", exchange.pk))
    assert response.status_code == 403
    assert "This exchange is agreed: it can no longer be answered." in text(response)


def test_proposer_withdraws(world, client_for):
    exchange = proposed(world)
    client = client_for(world.bolton_lead)
    assert "Withdraw this proposal" in text(client.get(url("detail", exchange.pk)))
    assert client.get(url("withdraw", exchange.pk)).status_code == 200
    response = client.post(url("withdraw", exchange.pk))
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.WITHDRAWN
    assert "Withdrawn" in text(client.get(url("detail", exchange.pk)))


def test_only_the_proposing_lead_can_withdraw(world, client_for):
    exchange = proposed(world)
    for user in (world.salford_lead, world.bolton_member, world.bolton_manager):
        client = client_for(user)
        assert "Withdraw this proposal" not in text(client.get(url("detail", exchange.pk)))
        response = client.post(url("withdraw", exchange.pk))
        assert response.status_code == 403
        assert "Only the proposing partnership's lead can withdraw an exchange." in text(response)
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.PROPOSED


def test_an_agreed_exchange_cannot_be_withdrawn(world, client_for):
    exchange = agreed_exchange(world)
    client = client_for(world.bolton_lead)
    assert client.get(url("withdraw", exchange.pk))["Location"] == url("detail", exchange.pk)
    response = client.post(url("withdraw", exchange.pk))
    assert "Only an exchange that is waiting for answers can be withdrawn." in text(response)
    assert "<title>Error: " in text(response)
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.AGREED


# --- query counts ----------------------------------------------------------------------------


def test_list_query_count_is_constant(world, client_for):
    client = client_for(world.salford_lead)
    proposed(world)
    client.get(url("list"))
    with CaptureQueriesContext(connection) as one:
        client.get(url("list"))
    for _ in range(4):
        proposed(world)
    with CaptureQueriesContext(connection) as several:
        response = client.get(url("list"))
    assert "You have 5 invitations to answer" in text(response)
    assert len(several) == len(one)
