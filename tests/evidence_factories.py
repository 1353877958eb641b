"""Builders for evidence tests: items made directly (for the chokepoint's rules)
and a review of Salford by Bolton whose team window is known (for sharing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from guardian.shortcuts import assign_perm

from evidence.models import EvidenceItem, EvidenceShare
from reviews.models import Review
from tests.factories import review_in_fieldwork


def make_item(world, partnership=None, *, by=None, **fields) -> EvidenceItem:
    """An item straight into the table (no service): Salford's, by its member."""
    values = {"kind": "other", "title": "Salford item", **fields}
    if "review" not in values:
        values["partnership"] = partnership or world.salford
    return EvidenceItem.objects.create(added_by=by or world.salford_member, **values)


def share_directly(item: EvidenceItem, review: Review, by) -> None:
    """A share as the service writes it, for tests of reading only."""
    EvidenceShare.objects.create(item=item, review=review, shared_by=by)
    assign_perm("view_evidenceitem", review.team_group, item)


@dataclass
class Fieldwork:
    """Salford's review by Bolton in fieldwork; Bolton's manager is its lead
    reviewer, whose window runs from `opens` to `closes`."""

    review: Review
    opens: datetime
    closes: datetime

    @property
    def during(self) -> datetime:
        return self.opens + timedelta(days=1)


def fieldwork(world) -> Fieldwork:
    review = review_in_fieldwork(world)
    window = review.team.get(team_role="lead_reviewer").access_window
    assert window is not None
    return Fieldwork(review=review, opens=window.opens_at, closes=window.closes_at)
