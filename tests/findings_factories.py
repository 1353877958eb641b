"""Builders for findings tests: the review of Salford by Bolton in fieldwork, with
evidence of three kinds the team can see, and helpers to move it on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import time_machine

from evidence.models import EvidenceItem
from findings import services
from findings.models import Finding, ModerationMeeting
from reviews import services as reviews
from reviews.models import Review, ReviewArea
from tenancy.access import Actor, actor_for
from tests.evidence_factories import fieldwork, make_item, share_directly
from tests.factories import add_member


@dataclass
class Team:
    """Salford's review by Bolton in fieldwork. Bolton's manager (lead reviewer) and
    the independent adviser are on the team; the clock stands inside their window.
    Salford shared a document and a meeting observation; the team took an interview
    note. Bolton's own library item and another review's note are foreign."""

    world: Any
    review: Review
    during: datetime
    areas: list[ReviewArea]
    document: EvidenceItem
    meeting: EvidenceItem
    interview: EvidenceItem
    unshared: EvidenceItem  # Salford's, never shared with the review
    bolton_item: EvidenceItem  # Bolton's own library

    @property
    def writer(self) -> Actor:
        return actor_for(self.world.bolton_manager)

    @property
    def adviser(self) -> Actor:
        return actor_for(self.world.adviser)

    @property
    def reviewing_lead(self) -> Actor:
        return actor_for(self.world.bolton_lead)

    @property
    def reviewed_lead(self) -> Actor:
        return actor_for(self.world.salford_lead)

    def move(self, to_status: str) -> None:
        reviews.review_transition(
            actor=self.reviewing_lead, review_id=self.review.pk, to_status=to_status
        )
        self.review.refresh_from_db()

    def draft(self, text: str = "Agendas are clear.", *, area: int = 0, **kwargs) -> Finding:
        values: dict[str, Any] = {
            "kind": "strength",
            "evidence_ids": [self.document.pk, self.meeting.pk],
        }
        values.update(kwargs)
        return services.finding_create(
            actor=self.writer,
            review_id=self.review.pk,
            area_id=self.areas[area].pk,
            text=text,
            **values,
        )

    def proposed(self, text: str = "Agendas are clear.", **kwargs) -> Finding:
        finding = self.draft(text, **kwargs)
        return services.finding_propose(actor=self.writer, finding_id=finding.pk)

    def meeting_now(self) -> ModerationMeeting:
        return services.moderation_meeting_record(
            actor=self.writer,
            review_id=self.review.pk,
            held_on=self.during.date(),
            attendee_ids=[self.world.bolton_manager.pk, self.world.adviser.pk],
        )


@contextmanager
def team_at_work(world) -> Iterator[Team]:
    work = fieldwork(world)
    review = work.review
    with time_machine.travel(work.during, tick=False):
        add_member(world, review, world.adviser, "independent_adviser")
        document = make_item(world, kind="document", title="Threshold document")
        meeting = make_item(world, kind="meeting", title="Executive observed")
        share_directly(document, review, world.salford_lead)
        share_directly(meeting, review, world.salford_lead)
        interview = make_item(
            world, review=review, kind="interview", title="Chair", by=world.bolton_manager
        )
        unshared = make_item(world, kind="data", title="Private figures")
        bolton_item = make_item(world, world.bolton, kind="data", by=world.bolton_member)
        yield Team(
            world=world,
            review=review,
            during=work.during,
            areas=list(review.areas.order_by("position")),
            document=document,
            meeting=meeting,
            interview=interview,
            unshared=unshared,
            bolton_item=bolton_item,
        )
