"""The access log: who listed, viewed, downloaded, shared or revoked a
partnership's evidence ("who viewed our evidence"), for its leads and business
managers. Served from the audit chain, newest first."""

from __future__ import annotations

from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from audit.models import AuditEvent
from core.errors import refuse
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from .. import policies
from ..models import EvidenceItem
from ..services.common import ITEM_LABEL, owner_of

# What counts as access. Creating, changing and deleting are in the audit chain
# too, but they are not "who has seen it".
ACCESS_ACTIONS = ("list", "view", "download", "share", "revoke", "grant")


def access_log(
    *, actor: Actor, item_id: object | None = None, partnership_id: object | None = None
) -> QuerySet[AuditEvent]:
    """Access events on evidence, newest first (keyset-friendly: ordered by -id).

    With `item_id`: the events on that item, including every list page that showed
    it; the actor must be allowed "view_log" on it (a lead or business manager of
    the owning partnership; a restricted item only with their own grant). With
    `partnership_id`: every event on that partnership's evidence (leads and
    business managers). With neither: every partnership the actor may read the
    log of. NotFound for an item or partnership the actor cannot see; PermissionDenied
    for one they see but may not read the log of.

    Served by the audit_owner_recent index (owning_partnership_id, -id)."""
    events = AuditEvent.objects.filter(object_type=ITEM_LABEL, action__in=ACCESS_ACTIONS)
    if item_id is not None:
        item = access.get_visible(actor, EvidenceItem, item_id)
        refuse(policies.read_item_log(actor, item))
        # List events name their ids in detail["ids"]; match this id as a whole
        # number inside that JSON array (same text form on SQLite and PostgreSQL).
        listed_here = rf"(^|[^0-9]){int(item.pk)}([^0-9]|$)"
        events = (
            events.filter(owning_partnership_id=owner_of(item))
            .annotate(listed_ids=Cast(KT("detail__ids"), TextField()))
            .filter(Q(object_id=str(item.pk)) | Q(action="list", listed_ids__regex=listed_here))
        )
    elif partnership_id is not None:
        partnership = access.get_visible(actor, Partnership, partnership_id)
        refuse(policies.read_library_log(actor, partnership))
        events = events.filter(owning_partnership_id=partnership.pk)
    else:
        readable = access.visible(actor, Partnership, "view_evidence_log").values("pk")
        events = events.filter(owning_partnership_id__in=readable)
    return events.order_by("-id")
