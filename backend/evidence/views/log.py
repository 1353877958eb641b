"""Who viewed our evidence: the partnership's access log (leads and business
managers), and the words each event is shown in, here and on an item's page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import AuditEvent
from core.errors import PermissionDenied
from core.ids import parse_id
from core.pagination import keyset_page
from reviews import selectors as review_selectors
from reviews.models import Review
from tenancy.access import Actor, actor_of

from .. import selectors
from ..forms import LogFilterForm
from ..models import EvidenceItem
from .common import PAGE_SIZE, choose_partnership, chosen_partnership, evidence_page

ACTION_LABELS = {
    "list": "Listed",
    "view": "Viewed",
    "download": "Downloaded",
    "share": "Shared with a review",
    "revoke": "Stopped sharing or removed access",
    "grant": "Gave a person access",
}


@dataclass(frozen=True)
class LogRow:
    event: AuditEvent
    who: str
    what: str
    item: EvidenceItem | None  # the item, when the viewer can see it now
    item_id: int | None


def log_rows(actor: Actor, events: Sequence[AuditEvent]) -> list[LogRow]:
    """Events in words. Items and reviews are named only when the viewer can see
    them now (an item deleted since, or a team's note, is named by its number)."""
    item_ids = {int(e.object_id) for e in events if e.object_id.isdigit()}
    items = {item.pk: item for item in selectors.evidence_list(actor=actor).filter(pk__in=item_ids)}
    review_ids = {
        int(e.detail["review"])
        for e in events
        if isinstance(e.detail, dict) and isinstance(e.detail.get("review"), int)
    }
    reviews = (
        {r.pk: r for r in review_selectors.review_list(actor=actor).filter(pk__in=review_ids)}
        if review_ids
        else {}
    )
    rows = []
    for event in events:
        item_id = int(event.object_id) if event.object_id.isdigit() else None
        rows.append(
            LogRow(
                event=event,
                who=event.actor_email or "The service (automatic)",
                what=_what(event, reviews),
                item=items.get(item_id) if item_id is not None else None,
                item_id=item_id,
            )
        )
    return rows


def _what(event: AuditEvent, reviews: dict[int, Review]) -> str:
    detail = event.detail if isinstance(event.detail, dict) else {}
    review_id = detail.get("review")
    review = reviews.get(review_id) if isinstance(review_id, int) else None
    team = f"the team from {review.reviewing_partnership.name}" if review else "a review team"
    if event.action == "list":
        count = int(detail.get("count") or len(detail.get("ids") or []))
        return f"Listed {count} item{'s' if count != 1 else ''}"
    if event.action == "share":
        return f"Shared with {team}"
    if event.action == "revoke":
        if detail.get("reason") == "review closed":
            return f"Access of {team} ended: the review closed"
        if "user" in detail:
            return "Removed a person's access"
        return f"Stopped sharing with {team}"
    return ACTION_LABELS.get(event.action, event.get_action_display())


@evidence_page
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Every list, view, download, share and revoke of the partnership's evidence,
    newest first, 50 a page by keyset (`?after=<event id>`), filterable by action."""
    actor = actor_of(request)
    choice = chosen_partnership(request)
    partnership = choice.partnership
    if partnership is None:
        if choice.several:
            return choose_partnership(
                request, choice, heading="Which partnership's access log do you want to see?"
            )
        raise PermissionDenied(
            "Only a lead or business manager of a partnership can see who has viewed its "
            "evidence. You do not belong to a partnership."
        )
    events = selectors.access_log(actor=actor, partnership_id=partnership.pk)
    form = LogFilterForm(
        request.GET, actions=[(a, ACTION_LABELS[a]) for a in selectors.ACCESS_ACTIONS]
    )
    status = 200
    base = {"partnership": partnership.slug} if choice.several else {}
    if form.is_valid():
        action = form.cleaned_data.get("action") or ""
        if action:
            events = events.filter(action=action)
            base["action"] = action
    else:
        events, status = events.none(), 400
    page = keyset_page(events, size=PAGE_SIZE, after=parse_id(request.GET.get("after")))
    next_href = "?" + urlencode({**base, "after": page.next_after}) if page.next_after else None
    return render(
        request,
        "evidence/access_log.html",
        {
            "partnership": partnership,
            "form": form,
            "rows": log_rows(actor, page.rows),
            "next_href": next_href,
            "first_href": ("?" + urlencode(base)) if request.GET.get("after") else None,
        },
        status=status,
    )
