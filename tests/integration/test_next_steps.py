"""Success criteria, recommendations, actions and their reminders: who writes and
reads each, the progress review on the timeline, and reminders sent exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from findings import services
from findings.models import Action, CriterionAssessment, Recommendation, SuccessCriterion
from reviews.models import Phase
from tenancy import access
from tenancy.access import actor_for
from tests.findings_factories import Team, team_at_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    with team_at_work(world) as built:
        yield built


def _publish(team: Team) -> None:
    for status in ("moderation", "reporting"):
        team.move(status)
    services.findings_publish(actor=team.reviewing_lead, review_id=team.review.pk, confirmed=True)
    team.review.refresh_from_db()


def test_the_partnership_states_and_assesses_its_criteria_and_the_team_assesses_them(
    team: Team, world
):
    criterion = services.criterion_add(
        actor=actor_for(world.salford_manager),
        review_id=team.review.pk,
        statement="Children, families and communities tell us they feel safer.",
    )
    services.criterion_self_assess(
        actor=team.reviewed_lead, criterion_id=criterion.pk, assessment="partly", note="Mostly."
    )
    assessment = services.criterion_assess(
        actor=team.writer,
        criterion_id=criterion.pk,
        stage="review",
        rating="insufficient_evidence",
        evidence_ids=[team.document.pk],
    )
    assert list(assessment.evidence.all()) == [team.document]
    # Only the partnership's managers state criteria; the team assesses, not states.
    with pytest.raises(PermissionDenied):
        services.criterion_add(actor=team.writer, review_id=team.review.pk, statement="x")
    with pytest.raises(PermissionDenied):
        services.criterion_add(
            actor=actor_for(world.salford_member), review_id=team.review.pk, statement="x"
        )
    with pytest.raises(ValidationFailed) as refused:
        services.criterion_assess(
            actor=team.writer, criterion_id=criterion.pk, stage="review", rating="maybe"
        )
    assert refused.value.field_errors == {"rating": ["Select an answer from the scale"]}
    # The reviewers' assessment reaches the partnership only once published.
    lead = team.reviewed_lead
    assert not access.visible(lead, CriterionAssessment).exists()
    _publish(team)
    assert access.visible(lead, CriterionAssessment).get() == assessment
    assert not access.visible(actor_for(world.salford_member), CriterionAssessment).exists()


def test_publication_puts_the_progress_review_on_the_timeline(team: Team):
    _publish(team)
    phase = team.review.phases.get(kind=Phase.Kind.PROGRESS_REVIEW)
    published = timezone.localdate()
    assert 295 <= (phase.starts_on - published).days <= 310
    # At the progress review the reviewing lead assesses again.
    criterion = services.criterion_add(
        actor=team.reviewed_lead, review_id=team.review.pk, statement="We can evidence it."
    )
    services.criterion_assess(
        actor=team.reviewing_lead, criterion_id=criterion.pk, stage="progress", rating="achieved"
    )
    with pytest.raises(Conflict):
        services.criterion_assess(
            actor=team.writer, criterion_id=criterion.pk, stage="review", rating="achieved"
        )


def _accepted(team: Team) -> Recommendation:
    recommendation = services.recommendation_add(
        actor=team.writer,
        review_id=team.review.pk,
        kind="stop",
        text="Stop tabling papers for information.",
    )
    _publish(team)
    return services.recommendation_respond(
        actor=team.reviewed_lead,
        recommendation_id=recommendation.pk,
        accept=True,
        reason="We agree the agendas are too full.",
    )


def test_recommendations_are_answered_once_by_the_reviewed_lead(team: Team, world):
    recommendation = services.recommendation_add(
        actor=team.writer, review_id=team.review.pk, kind="risk", text="Succession."
    )
    # Before publication the reviewed partnership cannot see it at all.
    with pytest.raises(NotFound):
        services.recommendation_respond(
            actor=team.reviewed_lead, recommendation_id=recommendation.pk, accept=True, reason="x"
        )
    _publish(team)
    with pytest.raises(ValidationFailed):
        services.recommendation_respond(
            actor=team.reviewed_lead, recommendation_id=recommendation.pk, accept=False, reason=""
        )
    answered = services.recommendation_respond(
        actor=team.reviewed_lead,
        recommendation_id=recommendation.pk,
        accept=False,
        reason="Covered by our workforce plan.",
    )
    assert answered.response == "declined"
    with pytest.raises(Conflict):
        services.recommendation_respond(
            actor=team.reviewed_lead, recommendation_id=recommendation.pk, accept=True, reason="x"
        )
    with pytest.raises(NotFound):
        services.recommendation_respond(
            actor=actor_for(world.salford_member),
            recommendation_id=recommendation.pk,
            accept=True,
            reason="x",
        )


def test_an_action_due_before_the_review_is_refused(team: Team):
    recommendation = _accepted(team)
    before = Action.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.action_add(
            actor=team.reviewed_lead,
            recommendation_id=recommendation.pk,
            text="Introduce a business manager's report.",
            owner_role="Business manager",
            due_on=timezone.localdate() - timedelta(days=1),
        )
    assert list(refused.value.field_errors) == ["due_on"]
    assert refused.value.field_errors["due_on"][0].startswith(
        "The due date must be after the review was published"
    )
    assert Action.objects.count() == before


def test_reminders_go_once_before_the_due_date_and_once_when_overdue(
    team: Team, world, django_capture_on_commit_callbacks
):
    recommendation = _accepted(team)
    today = timezone.localdate()
    action = services.action_add(
        actor=team.reviewed_lead,
        recommendation_id=recommendation.pk,
        text="Introduce a business manager's report.",
        owner_id=world.salford_manager.pk,
        due_on=today + timedelta(days=10),
    )
    mail.outbox.clear()
    assert services.action_reminders_send() == 0
    # Inside the week before: one reminder, to the owner, and never again.
    soon = timezone.now() + timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.action_reminders_send(now=soon) == 1
    assert [m.to for m in mail.outbox] == [[world.salford_manager.email]]
    assert mail.outbox[0].subject == "An action from your peer review is due soon"
    assert services.action_reminders_send(now=soon) == 0
    overdue = timezone.now() + timedelta(days=12)
    assert services.action_reminders_send(now=overdue) == 1
    assert services.action_reminders_send(now=overdue) == 0
    action.refresh_from_db()
    assert action.reminded_before_at and action.reminded_overdue_at
    # A finished action is not reminded.
    done = services.action_add(
        actor=team.reviewed_lead,
        recommendation_id=recommendation.pk,
        text="Done already.",
        owner_role="Chair",
        due_on=today + timedelta(days=2),
    )
    services.action_update(actor=team.reviewed_lead, action_id=done.pk, status="done")
    assert services.action_reminders_send(now=overdue) == 0


def test_criteria_are_the_reviewed_partnerships_own(team: Team, world):
    criterion = services.criterion_add(
        actor=team.reviewed_lead, review_id=team.review.pk, statement="Budget managed well."
    )
    for who in ("salford_member", "bolton_lead", "bolton_manager"):
        assert access.visible(actor_for(getattr(world, who)), SuccessCriterion).get() == criterion
    assert not access.visible(actor_for(world.bolton_member), SuccessCriterion).exists()
    assert not access.visible(actor_for(world.outsider), SuccessCriterion).exists()


def test_next_steps_through_the_pages(team: Team, world, client_for):
    writer = client_for(world.bolton_manager)
    base = f"/reviews/{team.review.pk}"
    assert (
        writer.post(f"{base}/next-steps/", {"kind": "stop", "text": "Stop it."}).status_code == 302
    )
    manager = client_for(world.salford_manager)
    assert (
        manager.post(f"{base}/success-criteria/", {"statement": "professionals feel supported."})
    ).status_code == 302
    # Before publication Salford sees its own criterion but not the recommendation.
    assert "Stop it." not in manager.get(f"{base}/next-steps/").content.decode()
    _publish(team)
    recommendation = Recommendation.objects.get()
    lead = client_for(world.salford_lead)
    answered = lead.post(
        f"{base}/next-steps/{recommendation.pk}/respond/",
        {"answer": "accept", "reason": "We agree."},
    )
    assert answered.status_code == 302
    yesterday = timezone.localdate() - timedelta(days=1)
    refused = lead.post(
        f"{base}/next-steps/{recommendation.pk}/actions/add/",
        {
            "text": "A report.",
            "owner_role": "Business manager",
            "owner": "",
            "due_on-day": str(yesterday.day),
            "due_on-month": str(yesterday.month),
            "due_on-year": str(yesterday.year),
        },
    )
    assert refused.status_code == 400
    assert "The due date must be after the review was published" in refused.content.decode()
    assert not Action.objects.exists()
    page = lead.get(f"{base}/next-steps/").content.decode()
    assert "Stop it." in page and "We agree." in page
    criteria = manager.get(f"{base}/success-criteria/").content.decode()
    assert "professionals feel supported." in criteria
