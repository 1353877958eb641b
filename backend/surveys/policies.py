"""May this actor do this to a survey now: one function per decision.

Services refuse with these; `selectors.survey_permissions` turns them into the flags
the pages, REST and GraphQL show (so no face re-decides). Reading a survey, its free
text and its results is the chokepoint's "view" (tenancy.access.ROLE_MAPS:
the surveyed partnership's members, and its review team while its window is open).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from .models import Survey


def may_view_results(actor: Actor, survey: Survey) -> bool:
    return access.can(actor, "view", survey)


def may_create_survey(actor: Actor, partnership: Partnership) -> bool:
    """The partnership's managers set up its surveys."""
    return access.can(actor, "add_survey", partnership)


def may_run(actor: Actor, survey: Survey) -> bool:
    """Managers of the surveyed partnership: links, imports, baselines."""
    return access.can(actor, "change", survey)


def still_inviting(survey: Survey, now: datetime | None = None) -> bool:
    """Links are worth making only until the survey closes."""
    return survey.closes_at > (now or timezone.now())


def may_invite(actor: Actor, survey: Survey, now: datetime | None = None) -> bool:
    return still_inviting(survey, now) and may_run(actor, survey)


def may_import(actor: Actor, survey: Survey) -> bool:
    return may_run(actor, survey)


def accepts_responses(survey: Survey, now: datetime | None = None) -> bool:
    """A respondent may answer between opening and closing, and at no other time."""
    return survey.is_open(now)
