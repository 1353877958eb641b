"""Handbook pages: thin views over handbooks.selectors and handbooks.services.

Reads start from the selectors (a foreign or missing id is the same 404); changes go
through the services, whose refusals appear on the form (web.forms.add_service_errors)
or as the 403 page with the reason (web.errors.page_errors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import Conflict, ValidationFailed, refuse
from tenancy import access
from tenancy import selectors as tenancy_selectors
from tenancy.access import Actor, actor_of
from tenancy.models import Partnership
from web.errors import page_errors
from web.forms import add_service_errors, posted

from . import policies, selectors, services
from .forms import (
    AreaForm,
    CompareForm,
    CopyForm,
    LineForm,
    ObjectiveForm,
    PublishForm,
    ReferenceForm,
)
from .models import HandbookVersion


@login_required
@page_errors
def handbook_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.handbook_shelves(actor=actor_of(request))
    return render(
        request,
        "handbooks/handbook_list.html",
        {"groups": groups, "any": any(groups.values())},
    )


@login_required
@page_errors
def handbook_detail(request: HttpRequest, handbook_id: int) -> HttpResponse:
    actor = actor_of(request)
    handbook = selectors.handbook_get(actor=actor, handbook_id=handbook_id)
    versions = list(selectors.version_list(actor=actor, handbook=handbook))
    latest = versions[-1] if versions else None
    can_change = policies.change_handbook(actor, handbook) is None
    return render(
        request,
        "handbooks/handbook_detail.html",
        {
            "handbook": handbook,
            "versions": versions,
            "can_start_version": can_change and (latest is None or latest.is_published),
            "draft": latest if latest is not None and not latest.is_published else None,
        },
    )


@login_required
@require_POST
@page_errors
def version_start(request: HttpRequest, handbook_id: int) -> HttpResponse:
    actor = actor_of(request)
    handbook = selectors.handbook_get(actor=actor, handbook_id=handbook_id)
    refuse(policies.change_handbook(actor, handbook))
    try:
        draft = services.version_start_next(actor=actor, handbook_id=handbook.pk)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("handbooks:detail", handbook_id=handbook.pk)
    messages.success(
        request, f"Version {draft.number} is a draft. Change it, then publish it when it is ready."
    )
    return redirect("handbooks:version", version_id=draft.pk)


@login_required
@page_errors
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    actor = actor_of(request)
    version = selectors.version_get(actor=actor, version_id=version_id)
    return render(
        request,
        "handbooks/version_detail.html",
        {
            "version": version,
            "handbook": version.handbook,
            "editable": not version.is_published
            and policies.change_version(actor, version) is None,
            "can_copy": version.is_published and policies.copy_handbook(actor) is None,
        },
    )


@login_required
@page_errors
def version_compare(request: HttpRequest, handbook_id: int) -> HttpResponse:
    """What changed between two versions: this handbook's, or the one it was copied from."""
    actor = actor_of(request)
    handbook = selectors.handbook_get(actor=actor, handbook_id=handbook_id)
    versions = list(selectors.version_list(actor=actor, handbook=handbook))
    source = (
        selectors.published_version_list(actor=actor).filter(pk=handbook.copied_from_id).first()
        if handbook.copied_from_id
        else None
    )
    data: Any = request.GET
    if "old" not in data and "new" not in data:
        # First visit: the latest version against the one before it (or the source).
        earlier = versions[-2] if len(versions) > 1 else source
        data = (
            {"old": str(earlier.pk), "new": str(versions[-1].pk)} if earlier and versions else None
        )
    form = CompareForm(data, versions=versions, source=source)
    diff = None
    if form.is_bound and form.is_valid():
        diff = selectors.version_diff(
            actor=actor, old_id=form.cleaned_data["old"], new_id=form.cleaned_data["new"]
        )
    labels = dict(form.fields["old"].choices)  # type: ignore[attr-defined]
    return render(
        request,
        "handbooks/version_compare.html",
        {
            "handbook": handbook,
            "form": form,
            "diff": diff,
            "old_label": labels.get(form.data.get("old", "")) if diff else "",
            "new_label": labels.get(form.data.get("new", "")) if diff else "",
            "enough_versions": len(versions) + (1 if source else 0) > 1,
        },
    )


def _managed_partnerships(actor: Actor) -> list[Partnership]:
    """The actor's partnerships they may copy a handbook into."""
    targets = policies.copy_targets(actor)
    return [p for p in tenancy_selectors.partnership_list(actor=actor) if p.pk in targets]


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def version_copy(request: HttpRequest, version_id: int) -> HttpResponse:
    actor = actor_of(request)
    version = selectors.version_get(actor=actor, version_id=version_id)
    refuse(policies.copy_handbook(actor))
    partnerships = _managed_partnerships(actor)
    form = CopyForm(posted(request), partnerships=partnerships)
    if request.method == "POST" and form.is_valid():
        try:
            handbook = services.handbook_copy(
                actor=actor,
                version_id=version.pk,
                partnership_slug=form.cleaned_data["partnership"],
            )
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            draft = selectors.version_list(actor=actor, handbook=handbook).first()
            messages.success(
                request,
                f"“{handbook.title}” is a private draft of {handbook.owner_name}. "
                "Adapt it, then publish it.",
            )
            if draft is None:
                return redirect("handbooks:detail", handbook_id=handbook.pk)
            return redirect("handbooks:version", version_id=draft.pk)
    return render(
        request,
        "handbooks/version_copy.html",
        {"version": version, "handbook": version.handbook, "form": form},
    )


# --- editing a draft ---------------------------------------------------------------


def _draft_page(
    request: HttpRequest,
    version_id: int,
    *,
    form_class: type[forms.Form],
    save: Callable[[Actor, HandbookVersion, dict[str, Any]], object],
    heading: str,
    success: str,
    initial: Callable[[HandbookVersion], dict[str, Any]] | None = None,
    extra: Callable[[HandbookVersion], dict[str, Any]] | None = None,
    anchor: str = "",
) -> HttpResponse:
    """GET shows the form; POST saves through the service and goes back to the version.

    A draft is changed by its owners' leads and business managers only (403 with the
    reason for anyone else who can read it); a published version is never changed."""
    actor = actor_of(request)
    version = selectors.version_get(actor=actor, version_id=version_id)
    refuse(policies.change_version(actor, version))
    if version.is_published:
        messages.error(
            request,
            f"Version {version.number} is published, so it cannot be changed. "
            "Start a new version to make changes.",
        )
        return redirect("handbooks:version", version_id=version.pk)
    more = extra(version) if extra is not None else {}
    form = form_class(posted(request), initial=initial(version) if initial is not None else None)
    if request.method == "POST" and form.is_valid():
        try:
            save(actor, version, form.cleaned_data)
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            url = reverse("handbooks:version", kwargs={"version_id": version.pk})
            return redirect(f"{url}#{anchor}" if anchor else url)
    return render(
        request,
        "handbooks/draft_form.html",
        {
            "version": version,
            "handbook": version.handbook,
            "form": form,
            "heading": heading,
            **more,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def objective_add(request: HttpRequest, version_id: int) -> HttpResponse:
    return _draft_page(
        request,
        version_id,
        form_class=ObjectiveForm,
        save=lambda actor, version, data: services.objective_save(
            actor=actor, version_id=version.pk, text=data["text"]
        ),
        heading="Add an objective",
        success="Objective added",
        anchor="objectives",
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def area_add(request: HttpRequest, version_id: int) -> HttpResponse:
    return _draft_page(
        request,
        version_id,
        form_class=AreaForm,
        save=lambda actor, version, data: services.area_save(
            actor=actor,
            version_id=version.pk,
            title=data["title"],
            key_question=data["key_question"],
            guidance=data["guidance"],
        ),
        heading="Add an area of focus",
        success="Area of focus added",
        anchor="areas",
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def area_edit(request: HttpRequest, version_id: int, area_id: int) -> HttpResponse:
    def initial(version: HandbookVersion) -> dict[str, Any]:
        area = access.get_child(version.areas.all(), area_id)
        return {"title": area.title, "key_question": area.key_question, "guidance": area.guidance}

    return _draft_page(
        request,
        version_id,
        form_class=AreaForm,
        initial=initial,
        save=lambda actor, version, data: services.area_save(
            actor=actor,
            version_id=version.pk,
            area_id=area_id,
            title=data["title"],
            key_question=data["key_question"],
            guidance=data["guidance"],
        ),
        heading="Change the area of focus",
        success="Area of focus changed",
        anchor=f"area-{area_id}",
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def line_add(request: HttpRequest, version_id: int, area_id: int) -> HttpResponse:
    return _draft_page(
        request,
        version_id,
        form_class=LineForm,
        # Resolving the area first makes a foreign or missing area a 404 on GET too.
        extra=lambda version: {"area": access.get_child(version.areas.all(), area_id)},
        save=lambda actor, version, data: services.line_save(
            actor=actor,
            version_id=version.pk,
            area_id=area_id,
            question=data["question"],
            prompts=data["prompts"],
            guidance=data["guidance"],
        ),
        heading="Add a line of enquiry",
        success="Line of enquiry added",
        anchor=f"area-{area_id}",
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def reference_add(request: HttpRequest, version_id: int) -> HttpResponse:
    return _draft_page(
        request,
        version_id,
        form_class=ReferenceForm,
        save=lambda actor, version, data: services.reference_save(
            actor=actor,
            version_id=version.pk,
            title=data["title"],
            publisher=data["publisher"],
            year=data["year"],
            url=(data["url"] or "").strip(),
        ),
        heading="Add a baseline reference",
        success="Baseline reference added",
        anchor="references",
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    """Check your answers, then publish: a published version can never change."""
    actor = actor_of(request)
    version = selectors.version_get(actor=actor, version_id=version_id)
    refuse(policies.change_version(actor, version))
    if version.is_published:
        messages.error(request, f"Version {version.number} is already published.")
        return redirect("handbooks:version", version_id=version.pk)
    form = PublishForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.version_publish(
                actor=actor, version_id=version.pk, change_note=form.cleaned_data["change_note"]
            )
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Version {version.number} is published")
            return redirect("handbooks:version", version_id=version.pk)
    return render(
        request,
        "handbooks/version_publish.html",
        {"version": version, "handbook": version.handbook, "form": form},
    )
