"""Restricted evidence, person by person: a restricted item is reachable through a
role only with the person's own guardian user grant (tenancy.access, rule 4). The
people who may change the item open it to members of its owning partnership (or,
for team notes, to members of the team) and close it again."""

from __future__ import annotations

from django.db import transaction

from core.errors import Conflict, NotFound, ValidationFailed
from core.ids import parse_ids
from reviews.models import TeamMember
from tenancy import grants
from tenancy.access import Actor
from tenancy.models import Membership

from .. import policies
from ..models import EvidenceItem
from .common import record_item
from .items import item_to_manage


def _grantee(item: EvidenceItem, user_id: object) -> int:
    """A user the restricted item may be opened to: a member of the owning
    partnership, or for team notes an active member of the team. The message is the
    same whether the person exists elsewhere or not."""
    ids = parse_ids([user_id])
    pk = ids[0] if ids else 0
    if item.partnership is not None:
        eligible = Membership.objects.filter(
            user_id=pk, partnership_id=item.partnership.pk, user__is_active=True
        ).exists()
        message = f"Select a member of {item.partnership.name}"
    else:
        eligible = TeamMember.objects.filter(
            user_id=pk, review_id=item.review_id or 0, status=TeamMember.Status.ACTIVE
        ).exists()
        message = "Select a member of the review team"
    if not eligible:
        raise ValidationFailed("Access could not be given.", field_errors={"user": [message]})
    return pk


def _restricted(actor: Actor, item_id: object) -> EvidenceItem:
    return item_to_manage(actor, item_id, policies.open_to_people)


def evidence_restrict_grant(*, actor: Actor, item_id: object, user_id: object) -> EvidenceItem:
    """Open a restricted item to one more person (a guardian user grant, read by the
    chokepoint's rule 4). Granting twice changes nothing and records nothing."""
    with transaction.atomic():
        item = _restricted(actor, item_id)
        pk = _grantee(item, user_id)
        if pk in grants.user_ids(item):
            return item
        grants.grant_user(perm="view", user_id=pk, obj=item)
        record_item(actor, "grant", item, user=pk)
    return item


def evidence_restrict_revoke(*, actor: Actor, item_id: object, user_id: object) -> EvidenceItem:
    """Close a restricted item to one person, on their next request. The last
    person with access cannot be removed: the item would be lost to everyone."""
    with transaction.atomic():
        item = _restricted(actor, item_id)
        ids = parse_ids([user_id])
        holders = grants.user_ids(item)
        if not ids or ids[0] not in holders:
            raise NotFound()
        if len(holders) == 1:
            raise Conflict(
                "At least one person must keep access to restricted evidence. "
                "Give someone else access first."
            )
        grants.revoke_users(obj=item, user_id=ids[0])
        assert ids is not None
        record_item(actor, "revoke", item, user=ids[0])
    return item
