"""The survey pages for a partnership's people (UX.md screen 10): set up, share the
links, import, results. Thin: each page resolves access through the selectors,
calls one service, and renders. The respondent's pages are in respond.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.errors import PermissionDenied, ValidationFailed
from reviews import selectors as review_selectors
from tenancy import access
from tenancy.access import actor_of
from tenancy.models import Partnership
from web.errors import product_page
from web.forms import add_service_errors, posted

from . import charts, exports, selectors, services
from .forms import (
    BaselineForm,
    ColumnsForm,
    InvitationsForm,
    SurveyForm,
    UploadForm,
    end_of,
    start_of,
)
from .imports import check_rows, default_mapping, read_table, targets
from .models import Survey
from .services import LocalQuestion
from .stats import SMALL_SAMPLE, SMALL_SAMPLE_CAVEAT

View = Callable[..., HttpResponse]
IMPORT_KEY = "survey-import-{}"


# Signed in; 404 for foreign or missing, 403 with the reason, 409 for a failed guard.
survey_page = product_page("surveys/problem.html")


def _survey(request: HttpRequest, survey_id: int) -> tuple[Survey, selectors.SurveyPermissions]:
    actor = actor_of(request)
    survey = selectors.survey_get(actor=actor, survey_id=survey_id)
    return survey, selectors.survey_permissions(actor=actor, surveys=[survey])[survey.pk]


def _must_run(survey: Survey, flags: selectors.SurveyPermissions) -> None:
    if not flags.can_run:
        raise PermissionDenied(
            f"Only the business managers and leads of {survey.partnership.name} run its surveys."
        )


@survey_page
def survey_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    surveys = list(selectors.survey_list(actor=actor))
    can_create = access.visible(actor, Partnership, "add_survey").exists()
    return render(request, "surveys/list.html", {"surveys": surveys, "can_create": can_create})


def _partnership_to_survey(request: HttpRequest) -> Partnership | list[Partnership]:
    """The partnership a new survey is for: the only one the user may survey, the one
    `?partnership=<slug>` names, or the list to choose from."""
    actor = actor_of(request)
    choices = list(access.visible(actor, Partnership, "add_survey").order_by("name"))
    if not choices:
        raise PermissionDenied(
            "Only the business managers and leads of a partnership set up its surveys."
        )
    slug = request.GET.get("partnership", "")
    if slug:
        return access.get_visible_by(actor, Partnership, perm="add_survey", slug=slug)
    return choices[0] if len(choices) == 1 else choices


@survey_page
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    target = _partnership_to_survey(request)
    if isinstance(target, list):
        return render(request, "surveys/choose_partnership.html", {"partnerships": target})
    reviews = review_selectors.review_list(actor=actor).filter(reviewed_partnership=target)
    earlier = selectors.survey_list(actor=actor, partnership_id=target.pk)
    form = SurveyForm(
        posted(request),
        bank=list(selectors.bank_question_list()),
        reviews=[(str(r.pk), f"Review by {r.reviewing_partnership.name}") for r in reviews],
        previous=[(str(s.pk), s.title) for s in earlier],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        local = data.get("local_question", "").strip()
        try:
            survey = services.survey_create(
                actor=actor,
                partnership_id=target.pk,
                title=data["title"],
                opens_at=start_of(data["opens_on"]),
                closes_at=end_of(data["closes_on"]),
                bank_codes=data["bank_codes"],
                local_questions=[LocalQuestion(local, data["local_scale"])] if local else [],
                review_id=data.get("review") or None,
                previous_id=data.get("previous") or None,
            )
        except ValidationFailed as exc:
            _rename(
                exc,
                {
                    "opens_at": "opens_on",
                    "closes_at": "closes_on",
                    "local_questions.0": "local_question",
                },
            )
            add_service_errors(form, exc)
        else:
            return redirect("surveys:detail", survey_id=survey.pk)
    status = 400 if form.errors else 200
    return render(
        request, "surveys/create.html", {"form": form, "partnership": target}, status=status
    )


def _rename(exc: ValidationFailed, names: dict[str, str]) -> None:
    """Put a service's field names onto the page's (opens_at is typed as opens_on)."""
    exc.field_errors = {names.get(k, k): v for k, v in exc.field_errors.items()}


@survey_page
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey, flags = _survey(request, survey_id)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "flags": flags,
            "questions": selectors.survey_questions(survey),
            "invitations_form": InvitationsForm(),
        },
    )


def _link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("surveys:respond-start", args=[token]))


@survey_page
@require_http_methods(["GET", "POST"])
def survey_invite(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Create one-time links; they are shown once, on the answer to the post."""
    survey, flags = _survey(request, survey_id)
    _must_run(survey, flags)
    form = InvitationsForm(posted(request))
    links: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            tokens = services.invitations_create(
                actor=actor_of(request),
                survey_id=survey.pk,
                count=form.cleaned_data["count"],
                days=form.cleaned_data["days"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            links = [_link(request, token) for token in tokens]
    status = 400 if form.errors else 200
    return render(
        request,
        "surveys/invite.html",
        {"survey": survey, "form": form, "links": links},
        status=status,
    )


@survey_page
@require_http_methods(["POST"])
def survey_open_link(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey, flags = _survey(request, survey_id)
    _must_run(survey, flags)
    token = services.survey_open_link_create(actor=actor_of(request), survey_id=survey.pk)
    return render(
        request, "surveys/open_link.html", {"survey": survey, "link": _link(request, token)}
    )


@survey_page
@require_http_methods(["GET", "POST"])
def baseline_add(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey, flags = _survey(request, survey_id)
    _must_run(survey, flags)
    form = BaselineForm(posted(request), questions=selectors.survey_questions(survey))
    if request.method == "POST" and form.is_valid():
        try:
            services.baseline_add(
                actor=actor_of(request),
                survey_id=survey.pk,
                label=form.cleaned_data["label"],
                respondents=form.cleaned_data["respondents"],
                counts=form.counts(),
            )
        except ValidationFailed as exc:
            _rename(exc, {f"counts.{code}": f"{code}-answered" for code in form.codes})
            add_service_errors(form, exc)
        else:
            return redirect("surveys:results", survey_id=survey.pk)
    status = 400 if form.errors else 200
    return render(request, "surveys/baseline.html", {"survey": survey, "form": form}, status=status)


# --- results --------------------------------------------------------------------------


@survey_page
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    actor = actor_of(request)
    results = selectors.survey_results(actor=actor, survey_id=survey_id)
    services.results_viewed(actor=actor, survey=results.survey)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": results.survey,
            "results": results,
            "chart": charts.results_chart(results),
            "caveat": SMALL_SAMPLE_CAVEAT,
            "small_sample": SMALL_SAMPLE,
        },
    )


@survey_page
def results_download(request: HttpRequest, survey_id: int, kind: str) -> HttpResponse:
    actor = actor_of(request)
    results = selectors.survey_results(actor=actor, survey_id=survey_id)
    services.results_viewed(actor=actor, survey=results.survey, export=kind)
    name = f"survey-{results.survey.pk}-results.{kind}"
    if kind == "csv":
        response = HttpResponse(exports.as_csv(results), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.as_xlsx(results),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- import ---------------------------------------------------------------------------


@survey_page
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey, flags = _survey(request, survey_id)
    _must_run(survey, flags)
    form = UploadForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_table(upload.name or "", upload, upload.size or 0)
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            request.session[IMPORT_KEY.format(survey.pk)] = {
                "name": upload.name,
                "header": table.header,
                "rows": table.rows,
            }
            return redirect("surveys:import-columns", survey_id=survey.pk)
    status = 400 if form.errors else 200
    return render(
        request, "surveys/import_upload.html", {"survey": survey, "form": form}, status=status
    )


def _pending(request: HttpRequest, survey: Survey) -> dict[str, Any] | None:
    pending: dict[str, Any] | None = request.session.get(IMPORT_KEY.format(survey.pk))
    return pending


@survey_page
@require_http_methods(["GET", "POST"])
def import_columns(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Map each column to a question code; on continue, every row is checked and the
    report shown, nothing written yet."""
    survey, flags = _survey(request, survey_id)
    _must_run(survey, flags)
    pending = _pending(request, survey)
    if pending is None:
        return redirect("surveys:import", survey_id=survey.pk)
    questions = selectors.survey_questions(survey)
    form = ColumnsForm(
        posted(request),
        header=pending["header"],
        targets=[(code, f"{code}: {q.wording}") for code, q in targets(questions).items() if q],
        initial_map=pending.get("mapping") or default_mapping(pending["header"], questions),
    )
    if request.method == "POST" and form.is_valid():
        pending["mapping"] = form.mapping()
        request.session[IMPORT_KEY.format(survey.pk)] = pending
        return redirect("surveys:import-check", survey_id=survey.pk)
    return render(
        request,
        "surveys/import_columns.html",
        {"survey": survey, "form": form, "pending": pending, "sample": pending["rows"][:3]},
    )


@survey_page
@require_http_methods(["GET", "POST"])
def import_check(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The row-by-row report; confirming imports every row, or nothing."""
    survey, flags = _survey(request, survey_id)
    _must_run(survey, flags)
    pending = _pending(request, survey)
    if pending is None or "mapping" not in pending:
        return redirect("surveys:import", survey_id=survey.pk)
    questions = selectors.survey_questions(survey)
    checked, errors = check_rows(questions, pending["header"], pending["rows"], pending["mapping"])
    if request.method == "POST" and not errors:
        count = services.responses_import(
            actor=actor_of(request),
            survey_id=survey.pk,
            header=pending["header"],
            rows=pending["rows"],
            mapping=pending["mapping"],
        )
        del request.session[IMPORT_KEY.format(survey.pk)]
        return render(request, "surveys/import_done.html", {"survey": survey, "count": count})
    return render(
        request,
        "surveys/import_check.html",
        {"survey": survey, "pending": pending, "valid": len(checked), "errors": errors},
        status=400 if errors else 200,
    )
