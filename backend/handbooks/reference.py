"""The reference handbook, as data: the method of the 2020 Bolton and Salford
reciprocal peer review (objectives, ten areas of focus with their key questions,
and the baseline references). Loaded by a data migration, visible to everyone."""

from __future__ import annotations

from typing import Any

REFERENCE_TITLE = "Reciprocal peer review of safeguarding children partnership arrangements"

REFERENCE_SUMMARY = (
    "The method used by Bolton and Salford in their 2020 reciprocal peer review: a critical "
    "friend assessing strengths and areas for development against Working Together 2018, not an "
    "inspection."
)

METHODOLOGY = (
    "A review handbook sets out key lines of enquiry, method and how the review is conducted. "
    "Peer reviewers gather and triangulate a range of evidence: partnership documents, a "
    "professionals survey, meetings observed (with an agenda item asking what is working well and "
    "not so well), and interviews, some by the peer review team and some by the independent "
    "adviser alone. Moderation meetings of peer reviewers agree findings before each team reports "
    "back to the receiving partnership."
)

OBJECTIVES = [
    "Effectiveness of meeting their statutory responsibilities and how well the partnership has "
    "implemented and embedded the requirements of Working Together 2018 (WT18).",
    "How well they work together as a partnership and understand the impact of their work and of "
    "services within the local area.",
    "Effectiveness of specific components of a safeguarding partnership.",
]

AREAS: list[dict[str, str]] = [
    {
        "title": "Impact of the new arrangements",
        "key_question": "What has changed? What is different, and what has been, or expected to "
        "be, the impact of changes as part of the new arrangements?",
    },
    {
        "title": "Compliance to WT18",
        "key_question": "Is there compliance to multi-agency safeguarding arrangements as set out "
        "in WT18? This includes the role of the three safeguarding partners in a 'shared and equal "
        "duty' to make arrangements to work together to safeguard and promote the welfare of all "
        "children in a local area, and any delegated functions.",
    },
    {
        "title": "Whole system approach and partnership working",
        "key_question": "How effective is leadership and partnership working, including "
        "Inter-Board across the local area?",
    },
    {
        "title": "Independent and internal scrutiny",
        "key_question": "What independent and internal scrutiny is in place and what impact has "
        "it had? Is there sufficient challenge, support, escalation and dispute resolution where "
        "required?",
    },
    {
        "title": "Case reviews",
        "key_question": "What is the quality and effectiveness of rapid reviews and child "
        "safeguarding practice reviews undertaken? What has been the impact of the new "
        "arrangements?",
    },
    {
        "title": "Understanding effectiveness",
        "key_question": "How does the partnership gather and use a range of evidence to "
        "understand how they are doing, to inform learning and development activities and "
        "improvement?",
    },
    {
        "title": "Learning and development",
        "key_question": "How well does the partnership use a range of information to drive "
        "improvement, and how well does it consistently identify and deliver learning and "
        "development needs across the local area?",
    },
    {
        "title": "Engagement and communications",
        "key_question": "How are professionals, children and young people and families involved "
        "in the safeguarding partnership? Is there effective communication in communities and in "
        "the partnership, including campaigns and signposting?",
    },
    {
        "title": "Effective meetings",
        "key_question": "When partnership members come together, are topics and agendas for "
        "meetings well planned and appropriately structured to allow time for getting "
        "information, discussion and decision making? Is time spent preparing for, during, and "
        "after meetings effective and achieving what it needs to?",
    },
    {
        "title": "Partnership infrastructure",
        "key_question": "Has the role of the Business Unit changed in undertaking the new "
        "arrangements? Is the Business Unit effective in supporting the partnership? Are "
        "resources, including funding, sufficient and well managed?",
    },
]

REFERENCES: list[dict[str, Any]] = [
    {
        "title": "Working Together to Safeguard Children 2018",
        "publisher": "HM Government",
        "year": 2018,
    },
    {
        "title": "Safeguarding early adopters: final report",
        "publisher": "National Children's Bureau",
        "year": None,
    },
    {
        "title": "Six steps for independent scrutiny: safeguarding children partnership "
        "arrangements",
        "publisher": "University of Bedfordshire",
        "year": None,
    },
    {"title": "The experience of the peer reviewers", "publisher": "", "year": None},
]


def load(apps: Any) -> None:
    """Create the reference handbook once (idempotent), published, visible to everyone."""
    handbook_model = apps.get_model("handbooks", "Handbook")
    if handbook_model.objects.filter(
        title=REFERENCE_TITLE, partnership__isnull=True, alliance__isnull=True
    ).exists():
        return
    version_model = apps.get_model("handbooks", "HandbookVersion")
    from django.utils import timezone

    handbook = handbook_model.objects.create(
        title=REFERENCE_TITLE, summary=REFERENCE_SUMMARY, visibility="everyone"
    )
    version = version_model.objects.create(
        handbook=handbook,
        number=1,
        status="published",
        methodology=METHODOLOGY,
        change_note="The method of the 2020 Bolton and Salford reciprocal peer review.",
        published_at=timezone.now(),
    )
    objective_model = apps.get_model("handbooks", "Objective")
    area_model = apps.get_model("handbooks", "AreaOfFocus")
    reference_model = apps.get_model("handbooks", "BaselineReference")
    for position, text in enumerate(OBJECTIVES, start=1):
        objective_model.objects.create(version=version, position=position, text=text)
    for position, area in enumerate(AREAS, start=1):
        area_model.objects.create(version=version, position=position, **area)
    for position, reference in enumerate(REFERENCES, start=1):
        reference_model.objects.create(version=version, position=position, **reference)
