"""May this actor do this to findings now? One function per decision, each
returning the refusal (a domain error the service raises as it is) or None.

The answers are worked out from a `Standing`: what the chokepoint says the actor
holds on one review's findings, read once. Services read it for one finding and
refuse with the answer; `selectors.finding_permissions` reads it once for a whole
page and turns the same answers into flags, so every face shows exactly the links
the services would accept.

Team-only decisions answer NotFound to anyone who is neither on the review team
(access window open) nor a lead of the reviewing partnership: a reviewed
partnership's user posting to a team-only form gets the same 404 as for a missing
object.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from reviews.models import Review

from .models import Finding

S = Review.Status
# Findings are written while the reviewers gather evidence and moderate.
WRITING_OPEN = frozenset({S.FIELDWORK, S.MODERATION})
# Proposed findings are moderated until publication.
MODERATION_OPEN = frozenset({S.MODERATION, S.REPORTING})
# Only agreed findings are published, from the reporting stage.
PUBLISHING = S.REPORTING
# Published findings are corrected (never edited) from then on.
CORRECTING = frozenset({S.PUBLISHED, S.CLOSED})
UNMODERATED = frozenset({Finding.Status.DRAFT, Finding.Status.PROPOSED})


@dataclass(frozen=True)
class Standing:
    """The actor's standing on one review's findings: the chokepoint's answers."""

    review: Review
    on_team: bool  # in the review team's group with an access window open now
    runs_review: bool  # a lead of the reviewing partnership
    change: frozenset[int]  # ids of findings the role map lets them change
    moderate: frozenset[int]
    comment: frozenset[int]

    @property
    def status_label(self) -> str:
        return self.review.get_status_display().lower()


def _team_only(standing: Standing) -> DomainError | None:
    if standing.on_team:
        return None
    if standing.runs_review:
        return PermissionDenied(
            "Only members of the review team can do this, while their access is open."
        )
    return NotFound()


def may_see_team_work(standing: Standing) -> DomainError | None:
    """Open the team's working pages (moderation, the publication check)."""
    return None if standing.on_team or standing.runs_review else NotFound()


def may_write(standing: Standing) -> DomainError | None:
    """Add a finding (or a quote) to the review."""
    refusal = _team_only(standing)
    if refusal is None and standing.review.status not in WRITING_OPEN:
        return Conflict(f"Findings cannot be written once the review is {standing.status_label}.")
    return refusal


def _state(finding: Finding, allowed: frozenset[str]) -> DomainError | None:
    if finding.status in allowed:
        return None
    if finding.status == Finding.Status.PUBLISHED:
        return Conflict("A published finding cannot be changed. Publish a correction instead.")
    if finding.status == Finding.Status.AGREED:
        return Conflict("An agreed finding changes only at moderation.")
    if finding.status == Finding.Status.REJECTED:
        return Conflict("A rejected finding cannot be changed.")
    return Conflict(f"A finding that is {finding.get_status_display().lower()} cannot do this.")


def may_edit(standing: Standing, finding: Finding) -> DomainError | None:
    """Change a finding's wording, themes or evidence (or add a quote to it)."""
    refusal = _team_only(standing) or _state(finding, UNMODERATED) or may_write(standing)
    if refusal is None and finding.pk not in standing.change:
        return NotFound()
    return refusal


def may_delete(standing: Standing, finding: Finding) -> DomainError | None:
    return may_edit(standing, finding)


def may_propose(standing: Standing, finding: Finding) -> DomainError | None:
    """Put a draft forward for moderation (triangulation is checked as input)."""
    return may_edit(standing, finding) or _state(finding, frozenset({Finding.Status.DRAFT}))


def may_record_meeting(standing: Standing) -> DomainError | None:
    refusal = _team_only(standing)
    if refusal is None and standing.review.status not in MODERATION_OPEN:
        return Conflict(f"Moderation is not open while the review is {standing.status_label}.")
    return refusal


def may_moderate(standing: Standing, finding: Finding) -> DomainError | None:
    """Agree, amend or reject a proposed finding at a moderation meeting."""
    refusal = may_record_meeting(standing)
    if refusal is None and finding.pk not in standing.moderate:
        return NotFound()
    if refusal is None and finding.status != Finding.Status.PROPOSED:
        return Conflict(
            "Only a finding proposed for moderation can be agreed, amended or rejected."
        )
    return refusal


def may_publish(standing: Standing, unmoderated: int) -> DomainError | None:
    """Publish the review's agreed findings (and so the review)."""
    if not standing.runs_review:
        return (
            PermissionDenied("Only a lead of the reviewing partnership can publish the findings.")
            if standing.on_team
            else NotFound()
        )
    if standing.review.status != PUBLISHING:
        return Conflict(
            "Findings are published from the reporting stage; the review is "
            f"{standing.status_label}."
        )
    if unmoderated:
        return Conflict(
            f"No publication while a finding is unmoderated: {unmoderated} "
            f"finding{'s are' if unmoderated != 1 else ' is'} still draft or proposed."
        )
    return None


def may_correct(standing: Standing, finding: Finding) -> DomainError | None:
    """Publish a correction of a published finding (a new, audited version)."""
    if not (standing.on_team or standing.runs_review):
        return NotFound()
    if finding.status != Finding.Status.PUBLISHED or standing.review.status not in CORRECTING:
        return Conflict("Only a published finding can be corrected.")
    if getattr(finding, "superseded_by", None) is not None:
        return Conflict("This finding has already been corrected: correct the latest version.")
    return None


def may_comment(standing: Standing, finding: Finding) -> DomainError | None:
    """A factual-accuracy comment by the reviewed partnership's lead."""
    if finding.pk not in standing.comment:
        return NotFound()
    return None


# --- success criteria and next steps ---------------------------------------------------

# The reviewers assess the criteria while the review is under way, and again at the
# progress review once it is published.
ASSESSING = {
    "review": frozenset({S.FIELDWORK, S.MODERATION, S.REPORTING}),
    "progress": {S.PUBLISHED},
}
RECOMMENDING = frozenset({S.FIELDWORK, S.MODERATION, S.REPORTING})


def may_state_criteria(is_manager: bool, review: Review) -> DomainError | None:
    """Add a success criterion, or self-assess one: the reviewed partnership's leads
    and business managers, until the review closes."""
    if not is_manager:
        return PermissionDenied(
            f"Only leads and business managers of {review.reviewed_partnership.name} can "
            "write or assess its success criteria."
        )
    if review.status == S.CLOSED:
        return Conflict("Success criteria cannot change once the review is closed.")
    return None


def may_assess(standing: Standing, stage: str) -> DomainError | None:
    """The reviewers' assessment of a criterion: the team at the review; the team or
    the reviewing partnership's lead at the progress review."""
    allowed = standing.on_team or (stage == "progress" and standing.runs_review)
    if not allowed:
        return _team_only(standing) or PermissionDenied(
            "Only the review team can assess the criteria before publication."
        )
    if standing.review.status not in ASSESSING.get(stage, frozenset()):
        when = "at the progress review" if stage == "progress" else "now"
        return Conflict(
            f"The criteria cannot be assessed {when}: the review is {standing.status_label}."
        )
    return None


def may_recommend(standing: Standing) -> DomainError | None:
    refusal = _team_only(standing)
    if refusal is None and standing.review.status not in RECOMMENDING:
        return Conflict(
            f"Recommendations cannot be added once the review is {standing.status_label}."
        )
    return refusal


def may_respond(can_respond: bool, response: str) -> DomainError | None:
    """Accept or decline a recommendation: the reviewed partnership's leads, once the
    review is published (the chokepoint's "respond"), once."""
    if not can_respond:
        return NotFound()
    if response != "pending":
        return Conflict("This recommendation has already been answered.")
    return None


def may_plan_action(is_manager: bool, response: str) -> DomainError | None:
    """Turn an accepted recommendation into an action: the reviewed partnership's
    leads and business managers."""
    if not is_manager:
        return NotFound()
    if response != "accepted":
        return Conflict("Only an accepted recommendation becomes actions.")
    return None
