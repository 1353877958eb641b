"""Only the reviewed partnership widens access to its own evidence (SECURITY.md
section 1; the outside test's high finding): the reviewing side may not reopen or
extend its team's window by rescheduling, through any face, and a published review's
record never moves.

The property test at the end closes the class: whatever the reviewing side, the team
and the system tasks do, in any order, no access window on the review's group ever
opens earlier or closes later than the window the reviewed partnership agreed to.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDenied
from reviews import services
from reviews.models import PhaseChange, Review
from reviews.services.team import default_window, team_access_sync
from tenancy.access import actor_for
from tenancy.models import AccessWindow
from tenancy.tasks import sweep_expired_access
from tests.evidence_factories import fieldwork, make_item, share_directly
from tests.factories import add_member

pytestmark = pytest.mark.django_db


def _moves(review: Review, kind: str, start_days: int, end_days: int) -> dict:
    phase = review.phases.get(kind=kind)
    return {
        kind: (
            phase.starts_on + timedelta(days=start_days),
            phase.ends_on + timedelta(days=end_days),
        )
    }


def _publish(world, review: Review) -> None:
    bolton = actor_for(world.bolton_lead)
    for status in ("moderation", "reporting", "published"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status=status)


def _lead_window(review: Review) -> AccessWindow:
    window = review.team.get(team_role="lead_reviewer").access_window
    assert window is not None
    return window


def _windows(review: Review) -> set[tuple]:
    return set(
        AccessWindow.objects.filter(group=review.team_group).values_list(
            "user_id", "opens_at", "closes_at"
        )
    )


def test_the_reviewing_lead_cannot_reopen_expired_access_to_a_published_review(world, client_for):
    """The finding as reported: published review, team window over, the reviewing lead
    moves report-back to a later year over REST; the evidence must stay out of reach."""
    setup = fieldwork(world)
    review = setup.review
    item = make_item(world, title="Salford case file")
    share_directly(item, review, world.salford_lead)
    _publish(world, review)
    report_back = review.phases.get(kind="report_back")
    with time_machine.travel(setup.closes + timedelta(days=1), tick=False):
        team_access_sync(review=review)
        reviewer, lead = client_for(world.bolton_manager), client_for(world.bolton_lead)
        assert reviewer.get(f"/api/v1/evidence/{item.pk}/").status_code == 404
        answer = lead.post(
            f"/api/v1/reviews/{review.pk}/reschedule/",
            json.dumps(
                {
                    "phases": [
                        {
                            "kind": "report_back",
                            "starts_on": str(report_back.starts_on),
                            "ends_on": str(report_back.ends_on + timedelta(days=500)),
                        }
                    ],
                    "reason": "extend",
                }
            ),
            content_type="application/json",
        )
        assert answer.status_code == 409
        assert answer.json()["detail"] == (
            "A published review's dates up to report back are the record of what happened "
            "and cannot be changed."
        )
        team_access_sync(review=review)
        assert reviewer.get(f"/api/v1/evidence/{item.pk}/").status_code == 404
        assert reviewer.get(f"/api/v1/evidence/{item.pk}/download/").status_code == 404
    assert not PhaseChange.objects.exists()


def test_the_reviewed_lead_cannot_move_a_published_record_either(world):
    review = fieldwork(world).review
    _publish(world, review)
    with pytest.raises(DomainError, match="record of what happened"):
        services.phases_reschedule(
            actor=actor_for(world.salford_lead),
            review_id=review.pk,
            new_dates=_moves(review, "report_back", 0, 30),
            reason="extend",
        )


def test_the_reviewing_lead_cannot_extend_the_window_during_fieldwork(world):
    review = fieldwork(world).review
    before = _windows(review)
    with pytest.raises(PermissionDenied) as refused:
        services.phases_reschedule(
            actor=actor_for(world.bolton_lead),
            review_id=review.pk,
            new_dates=_moves(review, "report_back", 0, 30),
            reason="More time",
        )
    assert refused.value.field_errors == {
        "report_back": [
            "Only a lead of Salford SCP can move report back later, because it would extend "
            "the review team's access to Salford SCP's evidence"
        ]
    }
    assert _windows(review) == before
    assert not PhaseChange.objects.exists()


def test_the_reviewing_lead_cannot_open_access_sooner(world):
    review = fieldwork(world).review
    with pytest.raises(PermissionDenied) as refused:
        services.phases_reschedule(
            actor=actor_for(world.bolton_lead),
            review_id=review.pk,
            new_dates={
                **_moves(review, "mobilisation", -10, -10),
                **_moves(review, "fieldwork", -10, 0),
            },
            reason="Earlier",
        )
    assert list(refused.value.field_errors) == ["fieldwork"]


def test_the_reviewing_lead_may_move_dates_inside_the_window(world):
    review = fieldwork(world).review
    services.phases_reschedule(
        actor=actor_for(world.bolton_lead),
        review_id=review.pk,
        new_dates=_moves(review, "report_back", 0, -1),
        reason="Finished early",
    )
    window, agreed = _lead_window(review), default_window(review)
    assert agreed is not None and window.closes_at == agreed[1]


def test_the_reviewed_lead_extends_access_and_it_is_audited(world):
    review = fieldwork(world).review
    old_close = _lead_window(review).closes_at
    services.phases_reschedule(
        actor=actor_for(world.salford_lead),
        review_id=review.pk,
        new_dates=_moves(review, "report_back", 0, 30),
        reason="Covid-19 pandemic",
    )
    window = _lead_window(review)
    assert window.closes_at == old_close + timedelta(days=30)
    event = AuditEvent.objects.filter(object_type="reviews.Review", action="update").latest("id")
    assert event.actor_id == world.salford_lead.pk
    extended = event.detail["access_extended"]
    assert datetime.fromisoformat(extended["from"][1]) == old_close
    assert datetime.fromisoformat(extended["to"][1]) == window.closes_at


def test_graphql_refuses_the_widening_to_the_reviewing_lead(world, client_for):
    review = fieldwork(world).review
    report_back = review.phases.get(kind="report_back")
    mutation = (
        "mutation($r: ID!, $s: Date!, $e: Date!) { rescheduleReview(review: $r, "
        'reason: "extend", phases: [{kind: REPORT_BACK, startsOn: $s, endsOn: $e}]) '
        "{ errors { messages } review { id } } }"
    )
    answer = client_for(world.bolton_lead).post(
        "/graphql/",
        json.dumps(
            {
                "query": mutation,
                "variables": {
                    "r": review.pk,
                    "s": str(report_back.starts_on),
                    "e": str(report_back.ends_on + timedelta(days=30)),
                },
            }
        ),
        content_type="application/json",
    )
    payload = answer.json()["data"]["rescheduleReview"]
    assert payload["review"] is None
    assert "Only a lead of Salford SCP can extend" in json.dumps(payload["errors"])
    assert not PhaseChange.objects.exists()


def test_the_timeline_page_explains_the_refusal(world, client_for):
    from tests.integration.test_review_pages import error_summary, reschedule_data

    review = fieldwork(world).review
    report_back = review.phases.get(kind="report_back")
    response = client_for(world.bolton_lead).post(
        f"/reviews/{review.pk}/timeline/",
        reschedule_data(
            review,
            "More time",
            report_back=(report_back.starts_on, report_back.ends_on + timedelta(days=30)),
        ),
    )
    assert response.status_code == 403
    assert error_summary(response) == [
        "Only a lead of Salford SCP can move report back later, because it would extend "
        "the review team's access to Salford SCP's evidence"
    ]
    assert not PhaseChange.objects.exists()


# --- the class: no action of the other side widens access --------------------------------

_KINDS = ("mobilisation", "fieldwork", "moderation", "report_back")
_reschedule = st.tuples(
    st.just("reschedule"),
    st.sampled_from(_KINDS),
    st.integers(min_value=-60, max_value=60),
    st.integers(min_value=-60, max_value=60),
)
_simple = st.tuples(
    st.sampled_from(
        ("advance", "add_member", "remove_member", "set_window", "sync", "sweep", "later")
    ),
    st.integers(min_value=1, max_value=90),
)
_NEXT = {
    "fieldwork": "moderation",
    "moderation": "reporting",
    "reporting": "published",
    "published": "closed",
}


def _shift_from(review: Review, kind: str, shift: int, stretch: int) -> dict:
    """Move a phase and every later one by `shift` days, the phase's end (and so the
    later phases) by `stretch` more: how real timelines move (Covid-19 pushed the
    whole review back), so most generated moves pass validation."""
    moved: dict[str, tuple[date, date]] = {}
    found = False
    for phase in review.phases.order_by("position"):
        found = found or phase.kind == kind
        if not found:
            continue
        first = not moved
        start = phase.starts_on + timedelta(days=shift + (0 if first else stretch))
        moved[phase.kind] = (start, phase.ends_on + timedelta(days=shift + stretch))
    return moved


def _act(world, review: Review, step: tuple) -> None:
    """One action by someone other than the reviewed partnership's lead. A refusal is
    an acceptable outcome: the property is about what gets through."""
    bolton = actor_for(world.bolton_lead)
    name = step[0]
    if name == "reschedule":
        _, kind, shift, stretch = step
        services.phases_reschedule(
            actor=bolton,
            review_id=review.pk,
            new_dates=_shift_from(review, kind, shift, stretch),
            reason="Property",
        )
    elif name == "advance":
        review.refresh_from_db()
        nxt = _NEXT.get(review.status)
        if nxt is not None:
            actor = actor_for(world.salford_lead if nxt == "closed" else world.bolton_lead)
            services.review_transition(actor=actor, review_id=review.pk, to_status=nxt)
    elif name == "add_member":
        add_member(world, review, world.bolton_member)
    elif name == "remove_member":
        member = review.team.filter(user=world.bolton_member, status="active").first()
        if member is not None:
            services.team_member_remove(actor=bolton, review_id=review.pk, member_id=member.pk)
    elif name == "set_window":
        member = review.team.get(team_role="lead_reviewer")
        services.team_member_set_window(
            actor=bolton,
            review_id=review.pk,
            member_id=member.pk,
            opens_at=None,
            closes_at=None,
        )
    elif name == "sync":
        review.refresh_from_db()
        team_access_sync(review=review)
    elif name == "sweep":
        sweep_expired_access()


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.one_of(_reschedule, _simple), min_size=1, max_size=5))
def test_no_action_of_the_other_side_widens_access(world, steps):
    with transaction.atomic():
        review = fieldwork(world).review
        agreed = default_window(review)
        assert agreed is not None
        clock = agreed[0] + timedelta(days=1)
        for step in steps:
            if step[0] == "later":
                clock += timedelta(days=step[1])
                continue
            with time_machine.travel(clock, tick=False):
                try:
                    with transaction.atomic():
                        _act(world, review, step)
                except DomainError:
                    pass
            for _, opens_at, closes_at in _windows(review):
                assert opens_at >= agreed[0], steps
                assert closes_at <= agreed[1], steps
        transaction.set_rollback(True)


def test_the_property_can_fail_when_the_owner_widens(world):
    """The invariant above is observable: the reviewed lead's own extension breaks it."""
    review = fieldwork(world).review
    agreed = default_window(review)
    assert agreed is not None
    services.phases_reschedule(
        actor=actor_for(world.salford_lead),
        review_id=review.pk,
        new_dates=_moves(review, "report_back", 0, 10),
        reason="Owner extends",
    )
    assert any(closes_at > agreed[1] for _, _, closes_at in _windows(review))
