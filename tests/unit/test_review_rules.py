"""Every rule of exchanges and reviews: each refusal names its rule and writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from core.dates import LONDON
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from handbooks.models import Handbook, HandbookVersion
from reviews import services
from reviews.models import Exchange, PhaseChange, PhaseReminder, Review
from tenancy.access import actor_for
from tenancy.models import Membership, Partnership, Role
from tests.factories import (
    add_member,
    agreed_exchange,
    reference_version,
    review_in_fieldwork,
    review_of_salford,
)

pytestmark = pytest.mark.django_db


def _propose(world, **overrides):
    start = timezone.localdate() + timedelta(days=30)
    values: dict[str, Any] = {
        "actor": actor_for(world.bolton_lead),
        "partnership_slug": "bolton",
        "partner_slugs": ["salford"],
        "handbook_version_id": reference_version().pk,
        "fieldwork_starts_on": start,
        "fieldwork_ends_on": start + timedelta(days=30),
    }
    values.update(overrides)
    return services.exchange_propose(**values)


# --- proposing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"partner_slugs": ["bolton"]},
            "partners",
            "You cannot propose an exchange with your own partnership",
        ),
        ({"partner_slugs": ["atlantis"]}, "partners", "There is no partnership called 'atlantis'"),
        (
            {"partner_slugs": []},
            "partners",
            "Select the partnership you want to exchange reviews with",
        ),
        (
            {"handbook_version_id": "not-a-number"},
            "handbook_version",
            "Select a published handbook",
        ),
        ({"fieldwork_starts_on": None}, "fieldwork_starts_on", "Enter the date fieldwork starts"),
    ],
)
def test_proposal_refused_with_named_rule(world, overrides, field, message):
    with pytest.raises(ValidationFailed) as error:
        _propose(world, **overrides)
    assert error.value.field_errors[field] == [message]
    assert not Exchange.objects.exists()


def test_proposal_with_dates_in_the_past_or_far_future(world):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as past:
        _propose(
            world,
            fieldwork_starts_on=today - timedelta(days=1),
            fieldwork_ends_on=today + timedelta(days=9),
        )
    assert past.value.field_errors["fieldwork_starts_on"] == [
        "The date fieldwork starts must be today or in the future"
    ]
    with pytest.raises(ValidationFailed) as future:
        _propose(
            world,
            fieldwork_starts_on=today + timedelta(days=10),
            fieldwork_ends_on=today + timedelta(days=5000),
        )
    assert future.value.field_errors["fieldwork_ends_on"][0].startswith(
        "Fieldwork must be planned before"
    )
    assert not Exchange.objects.exists()


def test_only_a_lead_can_propose(world):
    with pytest.raises(PermissionDenied, match="Only a lead of Bolton SCP"):
        _propose(world, actor=actor_for(world.bolton_manager))


def test_proposing_for_another_partnership_is_not_found(world):
    with pytest.raises(NotFound):
        _propose(world, actor=actor_for(world.salford_lead))


def test_private_handbook_of_another_partnership_cannot_be_used(world):
    private = Handbook.objects.create(title="Salford's own", partnership=world.salford)
    version = HandbookVersion.objects.create(handbook=private, number=1, status="published")
    with pytest.raises(ValidationFailed) as error:
        _propose(world, handbook_version_id=version.pk)
    assert error.value.field_errors["handbook_version"] == ["Select a published handbook"]


def test_triad_creates_a_ring_of_three_reviews(world):
    wigan = Partnership.objects.create(name="Wigan SCP", slug="wigan")
    wigan_lead = world.outsider
    Membership.objects.create(user=wigan_lead, partnership=wigan, role=Role.LEAD)
    exchange = _propose(world, partner_slugs=["salford", "wigan"])
    for lead, slug in ((world.salford_lead, "salford"), (wigan_lead, "wigan")):
        services.exchange_answer(
            actor=actor_for(lead), exchange_id=exchange.pk, partnership_slug=slug, accept=True
        )
    ring = {
        (r.reviewing_partnership.slug, r.reviewed_partnership.slug)
        for r in Review.objects.select_related("reviewing_partnership", "reviewed_partnership")
    }
    assert ring == {("bolton", "salford"), ("salford", "wigan"), ("wigan", "bolton")}


def test_the_invitation_links_to_the_exchange(world, settings, django_capture_on_commit_callbacks):
    """Issue 11: the email to the invited partnership's leads had no link to answer from."""
    settings.SITE_URL = "https://peer-review.example"
    with django_capture_on_commit_callbacks(execute=True):
        exchange = _propose(world)
    (invitation,) = mail.outbox
    assert invitation.to == ["lead@salford.test"]
    assert f"https://peer-review.example/exchanges/{exchange.pk}/" in invitation.body


# --- answering ------------------------------------------------------------------


def test_decline_creates_no_review_and_tells_every_lead(world, django_capture_on_commit_callbacks):
    exchange = _propose(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_answer(
            actor=actor_for(world.salford_lead),
            exchange_id=exchange.pk,
            partnership_slug="salford",
            accept=False,
            note="Not this year",
        )
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.DECLINED
    assert not Review.objects.exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@bolton.test", "lead@salford.test"]
    assert "Not this year" in mail.outbox[0].body


def test_answering_twice_is_refused(world):
    exchange = agreed_exchange(world)
    with pytest.raises(Conflict, match="it can no longer be answered"):
        services.exchange_answer(
            actor=actor_for(world.salford_lead),
            exchange_id=exchange.pk,
            partnership_slug="salford",
            accept=True,
        )


def test_withdrawn_exchange_cannot_be_answered(world):
    exchange = _propose(world)
    services.exchange_withdraw(actor=actor_for(world.bolton_lead), exchange_id=exchange.pk)
    with pytest.raises(Conflict):
        services.exchange_answer(
            actor=actor_for(world.salford_lead),
            exchange_id=exchange.pk,
            partnership_slug="salford",
            accept=True,
        )


def test_a_third_partnership_cannot_see_the_exchange(world):
    exchange = _propose(world)
    outsider_partnership = Partnership.objects.create(name="Bury SCP", slug="bury")
    Membership.objects.create(user=world.outsider, partnership=outsider_partnership, role=Role.LEAD)
    with pytest.raises(NotFound):
        services.exchange_answer(
            actor=actor_for(world.outsider),
            exchange_id=exchange.pk,
            partnership_slug="salford",
            accept=True,
        )


# --- lifecycle guards -----------------------------------------------------------


def test_cannot_skip_a_stage(world):
    review = review_of_salford(world)
    with pytest.raises(Conflict, match="A review in draft cannot move to fieldwork"):
        services.review_transition(
            actor=actor_for(world.bolton_lead), review_id=review.pk, to_status="fieldwork"
        )
    review.refresh_from_db()
    assert review.status == "draft"


def test_unknown_status_is_a_validation_error(world):
    review = review_of_salford(world)
    with pytest.raises(ValidationFailed):
        services.review_transition(
            actor=actor_for(world.bolton_lead), review_id=review.pk, to_status="done"
        )


def test_members_cannot_move_a_review(world):
    review = review_of_salford(world)
    with pytest.raises(PermissionDenied, match="Only a lead of either partnership"):
        services.review_transition(
            actor=actor_for(world.salford_member), review_id=review.pk, to_status="mobilisation"
        )


def test_fieldwork_needs_declarations(world):
    review = review_of_salford(world)
    bolton, salford = actor_for(world.bolton_lead), actor_for(world.salford_lead)
    services.review_transition(actor=bolton, review_id=review.pk, to_status="mobilisation")
    services.scope_confirm(actor=salford, review_id=review.pk)
    services.scope_confirm(actor=bolton, review_id=review.pk)
    add_member(world, review, world.bolton_manager, "lead_reviewer", declare=False)
    with pytest.raises(Conflict, match="Every team member must declare their interests"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status="fieldwork")


def test_changing_scope_clears_confirmations(world):
    review = review_of_salford(world)
    salford = actor_for(world.salford_lead)
    services.scope_confirm(actor=salford, review_id=review.pk)
    services.scope_set(
        actor=salford,
        review_id=review.pk,
        handbook_area_ids=list(review.handbook_version.areas.values_list("pk", flat=True)[:2]),
    )
    review.refresh_from_db()
    assert review.scope_confirmed_by_reviewed_at is None
    assert review.areas.count() == 2


def test_scope_refuses_areas_of_another_handbook(world):
    review = review_of_salford(world)
    with pytest.raises(ValidationFailed) as error:
        services.scope_set(
            actor=actor_for(world.salford_lead), review_id=review.pk, handbook_area_ids=[999_999]
        )
    assert error.value.field_errors == {
        "handbook_areas": ["Select areas of focus from the handbook list"]
    }
    assert review.areas.count() == 10


def test_each_transition_is_audited(world):
    review = review_in_fieldwork(world)
    moves = AuditEvent.objects.filter(action="transition", object_id=str(review.pk))
    assert [e.detail["to"] for e in moves] == ["mobilisation", "fieldwork"]


# --- timeline -------------------------------------------------------------------


def test_reschedule_keeps_original_dates_and_history(world):
    review = review_of_salford(world)
    phase = review.phases.get(kind="report_back")
    original = (phase.starts_on, phase.ends_on)
    services.phases_reschedule(
        actor=actor_for(world.salford_lead),
        review_id=review.pk,
        new_dates={
            "report_back": (
                phase.starts_on + timedelta(days=60),
                phase.ends_on + timedelta(days=60),
            )
        },
        reason="Covid-19 pandemic",
    )
    phase.refresh_from_db()
    assert (phase.original_starts_on, phase.original_ends_on) == original
    change = PhaseChange.objects.get(phase=phase)
    assert (change.previous_starts_on, change.reason) == (original[0], "Covid-19 pandemic")


@pytest.mark.parametrize(
    ("kind", "shift_start", "shift_end", "field", "message"),
    [
        ("moderation", -30, 0, "moderation", "Moderation must start after undertake review ends"),
        (
            "fieldwork",
            10,
            -10,
            "fieldwork",
            "Undertake review must end on or after the day it starts",
        ),
    ],
)
def test_reschedule_refuses_disorder(world, kind, shift_start, shift_end, field, message):
    review = review_of_salford(world)
    phase = review.phases.get(kind=kind)
    with pytest.raises(ValidationFailed) as error:
        services.phases_reschedule(
            actor=actor_for(world.salford_lead),
            review_id=review.pk,
            new_dates={
                kind: (
                    phase.starts_on + timedelta(days=shift_start),
                    phase.starts_on + timedelta(days=shift_end),
                )
            },
            reason="Testing",
        )
    assert error.value.field_errors[field] == [message]
    assert not PhaseChange.objects.exists()


def test_reschedule_needs_a_reason_and_a_change(world):
    review = review_of_salford(world)
    with pytest.raises(ValidationFailed) as error:
        services.phases_reschedule(
            actor=actor_for(world.salford_lead), review_id=review.pk, new_dates={}, reason=""
        )
    assert error.value.field_errors == {"reason": ["Enter the reason for the new dates"]}
    with pytest.raises(ValidationFailed) as unchanged:
        services.phases_reschedule(
            actor=actor_for(world.salford_lead),
            review_id=review.pk,
            new_dates={},
            reason="No change",
        )
    assert unchanged.value.field_errors == {"phases": ["Change at least one date"]}


def test_reminders_are_sent_once_seven_days_and_one_day_before(
    world, django_capture_on_commit_callbacks
):
    review = review_of_salford(world)  # the exchange also made the review of Bolton
    mobilisation = review.phases.get(kind="mobilisation")
    seven_before = datetime.combine(
        mobilisation.ends_on - timedelta(days=7), datetime.min.time(), LONDON
    )
    with (
        time_machine.travel(seven_before + timedelta(hours=9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.reminders_send() == 2
        assert services.reminders_send() == 0
    with (
        time_machine.travel(seven_before + timedelta(days=6, hours=9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.reminders_send() == 2
        assert services.reminders_send() == 0
    assert PhaseReminder.objects.filter(phase=mobilisation).count() == 2
    subjects = {m.subject for m in mail.outbox}
    assert any("ends in 7 days" in s for s in subjects)
    assert any("ends in 1 day" in s for s in subjects)
    assert "by 11:59pm on" in mail.outbox[0].body


# --- team -----------------------------------------------------------------------


def test_member_of_a_third_partnership_cannot_join(world):
    review = review_of_salford(world)
    bury = Partnership.objects.create(name="Bury SCP", slug="bury")
    Membership.objects.create(user=world.outsider, partnership=bury, role=Role.MEMBER)
    with pytest.raises(ValidationFailed) as error:
        services.team_member_add(
            actor=actor_for(world.bolton_lead),
            review_id=review.pk,
            user_id=world.outsider.pk,
            team_role="reviewer",
        )
    assert error.value.field_errors["user"] == [
        "Only members of Bolton SCP and independent advisers can join its review team"
    ]
    assert not review.team.exists()


def test_reviewed_partnership_cannot_build_the_team(world):
    review = review_of_salford(world)
    with pytest.raises(
        PermissionDenied, match="Only a lead of Bolton SCP can change its review team"
    ):
        services.team_member_add(
            actor=actor_for(world.salford_lead),
            review_id=review.pk,
            user_id=world.salford_member.pk,
            team_role="reviewer",
        )


def test_organisational_conflict_blocks_access_until_mitigated(world):
    world.bolton_member.employer = world.police
    world.bolton_member.save()
    review = review_in_fieldwork(world)
    member = add_member(world, review, world.bolton_member)
    assert member.conflicting_organisation == world.police
    member.refresh_from_db()
    assert member.access_window is None
    services.team_member_mitigate(
        actor=actor_for(world.bolton_lead),
        review_id=review.pk,
        member_id=member.pk,
        mitigation="Will not read police case files.",
    )
    member.refresh_from_db()
    assert member.access_window is not None


def test_a_declared_interest_needs_a_decision_like_a_flagged_conflict(world, client_for):
    """Issue 11: an interest declared with no organisational conflict asked for no
    mitigation, so the member's access opened as if nothing had been declared."""
    review = review_in_fieldwork(world)
    member = add_member(world, review, world.bolton_member, declare=False)
    reviewer = actor_for(world.bolton_member)
    services.team_member_declare(
        actor=reviewer,
        review_id=review.pk,
        member_id=member.pk,
        has_interest=True,
        details="My sister chairs a sub-group",
    )
    member.refresh_from_db()
    assert member.conflicting_organisation is None
    assert member.conflict_unresolved and member.access_window is None
    page = client_for(world.bolton_lead).get(f"/reviews/{review.pk}/team/").content.decode()
    assert "They declared an interest, which needs a decision on how it is managed." in page
    assert f"/reviews/{review.pk}/team/{member.pk}/mitigation/" in page

    services.team_member_mitigate(
        actor=actor_for(world.bolton_lead),
        review_id=review.pk,
        member_id=member.pk,
        mitigation="Will not attend that sub-group's observation.",
    )
    member.refresh_from_db()
    assert member.access_window is not None

    # A changed interest is decided again.
    services.team_member_declare(
        actor=reviewer,
        review_id=review.pk,
        member_id=member.pk,
        has_interest=True,
        details="I also advise the council",
    )
    member.refresh_from_db()
    assert member.mitigated_at is None and member.access_window is None


def test_fieldwork_waits_for_a_decision_on_each_declared_interest(world):
    review = review_of_salford(world)
    bolton, salford = actor_for(world.bolton_lead), actor_for(world.salford_lead)
    services.review_transition(actor=bolton, review_id=review.pk, to_status="mobilisation")
    services.scope_confirm(actor=salford, review_id=review.pk)
    services.scope_confirm(actor=bolton, review_id=review.pk)
    lead = add_member(world, review, world.bolton_manager, "lead_reviewer", declare=False)
    services.team_member_declare(
        actor=actor_for(world.bolton_manager),
        review_id=review.pk,
        member_id=lead.pk,
        has_interest=True,
        details="Former employee of Salford council",
    )
    with pytest.raises(Conflict, match="Record a mitigation for every flagged conflict"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status="fieldwork")


def test_window_ending_before_it_starts_is_refused(world):
    review = review_in_fieldwork(world)
    member = review.team.get()
    now = timezone.now()
    with pytest.raises(ValidationFailed) as error:
        services.team_member_set_window(
            actor=actor_for(world.salford_lead),
            review_id=review.pk,
            member_id=member.pk,
            opens_at=now,
            closes_at=now - timedelta(hours=1),
        )
    assert error.value.field_errors == {"closes_at": ["The access window must end after it starts"]}


def test_only_the_reviewed_lead_edits_windows(world):
    review = review_in_fieldwork(world)
    member = review.team.get()
    now = timezone.now()
    with pytest.raises(PermissionDenied, match="Only a lead of Salford SCP"):
        services.team_member_set_window(
            actor=actor_for(world.bolton_lead),
            review_id=review.pk,
            member_id=member.pk,
            opens_at=now,
            closes_at=now + timedelta(days=1),
        )
