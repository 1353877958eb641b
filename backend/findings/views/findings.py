"""Findings pages (UX.md screens 11 and 12): a review's findings by area, writing
them, quotes, moderation and publication. Each view resolves access, calls a
selector or a service, and renders; the policies decide, through the selectors'
flags and the services' refusals. Everything works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import NotFound, ValidationFailed
from evidence.views.common import evidence_page as findings_page
from reviews import selectors as review_selectors
from reviews.models import Review, ReviewArea, TeamMember
from tenancy import access
from tenancy.access import Actor, actor_of
from web.forms import add_service_errors, posted

from .. import policies, selectors, services
from ..forms import (
    CommentForm,
    CorrectionForm,
    DecisionForm,
    FindingForm,
    MeetingForm,
    PublishForm,
    QuoteForm,
)
from ..models import Finding
from ..services.common import refuse


def _review(request: HttpRequest, review_id: int) -> tuple[Actor, Review]:
    actor = actor_of(request)
    return actor, review_selectors.review_get(actor=actor, review_id=review_id)


def _finding(actor: Actor, review: Review, finding_id: int) -> Finding:
    """A finding of this review the actor may see (404 otherwise, as for a missing one)."""
    finding = selectors.finding_get(actor=actor, finding_id=finding_id)
    if finding.review_id != review.pk:
        raise NotFound()
    finding.review = review
    return finding


def _area_url(finding: Finding) -> str:
    url = reverse("findings:area", args=[finding.review_id, finding.area_id])
    return f"{url}#finding-{finding.pk}"


def _team_only(actor: Actor, review: Review) -> None:
    refuse(policies.may_see_team_work(selectors.standing(actor, review)))


@findings_page
@require_GET
def overview(request: HttpRequest, review_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    return render(
        request,
        "findings/overview.html",
        {
            "review": review,
            "summaries": selectors.area_summaries(actor=actor, review=review),
            "can": selectors.review_permissions(actor=actor, review=review),
            "team_work": policies.may_see_team_work(selectors.standing(actor, review)) is None,
        },
    )


@findings_page
@require_GET
def area_page(request: HttpRequest, review_id: int, area_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    area = access.get_child(ReviewArea.objects.filter(review_id=review.pk), area_id)
    findings = list(selectors.finding_list(actor=actor, review_id=review.pk, area_id=area.pk))
    flags = selectors.finding_permissions(actor=actor, review=review, findings=findings)
    cards: list[dict[str, Any]] = [
        {"finding": f, "can": flags[f.pk], "kinds": selectors.evidence_kinds(f)} for f in findings
    ]
    return render(
        request,
        "findings/area.html",
        {
            "review": review,
            "area": area,
            "strengths": [c for c in cards if c["finding"].kind == Finding.Kind.STRENGTH],
            "developments": [c for c in cards if c["finding"].kind == Finding.Kind.DEVELOPMENT],
            "can": selectors.review_permissions(actor=actor, review=review),
            "needed": review.handbook_version.triangulation_kinds,
        },
    )


def _finding_form(actor: Actor, review: Review, data: Any, **kwargs: Any) -> FindingForm:
    return FindingForm(
        data,
        themes=selectors.theme_list(),
        evidence=selectors.review_evidence(actor, review).order_by("kind", "title", "id"),
        **kwargs,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def finding_add(request: HttpRequest, review_id: int, area_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    refuse(policies.may_write(selectors.standing(actor, review)))
    area = access.get_child(ReviewArea.objects.filter(review_id=review.pk), area_id)
    form = _finding_form(actor, review, posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                finding = services.finding_create(
                    actor=actor,
                    review_id=review.pk,
                    area_id=area.pk,
                    kind=data["kind"],
                    text=data["text"],
                    rating=data["rating"],
                    theme_codes=data["themes"],
                    evidence_ids=data["evidence"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Finding saved as a draft.")
                return redirect(_area_url(finding))
    return render(
        request,
        "findings/finding_form.html",
        {"review": review, "area": area, "form": form, "adding": True},
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    finding = _finding(actor, review, finding_id)
    refuse(policies.may_edit(selectors.standing(actor, review, [finding.pk]), finding))
    initial = {
        "kind": finding.kind,
        "text": finding.text,
        "rating": finding.rating,
        "themes": [t.code for t in finding.themes.all()],
        "evidence": [str(i.pk) for i in finding.evidence.all()],
        "version": finding.version,
    }
    form = _finding_form(actor, review, posted(request), initial=initial)
    conflict = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.finding_update(
                    actor=actor,
                    finding_id=finding.pk,
                    version=data["version"] or 0,
                    text=data["text"],
                    kind=data["kind"],
                    rating=data["rating"],
                    theme_codes=data["themes"],
                    evidence_ids=data["evidence"],
                )
            except services.EditConflict as exc:
                # Keep the writer's words in the box; a second save, knowingly, wins.
                conflict = exc
                bound = request.POST.copy()
                bound["version"] = str(exc.current_version)
                form = _finding_form(actor, review, bound)
                form.is_valid()
                add_service_errors(form, exc)
                status = 409
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Finding saved.")
                return redirect(_area_url(saved))
    return render(
        request,
        "findings/finding_form.html",
        {
            "review": review,
            "area": finding.area,
            "finding": finding,
            "form": form,
            "conflict": conflict,
        },
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def finding_propose(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    finding = _finding(actor, review, finding_id)
    refuse(policies.may_propose(selectors.standing(actor, review, [finding.pk]), finding))
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            services.finding_propose(actor=actor, finding_id=finding.pk)
        except ValidationFailed as exc:
            errors = [m for ms in exc.field_errors.values() for m in ms] or [exc.message]
            status = 400
        else:
            messages.success(request, "Finding proposed for moderation.")
            return redirect(_area_url(finding))
    kinds, needed = services.triangulation(actor, finding)
    return render(
        request,
        "findings/propose.html",
        {
            "review": review,
            "finding": finding,
            "kinds": kinds,
            "needed": needed,
            "errors": errors,
        },
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def finding_delete(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    finding = _finding(actor, review, finding_id)
    refuse(policies.may_delete(selectors.standing(actor, review, [finding.pk]), finding))
    if request.method == "POST":
        services.finding_delete(actor=actor, finding_id=finding.pk)
        messages.success(request, "Finding deleted.")
        return redirect("findings:area", review.pk, finding.area_id)
    return render(request, "findings/delete.html", {"review": review, "finding": finding})


@findings_page
@require_http_methods(["GET", "POST"])
def quote_add(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    finding = _finding(actor, review, finding_id)
    refuse(policies.may_edit(selectors.standing(actor, review, [finding.pk]), finding))
    form = QuoteForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                quote = services.quote_add(
                    actor=actor,
                    finding_id=finding.pk,
                    text=data["text"],
                    attributed_to=data["attributed_to"],
                    consent=data["consent"],
                    group_size=data["group_size"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                if quote.small_group:
                    messages.warning(
                        request,
                        "The group quoted has fewer than 5 people: readers may work out who "
                        "said it.",
                    )
                messages.success(request, "Quote added.")
                return redirect(_area_url(finding))
    return render(
        request,
        "findings/quote_form.html",
        {"review": review, "finding": finding, "form": form},
        status=status,
    )


def _team(review: Review) -> list[Any]:
    return [m.user for m in review.team.all() if m.status == TeamMember.Status.ACTIVE]


@findings_page
@require_http_methods(["GET", "POST"])
def moderation(request: HttpRequest, review_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    _team_only(actor, review)
    if request.method == "POST":
        refuse(policies.may_record_meeting(selectors.standing(actor, review)))
    form = MeetingForm(posted(request), team=_team(review))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.moderation_meeting_record(
                    actor=actor,
                    review_id=review.pk,
                    held_on=data["held_on"],
                    attendee_ids=data["attendees"],
                    notes=data["notes"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Moderation meeting recorded.")
                return redirect("findings:moderation", review.pk)
    proposed = list(
        selectors.finding_list(actor=actor, review_id=review.pk, status=Finding.Status.PROPOSED)
    )
    return render(
        request,
        "findings/moderation.html",
        {
            "review": review,
            "form": form,
            "meetings": list(selectors.meeting_list(actor=actor, review=review)),
            "proposed": proposed,
            "flags": selectors.finding_permissions(actor=actor, review=review, findings=proposed),
            "can": selectors.review_permissions(actor=actor, review=review),
        },
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    finding = _finding(actor, review, finding_id)
    refuse(policies.may_moderate(selectors.standing(actor, review, [finding.pk]), finding))
    meetings = list(selectors.meeting_list(actor=actor, review=review))
    form = DecisionForm(posted(request), meetings=meetings, initial={"amended_text": finding.text})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.finding_moderate(
                    actor=actor,
                    finding_id=finding.pk,
                    meeting_id=data["meeting"],
                    outcome=data["outcome"],
                    amended_text=data["amended_text"],
                    dissent=data["dissent"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Decision recorded.")
                return redirect("findings:moderation", review.pk)
    return render(
        request,
        "findings/moderate.html",
        {"review": review, "finding": finding, "form": form, "meetings": meetings},
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def publication(request: HttpRequest, review_id: int) -> HttpResponse:
    """Check answers: every agreed finding by area, what is held back, then publish."""
    actor, review = _review(request, review_id)
    _team_only(actor, review)
    form = PublishForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                count = services.findings_publish(
                    actor=actor, review_id=review.pk, confirmed=form.cleaned_data["confirm"]
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{count} finding{'s' if count != 1 else ''} published to "
                    f"{review.reviewed_partnership.name}.",
                )
                return redirect("findings:overview", review.pk)
    findings = list(selectors.finding_list(actor=actor, review_id=review.pk))
    agreed = [f for f in findings if f.status == Finding.Status.AGREED]
    return render(
        request,
        "findings/publication.html",
        {
            "review": review,
            "form": form,
            "agreed": agreed,
            "rejected": sum(f.status == Finding.Status.REJECTED for f in findings),
            "unmoderated": selectors.unmoderated_count(review),
            "without_consent": sum(not q.consent for f in agreed for q in f.quotes.all()),
            "can": selectors.review_permissions(actor=actor, review=review),
        },
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def finding_correct(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    finding = _finding(actor, review, finding_id)
    refuse(policies.may_correct(selectors.standing(actor, review, [finding.pk]), finding))
    form = CorrectionForm(posted(request), initial={"text": finding.text})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                correction = services.finding_correct(
                    actor=actor,
                    finding_id=finding.pk,
                    text=form.cleaned_data["text"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Correction published.")
                return redirect(_area_url(correction))
    return render(
        request,
        "findings/correct.html",
        {"review": review, "finding": finding, "form": form},
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def finding_comment(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    finding = _finding(actor, review, finding_id)
    refuse(policies.may_comment(selectors.standing(actor, review, [finding.pk]), finding))
    form = CommentForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.finding_comment(
                    actor=actor, finding_id=finding.pk, text=form.cleaned_data["text"]
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Comment sent to the review team.")
                return redirect(_area_url(finding))
    return render(
        request,
        "findings/comment.html",
        {"review": review, "finding": finding, "form": form},
        status=status,
    )
