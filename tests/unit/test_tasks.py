"""The task conventions (core.tasks): late acks, bounded retries of transient errors only,
time limits; and the beat schedule, which must name only tasks that exist."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import OperationalError

from core.tasks import TRANSIENT_ERRORS, ProjectTask, project_task
from evidence.models import EvidenceItemGroupObjectPermission, EvidenceShare
from evidence.tasks import sweep_evidence_grants
from reviews import services as reviews
from tenancy.access import actor_for
from tenancy.tasks import sweep_expired_access
from tests.evidence_factories import fieldwork, make_item, share_directly

calls: list[str] = []


@project_task(name="tests.flaky_then_fine", max_retries=3)
def flaky_then_fine(failures: int) -> str:
    calls.append("flaky")
    if len(calls) <= failures:
        raise OperationalError("the database went away")
    return "done"


@project_task(name="tests.broken")
def broken() -> None:
    calls.append("broken")
    raise ValueError("a bug")


@pytest.fixture(autouse=True)
def _reset_calls():
    calls.clear()


@pytest.fixture
def retrying():
    """Let eager retries run: with eager errors propagating (the test settings), the
    first Retry would be raised to the caller instead of being applied."""
    from config.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


def test_every_project_task_has_the_conventions():
    task = sweep_expired_access
    assert isinstance(task, ProjectTask)
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.max_retries == 5
    assert task.retry_backoff and task.retry_backoff_max == 300 and task.retry_jitter
    assert (task.soft_time_limit, task.time_limit) == (120, 180)
    assert OperationalError in task.autoretry_for
    assert hasattr(task, "delay_on_commit")


def test_transient_errors_are_retried_until_the_task_succeeds(retrying):
    result = flaky_then_fine.apply(args=(2,))

    assert result.get() == "done"
    assert calls == ["flaky"] * 3


def test_retries_are_bounded(retrying):
    with pytest.raises(OperationalError):
        flaky_then_fine.apply(args=(99,)).get()

    assert calls == ["flaky"] * 4  # the first attempt and max_retries=3


def test_a_bug_is_not_retried():
    with pytest.raises(ValueError, match="a bug"):
        broken.apply().get()

    assert calls == ["broken"]


def test_transient_errors_do_not_include_programming_errors():
    assert not any(issubclass(ValueError, error) for error in TRANSIENT_ERRORS)


def test_hard_limit_must_exceed_soft_limit():
    with pytest.raises(ValueError, match="time_limit must be larger"):
        project_task(soft_time_limit=60, time_limit=60)


def test_every_beat_entry_names_a_registered_project_task():
    from config.celery import app

    app.loader.import_default_modules()  # autodiscovery, as a worker or beat runs it
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        task = app.tasks.get(str(entry["task"]))
        assert task is not None, f"beat entry {name!r} names no registered task"
        assert isinstance(task, ProjectTask), name


def test_evidence_grant_sweep_is_scheduled_every_15_minutes_and_skipped_when_missed():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-evidence-grants"]

    assert entry["task"] == sweep_evidence_grants.name == "evidence.tasks.sweep_evidence_grants"
    assert entry["schedule"] == 15 * 60
    assert entry["options"] == {"expires": 14 * 60}
    assert isinstance(sweep_evidence_grants, ProjectTask)


def test_evidence_grant_sweep_deletes_the_grants_of_a_closed_review_once(world):
    work = fieldwork(world)
    first, second = make_item(world, title="Arrangements"), make_item(world, title="Audit")
    for item in (first, second):
        share_directly(item, work.review, world.salford_manager)
    assert sweep_evidence_grants.delay().get() == 0  # the review is still under way

    bolton = actor_for(world.bolton_lead)
    for status in ("moderation", "reporting", "published"):
        reviews.review_transition(actor=bolton, review_id=work.review.pk, to_status=status)
    reviews.review_transition(
        actor=actor_for(world.salford_lead), review_id=work.review.pk, to_status="closed"
    )

    assert sweep_evidence_grants.delay().get() == 2
    assert not EvidenceItemGroupObjectPermission.objects.exists()
    assert EvidenceShare.objects.count() == 2  # the record of what the review was given
    assert sweep_evidence_grants.delay().get() == 0
