"""The national-scale workload, as numbers: what `perf_seed` creates at each scale.

At 1x (PERFORMANCE.md, "Workload at national scale"): 150 partnerships in 9 regions,
4,500 users with memberships, 750 reviews over five years, 150k evidence items and
about 600k group permission rows, plus one heavy reviewer holding 10k grants spread
across the id range. Everything scales linearly; the few fixed sizes (30 people per
partnership, four people per review team, two reviews per exchange) do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Scale labels the commands accept. 0.01 is for the harness's own test and P4 at 0.1x.
SCALES: dict[str, float] = {"0.01": 0.01, "0.1": 0.1, "1": 1.0, "10": 10.0}
# P4 compares each scale with the one holding a tenth of the data.
TENTH: dict[str, str] = {"0.1": "0.01", "1": "0.1", "10": "1"}

# Bump when the seed's shape changes: a template made by another version is rebuilt.
SEED_VERSION = 3

OWNER_EMAIL = "perf-owner@perf.invalid"
LIBRARY_EMAIL = "perf-library@perf.invalid"
REVIEWER_EMAIL = "perf-reviewer@perf.invalid"

# P7 reads page 200 of 50 of the largest library, at every scale from 0.1x up.
LIBRARY_ITEMS_AT_LEAST = 200 * 50 + 50

# Tables the workload would have at 1x that this codebase does not have yet.
NOT_SEEDED = (
    "findings (37.5k at 1x)",
    "budget lines (7.5k at 1x)",
    "survey responses (1.5M at 1x)",
)


def label(scale: str) -> str:
    """The scale as it appears in database names: "0.1" -> "0_1"."""
    return scale.replace(".", "_")


def default_database(scale: str) -> str:
    return f"peer_review_perf_{label(scale)}"


def default_template(scale: str) -> str:
    return f"peer_review_perf_tpl_{label(scale)}"


@dataclass(frozen=True)
class Workload:
    scale: str
    partnerships: int
    alliances: int
    exchanges: int
    items: int
    heavy_grants: int
    advisers: int
    people_per_partnership: int = 30
    # Review team: a lead reviewer and two reviewers from the reviewing partnership,
    # and one independent adviser.
    team_members: int = 3
    areas_per_review: int = 4
    years: int = 5
    # Shares per review: the reviewed partnership shares about 4 items in 5.
    share_one_in: int = 5
    # Of every 100 items: 4 are review teams' notes, 7 go to the largest library (more
    # at small scales, so that its page 200 exists at 0.1x too: P7).
    notes_per_100: int = 4
    library_per_100: int = 7

    @classmethod
    def at(cls, scale: str) -> Workload:
        factor = SCALES[scale]
        items = round(150_000 * factor)
        partnerships = max(3, round(150 * factor))
        return cls(
            scale=scale,
            partnerships=partnerships,
            alliances=min(9, partnerships),
            # Two reviews per exchange (A reviews B, B reviews A): 5 reviews per partnership.
            exchanges=math.ceil(2.5 * partnerships),
            items=items,
            heavy_grants=max(50, round(10_000 * factor)),
            advisers=max(2, round(50 * factor)),
            library_per_100=min(90, max(7, math.ceil(100 * LIBRARY_ITEMS_AT_LEAST / items))),
        )

    @property
    def members(self) -> int:
        return self.partnerships * self.people_per_partnership

    @property
    def reviews(self) -> int:
        """Ordinary reviews; the heavy reviewer's review is one more."""
        return 2 * self.exchanges

    @property
    def police_forces(self) -> int:
        return max(1, round(self.partnerships / 4))

    @property
    def health_bodies(self) -> int:
        return max(1, round(self.partnerships / 3))
