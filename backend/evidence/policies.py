"""May this actor do this to this evidence now: one function per decision, each
returning the refusal (PermissionDenied or Conflict, with the words every face
shows) or None. Services raise the refusal (core.errors.refuse); the permission
selectors turn the same answers into the flags pages, REST and GraphQL show, so
no face can offer what the service would refuse.

Built on tenancy.access: a role is read from the role map through
`access.Permits`, answered in memory from the row's own foreign keys (the caller
passes one Permits for a whole page, so grant-dependent answers cost one query
for the page, not one per row)."""

from __future__ import annotations

from core.errors import Conflict, DomainError, PermissionDenied
from reviews.models import Review
from tenancy import access
from tenancy import selectors as tenancy_selectors
from tenancy.access import Actor, Permits
from tenancy.models import Partnership

from .models import DocumentRequest, EvidenceItem

# Team notes are taken while the review is under way; publication freezes them.
NOTES_OPEN = frozenset({Review.Status.FIELDWORK, Review.Status.MODERATION, Review.Status.REPORTING})
# Sharing (and asking for documents) runs from the draft to the report: the team may
# be sent papers before fieldwork, and nothing new once the report is published.
SHARING_OPEN = frozenset(
    {
        Review.Status.DRAFT,
        Review.Status.MOBILISATION,
        Review.Status.FIELDWORK,
        Review.Status.MODERATION,
        Review.Status.REPORTING,
    }
)


def _status(review: Review) -> str:
    return review.get_status_display().lower()


def _permits(actor: Actor, obj: object, permits: Permits | None) -> Permits:
    return permits if permits is not None else access.permits(actor, [obj])  # type: ignore[list-item]


# --- one item -----------------------------------------------------------------------


def change_item(
    actor: Actor, item: EvidenceItem, doing: str = "change", permits: Permits | None = None
) -> DomainError | None:
    """Change, delete, or open a restricted item to people: whoever added it, or
    whoever the role map lets "change" it (the owner's leads and business managers;
    for team notes, the team while its window is open). Team notes freeze once the
    review is published. `item` carries its partnership and review."""
    permits = _permits(actor, item, permits)
    if item.added_by_id != actor.user_id and not permits.can("change", item):
        if item.partnership is not None:
            return PermissionDenied(
                f"Only the person who added this evidence, or a lead or business manager of "
                f"{item.partnership.name}, can {doing} it."
            )
        return PermissionDenied(f"Only the review team can {doing} its notes.")
    if item.review is not None and item.review.status not in NOTES_OPEN:
        return Conflict(
            f"The team's notes cannot change once the review is {_status(item.review)}."
        )
    return None


def delete_item(actor: Actor, item: EvidenceItem) -> DomainError | None:
    """Delete an item: as changing it (a live share is the service's own check)."""
    return change_item(actor, item, "delete")


def open_to_people(actor: Actor, item: EvidenceItem) -> DomainError | None:
    """Open a restricted item to people one by one, or close it to one: whoever
    may change it, and only while it is restricted."""
    refusal = change_item(actor, item, "change who can see")
    if refusal is None and item.sensitivity != EvidenceItem.Sensitivity.RESTRICTED:
        return Conflict("Only restricted evidence is opened to people one by one.")
    return refusal


def unshare_item(
    actor: Actor, item: EvidenceItem, permits: Permits | None = None
) -> DomainError | None:
    """Stop sharing an item (and share it): the role map's "share" (the owner's
    leads and business managers; a restricted item only with their own grant)."""
    if item.partnership is not None and _permits(actor, item, permits).can("share", item):
        return None
    owner = item.partnership.name if item.partnership else "the owning partnership"
    return PermissionDenied(
        f"Only a lead or business manager of {owner} can stop sharing its evidence."
    )


def read_item_log(
    actor: Actor, item: EvidenceItem, permits: Permits | None = None
) -> DomainError | None:
    """Who viewed this item: the owner's leads and business managers."""
    if _permits(actor, item, permits).can("view_log", item):
        return None
    owner = item.partnership.name if item.partnership else "the owning partnership"
    return PermissionDenied(
        f"Only a lead or business manager of {owner} can see who has viewed this evidence."
    )


def is_member_of_owner(actor: Actor, item: EvidenceItem) -> bool:
    """Whether the actor belongs to the partnership that owns a library item (they
    see its adder's name and who it is shared with). Team notes have no owner here."""
    return item.partnership_id is not None and actor.role_in(item.partnership_id) is not None


# --- a partnership's library --------------------------------------------------------


def read_library_log(actor: Actor, partnership: Partnership) -> DomainError | None:
    """Who viewed a partnership's evidence: its leads and business managers."""
    if access.permits(actor, [partnership]).can("view_evidence_log", partnership):
        return None
    return PermissionDenied(
        f"Only a lead or business manager of {partnership.name} can see who has viewed "
        "its evidence."
    )


def share_from_library(actor: Actor, partnership: Partnership) -> DomainError | None:
    """Share a partnership's evidence with a review of it: its leads and business managers."""
    if access.permits(actor, [partnership]).can("share_evidence", partnership):
        return None
    return PermissionDenied(
        f"Only a lead or business manager of {partnership.name} can share its evidence."
    )


def share_at_all(actor: Actor) -> DomainError | None:
    """Share evidence at all: a lead or business manager of some partnership."""
    if access.partnerships_holding(actor, Partnership, "share_evidence"):
        return None
    memberships = tenancy_selectors.membership_list_for_user(actor=actor)
    names = " or ".join(m.partnership.name for m in memberships)
    return PermissionDenied(
        f"Only a lead or business manager of {names} can share its evidence."
        if names
        else "Only a lead or business manager of a partnership can share its evidence."
    )


# --- a review's evidence ------------------------------------------------------------


def share_with_review(actor: Actor, review: Review) -> DomainError | None:
    """Share the reviewed partnership's evidence with the review's team (and so
    answer its document requests): the reviewed partnership's leads and business
    managers, from the draft to the report. `review` carries its partnerships."""
    owner = review.reviewed_partnership
    if actor.role_in(owner.pk) is None:
        # The actor sees the review as its reviewer: their own evidence is not for it.
        return PermissionDenied(
            "Evidence can only be shared with a review of the partnership that owns it."
        )
    refusal = share_from_library(actor, owner)
    if refusal is not None:
        return refusal
    if review.status not in SHARING_OPEN:
        return Conflict(f"Evidence cannot be shared with a review that is {_status(review)}.")
    return None


def add_notes(actor: Actor, review: Review) -> DomainError | None:
    """Add the team's own notes: a team member whose access window is open, while
    the review is under way."""
    if review.team_group_id not in actor.open_group_ids:
        return PermissionDenied(
            "Only members of the review team can add its notes, while their access is open."
        )
    if review.status not in NOTES_OPEN:
        return Conflict(
            "The review team adds its notes from the start of fieldwork until the report "
            "is published."
        )
    return None


def ask_for_documents(actor: Actor, review: Review) -> DomainError | None:
    """Ask the reviewed partnership for a document: the team while its window is
    open, or a lead of the reviewing partnership, up to the report."""
    on_team = review.team_group_id in actor.open_group_ids
    if not on_team and not access.permits(actor, [review]).can("lead", review):
        return PermissionDenied(
            f"Only the review team, or a lead of {review.reviewing_partnership.name}, "
            "can ask for documents."
        )
    if review.status not in SHARING_OPEN:
        return Conflict(f"Documents cannot be requested once the review is {_status(review)}.")
    return None


def is_on_team(actor: Actor, review: Review) -> bool:
    """Whether the actor is in the review's team (window open or not)."""
    return review.team_group_id in actor.group_ids


def withdraw_request(
    actor: Actor, request: DocumentRequest, permits: Permits | None = None
) -> DomainError | None:
    """Withdraw a document request: the team while its window is open, or the
    reviewing partnership's lead; only while it is open. `request` carries its
    review and the review's reviewing partnership."""
    if not _permits(actor, request, permits).can("withdraw", request):
        return PermissionDenied(
            f"Only the review team, or a lead of "
            f"{request.review.reviewing_partnership.name}, can withdraw a request."
        )
    if request.status != DocumentRequest.Status.OPEN:
        return Conflict("Only an open request can be withdrawn.")
    return None
