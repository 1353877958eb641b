"""The task conventions (core.tasks): late acks, bounded retries of transient errors only,
time limits."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from core.tasks import TRANSIENT_ERRORS, ProjectTask, project_task
from tenancy.tasks import sweep_expired_access

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
