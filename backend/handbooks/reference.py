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

# Lines of enquiry for each area (by title), drawn from its key question and Working
# Together: the platform's suggestion, marked as such, for a team to adapt.
WT18, WT23 = "wt2018", "wt2023"
LINES: dict[str, list[tuple[str, str, str]]] = {
    "Impact of the new arrangements": [
        (
            "What has changed for children and families since the new arrangements began, and "
            "how does the partnership know?",
            "Changed practice; measures before and after; what children, families and "
            "practitioners say.",
            WT18,
        ),
        (
            "Are the published arrangements reviewed against the aims they set themselves?",
            "The success criteria written at the start; the yearly report; what was changed "
            "as a result.",
            WT18,
        ),
        (
            "What did the partnership expect to change that has not yet, and what is it doing "
            "about it?",
            "",
            "",
        ),
    ],
    "Compliance to WT18": [
        (
            "Do the three safeguarding partners share the duty equally in practice as well as "
            "on paper?",
            "Attendance and seniority of each partner; who leads decisions; delegated "
            "functions and how they are overseen.",
            WT18,
        ),
        (
            "Are the relevant agencies named, engaged and clear about their duty to cooperate?",
            "Schools and education, the voluntary sector, health providers; how the less "
            "active ones are involved and kept informed.",
            WT18,
        ),
        (
            "Do the Lead Safeguarding Partners sign off the arrangements, the scrutiny plan, "
            "the shared budget and the yearly report?",
            "Who the Lead Safeguarding Partners and their delegates are; the dates of each "
            "sign-off.",
            WT23,
        ),
    ],
    "Whole system approach and partnership working": [
        (
            "How well do leaders work together across the partnership and with the other "
            "strategic boards (adults, community safety, health and wellbeing)?",
            "Joint priorities and commissioning; protocols between boards; duplication.",
            WT18,
        ),
        (
            "Are the statutory partners present, at the right level, where decisions are made?",
            "Quoracy; the role of deputies; how messages reach those who were absent.",
            WT18,
        ),
        (
            "Does the partnership depend on a few individuals, and how is succession planned?",
            "",
            "",
        ),
    ],
    "Independent and internal scrutiny": [
        (
            "What independent scrutiny is in place, and how does it add to the scrutiny "
            "partners already do in their own agencies?",
            "The University of Bedfordshire's six steps for independent scrutiny.",
            WT18,
        ),
        (
            "Is there evidence of challenge, escalation and dispute resolution, and of action "
            "taken as a result?",
            "Examples from meetings and case review decisions; the escalation policy in use.",
            WT18,
        ),
        (
            "How are scrutiny findings reported, and what difference have they made?",
            "A periodic impact summary; the independent scrutineer's footprint outside meetings.",
            "",
        ),
    ],
    "Case reviews": [
        (
            "Are rapid reviews completed within 15 working days of the notification, and do "
            "they lead to sound decisions about local child safeguarding practice reviews?",
            "Timeliness; multi-agency analysis; the quality and consistency of reports.",
            WT18,
        ),
        (
            "How do reviews reflect children's lived experience, and how is their learning "
            "shared and its impact tested?",
            'Briefings; practitioner events; "if this child were in the same situation now, '
            'what would be different?"',
            WT18,
        ),
        (
            "How are review action plans tracked to completion and their impact judged?",
            "",
            "",
        ),
    ],
    "Understanding effectiveness": [
        (
            "What evidence does the partnership use to understand how it is doing, and from "
            "which agencies?",
            "Performance data beyond social care; audits; case reviews; the views of "
            "practitioners, children and families.",
            WT18,
        ),
        (
            "How does the partnership test what its information is telling it, and what has "
            "changed as a result?",
            "Spotlights; challenge questions; triangulation in meetings.",
            "",
        ),
        (
            "How does the partnership know what difference it makes to children and families?",
            "",
            WT18,
        ),
    ],
    "Learning and development": [
        (
            "How are multi-agency learning needs identified, and is the offer used and valued?",
            "Take-up by agency; evaluation; the move between face-to-face and virtual training.",
            WT18,
        ),
        (
            "How is learning from reviews and audits put into practice, and how is its impact "
            "tested?",
            "",
            WT18,
        ),
        (
            "Are the resources and funding for multi-agency learning clear and agreed between "
            "the partners?",
            "",
            "",
        ),
    ],
    "Engagement and communications": [
        (
            "How are children, young people and families involved in shaping the "
            "partnership's work?",
            "Participation resources; listening events; examples of changes made because of "
            "what children said.",
            WT18,
        ),
        (
            "Is attention given to the groups of children Working Together names for attention?",
            "Young carers, disabled children, privately fostered children and other especially "
            "vulnerable groups.",
            WT18,
        ),
        (
            "How does the partnership know that its communications reach professionals and "
            "communities, and work?",
            "",
            "",
        ),
    ],
    "Effective meetings": [
        (
            "Are agendas built for discussion and decisions, with papers in good time and "
            "items for information handled outside the meeting?",
            "Verbal updates and tabled papers; the number and length of papers.",
            "",
        ),
        (
            "Do chairs enable challenge and participation, in the room and online?",
            "",
            "",
        ),
        (
            "Is the time spent preparing for and attending meetings in proportion to what they "
            "achieve?",
            "",
            "",
        ),
    ],
    "Partnership infrastructure": [
        (
            "Is the business unit resourced and organised to support the arrangements, and has "
            "its role changed with them?",
            "Vacancies; the business manager's role; capacity for rapid reviews.",
            WT18,
        ),
        (
            "Are the partners' contributions to the shared budget agreed, fair and sufficient "
            "for the priorities?",
            "Contributions by partner compared with similar partnerships; grants and other income.",
            WT18,
        ),
        (
            "Is the partnership managed strategically and through relationships, rather than "
            "administratively?",
            "",
            "",
        ),
    ],
}

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


def load(apps: Any, *, with_lines: bool = True) -> None:
    """Create the reference handbook once (idempotent), published, visible to everyone.
    Its first migration runs without the lines, whose model field came later."""
    handbook_model = apps.get_model("handbooks", "Handbook")
    if handbook_model.objects.filter(
        title=REFERENCE_TITLE, partnership__isnull=True, alliance__isnull=True
    ).exists():
        if with_lines:
            load_lines(apps)
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
    if with_lines:
        load_lines(apps)


def load_lines(apps: Any) -> None:
    """Add the suggested lines of enquiry to the reference handbook's areas that have
    none (idempotent: an area with lines already is left alone)."""
    area_model = apps.get_model("handbooks", "AreaOfFocus")
    line_model = apps.get_model("handbooks", "LineOfEnquiry")
    areas = area_model.objects.filter(
        version__handbook__title=REFERENCE_TITLE,
        version__handbook__partnership__isnull=True,
        version__handbook__alliance__isnull=True,
        lines__isnull=True,
    )
    line_model.objects.bulk_create(
        line_model(
            area=area,
            position=position,
            question=question,
            prompts=prompts,
            guidance=guidance,
            suggested_by_platform=True,
        )
        for area in areas
        for position, (question, prompts, guidance) in enumerate(LINES.get(area.title, []), 1)
    )
