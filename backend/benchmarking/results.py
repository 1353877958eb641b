"""What a benchmark read returns: the contract between the tabulations (which compute and
disclosure-control the cells) and the faces (GraphQL, pages, CSV), which only render it.

Every value here has already passed `benchmarking.disclosure`; a face never sees a raw
per-partnership figure other than the viewer's own (`own`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Family(StrEnum):
    """The fixed tabulations (SECURITY.md section 3, rule 5: no free filters)."""

    BUDGETS = "budgets"
    FINDINGS = "findings"
    SURVEYS = "surveys"


class ScopeKind(StrEnum):
    ALLIANCE = "alliance"  # the viewer's regional alliance
    NEIGHBOURS = "neighbours"  # the viewer's partnership's statistical neighbours
    NATIONAL = "national"


class Unit(StrEnum):
    GBP = "gbp"
    GBP_PER_1000_CHILDREN = "gbp_per_1000_children"
    PERCENT = "percent"
    COUNT = "count"


class Suppression(StrEnum):
    """Why a cell's statistics are withheld; the page and the API explain each."""

    TOO_FEW = "too_few"  # fewer than K contributing partnerships
    DOMINANCE = "dominance"  # money cell fails the (2, 85) or p% rule
    SMALL_COUNT = "small_count"  # a count of 1 to 7
    SECONDARY = "secondary"  # withheld so that another suppressed cell cannot be recovered
    DIFFERENCING = "differencing"  # another published scope differs by fewer than K partnerships


@dataclass(frozen=True)
class OwnValue:
    """The viewer's own partnership's value and the quartile it falls in (1 = lowest).
    Present only for a member of that partnership."""

    partnership_id: int
    value: Decimal
    quartile: int | None  # None when the distribution itself is suppressed


@dataclass(frozen=True)
class BenchmarkCell:
    measure: str  # e.g. "total", "per_1000_children", "partner_share", "afd_share", "positive"
    code: str  # the partner type, area of focus, rating, theme or question code; "" if none
    label: str  # plain English, e.g. "Police share of contributions"
    unit: Unit
    n: int | None  # contributing partnerships, None when suppressed below K
    lower_quartile: Decimal | None
    median: Decimal | None
    upper_quartile: Decimal | None
    suppression: Suppression | None
    own: OwnValue | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None


@dataclass(frozen=True)
class BenchmarkTable:
    family: Family
    scope: ScopeKind
    scope_label: str  # "Greater Manchester", "Your statistical neighbours", "England"
    year: int  # the financial year starting in April of `year` (budgets), or calendar year
    as_of: datetime.datetime  # when the tables these cells come from were computed
    k: int  # the minimum number of partnerships a published cell needs
    cells: tuple[BenchmarkCell, ...]
