"""Adding evidence (UX screen 8): choose the kind, answer that kind's questions,
check the answers, save. To a partnership's library (any member), or to a review
as the team's own notes (a team member whose access window is open).

The flow differs for files, on purpose. A meeting observation, an interview,
other notes are kept in the session between the questions and the check-answers
page, and only "Save" writes. A document (or data with a file) is saved when the
form is sent: the upload is checked there and then (size, type, content), stored
under a server-made name and marked Scanning until the virus check clears it. A
check-answers page would mean keeping an unscanned file that belongs to nothing
between two requests; and nothing goes to another partnership at this step (the
item is private to its partnership until someone shares it, which has its own
check-answers page), so there is nothing to confirm yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_http_methods

from core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed, refuse
from reviews.models import Review
from tenancy.access import actor_of
from tenancy.models import Partnership
from web.forms import add_service_errors, posted

from .. import policies, services
from ..forms import EvidenceForm, KindForm, area_choices, upload_hint
from ..models import EvidenceItem
from ..services import fields as evidence_fields
from ..services.items import NOTE_KINDS
from ..uploads import check_upload
from .common import (
    Choice,
    choose_partnership,
    chosen_partnership,
    evidence_page,
    partnership_areas,
    review_areas,
    review_for_page,
)

Kind = EvidenceItem.Kind
DRAFT_KEY = "evidence_add_draft"
LIBRARY_KINDS = tuple(Kind.values)
TEAM_KINDS = tuple(kind for kind in Kind.values if kind in NOTE_KINDS)


@dataclass(frozen=True)
class Target:
    """Where new evidence goes: a partnership's library, or a review team's notes."""

    partnership: Partnership | None
    review: Review | None
    kinds: tuple[str, ...]
    areas: list[tuple[str, str]]
    query: str = ""  # "?partnership=<slug>" for someone in several partnerships

    @property
    def key(self) -> str:
        if self.review is not None:
            return f"review:{self.review.pk}"
        assert self.partnership is not None
        return f"partnership:{self.partnership.pk}"

    def url(self, step: str, kind: str = "") -> str:
        args: list[Any] = [self.review.pk] if self.review is not None else []
        prefix = "evidence:review-" if self.review is not None else "evidence:"
        name = {"kind": "add", "details": "add-details", "check": "add-check"}[step]
        if kind:
            args.append(kind)
        return reverse(prefix + name, args=args) + self.query

    @property
    def back(self) -> str:
        if self.review is not None:
            return reverse("evidence:review-library", args=[self.review.pk])
        return reverse("evidence:library") + self.query

    @property
    def name(self) -> str:
        if self.review is not None:
            return f"the notes of the team reviewing {self.review.reviewed_partnership.name}"
        assert self.partnership is not None
        return f"{self.partnership.name}'s evidence library"


def _library_target(request: HttpRequest) -> Target | Choice:
    actor = actor_of(request)
    choice = chosen_partnership(request)
    if choice.partnership is None:
        if choice.several:
            return choice
        raise PermissionDenied(
            "Only members of a partnership can add evidence to its library. Review team "
            "members add their notes from the review's evidence page."
        )
    areas = partnership_areas(actor, choice.partnership)
    return Target(
        partnership=choice.partnership,
        review=None,
        kinds=LIBRARY_KINDS,
        areas=area_choices(areas, label_review=True),
        query=choice.query,
    )


def _team_target(request: HttpRequest, review_id: int) -> Target:
    """The team's notes: the service's own rule (a team member whose access window
    is open, from fieldwork until publication), checked before the form is offered."""
    review = review_for_page(request, review_id)
    refuse(policies.add_notes(actor_of(request), review))
    return Target(
        partnership=None,
        review=review,
        kinds=TEAM_KINDS,
        areas=area_choices(review_areas(review), label_review=False),
    )


def _draft(request: HttpRequest, target: Target) -> tuple[str, MultiValueDict[str, Any]] | None:
    """The answers so far for this target: (kind, submitted fields)."""
    draft = request.session.get(DRAFT_KEY)
    if not isinstance(draft, dict) or draft.get("target") != target.key:
        return None
    kind, data = draft.get("kind"), draft.get("data")
    if kind not in target.kinds or not isinstance(data, dict):
        return None
    return kind, MultiValueDict(data)


def _form(target: Target, kind: str, data: Any = None, files: Any = None) -> EvidenceForm:
    return EvidenceForm(data, files, kind=kind, areas=target.areas)


# --- Step 1: the kind ---


def _kind_page(request: HttpRequest, target: Target) -> HttpResponse:
    draft = _draft(request, target)
    team = target.review is not None
    form = KindForm(
        posted(request),
        kinds=target.kinds,
        initial={"kind": draft[0]} if draft else None,
        message="Select a meeting observation, an interview or other notes" if team else None,
    )
    if request.method == "POST" and form.is_valid():
        return redirect(target.url("details", form.cleaned_data["kind"]))
    return render(
        request,
        "evidence/add_kind.html",
        {"target": target, "form": form},
        status=400 if form.errors else 200,
    )


@evidence_page
@require_http_methods(["GET", "POST"])
def add_kind(request: HttpRequest) -> HttpResponse:
    target = _library_target(request)
    if isinstance(target, Choice):
        return choose_partnership(
            request, target, heading="Which partnership are you adding evidence for?"
        )
    return _kind_page(request, target)


@evidence_page
@require_http_methods(["GET", "POST"])
def review_add_kind(request: HttpRequest, review_id: int) -> HttpResponse:
    return _kind_page(request, _team_target(request, review_id))


# --- Step 2: the kind's questions ---


def _details_page(request: HttpRequest, target: Target, kind: str) -> HttpResponse:
    if kind not in target.kinds:
        raise NotFound()
    if request.method != "POST":
        # Coming back from "Change" on the check page: the answers so far.
        draft = _draft(request, target)
        form = _form(target, kind, draft[1] if draft and draft[0] == kind else None)
        return _render_details(request, target, form)
    form = _form(target, kind, request.POST, request.FILES)
    if kind in evidence_fields.FILE_KINDS:
        return _save_with_file(request, target, form)
    if not form.check(allowed_kinds=frozenset(target.kinds)):
        return _render_details(request, target, form, status=400)
    request.session[DRAFT_KEY] = {
        "target": target.key,
        "kind": kind,
        "data": {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"},
    }
    return redirect(target.url("check"))


def _save_with_file(request: HttpRequest, target: Target, form: EvidenceForm) -> HttpResponse:
    """A document (or data) is saved as it is sent: see the module's docstring."""
    assert target.partnership is not None
    upload = request.FILES.get("file")
    if not form.is_valid():
        # The form could not be read (an area that is not on the list): say what else
        # is wrong too, the file included, and write nothing.
        form.check(has_file=upload is not None)
        if upload is not None and "file" not in form.errors:
            try:
                check_upload(upload)
            except DomainError as exc:
                add_service_errors(form, exc)
        return _render_details(request, target, form, status=400)
    try:
        item = services.evidence_add(
            actor=actor_of(request),
            partnership_id=target.partnership.pk,
            kind=form.kind,
            area_ids=form.area_ids(),
            upload=upload,
            **form.values(),
        )
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        # 413 for a file over the limit, 415 for a type that is not allowed, when that
        # is the only thing wrong; 400 otherwise.
        return _render_details(request, target, form, status=exc.status_code)
    if item.file:
        messages.success(
            request,
            f"‘{item.title}’ has been added. The file is being checked for viruses: "
            "it shows as Scanning until the check has finished.",
        )
    else:
        messages.success(request, f"‘{item.title}’ has been added.")
    return redirect("evidence:item", item_id=item.pk)


def _render_details(
    request: HttpRequest, target: Target, form: EvidenceForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "evidence/add_form.html",
        {
            "target": target,
            "form": form,
            "kind": Kind(form.kind),
            "upload_hint": upload_hint(),
            "saves_now": form.kind in evidence_fields.FILE_KINDS,
        },
        status=status,
    )


@evidence_page
@require_http_methods(["GET", "POST"])
def add_details(request: HttpRequest, kind: str) -> HttpResponse:
    target = _library_target(request)
    if isinstance(target, Choice):
        return redirect("evidence:add")
    return _details_page(request, target, kind)


@evidence_page
@require_http_methods(["GET", "POST"])
def review_add_details(request: HttpRequest, review_id: int, kind: str) -> HttpResponse:
    return _details_page(request, _team_target(request, review_id), kind)


# --- Step 3: check the answers, then save ---


def _check_page(request: HttpRequest, target: Target) -> HttpResponse:
    draft = _draft(request, target)
    if draft is None:
        return redirect(target.url("kind"))
    kind, data = draft
    form = _form(target, kind, data)
    if not form.check(allowed_kinds=frozenset(target.kinds)):
        # The answers no longer hold (an area of focus was removed, say).
        return _render_details(request, target, form, status=400)
    if request.method == "POST":
        actor = actor_of(request)
        try:
            if target.review is not None:
                item = services.review_evidence_add(
                    actor=actor,
                    review_id=target.review.pk,
                    kind=kind,
                    area_ids=form.area_ids(),
                    **form.values(),
                )
            else:
                assert target.partnership is not None
                item = services.evidence_add(
                    actor=actor,
                    partnership_id=target.partnership.pk,
                    kind=kind,
                    area_ids=form.area_ids(),
                    **form.values(),
                )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
            return _render_details(request, target, form, status=400)
        del request.session[DRAFT_KEY]
        messages.success(request, f"‘{item.title}’ has been added.")
        return redirect("evidence:item", item_id=item.pk)
    return render(
        request,
        "evidence/add_check.html",
        {
            "target": target,
            "form": form,
            "kind": Kind(kind),
            "answers": _answers(form),
            "kind_url": target.url("kind"),
            "details_url": target.url("details", kind),
        },
    )


def _answers(form: EvidenceForm) -> list[tuple[str, str, Any]]:
    """(label, field name, value shown) for each question the kind asked."""
    data = form.cleaned_data
    rows: list[tuple[str, str, Any]] = []
    for name, field in form.fields.items():
        value = data.get(name)
        if name == "areas":
            labels = dict(form.fields["areas"].choices)  # type: ignore[attr-defined]
            value = [labels[pk] for pk in value or []]
        elif name in ("sensitivity", "interviewed_by") and value:
            value = dict(field.choices)[value]  # type: ignore[attr-defined]
        elif name == "name_consented":
            value = "Yes" if value else "No"
        rows.append((str(field.label), name, value))
    return rows


@evidence_page
@require_http_methods(["GET", "POST"])
def add_check(request: HttpRequest) -> HttpResponse:
    target = _library_target(request)
    if isinstance(target, Choice):
        return redirect("evidence:add")
    return _check_page(request, target)


@evidence_page
@require_http_methods(["GET", "POST"])
def review_add_check(request: HttpRequest, review_id: int) -> HttpResponse:
    return _check_page(request, _team_target(request, review_id))
