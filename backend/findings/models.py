"""Findings: what a review team concluded, how the team agreed it, and what was
published to the reviewed partnership.

A Finding belongs to a review and one of its agreed areas of focus. The team writes
it (draft), proposes it for moderation once evidence of enough different kinds
supports it (triangulation, set per handbook), and a moderation meeting agrees,
amends or rejects it. Publication turns every agreed finding into a published one,
which never changes again: a correction is a new finding that supersedes it.

Theme tags are one controlled vocabulary shared by every partnership (stable codes,
seeded by a data migration), so that benchmarks can count themes across the country.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class ThemeTag(models.Model):
    """One theme of the shared vocabulary. Not tenant data: every partnership tags
    findings with the same codes."""

    code = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class Rating(models.TextChoices):
    """The fixed scale an area is judged on (the reference report: "beyond
    compliance to good practice")."""

    NOT_YET_COMPLIANT = "not_yet_compliant", "Not yet compliant"
    PARTLY_COMPLIANT = "partly_compliant", "Partly compliant"
    COMPLIANT = "compliant", "Compliant"
    GOOD_PRACTICE = "good_practice", "Good practice"
    BEYOND_COMPLIANCE = "beyond_compliance", "Beyond compliance"


class Finding(models.Model):
    class Kind(models.TextChoices):
        STRENGTH = "strength", "Strength"
        DEVELOPMENT = "development", "Area for development"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed for moderation"
        AGREED = "agreed", "Agreed"
        REJECTED = "rejected", "Rejected"
        PUBLISHED = "published", "Published"

    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="findings")
    area = models.ForeignKey(
        "reviews.ReviewArea", on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField()
    rating = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Optimistic concurrency: every save increments it; a save naming an older
    # version is refused with both texts, so neither writer loses their words.
    version = models.PositiveIntegerField(default=1)
    themes = models.ManyToManyField(ThemeTag, blank=True, related_name="findings")
    evidence = models.ManyToManyField("evidence.EvidenceItem", blank=True, related_name="findings")
    # A correction of a published finding: the new finding names the one it replaces,
    # which stays as it was (published findings never change).
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["area__position", "area_id", "kind", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="finding_version_positive"),
            models.CheckConstraint(
                condition=Q(status="published") | Q(published_at__isnull=True),
                name="finding_published_at_only_when_published",
            ),
        ]
        indexes = [
            # The findings of a review, by area: the list pages and the moderation queue.
            models.Index(fields=["review", "area", "status"], name="finding_review_area_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position}"


class Quote(models.Model):
    """Words heard during the review, attributed to a role or an agency, never to a
    person. `group_size` is how many people the quoted group held: under 5, a
    reader might tell who said it, and the page warns."""

    SMALL_GROUP = 5

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField()
    attributed_to = models.CharField(max_length=200)
    consent = models.BooleanField(default=False)
    group_size = models.PositiveSmallIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["finding_id", "id"]

    def __str__(self) -> str:
        return f"Quote from {self.attributed_to}"

    @property
    def small_group(self) -> bool:
        return self.group_size is not None and self.group_size < self.SMALL_GROUP


class ModerationMeeting(models.Model):
    """The meeting where the team agrees, amends or rejects proposed findings."""

    review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, related_name="moderation_meetings"
    )
    held_on = models.DateField()
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Moderation meeting on {self.held_on}"


class ModerationDecision(models.Model):
    """One finding's outcome at a meeting. An amendment keeps the wording before
    and after; dissent is recorded whatever the outcome."""

    class Outcome(models.TextChoices):
        AGREED = "agreed", "Agreed"
        AMENDED = "amended", "Agreed with amendments"
        REJECTED = "rejected", "Rejected"

    meeting = models.ForeignKey(
        ModerationMeeting, on_delete=models.PROTECT, related_name="decisions"
    )
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    text_before = models.TextField()
    text_after = models.TextField()
    dissent = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="amended") | ~Q(text_before=F("text_after")),
                name="moderation_amendment_changes_text",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.meeting}"


class FindingComment(models.Model):
    """A factual-accuracy comment by the reviewed partnership's lead on an agreed
    finding, before publication (when the handbook asks for the check). Comments
    never change the finding: the team reads them and amends if it agrees."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.finding}"


class Assessment(models.TextChoices):
    """One scale for the partnership's own view and the reviewers'."""

    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_YET = "not_yet", "Not yet achieved"
    INSUFFICIENT = "insufficient_evidence", "Insufficient evidence"


class SuccessCriterion(models.Model):
    """The reviewed partnership's own "we will know we have succeeded when ..."
    statement, with its self-assessment at the review and at the progress review."""

    review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, related_name="success_criteria"
    )
    position = models.PositiveSmallIntegerField(default=1)
    statement = models.TextField()
    self_assessment = models.CharField(max_length=25, choices=Assessment.choices, blank=True)
    self_note = models.TextField(blank=True)
    progress_self_assessment = models.CharField(
        max_length=25, choices=Assessment.choices, blank=True
    )
    progress_self_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review_id", "position", "id"]
        verbose_name_plural = "success criteria"

    def __str__(self) -> str:
        return f"Success criterion {self.position}"


class CriterionAssessment(models.Model):
    """The reviewers' assessment of one success criterion, at the review or at the
    progress review about ten months after publication."""

    class Stage(models.TextChoices):
        REVIEW = "review", "At the review"
        PROGRESS = "progress", "At the progress review"

    criterion = models.ForeignKey(
        SuccessCriterion, on_delete=models.CASCADE, related_name="assessments"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    rating = models.CharField(max_length=25, choices=Assessment.choices)
    note = models.TextField(blank=True)
    evidence = models.ManyToManyField("evidence.EvidenceItem", blank=True, related_name="+")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["criterion_id", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "stage"], name="criterion_assessed_once_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} ({self.get_stage_display().lower()})"


class Recommendation(models.Model):
    """A next step the reviewers recommend: stop, start, sustain, or a risk to
    mitigate. The reviewed partnership accepts or declines it, with a reason."""

    class Kind(models.TextChoices):
        STOP = "stop", "Stop"
        START = "start", "Start"
        SUSTAIN = "sustain", "Sustain"
        RISK = "risk", "Risk to mitigate"

    class Response(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, related_name="recommendations"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=1)
    text = models.TextField()
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    response_reason = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position}"


class Action(models.Model):
    """What the reviewed partnership will do about an accepted recommendation: an
    owner (a role, or one of its people), a due date and a status. A reminder goes
    once before the due date and once when overdue."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="actions"
    )
    text = models.TextField()
    owner_role = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    # When each reminder went: set in the same transaction that queues the email,
    # so each is sent once however often the task runs.
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_overdue_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner_role="") | Q(owner__isnull=False), name="action_has_an_owner"
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due")]

    def __str__(self) -> str:
        return f"Action due {self.due_on}"
