"""How far a review has got, for the pages: the task list by phase, the moves the
viewer may make now, and each review's row on "Your reviews".

Everything here reads a review loaded by reviews.selectors (phases, areas and team
prefetched) and issues no queries of its own, so a list of reviews costs the same
number of queries however long it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from core.dates import date_range, local_today
from tenancy import access
from tenancy.access import Actor

from .models import Phase, Review, TeamMember
from .selectors import NextDeadline, next_deadline
from .services import STEPS, next_statuses

S = Review.Status
ORDER = list(S)

NOT_STARTED = "Not yet started"
IN_PROGRESS = "In progress"
COMPLETED = "Completed"
CANNOT_START = "Cannot start yet"

# A deadline this close (or passed) puts a notification banner on "Your reviews".
NEAR_DAYS = 7


@dataclass(frozen=True)
class Task:
    key: str  # which page the task links to: "scope", "team" or "timeline"
    title: str
    status: str
    hint: str


@dataclass(frozen=True)
class TaskGroup:
    title: str
    hint: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Action:
    to_status: str
    label: str  # the button: "Start fieldwork"
    question: str  # the confirmation page's heading
    consequence: str  # what happens, on the confirmation page


ACTIONS: dict[str, tuple[str, str, str]] = {
    S.MOBILISATION: (
        "Start mobilisation",
        "Are you sure you want to start mobilisation?",
        "Both partnerships will agree the areas of focus, and the reviewing partnership "
        "will build its team.",
    ),
    S.FIELDWORK: (
        "Start fieldwork",
        "Are you sure you want to start fieldwork?",
        "The areas of focus will be fixed. Team members who have declared their interests, "
        "and whose conflicts of interest have a mitigation, get access to shared evidence "
        "when their access window opens.",
    ),
    S.MODERATION: (
        "Start moderation",
        "Are you sure you want to start moderation?",
        "Fieldwork will be marked as finished. The team keeps its access while it "
        "moderates its findings.",
    ),
    S.REPORTING: (
        "Start reporting back",
        "Are you sure you want to start reporting back?",
        "Moderation will be marked as finished and the team will report back to the "
        "reviewed partnership.",
    ),
    S.PUBLISHED: (
        "Publish the review",
        "Are you sure you want to publish the review?",
        "The review will be published to both partnerships. The team can no longer change.",
    ),
    S.CLOSED: (
        "Close the review",
        "Are you sure you want to close the review?",
        "Every reviewer loses access to the reviewed partnership's evidence straight away. "
        "A closed review cannot be reopened or rescheduled.",
    ),
}


def _stage(status: str) -> int:
    return ORDER.index(S(status))


def review_actions(actor: Actor, review: Review) -> list[Action]:
    """The moves this viewer may make now (who may make each is declared in STEPS);
    whether the step's guards hold is only known when it is tried."""
    return [
        Action(to, *ACTIONS[to])
        for to in next_statuses(review)
        if access.can(actor, STEPS[(review.status, to)].perm, review)
    ]


def waiting_for(review: Review) -> list[str]:
    """Who makes the next moves, for viewers who cannot: "the reviewing partnership's lead"."""
    return list(dict.fromkeys(STEPS[(review.status, to)].who for to in next_statuses(review)))


def _active_team(review: Review) -> list[TeamMember]:
    return [m for m in review.team.all() if m.status == TeamMember.Status.ACTIVE]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _scope_task(review: Review, started: bool) -> Task:
    areas = len(review.areas.all())
    confirmed = [
        name
        for name, at in (
            (review.reviewed_partnership.name, review.scope_confirmed_by_reviewed_at),
            (review.reviewing_partnership.name, review.scope_confirmed_by_reviewing_at),
        )
        if at
    ]
    if review.scope_agreed or started:
        status, hint = COMPLETED, f"{_plural(areas, 'area')} of focus agreed"
    elif confirmed:
        status, hint = IN_PROGRESS, f"Confirmed by {confirmed[0]} only"
    else:
        status = NOT_STARTED
        hint = f"{_plural(areas, 'area')} of focus chosen, not yet confirmed"
    return Task("scope", "Agree the areas of focus", status, hint)


def _team_task(team: list[TeamMember], started: bool) -> Task:
    has_lead = any(m.team_role == TeamMember.TeamRole.LEAD_REVIEWER for m in team)
    if has_lead or (started and team):
        status = COMPLETED
    elif team:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    hint = _plural(len(team), "member") if team else "No members yet"
    if team and not has_lead:
        hint += ", no lead reviewer"
    return Task("team", "Build the team", status, hint)


def _declarations_task(team: list[TeamMember]) -> Task:
    title = "Declarations of interest"
    if not team:
        return Task("team", title, CANNOT_START, "Add team members first")
    declared = sum(1 for m in team if m.has_declared)
    unmitigated = sum(1 for m in team if m.conflict_unresolved)
    hint = f"{declared} of {len(team)} declared"
    if unmitigated:
        verb = "needs" if unmitigated == 1 else "need"
        hint += f"; {_plural(unmitigated, 'conflict')} of interest {verb} a mitigation"
    if declared == len(team) and not unmitigated:
        status = COMPLETED
    elif declared or any(m.mitigated_at for m in team):
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    return Task("team", title, status, hint)


def _phase_task(title: str, stage: int, phase_stage: int, ready: bool, phase: Phase | None) -> Task:
    if stage > phase_stage:
        status = COMPLETED
    elif stage == phase_stage:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED if ready else CANNOT_START
    hint = date_range(phase.starts_on, phase.ends_on) if phase else ""
    return Task("timeline", title, status, hint)


def review_tasks(review: Review) -> list[TaskGroup]:
    """The task list by phase, derived from the review's data."""
    phases = {p.kind: p for p in review.phases.all()}
    stage = _stage(review.status)
    started = stage >= _stage(S.FIELDWORK)
    team = _active_team(review)
    mobilising = (_scope_task(review, started), _team_task(team, started), _declarations_task(team))
    ready = all(task.status == COMPLETED for task in mobilising)
    mobilisation = phases.get(Phase.Kind.MOBILISATION)
    return [
        TaskGroup(
            "Mobilisation",
            date_range(mobilisation.starts_on, mobilisation.ends_on) if mobilisation else "",
            mobilising,
        ),
        TaskGroup(
            "The review",
            "",
            (
                _phase_task(
                    "Fieldwork",
                    stage,
                    _stage(S.FIELDWORK),
                    ready and stage >= _stage(S.MOBILISATION),
                    phases.get(Phase.Kind.FIELDWORK),
                ),
                _phase_task(
                    "Moderation",
                    stage,
                    _stage(S.MODERATION),
                    False,
                    phases.get(Phase.Kind.MODERATION),
                ),
                # Report-back is finished once the review is published.
                _phase_task(
                    "Report back",
                    stage,
                    _stage(S.REPORTING),
                    False,
                    phases.get(Phase.Kind.REPORT_BACK),
                ),
            ),
        ),
    ]


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    parts: list[str]  # the viewer's part: "Reviewing (Bolton SCP)", "Team: reviewer"
    deadline: NextDeadline | None
    near: bool


def your_parts(actor: Actor, review: Review) -> list[str]:
    parts = []
    if actor.role_in(review.reviewed_partnership_id):
        parts.append(f"Reviewed ({review.reviewed_partnership.name})")
    if actor.role_in(review.reviewing_partnership_id):
        parts.append(f"Reviewing ({review.reviewing_partnership.name})")
    parts += [
        f"Team: {m.get_team_role_display().lower()}"
        for m in _active_team(review)
        if m.user_id == actor.user_id
    ]
    return parts


def review_rows(
    actor: Actor, reviews: list[Review], *, now: datetime | None = None
) -> list[ReviewRow]:
    now = now or timezone.now()
    today = local_today(now)
    rows = []
    for review in reviews:
        deadline = next_deadline(review, now=now)
        near = deadline is not None and (deadline.phase.ends_on - today).days <= NEAR_DAYS
        rows.append(ReviewRow(review, your_parts(actor, review), deadline, near))
    return rows


def own_member(actor: Actor, review: Review) -> TeamMember | None:
    """The viewer's own active place on the team, if any."""
    return next((m for m in _active_team(review) if m.user_id == actor.user_id), None)
