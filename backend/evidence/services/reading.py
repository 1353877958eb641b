"""Reading evidence is audited (SECURITY.md section 6): every list, view and
download writes an event into the owning partnership's log, which its leads and
business managers read as "who viewed our evidence". Pages and APIs call
`evidence_listed` / `evidence_viewed` after rendering what the selectors gave them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import IO, Any, NamedTuple

from django.db import transaction

from audit import services as audit
from audit.models import AuditEvent
from core.errors import Conflict, NotFound
from tenancy import access
from tenancy.access import Actor

from ..models import EvidenceItem
from .common import ITEM_LABEL, owner_of, record_item


def evidence_viewed(*, actor: Actor, item: EvidenceItem) -> AuditEvent:
    """Record that the actor opened one item (its page, or its API detail)."""
    return record_item(actor, "view", item)


def evidence_listed(*, actor: Actor, items: Iterable[EvidenceItem]) -> list[AuditEvent]:
    """Record a page of a list: one event per owning partnership shown, naming the
    ids it showed (detail "ids"), so each partnership's log has its own rows. An
    empty page records nothing. Items should come from the selectors, which load
    each team note's review (select_related), so this runs no query per item."""
    by_owner: dict[int | None, list[int]] = defaultdict(list)
    for item in items:
        by_owner[owner_of(item)].append(int(item.pk))
    entries = [
        audit.Entry(
            action="list",
            object_type=ITEM_LABEL,
            owning_partnership_id=owner,
            detail={"ids": ids, "count": len(ids)},
        )
        for owner, ids in sorted(by_owner.items(), key=lambda pair: pair[0] or 0)
    ]
    return audit.record_many(actor=actor, entries=entries)


class Download(NamedTuple):
    file: IO[Any]
    filename: str
    content_type: str


def evidence_download(*, actor: Actor, item_id: object) -> Download:
    """The item's file, opened for reading, with the name and type to send it as
    (always as an attachment). Only files the scanner passed are served. An item
    the actor cannot see now (a closed window, say) is NotFound, like a missing one."""
    item = access.get_visible(actor, EvidenceItem, item_id)
    if not item.file:
        raise NotFound()
    if item.scan_status == EvidenceItem.ScanStatus.SCANNING:
        raise Conflict("This file is still being checked for viruses. Try again in a few minutes.")
    if item.scan_status != EvidenceItem.ScanStatus.READY:
        raise Conflict("This file failed the virus check and cannot be downloaded.")
    handle = item.file.storage.open(str(item.file.name), "rb")
    try:
        with transaction.atomic():
            record_item(actor, "download", item)
    except BaseException:
        handle.close()
        raise
    return Download(
        handle, item.original_name or "evidence", item.content_type or "application/octet-stream"
    )
