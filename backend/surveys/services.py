"""Writes for surveys: set up, links, baselines, responses and imports.

Every service is keyword-only, atomic and validated (ValidationFailed names each
field, nothing is written). Staff actions are audited with ids and counts only.
A respondent's answers are not audited: an event with its exact time and request
id would undo the anonymity that storing only the day gives a response.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.dates import long_date
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from reviews.models import Review
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from . import bank as bank_data
from . import policies
from .imports import check_rows
from .models import (
    Answer,
    BankQuestion,
    Baseline,
    BaselineCount,
    Invitation,
    Response,
    Survey,
    SurveyQuestion,
)
from .scales import SCALES, TEXT_MAX, RoleLevel, Scale, Sector

TITLE_MAX = 200
QUESTION_MAX = 300
INVITATIONS_MAX = 500
INVITATION_DAYS_MAX = 90
# Surveys ask banked questions in the bank's order, whatever order they were picked in.
_BANK_ORDER = {code: i for i, (code, *_) in enumerate(bank_data.QUESTIONS)}
LINK_INVALID = (
    "This survey link is not valid. Check that you copied all of it, or ask the person "
    "who sent it for a new one."
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def _record(actor: Actor, action: str, survey: Survey, **detail: object) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=survey,
        owning_partnership_id=survey.partnership_id,
        detail=dict(detail),
    )


def _survey_to_run(actor: Actor, survey_id: object) -> Survey:
    survey = access.get_visible(actor, Survey, _pk(survey_id))
    if not policies.may_run(actor, survey):
        raise PermissionDenied(
            f"Only the business managers and leads of {survey.partnership.name} run its surveys."
        )
    return survey


def _pk(raw: object) -> int:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        raise NotFound() from None


# --- set up ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalQuestion:
    text: str
    scale: str


def survey_create(
    *,
    actor: Actor,
    partnership_id: object,
    title: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    bank_codes: Sequence[str],
    local_questions: Sequence[LocalQuestion] = (),
    review_id: object | None = None,
    previous_id: object | None = None,
) -> Survey:
    """A survey of the partnership's professionals, asking the current version of each
    banked code chosen (in the bank's order) and then the local questions."""
    partnership = access.get_visible(actor, Partnership, _pk(partnership_id))
    if not policies.may_create_survey(actor, partnership):
        raise PermissionDenied(
            f"Only the business managers and leads of {partnership.name} set up its surveys."
        )
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Enter a title for the survey"]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"The title must be {TITLE_MAX} characters or fewer"]
    if opens_at is None:
        errors["opens_at"] = ["Enter the date the survey opens"]
    if closes_at is None:
        errors["closes_at"] = ["Enter the date the survey closes"]
    elif opens_at is not None and closes_at <= opens_at:
        errors["closes_at"] = ["The survey must close after it opens"]
    codes = list(dict.fromkeys(bank_codes))
    banked = {q.code: q for q in BankQuestion.objects.filter(code__in=codes, is_current=True)}
    unknown = [code for code in codes if code not in banked]
    if unknown:
        errors["bank_codes"] = ["Unknown question code: " + ", ".join(sorted(unknown))]
    for index, local in enumerate(local_questions):
        text = local.text.strip()
        if not text or len(text) > QUESTION_MAX:
            errors[f"local_questions.{index}"] = [
                f"Enter the question, in {QUESTION_MAX} characters or fewer"
            ]
        if local.scale not in Scale.values:
            errors[f"local_questions.{index}.scale"] = ["Choose an answer scale from the list"]
    if not codes and not local_questions and "bank_codes" not in errors:
        errors["bank_codes"] = ["Choose at least one question"]
    review = None
    if review_id not in (None, ""):
        review = access.visible(actor, Review).filter(pk=_pk(review_id)).first()
        if review is None or review.reviewed_partnership_id != partnership.pk:
            errors["review"] = [f"Choose a review of {partnership.name}"]
    previous = None
    if previous_id not in (None, ""):
        previous = (
            access.visible(actor, Survey)
            .filter(pk=_pk(previous_id), partnership=partnership)
            .first()
        )
        if previous is None:
            errors["previous"] = [f"Choose an earlier survey of {partnership.name}"]
    if errors:
        raise ValidationFailed("The survey could not be set up.", field_errors=errors)
    assert opens_at is not None and closes_at is not None
    with transaction.atomic():
        survey = Survey.objects.create(
            partnership=partnership,
            review=review,
            title=title,
            opens_at=opens_at,
            closes_at=closes_at,
            previous=previous,
            created_by_id=actor.user_id,
        )
        ordered = sorted(codes, key=lambda code: _BANK_ORDER.get(code, len(_BANK_ORDER)))
        rows = [
            SurveyQuestion(
                survey=survey, position=i, bank_question=banked[code], scale=banked[code].scale
            )
            for i, code in enumerate(ordered, start=1)
        ]
        rows += [
            SurveyQuestion(
                survey=survey, position=len(rows) + i, text=local.text.strip(), scale=local.scale
            )
            for i, local in enumerate(local_questions, start=1)
        ]
        SurveyQuestion.objects.bulk_create(rows)
        _record(actor, "create", survey, questions=len(rows))
    return survey


# --- links ----------------------------------------------------------------------------


def survey_open_link_create(*, actor: Actor, survey_id: object) -> str:
    """A new open link (anyone with it may answer, rate-limited per device); the
    previous open link stops working. The token is shown once and kept hashed."""
    survey = _survey_to_run(actor, survey_id)
    if not policies.still_inviting(survey):
        raise Conflict("The survey has closed: it takes no more responses.")
    token, hashed = _new_token()
    with transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(open_token_hash=hashed)
        _record(actor, "update", survey, open_link=True)
    return token


def invitations_create(
    *, actor: Actor, survey_id: object, count: object, days: object
) -> list[str]:
    """`count` one-time links, each valid for `days` days (or until the survey closes,
    if sooner). The tokens are returned once; only their hashes are kept."""
    survey = _survey_to_run(actor, survey_id)
    errors: dict[str, list[str]] = {}
    number = _whole(count)
    if number is None or not 1 <= number <= INVITATIONS_MAX:
        errors["count"] = [f"Enter a number of invitations between 1 and {INVITATIONS_MAX}"]
    valid_days = _whole(days)
    if valid_days is None or not 1 <= valid_days <= INVITATION_DAYS_MAX:
        errors["days"] = [f"Enter a number of days between 1 and {INVITATION_DAYS_MAX}"]
    if errors:
        raise ValidationFailed("The invitations could not be created.", field_errors=errors)
    assert number is not None and valid_days is not None
    now = timezone.now()
    if not policies.still_inviting(survey, now):
        raise Conflict("The survey has closed: it takes no more responses.")
    expires_at = min(now + timedelta(days=valid_days), survey.closes_at)
    tokens = [_new_token() for _ in range(number)]
    with transaction.atomic():
        Invitation.objects.bulk_create(
            Invitation(survey=survey, token_hash=hashed, expires_at=expires_at, created_at=now)
            for _, hashed in tokens
        )
        _record(actor, "create", survey, invitations=number)
    return [token for token, _ in tokens]


def _whole(raw: object) -> int | None:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def _day(moment: datetime) -> str:
    return long_date(timezone.localtime(moment).date())


@dataclass(frozen=True)
class Link:
    """What a respondent's link opens: a survey, through an invitation or its open link."""

    survey: Survey
    invitation: Invitation | None

    @property
    def is_open_link(self) -> bool:
        return self.invitation is None


def link_resolve(*, token: str, now: datetime | None = None, for_update: bool = False) -> Link:
    """The survey a link opens, if it may be answered now. A forged or unknown token
    is NotFound; a used or expired invitation, or a survey not open, a Conflict that
    says which."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        raise NotFound(LINK_INVALID)
    hashed = token_hash(token)
    invitations = Invitation.objects.select_related("survey__partnership")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_hash=hashed).first()
    if invitation is not None:
        survey = invitation.survey
        if invitation.used_at is not None:
            raise Conflict(
                "This invitation has already been used to send a response. Each invitation "
                "link works once."
            )
        if invitation.expires_at <= now:
            raise Conflict(
                f"This invitation expired on {_day(invitation.expires_at)}. Ask the person "
                "who sent it for a new one."
            )
    else:
        found = Survey.objects.select_related("partnership").filter(open_token_hash=hashed).first()
        if found is None:
            raise NotFound(LINK_INVALID)
        survey = found
    if now < survey.opens_at:
        raise Conflict(f"This survey opens on {_day(survey.opens_at)}.")
    if not policies.accepts_responses(survey, now):
        raise Conflict(f"This survey closed on {_day(survey.closes_at)}.")
    return Link(survey, invitation)


# --- responses ------------------------------------------------------------------------


def _check_answers(
    questions: Sequence[SurveyQuestion], answers: Mapping[str, str], errors: dict[str, list[str]]
) -> list[Answer]:
    """Answers keyed by question id (as text), each checked against its scale. A
    question left out is skipped, as on paper."""
    by_id = {str(q.pk): q for q in questions}
    unknown = [key for key in answers if key not in by_id]
    if unknown:
        errors["answers"] = ["Answer only the questions of this survey"]
    rows = []
    for key, raw in answers.items():
        question = by_id.get(key)
        if question is None or raw in (None, ""):
            continue
        value = str(raw)
        if question.scale == Scale.FREE_TEXT:
            if len(value) > TEXT_MAX:
                errors[f"question-{key}"] = [f"Your answer must be {TEXT_MAX} characters or fewer"]
            elif "\x00" in value:
                errors[f"question-{key}"] = ["Your answer contains a character that is not allowed"]
            else:
                rows.append(Answer(question=question, text=value.strip()))
        elif value in SCALES[question.scale].codes:
            rows.append(Answer(question=question, choice=value))
        else:
            errors[f"question-{key}"] = ["Choose one of the answers given"]
    return rows


def _check_about(sector: str, role_level: str, errors: dict[str, list[str]]) -> None:
    if sector not in Sector.values:
        errors["sector"] = ["Select the sector you work in"]
    if role_level not in RoleLevel.values:
        errors["role_level"] = ["Select your role level"]


def response_submit(
    *, token: str, sector: str, role_level: str, answers: Mapping[str, str]
) -> Response:
    """One anonymous response through a link: sector, role level and answers, nothing
    about the person. An invitation is used up in the same transaction (locked, so
    two tabs cannot both send); the response keeps no link to it."""
    with transaction.atomic():
        link = link_resolve(token=token, for_update=True)
        questions = list(link.survey.questions.all())
        errors: dict[str, list[str]] = {}
        _check_about(sector, role_level, errors)
        rows = _check_answers(questions, answers, errors)
        if errors:
            raise ValidationFailed("The response could not be sent.", field_errors=errors)
        if link.invitation is not None:
            Invitation.objects.filter(pk=link.invitation.pk).update(used_at=timezone.now())
        response = Response.objects.create(survey=link.survey, sector=sector, role_level=role_level)
        for row in rows:
            row.response = response
        Answer.objects.bulk_create(rows)
    return response


def responses_import(
    *,
    actor: Actor,
    survey_id: object,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    mapping: Mapping[str, str],
) -> int:
    """Responses exported by another survey tool, after the columns are mapped to
    question codes (or `sector`, `role_level`, `ignore`). Every row is checked first;
    if any is refused, nothing is written and each refused row is named."""
    survey = _survey_to_run(actor, survey_id)
    questions = list(survey.questions.select_related("bank_question"))
    checked, errors = check_rows(questions, header, rows, mapping)
    if errors:
        raise ValidationFailed(
            f"{len(errors)} rows of the file were refused. Nothing was imported.",
            field_errors=errors,
        )
    with transaction.atomic():
        responses = Response.objects.bulk_create(
            Response(
                survey=survey,
                sector=row.sector,
                role_level=row.role_level,
                source=Response.Source.IMPORT,
            )
            for row in checked
        )
        Answer.objects.bulk_create(
            Answer(response=response, question_id=question_id, choice=choice, text=text)
            for response, row in zip(responses, checked, strict=True)
            for question_id, choice, text in row.answers
        )
        _record(actor, "create", survey, imported=len(checked))
    return len(checked)


# --- baselines ------------------------------------------------------------------------


def baseline_add(
    *,
    actor: Actor,
    survey_id: object,
    label: str,
    respondents: object,
    counts: Mapping[str, tuple[object, object]],
) -> Baseline:
    """Another survey's results entered as counts, by bank code: how many answered and
    how many answered positively (the national early adopter survey, say)."""
    survey = _survey_to_run(actor, survey_id)
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label or len(label) > TITLE_MAX:
        errors["label"] = [f"Enter the name of the survey, in {TITLE_MAX} characters or fewer"]
    total = _whole(respondents)
    if total is None or total < 1:
        errors["respondents"] = ["Enter how many people responded, as a whole number above 0"]
    codes = set(
        survey.questions.filter(bank_question__isnull=False)
        .exclude(scale=Scale.FREE_TEXT)
        .values_list("bank_question__code", flat=True)
    )
    parsed: list[BaselineCount] = []
    for code, (answered_raw, positive_raw) in counts.items():
        if code not in codes:
            errors[f"counts.{code}"] = [f"‘{code}’ is not a rated banked question of this survey"]
            continue
        answered, positive = _whole(answered_raw), _whole(positive_raw)
        if answered is None or answered < 1 or (total is not None and answered > total):
            errors[f"counts.{code}"] = [
                "Enter how many answered, between 1 and the number who responded"
            ]
        elif positive is None or not 0 <= positive <= answered:
            errors[f"counts.{code}"] = [
                "Enter how many answered positively, between 0 and the number who answered"
            ]
        else:
            parsed.append(BaselineCount(code=code, answered=answered, positive=positive))
    if not parsed and not errors:
        errors["counts"] = ["Enter the counts for at least one question"]
    if errors:
        raise ValidationFailed("The baseline could not be saved.", field_errors=errors)
    assert total is not None
    with transaction.atomic():
        baseline = Baseline.objects.create(survey=survey, label=label, respondents=total)
        for count in parsed:
            count.baseline = baseline
        BaselineCount.objects.bulk_create(parsed)
        _record(actor, "create", survey, baseline=baseline.pk)
    return baseline


def results_viewed(*, actor: Actor, survey: Survey, export: str = "") -> None:
    """Reading results (free text included) is audited as reading evidence is."""
    if export:
        _record(actor, "export", survey, format=export)
    else:
        _record(actor, "view", survey)
