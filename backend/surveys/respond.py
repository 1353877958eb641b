"""The respondent's pages (UX.md screen 10): no account, one question per page, a
check-answers page and a confirmation. The link's token is the only credential.

Answers wait in the respondent's session until they send them (a draft that needs
no JavaScript and survives going back). An open link is rate-limited per device with
django-ratelimit (counters in the default cache, keyed by a hash of the address,
never stored with the answers); an invitation works once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from core.errors import Conflict, NotFound, ValidationFailed
from web.forms import posted

from .forms import AnswerForm, RoleForm, SectorForm
from .models import SurveyQuestion
from .scales import SCALES, RoleLevel, Scale, Sector
from .services import Link, link_resolve, response_submit, token_hash

View = Callable[..., HttpResponse]
DONE_KEY = "survey-done"
RATE_GROUP = "surveys.open-link"


def _draft_key(token: str) -> str:
    return "survey-draft-" + token_hash(token)[:24]


def link_page(view: View) -> View:
    """A link that does not open a survey now is a page saying why: 404 for a forged
    one, 410 for a used or expired invitation or a survey not open."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, token, *args, **kwargs)
        except NotFound as exc:
            return render(
                request, "surveys/respond_problem.html", {"message": exc.message}, status=404
            )
        except Conflict as exc:
            return render(
                request, "surveys/respond_problem.html", {"message": exc.message}, status=410
            )

    return wrapper


def _steps(questions: list[SurveyQuestion]) -> list[str]:
    return ["sector", "role", *[str(q.position) for q in questions]]


def _context(link: Link, token: str, **extra: Any) -> dict[str, Any]:
    return {"survey": link.survey, "token": token, **extra}


@link_page
def respond_start(request: HttpRequest, token: str) -> HttpResponse:
    link = link_resolve(token=token)
    count = link.survey.questions.count()
    return render(request, "surveys/respond_start.html", _context(link, token, count=count))


@link_page
@require_http_methods(["GET", "POST"])
def respond_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    link = link_resolve(token=token)
    questions = list(link.survey.questions.select_related("bank_question"))
    steps = _steps(questions)
    if step not in steps:
        raise NotFound("There is no such question in this survey.")
    draft: dict[str, Any] = request.session.get(_draft_key(token), {"answers": {}})
    question = next((q for q in questions if str(q.position) == step), None)
    form: SectorForm | RoleForm | AnswerForm
    if step == "sector":
        form = SectorForm(posted(request), initial={"sector": draft.get("sector")})
    elif step == "role":
        form = RoleForm(posted(request), initial={"role_level": draft.get("role_level")})
    else:
        assert question is not None
        form = AnswerForm(
            posted(request),
            question=question,
            initial={"answer": draft["answers"].get(str(question.pk))},
        )
    if request.method == "POST" and form.is_valid():
        if step == "sector":
            draft["sector"] = form.cleaned_data["sector"]
        elif step == "role":
            draft["role_level"] = form.cleaned_data["role_level"]
        else:
            assert question is not None
            draft["answers"][str(question.pk)] = form.cleaned_data["answer"]
        request.session[_draft_key(token)] = draft
        index = steps.index(step)
        if request.GET.get("change") or index == len(steps) - 1:
            return redirect("surveys:respond-check", token=token)
        return redirect("surveys:respond-step", token=token, step=steps[steps.index(step) + 1])
    index = steps.index(step)
    back = (
        ("surveys:respond-step", steps[index - 1]) if index > 0 else ("surveys:respond-start", None)
    )
    return render(
        request,
        "surveys/respond_step.html",
        _context(
            link,
            token,
            form=form,
            step=step,
            number=index + 1,
            total=len(steps),
            question=question,
            back=back,
        ),
        status=400 if form.errors else 200,
    )


def _summary(questions: list[SurveyQuestion], draft: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, answer as shown, step) for the check-answers page."""
    rows = [
        ("Sector", _label(Sector, draft.get("sector")), "sector"),
        ("Role level", _label(RoleLevel, draft.get("role_level")), "role"),
    ]
    for question in questions:
        value = draft["answers"].get(str(question.pk), "")
        if question.scale == Scale.FREE_TEXT:
            shown = value or "Not answered"
        else:
            shown = dict(SCALES[question.scale].options).get(value, "Not answered")
        rows.append((question.wording, shown, str(question.position)))
    return rows


def _label(choices: type[Sector] | type[RoleLevel], value: object) -> str:
    return str(dict(choices.choices).get(str(value), "Not answered"))


def _rate_limited(request: HttpRequest, token: str) -> bool:
    """Over the open link's limit of responses per device (RATE_LIMITS["survey_open_link"])."""
    return bool(
        is_ratelimited(
            request,
            group=f"{RATE_GROUP}.{token_hash(token)[:16]}",
            key="ip",
            rate=settings.RATE_LIMITS["survey_open_link"],
            method="POST",
            increment=True,
        )
    )


@link_page
@require_http_methods(["GET", "POST"])
def respond_check(request: HttpRequest, token: str) -> HttpResponse:
    link = link_resolve(token=token)
    questions = list(link.survey.questions.select_related("bank_question"))
    draft: dict[str, Any] | None = request.session.get(_draft_key(token))
    if not draft or "sector" not in draft or "role_level" not in draft:
        return redirect("surveys:respond-start", token=token)
    errors: list[str] = []
    if request.method == "POST":
        if link.is_open_link and _rate_limited(request, token):
            return render(
                request,
                "surveys/respond_problem.html",
                {
                    "message": "Too many responses have been sent from this device. Your answers "
                    "have not been sent. Try again in an hour.",
                },
                status=429,
            )
        try:
            response_submit(
                token=token,
                sector=draft["sector"],
                role_level=draft["role_level"],
                answers=draft["answers"],
            )
        except ValidationFailed as exc:
            errors = [m for messages in exc.field_errors.values() for m in messages] or [
                exc.message
            ]
        else:
            del request.session[_draft_key(token)]
            request.session[DONE_KEY] = link.survey.title
            return redirect("surveys:respond-done")
    return render(
        request,
        "surveys/respond_check.html",
        _context(link, token, rows=_summary(questions, draft), errors=errors),
        status=400 if errors else 200,
    )


def respond_done(request: HttpRequest) -> HttpResponse:
    """The confirmation; it names the survey only to the session that just answered."""
    title = request.session.pop(DONE_KEY, None)
    if title is None:
        return render(
            request,
            "surveys/respond_problem.html",
            {"message": "There is no response to confirm. Open the survey link you were sent."},
            status=404,
        )
    return render(request, "surveys/respond_done.html", {"title": title})
