"""Professionals surveys: a shared question bank, a partnership's surveys, and the
anonymous responses to them.

The bank (BankQuestion) is the same for every partnership: stable codes, versioned,
each mapped to an area of focus of the reference handbook, so banked questions can
be compared across partnerships and years. A Survey belongs to the surveyed
partnership (and, optionally, to a review of it) and asks banked or local questions.

Respondents have no account. A Response holds a sector, a role level and the day it
came in; nothing else about the person (no name, email or address), and nothing
that links it to the invitation it came through.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .scales import RoleLevel, Scale, Sector


class BankQuestion(models.Model):
    """One version of a banked question. A new wording is a new version of the same
    code; results benchmark by code."""

    code = models.SlugField(max_length=40)
    version = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=300)
    scale = models.CharField(max_length=12, choices=Scale.choices)
    # The title of an area of focus of the reference handbook (handbooks.reference).
    area_of_focus = models.CharField(max_length=200)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="bank_question_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="bank_question_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Survey(models.Model):
    # The surveyed partnership owns the survey, its answers and its results.
    partnership = models.ForeignKey(
        "tenancy.Partnership", on_delete=models.PROTECT, related_name="surveys"
    )
    review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.PROTECT, related_name="surveys"
    )
    title = models.CharField(max_length=200)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    # The previous local survey, compared with question by question (same codes).
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # SHA-256 of the open link's token; blank when the survey has no open link.
    open_token_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="survey_closes_after_opening"
            ),
        ]
        indexes = [
            models.Index(fields=["open_token_hash"], name="survey_open_token"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.opens_at).date()

    @property
    def last_day(self) -> date:
        """The last day answers are taken (a survey closes at the end of that day)."""
        return timezone.localtime(self.closes_at - timedelta(microseconds=1)).date()

    def is_open(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.opens_at <= moment < self.closes_at


class SurveyQuestion(models.Model):
    """A question a survey asks: a banked one (its code benchmarks) or a local one."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    bank_question = models.ForeignKey(
        BankQuestion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A local question's wording (blank for a banked question: the bank's wording).
    text = models.CharField(max_length=300, blank=True)
    scale = models.CharField(max_length=12, choices=Scale.choices)

    class Meta:
        ordering = ["survey_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="survey_question_position"),
            models.CheckConstraint(
                condition=Q(bank_question__isnull=False) | ~Q(text=""),
                name="survey_question_has_wording",
            ),
        ]

    def __str__(self) -> str:
        return self.wording

    @property
    def wording(self) -> str:
        if self.text:
            return self.text
        return self.bank_question.text if self.bank_question is not None else ""

    @property
    def code(self) -> str | None:
        return self.bank_question.code if self.bank_question is not None else None


class Invitation(models.Model):
    """A one-time link for one respondent. Only the token's SHA-256 is kept, and the
    response it brings in is not linked to it (answers stay anonymous)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to survey {self.survey_id}"


class Response(models.Model):
    class Source(models.TextChoices):
        WEB = "web", "Answered online"
        IMPORT = "import", "Imported"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    sector = models.CharField(max_length=20, choices=Sector.choices)
    role_level = models.CharField(max_length=20, choices=RoleLevel.choices)
    # The day only: a time would help pick a respondent out of a small team.
    submitted_on = models.DateField(default=timezone.localdate)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)

    class Meta:
        ordering = ["survey_id", "id"]
        indexes = [models.Index(fields=["survey", "sector"], name="response_survey_sector")]

    def __str__(self) -> str:
        return f"Response {self.pk} to survey {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    # An option code of the question's scale (scales.SCALES), or blank for free text.
    choice = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response_id", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
        ]
        # Results group a survey's answers by question: (question, choice) covers
        # the counts without reading the table.
        indexes = [models.Index(fields=["question", "choice"], name="answer_question_choice")]

    def __str__(self) -> str:
        return f"Answer {self.pk}"


class Baseline(models.Model):
    """Results of another survey entered as counts (the national early adopter
    survey, February 2019, say), to compare a survey's banked questions with."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="baselines")
    label = models.CharField(max_length=200)
    respondents = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["survey_id", "id"]

    def __str__(self) -> str:
        return self.label


class BaselineCount(models.Model):
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="counts")
    code = models.SlugField(max_length=40)
    answered = models.PositiveIntegerField()
    positive = models.PositiveIntegerField()

    class Meta:
        ordering = ["baseline_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["baseline", "code"], name="baseline_count_once"),
            models.CheckConstraint(
                condition=Q(positive__lte=F("answered")), name="baseline_positive_within_answered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.positive} of {self.answered}"
