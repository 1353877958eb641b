"""One item of evidence (UX screen 9): its page with "Who can see this" and its
access log, the download, changing and deleting it, who a restricted item is open
to, and stopping sharing it with a review.

Viewing and downloading are audited by the services. A foreign or missing item
is the same 404 everywhere, as is one the viewer could see yesterday (a closed
access window)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.downloads import attachment
from core.errors import Conflict, NotFound, ValidationFailed, refuse
from tenancy.access import Actor, actor_of
from web.forms import add_service_errors, posted

from .. import policies, selectors, services
from ..forms import EvidenceForm, GrantForm, area_choices, initial_for
from ..models import EvidenceItem
from ..selectors import EvidenceRow
from .common import evidence_page, partnership_areas, review_areas, review_for_page
from .log import log_rows

# How many of an item's access events its page shows (the partnership's access log
# has the rest).
LOG_ON_PAGE = 20


def _item(request: HttpRequest, item_id: int) -> EvidenceRow:
    return selectors.evidence_get(actor=actor_of(request), item_id=item_id)


def _owner_name(item: EvidenceItem) -> str:
    if item.partnership is not None:
        return item.partnership.name
    assert item.review is not None
    return f"the team reviewing {item.review.reviewed_partnership.name}"


def _back_to_list(item: EvidenceItem) -> str:
    if item.review_id is not None:
        return reverse("evidence:review-library", args=[item.review_id])
    return reverse("evidence:library")


# --- The item page ---


@evidence_page
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = actor_of(request)
    item = _item(request, item_id)
    services.evidence_viewed(actor=actor, item=item)
    audience = selectors.who_can_see(actor=actor, item=item)
    flags = selectors.evidence_permissions(actor=actor, items=[item])[item.pk]
    events = (
        list(selectors.access_log(actor=actor, item_id=item.pk)[:LOG_ON_PAGE])
        if flags.can_read_log
        else []
    )
    return render(
        request,
        "evidence/item.html",
        {
            "item": item,
            "owner_name": _owner_name(item),
            "member": policies.is_member_of_owner(actor, item),
            "audience": audience,
            "shared_with": [a for a in audience.audiences if a.review_id and item.partnership_id],
            "can_read_log": flags.can_read_log,
            "log": log_rows(actor, events),
            "log_is_cut": len(events) == LOG_ON_PAGE,
            "can_change": flags.can_change,
            "can_share": flags.can_share,
            "back": _back_to_list(item),
        },
    )


@evidence_page
@require_GET
def item_download(request: HttpRequest, item_id: int) -> HttpResponse:
    """The file, always as an attachment under its display name, never sniffed as
    something else, never cached. Only files the scanner passed are served."""
    download = services.evidence_download(actor=actor_of(request), item_id=item_id)
    response = attachment(
        download.file, filename=download.filename, content_type=download.content_type
    )
    # A streamed response: page_errors is typed for HttpResponse, and passes it on.
    return response  # type: ignore[return-value]


# --- Changing and deleting ---


def _area_choices(actor: Actor, item: EvidenceItem) -> list[tuple[str, str]]:
    if item.review is not None:
        return area_choices(review_areas(item.review), label_review=False)
    assert item.partnership is not None
    return area_choices(partnership_areas(actor, item.partnership), label_review=True)


@evidence_page
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    """Change an item's details. The kind and the file stay as they are (remove
    the item and add it again)."""
    actor = actor_of(request)
    item = _item(request, item_id)
    refuse(policies.change_item(actor, item))
    form = EvidenceForm(
        posted(request),
        kind=item.kind,
        areas=_area_choices(actor, item),
        with_file=False,
        initial=initial_for(item, [area.pk for area in item.areas.all()]),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.check(has_file=bool(item.file)):
            try:
                services.evidence_update(
                    actor=actor, item_id=item.pk, area_ids=form.area_ids(), **form.values()
                )
            except (ValidationFailed, Conflict) as exc:
                add_service_errors(form, exc)
                status = 409 if isinstance(exc, Conflict) else 400
            else:
                messages.success(request, "Your changes have been saved.")
                return redirect("evidence:item", item_id=item.pk)
    return render(
        request,
        "evidence/edit.html",
        {"item": item, "form": form, "owner_name": _owner_name(item)},
        status=status,
    )


@evidence_page
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = actor_of(request)
    item = _item(request, item_id)
    refuse(policies.delete_item(actor, item))
    error, status = "", 200
    if request.method == "POST":
        try:
            services.evidence_delete(actor=actor, item_id=item.pk)
        except Conflict as exc:
            error, status = exc.message, 409
        else:
            messages.success(request, f"‘{item.title}’ has been deleted.")
            return redirect(_back_to_list(item))
    return render(
        request,
        "evidence/delete.html",
        {"item": item, "errors": [error] if error else []},
        status=status,
    )


# --- Sharing: stopping ---


@evidence_page
@require_http_methods(["GET", "POST"])
def item_unshare(request: HttpRequest, item_id: int, review_id: int) -> HttpResponse:
    """Stop sharing an item with a review, after a confirmation. The team loses it
    on their next request."""
    actor = actor_of(request)
    item = _item(request, item_id)
    shared = selectors.evidence_list(actor=actor, review_id=review_id).filter(pk=item.pk)
    if item.partnership is None or not shared.exists():
        raise NotFound()
    review = review_for_page(request, review_id)
    refuse(policies.unshare_item(actor, item))
    if request.method == "POST":
        services.evidence_unshare(actor=actor, item_id=item.pk, review_id=review.pk)
        messages.success(
            request,
            f"‘{item.title}’ is no longer shared with the team from "
            f"{review.reviewing_partnership.name}. Their access ended straight away.",
        )
        return redirect("evidence:item", item_id=item.pk)
    return render(request, "evidence/unshare.html", {"item": item, "review": review})


# --- Restricted items: who they are open to ---


def _restricted(request: HttpRequest, item_id: int) -> tuple[Actor, EvidenceRow]:
    actor = actor_of(request)
    item = _item(request, item_id)
    refuse(policies.open_to_people(actor, item))
    return actor, item


@evidence_page
@require_http_methods(["GET", "POST"])
def item_access(request: HttpRequest, item_id: int) -> HttpResponse:
    actor, item = _restricted(request, item_id)
    people = selectors.restricted_access_list(actor=actor, item=item)
    form = GrantForm(
        posted(request),
        people=selectors.restricted_candidates(
            actor=actor, item=item, taken={p.user_id for p in people}
        ),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.evidence_restrict_grant(
                    actor=actor, item_id=item.pk, user_id=form.cleaned_data["user"]
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "They can now see this evidence.")
                return redirect("evidence:access", item_id=item.pk)
    return render(
        request,
        "evidence/access.html",
        {"item": item, "people": people, "form": form, "owner_name": _owner_name(item)},
        status=status,
    )


@evidence_page
@require_http_methods(["GET", "POST"])
def item_access_remove(request: HttpRequest, item_id: int, user_id: int) -> HttpResponse:
    actor, item = _restricted(request, item_id)
    people = selectors.restricted_access_list(actor=actor, item=item)
    person = next((p for p in people if p.user_id == user_id), None)
    if person is None:
        raise NotFound()
    error, status = "", 200
    if request.method == "POST":
        try:
            services.evidence_restrict_revoke(actor=actor, item_id=item.pk, user_id=user_id)
        except Conflict as exc:
            error, status = exc.message, 409
        else:
            messages.success(request, f"{person.name} can no longer see this evidence.")
            return redirect("evidence:access", item_id=item.pk)
    return render(
        request,
        "evidence/access_remove.html",
        {"item": item, "person": person, "errors": [error] if error else []},
        status=status,
    )
