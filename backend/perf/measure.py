"""In-process measurements for `perf_run` (PERFORMANCE.md, "Goals").

Each goal is a ratio of two things measured side by side in one run: the endpoint
(A) and its twin (B), called alternately A B A B ... after a warm-up, reported as
medians. Query counts come from CaptureQueriesContext and are exact. Nothing here
judges an absolute time: the machine is shared and noisy, ratios are what count.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

PAGE = 50


@dataclass
class Result:
    """One row of the table. `a` and `b` are medians in ms (unit "ms") or exact
    counts (unit "queries"); `a` is None when the endpoint does not exist."""

    id: str
    measure: str
    unit: str
    a: float | None
    b: float | None
    goal: str
    verdict: str  # PASS, FAIL, or INFO for lines that are not a goal
    ratio: float | None = None
    a_label: str = ""
    b_label: str = ""
    a_queries: int | None = None
    b_queries: int | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def verdict_at_most(value: float | None, limit: float) -> str:
    return "PASS" if value is not None and value <= limit else "FAIL"


def count_queries(action: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


@dataclass(frozen=True)
class Timing:
    rounds: int
    warmup: int

    def pair(
        self, a: Callable[[], object], b: Callable[[], object]
    ) -> tuple[float, float, list[float], list[float]]:
        """Medians (ms) of A and B, called alternately: A B A B ..."""
        for _ in range(self.warmup):
            a()
            b()
        gc.collect()
        times_a: list[float] = []
        times_b: list[float] = []
        for _ in range(self.rounds):
            for action, times in ((a, times_a), (b, times_b)):
                started = time.perf_counter_ns()
                action()
                times.append((time.perf_counter_ns() - started) / 1e6)
        return statistics.median(times_a), statistics.median(times_b), times_a, times_b

    def one(self, a: Callable[[], object]) -> float:
        for _ in range(self.warmup):
            a()
        gc.collect()
        times: list[float] = []
        for _ in range(self.rounds):
            started = time.perf_counter_ns()
            a()
            times.append((time.perf_counter_ns() - started) / 1e6)
        return statistics.median(times)


def spread(times: Sequence[float]) -> dict[str, float]:
    """Quartiles of one side's timings, for the JSON (a wide spread means noise)."""
    ordered = sorted(times)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, math.floor(q * len(ordered)))]

    return {"p25": round(at(0.25), 3), "p75": round(at(0.75), 3), "min": round(ordered[0], 3)}
