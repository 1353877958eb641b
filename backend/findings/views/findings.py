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

from core.errors import ValidationFailed
from reviews.models import Review, TeamMember
from tenancy import access
from tenancy.access import Actor
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
from .common import area_url, finding_of, findings_page, form_page, review_of

GET_POST = require_http_methods(["GET", "POST"])


def _team_only(actor: Actor, review: Review) -> None:
    refuse(policies.may_see_team_work(selectors.standing(actor, review)))


@findings_page
@require_GET
def overview(request: HttpRequest, review_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
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
    actor, review = review_of(request, review_id)
    area = access.get_child(review.areas.all(), area_id)
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
@GET_POST
def finding_add(request: HttpRequest, review_id: int, area_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    refuse(policies.may_write(selectors.standing(actor, review)))
    area = access.get_child(review.areas.all(), area_id)
    return form_page(
        request,
        _finding_form(actor, review, posted(request)),
        lambda data: services.finding_create(
            actor=actor,
            review_id=review.pk,
            area_id=area.pk,
            kind=data["kind"],
            text=data["text"],
            rating=data["rating"],
            theme_codes=data["themes"],
            evidence_ids=data["evidence"],
        ),
        template="findings/finding_form.html",
        context={"review": review, "area": area, "adding": True},
        done="Finding saved as a draft.",
        then=area_url,
    )


@findings_page
@GET_POST
def finding_edit(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    """Change a draft or proposed finding. When someone else saved it meanwhile, the
    page shows their text beside the writer's (kept in the box), with status 409; a
    second save, knowingly, wins."""
    actor, review = review_of(request, review_id)
    finding = finding_of(actor, review, finding_id)
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
    context = {"review": review, "area": finding.area, "finding": finding}

    def save(data: dict[str, Any]) -> Finding:
        return services.finding_update(
            actor=actor,
            finding_id=finding.pk,
            version=data["version"] or 0,
            text=data["text"],
            kind=data["kind"],
            rating=data["rating"],
            theme_codes=data["themes"],
            evidence_ids=data["evidence"],
        )

    try:
        return form_page(
            request,
            form,
            save,
            template="findings/finding_form.html",
            context=context,
            done="Finding saved.",
            then=area_url,
        )
    except services.EditConflict as conflict:
        bound = request.POST.copy()
        bound["version"] = str(conflict.current_version)
        form = _finding_form(actor, review, bound)
        form.is_valid()
        add_service_errors(form, conflict)
        return render(
            request,
            "findings/finding_form.html",
            {**context, "form": form, "conflict": conflict},
            status=409,
        )


@findings_page
@GET_POST
def finding_propose(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    finding = finding_of(actor, review, finding_id)
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
            return redirect(area_url(finding))
    kinds, needed = services.triangulation(actor, finding)
    return render(
        request,
        "findings/propose.html",
        {"review": review, "finding": finding, "kinds": kinds, "needed": needed, "errors": errors},
        status=status,
    )


@findings_page
@GET_POST
def finding_delete(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    finding = finding_of(actor, review, finding_id)
    refuse(policies.may_delete(selectors.standing(actor, review, [finding.pk]), finding))
    if request.method == "POST":
        services.finding_delete(actor=actor, finding_id=finding.pk)
        messages.success(request, "Finding deleted.")
        return redirect("findings:area", review.pk, finding.area_id)
    return render(request, "findings/delete.html", {"review": review, "finding": finding})


@findings_page
@GET_POST
def quote_add(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    finding = finding_of(actor, review, finding_id)
    refuse(policies.may_edit(selectors.standing(actor, review, [finding.pk]), finding))

    def save(data: dict[str, Any]) -> Finding:
        quote = services.quote_add(
            actor=actor,
            finding_id=finding.pk,
            text=data["text"],
            attributed_to=data["attributed_to"],
            consent=data["consent"],
            group_size=data["group_size"],
        )
        if quote.small_group:
            messages.warning(
                request,
                "The group quoted has fewer than 5 people: readers may work out who said it.",
            )
        return finding

    return form_page(
        request,
        QuoteForm(posted(request)),
        save,
        template="findings/quote_form.html",
        context={"review": review, "finding": finding},
        done="Quote added.",
        then=area_url,
    )


def _team(review: Review) -> list[Any]:
    return [m.user for m in review.team.all() if m.status == TeamMember.Status.ACTIVE]


@findings_page
@GET_POST
def moderation(request: HttpRequest, review_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    _team_only(actor, review)
    if request.method == "POST":
        refuse(policies.may_record_meeting(selectors.standing(actor, review)))
    proposed = list(
        selectors.finding_list(actor=actor, review_id=review.pk, status=Finding.Status.PROPOSED)
    )
    return form_page(
        request,
        MeetingForm(posted(request), team=_team(review)),
        lambda data: services.moderation_meeting_record(
            actor=actor,
            review_id=review.pk,
            held_on=data["held_on"],
            attendee_ids=data["attendees"],
            notes=data["notes"],
        ),
        template="findings/moderation.html",
        context={
            "review": review,
            "meetings": list(selectors.meeting_list(actor=actor, review=review)),
            "proposed": proposed,
            "can": selectors.review_permissions(actor=actor, review=review),
        },
        done="Moderation meeting recorded.",
        then=lambda _: reverse("findings:moderation", args=[review.pk]),
    )


@findings_page
@GET_POST
def moderate(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    finding = finding_of(actor, review, finding_id)
    refuse(policies.may_moderate(selectors.standing(actor, review, [finding.pk]), finding))
    meetings = list(selectors.meeting_list(actor=actor, review=review))
    return form_page(
        request,
        DecisionForm(posted(request), meetings=meetings, initial={"amended_text": finding.text}),
        lambda data: services.finding_moderate(
            actor=actor,
            finding_id=finding.pk,
            meeting_id=data["meeting"],
            outcome=data["outcome"],
            amended_text=data["amended_text"],
            dissent=data["dissent"],
        ),
        template="findings/moderate.html",
        context={"review": review, "finding": finding, "meetings": meetings},
        done="Decision recorded.",
        then=lambda _: reverse("findings:moderation", args=[review.pk]),
    )


@findings_page
@GET_POST
def publication(request: HttpRequest, review_id: int) -> HttpResponse:
    """Check answers: every agreed finding by area, what is held back, then publish."""
    actor, review = review_of(request, review_id)
    _team_only(actor, review)
    findings = list(selectors.finding_list(actor=actor, review_id=review.pk))
    agreed = [f for f in findings if f.status == Finding.Status.AGREED]

    return form_page(
        request,
        PublishForm(posted(request)),
        lambda data: services.findings_publish(
            actor=actor, review_id=review.pk, confirmed=data["confirm"]
        ),
        template="findings/publication.html",
        context={
            "review": review,
            "agreed": agreed,
            "rejected": sum(f.status == Finding.Status.REJECTED for f in findings),
            "unmoderated": selectors.unmoderated_count(review),
            "without_consent": sum(not q.consent for f in agreed for q in f.quotes.all()),
            "can": selectors.review_permissions(actor=actor, review=review),
        },
        done=lambda count: (
            f"{count} finding{'s' if count != 1 else ''} published to "
            f"{review.reviewed_partnership.name}."
        ),
        then=lambda _: reverse("findings:overview", args=[review.pk]),
    )


@findings_page
@GET_POST
def finding_correct(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    finding = finding_of(actor, review, finding_id)
    refuse(policies.may_correct(selectors.standing(actor, review, [finding.pk]), finding))
    return form_page(
        request,
        CorrectionForm(posted(request), initial={"text": finding.text}),
        lambda data: services.finding_correct(
            actor=actor, finding_id=finding.pk, text=data["text"], reason=data["reason"]
        ),
        template="findings/correct.html",
        context={"review": review, "finding": finding},
        done="Correction published.",
        then=area_url,
    )


@findings_page
@GET_POST
def finding_comment(request: HttpRequest, review_id: int, finding_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    finding = finding_of(actor, review, finding_id)
    refuse(policies.may_comment(selectors.standing(actor, review, [finding.pk]), finding))
    return form_page(
        request,
        CommentForm(posted(request)),
        lambda data: services.finding_comment(
            actor=actor, finding_id=finding.pk, text=data["text"]
        ),
        template="findings/comment.html",
        context={"review": review, "finding": finding},
        done="Comment sent to the review team.",
        then=lambda _: area_url(finding),
    )
