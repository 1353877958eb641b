"""How every Celery task in the project is declared (ARCHITECTURE.md section 7).

    from core.tasks import project_task

    @project_task()
    def report_generate(review_id: int, version: int) -> str:
        return services.report_generate(review_id=review_id, version=version)

    # in a service, inside its transaction:
    tasks.report_generate.delay_on_commit(review.pk, version)

The conventions, so each task does not restate them:

- ids in, one service call, idempotent (keyed by its inputs): a task may run twice,
  because with `acks_late` a message is redelivered when a worker dies mid-task;
- `acks_late` + `reject_on_worker_lost`: the message is acknowledged only after the
  task finishes, so a killed worker loses nothing;
- transient failures (the database or broker went away for a moment) are retried
  with exponential back-off and jitter, at most `max_retries` times; anything else
  fails at once, since retrying a bug only repeats it;
- soft and hard time limits, so a stuck task cannot hold a worker for ever;
- enqueue with `delay_on_commit` / `apply_async_on_commit` from a service, so a task
  never starts before (or without) the change it depends on being committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec, Protocol, TypeVar

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

P = ParamSpec("P")
R = TypeVar("R", covariant=True)

# Errors that mean "try again shortly", not "this task is wrong".
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseOperationalError,
    InterfaceError,
    BrokerOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)

DEFAULT_SOFT_TIME_LIMIT = 240
DEFAULT_TIME_LIMIT = 300


class ProjectTask(DjangoTask):  # type: ignore[misc]
    """Base class of every project task. `DjangoTask` adds `delay_on_commit`."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    max_retries = 5
    retry_backoff = 2  # seconds before the first retry, doubling each time
    retry_backoff_max = 300
    retry_jitter = True
    soft_time_limit = DEFAULT_SOFT_TIME_LIMIT
    time_limit = DEFAULT_TIME_LIMIT


class Task(Protocol, Generic[P, R]):
    """What a decorated task offers to typed callers (Celery ships no types)."""

    name: str

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...

    def delay(self, *args: P.args, **kwargs: P.kwargs) -> Any: ...

    def delay_on_commit(self, *args: P.args, **kwargs: P.kwargs) -> None: ...

    def apply_async(
        self,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        **options: Any,
    ) -> Any: ...

    def apply(
        self,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        **options: Any,
    ) -> Any: ...

    def apply_async_on_commit(
        self,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        **options: Any,
    ) -> None: ...


def project_task(
    *,
    name: str | None = None,
    soft_time_limit: int = DEFAULT_SOFT_TIME_LIMIT,
    time_limit: int = DEFAULT_TIME_LIMIT,
    max_retries: int = ProjectTask.max_retries,
    **options: Any,
) -> Callable[[Callable[P, R]], Task[P, R]]:
    """Declare a task with the project's conventions (see the module docstring).

    The hard limit must leave the soft limit time to clean up, so it must be larger."""
    if time_limit <= soft_time_limit:
        raise ValueError("time_limit must be larger than soft_time_limit.")

    def decorate(function: Callable[P, R]) -> Task[P, R]:
        extra = {"name": name} if name else {}
        task: Task[P, R] = shared_task(
            base=ProjectTask,
            soft_time_limit=soft_time_limit,
            time_limit=time_limit,
            max_retries=max_retries,
            **extra,
            **options,
        )(function)
        return task

    return decorate


# --- The project's own periodic tasks (CELERY_BEAT_SCHEDULE) ---------------------


@project_task(name="core.tasks.relay_outbox", soft_time_limit=120, time_limit=180)
def relay_outbox() -> dict[str, int]:
    """Send what the outbox still holds (the relay after commit is best effort; this
    is the guarantee). Safe to run at any time and in parallel: rows are locked."""
    from . import outbox

    result = outbox.relay_pending()
    return {"sent": result.sent, "failed": result.failed}


@project_task(name="core.tasks.purge_sent_outbox", soft_time_limit=120, time_limit=180)
def purge_sent_outbox() -> int:
    """Forget outbox messages sent more than a week ago (pending and dead ones stay)."""
    from . import outbox

    return outbox.purge_sent()


@project_task(name="core.tasks.purge_idempotency_keys", soft_time_limit=120, time_limit=180)
def purge_idempotency_keys() -> int:
    """Forget the stored answers to keyed POSTs once they are a day old."""
    from . import idempotency

    return idempotency.purge_expired()
