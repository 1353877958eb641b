"""Adding, changing and removing evidence, and opening restricted items to people.

Who may do what:

- any member of a partnership adds to its library; a review team member whose
  access window is open adds the team's own notes (owned by the review);
- the person who added an item, or whoever the role map lets "change" it (the
  owning partnership's leads and business managers; for team notes, the team while
  its window is open), changes or deletes it and opens a restricted item to others;
- an item shared with a review that is not closed cannot be deleted: unsharing
  first makes the reviewers' loss of it an explicit, audited step;
- team notes are frozen once the review is published, when the reviewed
  partnership's leads start reading them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import FileField
from django.utils import timezone
from guardian.shortcuts import assign_perm

from core import outbox
from core.errors import Conflict, DomainError, PermissionDenied
from reviews.models import Review, ReviewArea
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from ..models import EvidenceItem, EvidenceItemUserObjectPermission, EvidenceShare
from ..uploads import CheckedUpload, check_upload, storage_name
from . import fields
from .common import VIEW, areas_of, record_item, user_id_of

# Team notes are taken while the review is under way; publication freezes them.
NOTES_OPEN = frozenset({Review.Status.FIELDWORK, Review.Status.MODERATION, Review.Status.REPORTING})
NOTE_KINDS = frozenset(
    {EvidenceItem.Kind.MEETING, EvidenceItem.Kind.INTERVIEW, EvidenceItem.Kind.OTHER}
)


def _storage() -> Storage:
    file_field = EvidenceItem._meta.get_field("file")
    assert isinstance(file_field, FileField)
    return file_field.storage


def _checked(upload: Any, errors: dict[str, list[str]]) -> CheckedUpload | None:
    """Run the upload checks. A refused file joins the other field errors when there
    are any; alone, its own error (413, 415...) goes up unchanged."""
    if upload is None:
        return None
    try:
        return check_upload(upload)
    except DomainError as error:
        if not errors:
            raise
        for name, messages in (error.field_errors or {"file": [error.message]}).items():
            errors.setdefault(name, []).extend(messages)
        return None


def _save_file(item: EvidenceItem, checked: CheckedUpload) -> None:
    """Store the checked file under its server-generated name, mark the item as
    scanning and write its scan to the outbox (sent after commit; a broker outage
    delays the scan, it never loses it). If saving the row fails the stored
    file is removed again. (A caller's outer transaction rolling back later would
    leave the file behind, unreferenced: Django has no on-rollback hook.)"""
    from .. import tasks  # the tasks module imports these services

    storage = _storage()
    stored = storage.save(storage_name(checked), checked.file)
    try:
        item.file.name = stored
        item.original_name = checked.original_name
        item.content_type = checked.content_type
        item.size = checked.size
        item.sha256 = checked.sha256
        item.scan_status = EvidenceItem.ScanStatus.SCANNING
        item.scan_detail = ""
        item.save(
            update_fields=[
                "file",
                "original_name",
                "content_type",
                "size",
                "sha256",
                "scan_status",
                "scan_detail",
            ]
        )
    except BaseException:
        storage.delete(stored)
        raise
    outbox.enqueue_task(tasks.scan_evidence_file, item.pk)


# Longer than the broker takes to hand a dead worker's scan to another (its
# visibility timeout, 6 minutes) plus a scan: what is still "scanning" after this
# was lost on the way (a broker that dropped its queue, say).
STUCK_AFTER = timedelta(minutes=10)


def stuck_scans_requeue(*, now: datetime | None = None) -> int:
    """Queue the scan again, through the outbox, of every item still "scanning" more
    than STUCK_AFTER after it was added whose scan is not already on its way (a
    pending outbox row, or one sent within STUCK_AFTER). Returns how many.
    Idempotent: the scan task skips an item that is no longer scanning."""
    from .. import tasks  # the tasks module imports these services

    now = now or timezone.now()
    since = now - STUCK_AFTER
    in_flight = outbox.keys_in_flight(f"{tasks.scan_evidence_file.name}:", since=since)
    stuck = (
        EvidenceItem.objects.filter(
            scan_status=EvidenceItem.ScanStatus.SCANNING, added_at__lt=since
        )
        .exclude(file="")
        .values_list("pk", flat=True)
    )
    requeued = 0
    with transaction.atomic():
        for item_id in stuck:
            if outbox.task_key(tasks.scan_evidence_file.name, [item_id]) not in in_flight:
                outbox.enqueue_task(tasks.scan_evidence_file, item_id)
                requeued += 1
    return requeued


def _create(
    *,
    actor: Actor,
    owner: dict[str, Any],
    cleaned: dict[str, Any],
    areas: list[ReviewArea],
    checked: CheckedUpload | None,
) -> EvidenceItem:
    now = timezone.now()
    item = EvidenceItem.objects.create(
        **owner, **cleaned, added_by_id=user_id_of(actor), added_at=now, updated_at=now
    )
    if areas:
        item.areas.set(areas)
    if item.sensitivity == EvidenceItem.Sensitivity.RESTRICTED:
        # Whoever marks an item restricted keeps it: a guardian user grant (rule 4).
        assign_perm(VIEW, _user(actor), item)
    record_item(
        actor,
        "create",
        item,
        sensitivity=item.sensitivity,
        areas=[a.pk for a in areas],
        review=item.review_id,
        file=checked is not None,
    )
    if checked is not None:
        # Last, so that nothing after the file is stored can fail and orphan it.
        _save_file(item, checked)
    return item


def _user(actor: Actor) -> Any:
    from accounts.models import User

    return User.objects.get(pk=user_id_of(actor))


def evidence_add(
    *,
    actor: Actor,
    partnership_id: object,
    kind: str,
    title: str,
    description: str = "",
    sensitivity: str = EvidenceItem.Sensitivity.OFFICIAL,
    area_ids: Iterable[object] = (),
    upload: Any = None,
    **kind_fields: Any,
) -> EvidenceItem:
    """Add an item to a partnership's library (any member may). A document needs a
    file, which stays "scanning" until the virus check clears it; areas of focus
    must be of a review of this partnership that the actor can see."""
    fields.check_names(kind_fields)
    with transaction.atomic():
        partnership = access.get_visible(actor, Partnership, partnership_id, "add_evidence")
        values = {
            "title": title,
            "description": description,
            "sensitivity": sensitivity,
            **kind_fields,
        }
        cleaned, errors = fields.clean(kind=kind, values=values, has_file=upload is not None)
        reviews = access.visible(actor, Review).filter(reviewed_partnership_id=partnership.pk)
        areas = areas_of(area_ids, reviews, errors)
        checked = _checked(upload, errors) if kind in fields.FILE_KINDS else None
        fields.fail("The evidence could not be added.", errors)
        return _create(
            actor=actor,
            owner={"partnership": partnership, "kind": kind},
            cleaned=cleaned,
            areas=areas,
            checked=checked,
        )


def review_evidence_add(
    *,
    actor: Actor,
    review_id: object,
    kind: str,
    title: str,
    description: str = "",
    sensitivity: str = EvidenceItem.Sensitivity.OFFICIAL,
    area_ids: Iterable[object] = (),
    **kind_fields: Any,
) -> EvidenceItem:
    """A review team member, while their access window is open, adds the team's own
    notes (a meeting observation, an interview or other notes), owned by the review:
    the team sees them, and the reviewed partnership's leads once it is published."""
    fields.check_names(kind_fields)
    with transaction.atomic():
        review = access.get_visible(actor, Review, review_id)
        if review.team_group_id not in actor.open_group_ids:
            raise PermissionDenied(
                "Only members of the review team can add its notes, while their access is open."
            )
        if review.status not in NOTES_OPEN:
            raise Conflict(
                f"Notes cannot be added once the review is {review.get_status_display().lower()}."
            )
        values = {
            "title": title,
            "description": description,
            "sensitivity": sensitivity,
            **kind_fields,
        }
        cleaned, errors = fields.clean(
            kind=kind,
            values=values,
            has_file=False,
            allowed_kinds=NOTE_KINDS,
            kind_message="Select a meeting observation, an interview or other notes",
        )
        areas = areas_of(area_ids, Review.objects.filter(pk=review.pk), errors)
        fields.fail("The notes could not be added.", errors)
        return _create(
            actor=actor,
            owner={"review": review, "kind": kind},
            cleaned=cleaned,
            areas=areas,
            checked=None,
        )


def item_to_manage(actor: Actor, item_id: object, doing: str) -> EvidenceItem:
    """An item the actor may change: they added it, or the role map lets them."""
    item = access.get_visible(actor, EvidenceItem, item_id)
    item = (
        EvidenceItem.objects.select_for_update(of=("self",))
        .select_related("partnership", "review__reviewed_partnership")
        .get(pk=item.pk)
    )
    if item.added_by_id != actor.user_id and not access.can(actor, "change", item):
        if item.partnership is not None:
            raise PermissionDenied(
                f"Only the person who added this evidence, or a lead or business manager of "
                f"{item.partnership.name}, can {doing} it."
            )
        raise PermissionDenied(f"Only the review team can {doing} its notes.")
    if item.review is not None and item.review.status not in NOTES_OPEN:
        raise Conflict(
            f"The team's notes cannot change once the review is "
            f"{item.review.get_status_display().lower()}."
        )
    return item


def _reviews_for_areas(item: EvidenceItem, actor: Actor) -> Any:
    if item.review_id is not None:
        return Review.objects.filter(pk=item.review_id)
    return access.visible(actor, Review).filter(reviewed_partnership_id=item.partnership_id)


def evidence_update(
    *,
    actor: Actor,
    item_id: object,
    title: str | None = None,
    description: str | None = None,
    sensitivity: str | None = None,
    area_ids: Iterable[object] | None = None,
    **kind_fields: Any,
) -> EvidenceItem:
    """Change an item's details; None (or a field left out) keeps the current value.
    The kind and the file cannot change (remove the item and add it again).

    Marking an item restricted keeps the actor's own access (a user grant); making
    it unrestricted again drops every per-person grant, so restricting it later
    starts from nobody rather than silently reopening it to an old list."""
    fields.check_names(kind_fields)
    with transaction.atomic():
        item = item_to_manage(actor, item_id, "change")
        given = {
            "title": title,
            "description": description,
            "sensitivity": sensitivity,
            **kind_fields,
        }
        current = {name: getattr(item, name) for name in ("title", "description", "sensitivity")}
        current.update({name: getattr(item, name) for name in fields.ALL_KIND_FIELDS})
        values = {**current, **{k: v for k, v in given.items() if v is not None}}
        cleaned, errors = fields.clean(kind=item.kind, values=values, has_file=bool(item.file))
        areas = (
            areas_of(area_ids, _reviews_for_areas(item, actor), errors)
            if area_ids is not None
            else None
        )
        fields.fail("The evidence could not be saved.", errors)
        was_restricted = item.sensitivity == EvidenceItem.Sensitivity.RESTRICTED
        changed = sorted(name for name, value in cleaned.items() if getattr(item, name) != value)
        for name in changed:
            setattr(item, name, cleaned[name])
        if areas is not None:
            before = set(item.areas.values_list("pk", flat=True))
            if before != {a.pk for a in areas}:
                item.areas.set(areas)
                changed.append("areas")
        if not changed:
            return item
        item.updated_at = timezone.now()
        item.save(update_fields=[n for n in changed if n != "areas"] + ["updated_at"])
        now_restricted = item.sensitivity == EvidenceItem.Sensitivity.RESTRICTED
        if now_restricted and not was_restricted:
            assign_perm(VIEW, _user(actor), item)
        elif was_restricted and not now_restricted:
            EvidenceItemUserObjectPermission.objects.filter(content_object=item).delete()
        record_item(actor, "update", item, fields=changed)
    return item


def evidence_delete(*, actor: Actor, item_id: object) -> None:
    """Delete an item and its file. Refused while it is shared with a review that is
    not closed: stop sharing it first."""
    with transaction.atomic():
        item = item_to_manage(actor, item_id, "delete")
        live = (
            EvidenceShare.objects.filter(item=item)
            .exclude(review__status=Review.Status.CLOSED)
            .select_related("review__reviewing_partnership")
            .first()
        )
        if live is not None:
            raise Conflict(
                f"This evidence is shared with the review by "
                f"{live.review.reviewing_partnership.name}. Stop sharing it before deleting it."
            )
        stored = item.file.name if item.file else ""
        record_item(actor, "delete", item, review=item.review_id)
        item.delete()
        if stored:
            storage = _storage()
            transaction.on_commit(lambda: storage.delete(stored))
