"""Exchanges, reviews, their timelines and teams.

An Exchange is the agreement of two or three partnerships to review each other;
on acceptance it creates one Review per direction (A->B and B->A, or a ring
A->B->C->A). A Review moves through a guarded lifecycle, has dated phases whose
original dates survive rescheduling, and a team whose access to the reviewed
partnership's shared evidence is scoped (a guardian group) and time-bound (an
AccessWindow per member).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Exchange(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for answers"
        AGREED = "agreed", "Agreed"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The proposing partnership owns the exchange.
    partnership = models.ForeignKey(
        "tenancy.Partnership", on_delete=models.PROTECT, related_name="proposed_exchanges"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handbook_version = models.ForeignKey(
        "handbooks.HandbookVersion", on_delete=models.PROTECT, related_name="exchanges"
    )
    fieldwork_starts_on = models.DateField()
    fieldwork_ends_on = models.DateField()
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fieldwork_ends_on__gt=F("fieldwork_starts_on")),
                name="exchange_fieldwork_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"Exchange {self.pk} proposed by {self.partnership}"


class ExchangeParty(models.Model):
    """One partnership in an exchange, and the partnership it will review."""

    class Answer(models.TextChoices):
        PROPOSER = "proposer", "Proposed"
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="parties")
    partnership = models.ForeignKey(
        "tenancy.Partnership", on_delete=models.PROTECT, related_name="exchange_parties"
    )
    reviews = models.ForeignKey("tenancy.Partnership", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    answer = models.CharField(max_length=10, choices=Answer.choices)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(blank=True)

    class Meta:
        ordering = ["exchange_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "partnership"], name="exchange_party_once"),
            models.CheckConstraint(
                condition=~Q(partnership=F("reviews")), name="exchange_party_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} in exchange {self.exchange_id}"


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        MOBILISATION = "mobilisation", "Mobilisation"
        FIELDWORK = "fieldwork", "Fieldwork"
        MODERATION = "moderation", "Moderation"
        REPORTING = "reporting", "Reporting"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="reviews")
    reviewing_partnership = models.ForeignKey(
        "tenancy.Partnership", on_delete=models.PROTECT, related_name="reviews_made"
    )
    reviewed_partnership = models.ForeignKey(
        "tenancy.Partnership", on_delete=models.PROTECT, related_name="reviews_received"
    )
    handbook_version = models.ForeignKey(
        "handbooks.HandbookVersion", on_delete=models.PROTECT, related_name="reviews"
    )
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.DRAFT)
    # The guardian group through which the team receives object permissions.
    team_group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="review")
    access_days_after_report = models.PositiveSmallIntegerField(
        default=14, help_text="Days after report-back that reviewers keep access."
    )
    scope_confirmed_by_reviewed_at = models.DateTimeField(null=True, blank=True)
    scope_confirmed_by_reviewing_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "reviewed_partnership"], name="review_once_per_direction"
            ),
            models.CheckConstraint(
                condition=~Q(reviewing_partnership=F("reviewed_partnership")),
                name="review_not_self",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewed_partnership", "status"], name="review_reviewed_status"),
            models.Index(
                fields=["reviewing_partnership", "status"], name="review_reviewing_status"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.reviewed_partnership} by {self.reviewing_partnership}"

    @property
    def scope_agreed(self) -> bool:
        return bool(self.scope_confirmed_by_reviewed_at and self.scope_confirmed_by_reviewing_at)


class ReviewObjective(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class ReviewArea(models.Model):
    """An agreed area of focus: one of the handbook's, or a local addition."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="areas")
    source = models.ForeignKey(
        "handbooks.AreaOfFocus", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    key_question = models.TextField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "source"],
                condition=Q(source__isnull=False),
                name="review_area_source_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_local(self) -> bool:
        return self.source_id is None


class Phase(models.Model):
    class Kind(models.TextChoices):
        MOBILISATION = "mobilisation", "Mobilisation"
        FIELDWORK = "fieldwork", "Undertake review"
        MODERATION = "moderation", "Moderation"
        REPORT_BACK = "report_back", "Report back"
        # Added at publication, about ten months on: success criteria are assessed again.
        PROGRESS_REVIEW = "progress_review", "Progress review"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    position = models.PositiveSmallIntegerField()
    original_starts_on = models.DateField()
    original_ends_on = models.DateField()
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind"], name="phase_once_per_review"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="phase_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.starts_on} to {self.ends_on})"

    @property
    def rescheduled(self) -> bool:
        return (self.starts_on, self.ends_on) != (self.original_starts_on, self.original_ends_on)


class PhaseChange(models.Model):
    """One rescheduling of a phase, with its reason: the history behind the
    reference report's "original dates / new dates" table."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="changes")
    previous_starts_on = models.DateField()
    previous_ends_on = models.DateField()
    new_starts_on = models.DateField()
    new_ends_on = models.DateField()
    reason = models.CharField(max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.phase}: {self.reason}"


class PhaseReminder(models.Model):
    """A reminder email that was sent; the unique key makes sending idempotent."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    # The deadline it was for: a rescheduled phase gets fresh reminders.
    for_ends_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "days_before", "for_ends_on"], name="phase_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.phase}: {self.days_before} days before {self.for_ends_on}"


class TeamMember(models.Model):
    class TeamRole(models.TextChoices):
        LEAD_REVIEWER = "lead_reviewer", "Lead reviewer"
        REVIEWER = "reviewer", "Reviewer"
        INDEPENDENT_ADVISER = "independent_adviser", "Independent adviser"
        BUSINESS_SUPPORT = "business_support", "Business support"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REMOVED = "removed", "Removed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_places"
    )
    team_role = models.CharField(max_length=20, choices=TeamRole.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    # The member's own declaration of interests.
    declared_at = models.DateTimeField(null=True, blank=True)
    declared_interest = models.TextField(blank=True)
    # Detected by the product: the member's employer is a statutory partner of the
    # reviewed partnership. No access until the reviewing lead records a mitigation.
    conflicting_organisation = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mitigation = models.TextField(blank=True)
    mitigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mitigated_at = models.DateTimeField(null=True, blank=True)
    # Overrides of the default window, set by the reviewed partnership's lead.
    access_opens_at = models.DateTimeField(null=True, blank=True)
    access_closes_at = models.DateTimeField(null=True, blank=True)
    access_window = models.OneToOneField(
        "tenancy.AccessWindow", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["review_id", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user"],
                condition=Q(status="active"),
                name="team_member_once_while_active",
            ),
            models.CheckConstraint(
                condition=Q(access_opens_at__isnull=True)
                | Q(access_closes_at__isnull=True)
                | Q(access_closes_at__gt=F("access_opens_at")),
                name="team_member_window_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_team_role_display()}"

    @property
    def has_declared(self) -> bool:
        return self.declared_at is not None

    @property
    def needs_mitigation(self) -> bool:
        """A flagged organisational conflict, or an interest the member declared: either
        way the reviewing lead decides how it is managed before access opens."""
        return self.conflicting_organisation_id is not None or bool(self.declared_interest)

    @property
    def conflict_unresolved(self) -> bool:
        return self.needs_mitigation and self.mitigated_at is None


class TeamInvitation(models.Model):
    """A place on a review team offered to someone who has no account yet (a detective
    inspector, a voluntary-sector chief executive). The link carries a random token;
    only its SHA-256 is stored, so the table cannot be used to accept anything."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="invitations")
    full_name = models.CharField(max_length=150)
    email = models.EmailField()
    organisation = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team_role = models.CharField(max_length=20, choices=TeamMember.TeamRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation to {self.full_name} for {self.review}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    def is_open(self, now: datetime) -> bool:
        return self.is_pending and self.expires_at > now
