"""A real Celery worker, a real Redis broker and PostgreSQL: the sweep task sent over
the broker runs in another process and its effect is committed to the database.

Runs when CELERY_BROKER_URL is set and DATABASE_URL is PostgreSQL (CI sets both):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peer_review_dev \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 \\
    .venv/bin/pytest tests/integration/test_celery_worker.py
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.contrib.auth.models import Group
from django.utils import timezone
from django_celery_results.models import TaskResult

from audit.models import AuditEvent
from tenancy.models import AccessWindow
from tests.celery_worker import Worker, celery_worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

TIMEOUT_SECONDS = 60


@pytest.fixture
def producer() -> Iterator[object]:
    """The test process sends real messages (the test settings run tasks inline)."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["CELERY_BROKER_URL"]
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url = before


@pytest.fixture
def worker(producer, tmp_path) -> Iterator[Worker]:
    """Start `celery worker` on a queue of its own; yield it; stop it, whatever happened."""
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    try:
        with celery_worker(tmp_path / "celery-worker.log", queue=queue) as started:
            yield started
    finally:
        _forget_queue(queue)


def _forget_queue(queue: str) -> None:
    """Remove the throwaway queue and kombu's bookkeeping for it from the broker."""
    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()


def test_sweep_runs_on_a_real_worker(transactional_db, worker, world):
    from tenancy.tasks import sweep_expired_access

    team = Group.objects.create(name="Review of Salford: team")
    team.user_set.add(world.adviser, world.bolton_member)
    now = timezone.now()
    stale = AccessWindow.objects.create(
        user=world.adviser,
        group=team,
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(minutes=1),
        reason="Review team",
    )
    live = AccessWindow.objects.create(
        user=world.bolton_member,
        group=team,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        reason="Review team",
    )

    result = sweep_expired_access.apply_async(queue=worker.queue)

    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not result.ready():
        if worker.process.poll() is not None:
            pytest.fail(f"The worker exited early. Its log:\n{worker.log()}")
        if time.monotonic() > deadline:
            pytest.fail(f"No result within {TIMEOUT_SECONDS}s. Worker log:\n{worker.log()}")
        time.sleep(0.25)
    assert result.get(timeout=5) == {"windows_deleted": 1, "memberships_removed": 1}
    # Stored by the worker through the django-db result backend: it did not run inline.
    assert TaskResult.objects.get(task_id=result.id).status == "SUCCESS"

    assert list(AccessWindow.objects.values_list("pk", flat=True)) == [live.pk]
    assert list(team.user_set.all()) == [world.bolton_member]
    event = AuditEvent.objects.get(action="revoke")
    assert (event.object_type, event.object_id) == ("tenancy.AccessWindow", str(stale.pk))
