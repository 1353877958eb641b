"""Every principal SECURITY.md section 1 names, and the objects they are tested against.

The owning partnership is Salford. Everything it owns carries MARKER in a text field
or slug, so a response that shows any of it can be recognised ("sees").

    anonymous                       nobody signed in
    owner_member / owner_business_manager / owner_lead
                                    Salford's own people, one per role
    other_partnership_member        a member of Wigan, which has no dealings with Salford
    reviewing_partnership_member    a member of Bolton, which reviews Salford (not on the team)
    reviewing_partnership_lead      Bolton's lead: runs the review of Salford
    reviewer_window_open            on the team reviewing Salford, access window open now
    reviewer_other_review           on the team of another review (Bolton reviews Wigan),
                                    window open
    reviewer_window_closed          on the team reviewing Salford, window ended
                                    (so the team sync has taken them out of the group)
    independent_adviser             an adviser on no team
    alliance_analyst                reads anonymised benchmarks only
    platform_staff                  staff and superuser: administers, reads no tenant data

The three reviewers are independent advisers, so what they see comes from the review
team (its guardian group and their access window) and from nothing else: a Bolton
member on the team would see the review through Bolton's membership anyway.

The world is built through the services, as the product builds it, and each
principal's claim is checked by `check_principals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ApiToken, User
from budgets import services as budget_services
from budgets.models import Budget
from evidence import services as evidence_services
from evidence.models import DocumentRequest, EvidenceItem
from findings import services as finding_services
from findings.models import Action, Finding, Quote, Recommendation, SuccessCriterion
from handbooks import services as handbook_services
from handbooks.models import AreaOfFocus, Handbook, HandbookVersion
from reviews import services as review_services
from reviews.models import Exchange, Phase, Review, TeamInvitation, TeamMember
from surveys import services as survey_services
from surveys.models import Survey
from tenancy.access import Actor, actor_for
from tenancy.models import Alliance, AllianceAnalyst, Membership, Organisation, Partnership, Role

# In the owner's names, slugs and texts; never in anyone else's.
MARKER = "ownermarkq7"
PASSWORD = "matrix-password-2026"

ANONYMOUS = "anonymous"
OWNER_MEMBER = "owner_member"
OWNER_MANAGER = "owner_business_manager"
OWNER_LEAD = "owner_lead"
OTHER_MEMBER = "other_partnership_member"
REVIEWING_MEMBER = "reviewing_partnership_member"
REVIEWING_LEAD = "reviewing_partnership_lead"
REVIEWER_OPEN = "reviewer_window_open"
REVIEWER_OTHER = "reviewer_other_review"
REVIEWER_CLOSED = "reviewer_window_closed"
ADVISER = "independent_adviser"
ANALYST = "alliance_analyst"
STAFF = "platform_staff"

PRINCIPALS: tuple[str, ...] = (
    ANONYMOUS,
    OWNER_MEMBER,
    OWNER_MANAGER,
    OWNER_LEAD,
    OTHER_MEMBER,
    REVIEWING_MEMBER,
    REVIEWING_LEAD,
    REVIEWER_OPEN,
    REVIEWER_OTHER,
    REVIEWER_CLOSED,
    ADVISER,
    ANALYST,
    STAFF,
)

# Named sets of principals, for writing expectations compactly (matrix.outcomes).
GROUPS: dict[str, tuple[str, ...]] = {
    "everyone": PRINCIPALS,
    "signed_in": tuple(p for p in PRINCIPALS if p != ANONYMOUS),
    "owners": (OWNER_MEMBER, OWNER_MANAGER, OWNER_LEAD),
    "owner_managers": (OWNER_MANAGER, OWNER_LEAD),
    "reviewing": (REVIEWING_MEMBER, REVIEWING_LEAD),
    # Everyone with a partnership role somewhere.
    "members": (
        OWNER_MEMBER,
        OWNER_MANAGER,
        OWNER_LEAD,
        OTHER_MEMBER,
        REVIEWING_MEMBER,
        REVIEWING_LEAD,
    ),
    # Leads of some partnership.
    "leads": (OWNER_LEAD, REVIEWING_LEAD),
    "reviewers": (REVIEWER_OPEN, REVIEWER_OTHER, REVIEWER_CLOSED),
    # Signed in, but with no partnership role anywhere.
    "no_role": (REVIEWER_OPEN, REVIEWER_OTHER, REVIEWER_CLOSED, ADVISER, ANALYST, STAFF),
}


@dataclass
class MatrixWorld:
    """What the matrix's URL kwargs, bodies and GraphQL variables refer to
    (as "{w.attribute.field}" format strings)."""

    users: dict[str, User]
    owner: Partnership  # Salford
    reviewing: Partnership  # Bolton
    other: Partnership  # Wigan
    police: Organisation
    reference_version: HandbookVersion
    # Exchanges that Salford takes part in.
    agreed_exchange: Exchange  # proposed by Salford, agreed with Bolton
    outgoing_exchange: Exchange  # proposed by Salford to Bolton, waiting
    incoming_exchange: Exchange  # proposed by Bolton to Salford, waiting for Salford
    # The review of Salford by Bolton, in fieldwork, and its team.
    review: Review
    reverse_review: Review  # Bolton reviewed by Salford, in draft
    other_review: Review  # Wigan reviewed by Bolton, in fieldwork
    open_member: TeamMember  # reviewer_window_open's place on the team
    closed_member: TeamMember
    conflicted_member: TeamMember  # a police officer from Bolton, conflict not yet mitigated
    report_back: Phase
    # Salford's private handbook: version 1 published, version 2 a draft.
    handbook: Handbook
    published_version: HandbookVersion
    draft_version: HandbookVersion
    draft_area: AreaOfFocus
    owner_lead_token: ApiToken
    # Salford's evidence: one item shared with the review, one private, one restricted
    # (granted to its adder, the owner lead only), a document whose file is ready and
    # shared; the team's own note; a document request from the team.
    shared_item: EvidenceItem
    private_item: EvidenceItem
    restricted_item: EvidenceItem
    document: EvidenceItem
    team_note: EvidenceItem
    document_request: DocumentRequest
    # Salford's professionals survey, part of the review: a banked question, a free-text
    # one and a local one, two responses (one with a comment) and a national baseline.
    survey: Survey
    # The team's draft finding on the review (a meeting observation supports it), with
    # a quote; nothing is published, so Salford may see none of it.
    finding: Finding
    quote: Quote
    # Salford's success criterion, the team's recommendation (unanswered: the review
    # is not published) and an action standing in for a later plan.
    criterion: SuccessCriterion
    recommendation: Recommendation
    action: Action
    invitation: TeamInvitation  # Bolton's lead invited someone without an account
    # Salford's budget for 2022/23 (its note and grant carry the marker).
    budget: Budget

    @property
    def today(self) -> date:
        return timezone.localdate()

    @property
    def report_back_moved_start(self) -> date:
        return self.report_back.starts_on + timedelta(days=7)

    @property
    def report_back_moved_end(self) -> date:
        return self.report_back.ends_on + timedelta(days=7)

    @property
    def report_back_narrowed_end(self) -> date:
        return self.report_back.ends_on - timedelta(days=1)

    @property
    def fieldwork_start(self) -> date:
        return timezone.localdate() + timedelta(days=60)

    @property
    def fieldwork_end(self) -> date:
        return timezone.localdate() + timedelta(days=100)


def _user(email: str, name: str, **extra: object) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name, **extra)


def _member(email: str, name: str, partnership: Partnership, role: Role, **extra: object) -> User:
    user = _user(email, name, **extra)
    Membership.objects.create(user=user, partnership=partnership, role=role)
    return user


def _reference_version() -> HandbookVersion:
    # Loaded by the handbooks data migration: published, visible to everyone.
    return HandbookVersion.objects.get(
        handbook__visibility="everyone", handbook__partnership__isnull=True, number=1
    )


def _agreed(
    proposer_lead: User, proposer: Partnership, partner_lead: User, partner: Partnership
) -> Exchange:
    start = timezone.localdate() + timedelta(days=30)
    exchange = review_services.exchange_propose(
        actor=actor_for(proposer_lead),
        partnership_slug=proposer.slug,
        partner_slugs=[partner.slug],
        handbook_version_id=_reference_version().pk,
        fieldwork_starts_on=start,
        fieldwork_ends_on=start + timedelta(days=45),
        message=f"Reciprocal review proposed by {proposer.name}.",
    )
    review_services.exchange_answer(
        actor=actor_for(partner_lead),
        exchange_id=exchange.pk,
        partnership_slug=partner.slug,
        accept=True,
    )
    return exchange


def _into_fieldwork(
    review: Review, *, reviewing_lead: User, reviewed_lead: User, lead_reviewer: User
) -> None:
    reviewing, reviewed = actor_for(reviewing_lead), actor_for(reviewed_lead)
    review_services.review_transition(
        actor=reviewing, review_id=review.pk, to_status="mobilisation"
    )
    review_services.scope_confirm(actor=reviewed, review_id=review.pk)
    review_services.scope_confirm(actor=reviewing, review_id=review.pk)
    _join(review, lead_reviewer, "lead_reviewer", reviewing_lead=reviewing_lead)
    review_services.review_transition(actor=reviewing, review_id=review.pk, to_status="fieldwork")
    review.refresh_from_db()


def _join(review: Review, user: User, role: str, *, reviewing_lead: User) -> TeamMember:
    member = review_services.team_member_add(
        actor=actor_for(reviewing_lead), review_id=review.pk, user_id=user.pk, team_role=role
    )
    review_services.team_member_declare(
        actor=actor_for(user), review_id=review.pk, member_id=member.pk, has_interest=False
    )
    return member


def _window(
    review: Review, member: TeamMember, *, reviewed_lead: User, days: tuple[int, int]
) -> TeamMember:
    """Set a member's window relative to now (days before, days after), as the
    reviewed partnership's lead does."""
    now = timezone.now()
    review_services.team_member_set_window(
        actor=actor_for(reviewed_lead),
        review_id=review.pk,
        member_id=member.pk,
        opens_at=now + timedelta(days=days[0]),
        closes_at=now + timedelta(days=days[1]),
    )
    member.refresh_from_db()
    return member


def _handbook(
    owner_lead: User, owner: Partnership
) -> tuple[Handbook, HandbookVersion, HandbookVersion]:
    lead = actor_for(owner_lead)
    handbook = handbook_services.handbook_create(
        actor=lead, partnership_slug=owner.slug, title=f"Salford method {MARKER}"
    )
    first = handbook.versions.get()
    handbook_services.objective_save(
        actor=lead, version_id=first.pk, text=f"Understand our impact ({MARKER})"
    )
    area = handbook_services.area_save(
        actor=lead,
        version_id=first.pk,
        title=f"Case reviews {MARKER}",
        key_question="How well do case reviews lead to learning?",
    )
    handbook_services.line_save(
        actor=lead,
        version_id=first.pk,
        area_id=area.pk,
        question="Are rapid reviews completed in time?",
        prompts="",
        guidance="",
    )
    handbook_services.version_publish(actor=lead, version_id=first.pk, change_note="First")
    draft = handbook_services.version_start_next(actor=lead, handbook_id=handbook.pk)
    return handbook, first, draft


def _evidence(
    review: Review, owner: Partnership, owner_lead: User, reviewer: User
) -> dict[str, Any]:
    lead = actor_for(owner_lead)

    def add(kind: str, title: str, **fields: Any) -> EvidenceItem:
        return evidence_services.evidence_add(
            actor=lead, partnership_id=owner.pk, kind=kind, title=title, **fields
        )

    shared = add(
        "meeting",
        f"Strategic board {MARKER}",
        meeting_name="Strategic board",
        meeting_date=timezone.localdate() - timedelta(days=3),
        working_well="Partners challenge each other.",
    )
    private = add("data", f"Referral figures {MARKER}", description="Quarterly referrals.")
    restricted = add(
        "other",
        f"Restricted case notes {MARKER}",
        description="Only the lead.",
        sensitivity="restricted",
    )
    # A document whose scan has finished: stored straight away (the upload checks and
    # the scanner have their own tests).
    document = EvidenceItem.objects.create(
        partnership=owner,
        kind=EvidenceItem.Kind.DOCUMENT,
        title=f"Threshold document {MARKER}",
        added_by=owner_lead,
        original_name="threshold.txt",
        content_type="text/plain",
        size=len(MARKER),
        scan_status=EvidenceItem.ScanStatus.READY,
    )
    document.file.save(f"evidence/matrix/{document.pk}.txt", ContentFile(MARKER.encode()))
    evidence_services.evidence_share(
        actor=lead, item_ids=[shared.pk, document.pk], review_id=review.pk
    )
    team_actor = actor_for(reviewer)
    note = evidence_services.review_evidence_add(
        actor=team_actor,
        review_id=review.pk,
        kind="meeting",
        title=f"Team observation of {owner.name}",
        meeting_name="Multi-agency safeguarding hub",
        meeting_date=timezone.localdate() - timedelta(days=1),
        working_well="Quick decisions.",
    )
    request = evidence_services.document_request_create(
        actor=team_actor, review_id=review.pk, title=f"Your audit schedule, {owner.name}"
    )
    return {
        "shared_item": shared,
        "private_item": private,
        "restricted_item": restricted,
        "document": document,
        "team_note": note,
        "document_request": request,
    }


def _survey(review: Review, owner: Partnership, owner_lead: User) -> Survey:
    lead = actor_for(owner_lead)
    now = timezone.now()
    survey = survey_services.survey_create(
        actor=lead,
        partnership_id=owner.pk,
        title=f"Professionals survey {MARKER}",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
        bank_codes=["collaboration_vision", "what_would_help"],
        local_questions=[survey_services.LocalQuestion(f"Do you use the hub? {MARKER}", "yes_no")],
        review_id=review.pk,
    )
    questions = {q.position: str(q.pk) for q in survey.questions.all()}
    for token, comment in zip(
        survey_services.invitations_create(actor=lead, survey_id=survey.pk, count=2, days=7),
        ("More joint training.", ""),
        strict=True,
    ):
        survey_services.response_submit(
            token=token,
            sector="health",
            role_level="manager",
            answers={questions[1]: "effective", questions[2]: comment, questions[3]: "yes"},
        )
    survey_services.baseline_add(
        actor=lead,
        survey_id=survey.pk,
        label="National early adopter survey",
        respondents=70,
        counts={"collaboration_vision": (70, 54)},
    )
    return survey


def _findings(
    review: Review, reviewer: User, owner_lead: User, evidence: dict[str, Any]
) -> dict[str, Any]:
    team = actor_for(reviewer)
    area = review.areas.order_by("position").first()
    assert area is not None
    finding = finding_services.finding_create(
        actor=team,
        review_id=review.pk,
        area_id=area.pk,
        kind="development",
        text=f"Agendas carry too many papers ({MARKER})",
        theme_codes=["meetings_overload"],
        # One kind only: not triangulated, so proposing it is refused (the matrix's
        # cases write nothing; the integration tests propose triangulated findings).
        evidence_ids=[evidence["shared_item"].pk],
    )
    quote = finding_services.quote_add(
        actor=team,
        finding_id=finding.pk,
        text=f"The papers are overwhelming ({MARKER})",
        attributed_to="A statutory partner",
        consent=True,
        group_size=4,
    )
    criterion = finding_services.criterion_add(
        actor=actor_for(owner_lead),
        review_id=review.pk,
        statement=f"Children feel safer ({MARKER})",
    )
    recommendation = finding_services.recommendation_add(
        actor=team, review_id=review.pk, kind="stop", text=f"Stop tabling papers ({MARKER})"
    )
    # Actions follow an accepted recommendation after publication; made directly here so
    # that the action pages have a row of Salford's to answer for.
    action = Action.objects.create(
        recommendation=recommendation,
        text=f"Introduce a manager's report ({MARKER})",
        owner_role="Business manager",
        due_on=timezone.localdate() + timedelta(days=90),
        created_by=owner_lead,
    )
    return {
        "finding": finding,
        "quote": quote,
        "criterion": criterion,
        "recommendation": recommendation,
        "action": action,
    }


def build_matrix_world() -> MatrixWorld:
    alliance = Alliance.objects.create(name="Matrix Alliance", slug="matrix-alliance")
    police = Organisation.objects.create(name="Matrix Police", slug="matrix-police", kind="police")
    salford = Partnership.objects.create(
        name=f"Salford {MARKER} Partnership", slug=f"salford-{MARKER}", alliance=alliance
    )
    bolton = Partnership.objects.create(name="Bolton Partnership", slug="bolton", alliance=alliance)
    wigan = Partnership.objects.create(name="Wigan Partnership", slug="wigan", alliance=alliance)
    for partnership in (salford, bolton, wigan):
        partnership.statutory_partners.add(police)

    users = {
        OWNER_MEMBER: _member("member@salford.matrix", "Owner Member", salford, Role.MEMBER),
        OWNER_MANAGER: _member(
            "manager@salford.matrix", "Owner Manager", salford, Role.BUSINESS_MANAGER
        ),
        OWNER_LEAD: _member("lead@salford.matrix", "Owner Lead", salford, Role.LEAD),
        OTHER_MEMBER: _member("member@wigan.matrix", "Other Member", wigan, Role.MEMBER),
        REVIEWING_MEMBER: _member("member@bolton.matrix", "Reviewing Member", bolton, Role.MEMBER),
        REVIEWING_LEAD: _member("lead@bolton.matrix", "Reviewing Lead", bolton, Role.LEAD),
        REVIEWER_OPEN: _user("open@reviewers.matrix", "Reviewer Open", is_independent_adviser=True),
        REVIEWER_OTHER: _user(
            "other@reviewers.matrix", "Reviewer Other", is_independent_adviser=True
        ),
        REVIEWER_CLOSED: _user(
            "closed@reviewers.matrix", "Reviewer Closed", is_independent_adviser=True
        ),
        ADVISER: _user("adviser@advisers.matrix", "Adviser Free", is_independent_adviser=True),
        ANALYST: _user("analyst@alliance.matrix", "Alliance Analyst"),
        STAFF: _user("staff@platform.matrix", "Platform Staff", is_staff=True, is_superuser=True),
    }
    AllianceAnalyst.objects.create(user=users[ANALYST], alliance=alliance)
    # People the scenario needs who are not principals themselves.
    wigan_lead = _member("lead@wigan.matrix", "Wigan Lead", wigan, Role.LEAD)
    lead_reviewer = _member(
        "reviewer@bolton.matrix", "Bolton Lead Reviewer", bolton, Role.BUSINESS_MANAGER
    )
    officer = _member(
        "officer@bolton.matrix", "Bolton Officer", bolton, Role.MEMBER, employer=police
    )
    salford_lead, bolton_lead = users[OWNER_LEAD], users[REVIEWING_LEAD]

    agreed = _agreed(salford_lead, salford, bolton_lead, bolton)
    review = agreed.reviews.get(reviewed_partnership=salford)
    reverse_review = agreed.reviews.get(reviewed_partnership=bolton)
    _into_fieldwork(
        review, reviewing_lead=bolton_lead, reviewed_lead=salford_lead, lead_reviewer=lead_reviewer
    )
    open_member = _join(
        review, users[REVIEWER_OPEN], "independent_adviser", reviewing_lead=bolton_lead
    )
    closed_member = _join(
        review, users[REVIEWER_CLOSED], "independent_adviser", reviewing_lead=bolton_lead
    )
    # Added once fieldwork is under way: flagged (Matrix Police serves Salford too).
    conflicted = review_services.team_member_add(
        actor=actor_for(bolton_lead), review_id=review.pk, user_id=officer.pk, team_role="reviewer"
    )
    open_member = _window(review, open_member, reviewed_lead=salford_lead, days=(-1, 60))
    closed_member = _window(review, closed_member, reviewed_lead=salford_lead, days=(-10, -1))

    other_exchange = _agreed(bolton_lead, bolton, wigan_lead, wigan)
    other_review = other_exchange.reviews.get(reviewed_partnership=wigan)
    _into_fieldwork(
        other_review,
        reviewing_lead=bolton_lead,
        reviewed_lead=wigan_lead,
        lead_reviewer=lead_reviewer,
    )
    other_member = _join(
        other_review, users[REVIEWER_OTHER], "independent_adviser", reviewing_lead=bolton_lead
    )
    _window(other_review, other_member, reviewed_lead=wigan_lead, days=(-1, 60))

    start = timezone.localdate() + timedelta(days=40)
    outgoing = review_services.exchange_propose(
        actor=actor_for(salford_lead),
        partnership_slug=salford.slug,
        partner_slugs=[bolton.slug],
        handbook_version_id=_reference_version().pk,
        fieldwork_starts_on=start,
        fieldwork_ends_on=start + timedelta(days=30),
        message=f"A second exchange from Salford {MARKER}.",
    )
    incoming = review_services.exchange_propose(
        actor=actor_for(bolton_lead),
        partnership_slug=bolton.slug,
        partner_slugs=[salford.slug],
        handbook_version_id=_reference_version().pk,
        fieldwork_starts_on=start,
        fieldwork_ends_on=start + timedelta(days=30),
        message="Bolton invites Salford.",
    )

    handbook, published, draft = _handbook(salford_lead, salford)
    evidence = _evidence(review, salford, salford_lead, users[REVIEWER_OPEN])
    findings = _findings(review, users[REVIEWER_OPEN], salford_lead, evidence)
    token = account_services.api_token_create(user=salford_lead, name=f"Lead token {MARKER}").token
    budget = budget_services.budget_create(
        actor=actor_for(salford_lead),
        partnership_id=salford.pk,
        data=budget_services.BudgetInput(
            year="2022/23",
            child_population="59000",
            contributions={police.pk: ("13500", "0")},
            other_income=[(f"Grant {MARKER}", "5000")],
            spending={"staff": "15000"},
            source_note=f"Annual report {MARKER}",
        ),
    )
    survey = _survey(review, salford, salford_lead)
    invitation = review_services.team_invitation_create(
        actor=actor_for(bolton_lead),
        review_id=review.pk,
        full_name="Invited Reviewer",
        email="invited@matrix.test",
        organisation_id="",
        team_role="reviewer",
    )

    review.refresh_from_db()
    return MatrixWorld(
        users=users,
        owner=salford,
        reviewing=bolton,
        other=wigan,
        police=police,
        reference_version=_reference_version(),
        agreed_exchange=agreed,
        outgoing_exchange=outgoing,
        incoming_exchange=incoming,
        review=review,
        reverse_review=reverse_review,
        other_review=other_review,
        open_member=open_member,
        closed_member=closed_member,
        conflicted_member=conflicted,
        report_back=review.phases.get(kind=Phase.Kind.REPORT_BACK),
        handbook=handbook,
        published_version=published,
        draft_version=draft,
        draft_area=draft.areas.get(),
        owner_lead_token=token,
        survey=survey,
        invitation=invitation,
        budget=budget,
        **evidence,
        **findings,
    )


def check_principals(world: MatrixWorld) -> list[str]:
    """Each principal is what its name says; a list of the ones that are not."""
    problems: list[str] = []
    users = world.users

    def actor(name: str) -> Actor:
        return actor_for(users[name])

    team = world.review.team_group_id
    other_team = world.other_review.team_group_id
    expected_roles = {
        OWNER_MEMBER: {world.owner.pk: Role.MEMBER},
        OWNER_MANAGER: {world.owner.pk: Role.BUSINESS_MANAGER},
        OWNER_LEAD: {world.owner.pk: Role.LEAD},
        OTHER_MEMBER: {world.other.pk: Role.MEMBER},
        REVIEWING_MEMBER: {world.reviewing.pk: Role.MEMBER},
        REVIEWING_LEAD: {world.reviewing.pk: Role.LEAD},
    }
    for name in PRINCIPALS[1:]:
        roles = dict(actor(name).roles)
        if roles != expected_roles.get(name, {}):
            problems.append(f"{name} has roles {roles}")
    if team not in actor(REVIEWER_OPEN).open_group_ids:
        problems.append("reviewer_window_open has no open window on the review team")
    if other_team not in actor(REVIEWER_OTHER).open_group_ids:
        problems.append("reviewer_other_review has no open window on the other review's team")
    if team in actor(REVIEWER_OTHER).group_ids:
        problems.append("reviewer_other_review is in the review team")
    closed = actor(REVIEWER_CLOSED)
    if team in closed.open_group_ids or team in closed.group_ids:
        problems.append("reviewer_window_closed still reaches the review team")
    if world.closed_member.status != TeamMember.Status.ACTIVE:
        problems.append("reviewer_window_closed was removed rather than timed out")
    if world.review.status != Review.Status.FIELDWORK:
        problems.append(f"the review is {world.review.status}, not in fieldwork")
    if not (users[STAFF].is_staff and users[STAFF].is_superuser):
        problems.append("platform_staff is not staff and superuser")
    if actor(ANALYST).analyst_alliance_ids != frozenset({world.owner.alliance_id}):
        problems.append("alliance_analyst is not the alliance's analyst")
    if Group.objects.filter(user=users[ADVISER]).exists():
        problems.append("independent_adviser is in a group")
    return problems
