"""The evidence library: what a partnership gathers for its review, private by default.

An EvidenceItem is owned by a partnership (its library), or, for the notes a review
team takes itself (observations, interview notes), by a review. Owned items are
shared with a review one by one: an EvidenceShare row records the decision, and a
guardian grant of `view_evidenceitem` to the review team's group carries it across
tenants (ARCHITECTURE.md section 4). The grant is honoured only while a member's
access window on that group is open. Restricted items are reachable through a role
only with a guardian user grant as well (tenancy.access, rule 4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class EvidenceItem(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", "Document"
        MEETING = "meeting", "Meeting observation"
        INTERVIEW = "interview", "Interview"
        DATA = "data", "Data or metrics"
        OTHER = "other", "Other"

    class Sensitivity(models.TextChoices):
        OFFICIAL = "official", "Official"
        SENSITIVE = "sensitive", "Official-Sensitive"
        # Only the members granted it, one by one, can see a restricted item.
        RESTRICTED = "restricted", "Restricted"

    class InterviewedBy(models.TextChoices):
        PEER_TEAM = "peer_team", "The peer review team"
        ADVISER = "adviser", "The independent adviser alone"

    class ScanStatus(models.TextChoices):
        NONE = "", "No file"
        SCANNING = "scanning", "Scanning"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    # Exactly one owner: a partnership's library, or a review team's own notes.
    partnership = models.ForeignKey(
        "tenancy.Partnership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_items",
    )
    review = models.ForeignKey(
        "reviews.Review",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="team_evidence",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sensitivity = models.CharField(
        max_length=10, choices=Sensitivity.choices, default=Sensitivity.OFFICIAL
    )
    # The areas of focus of a review this item informs.
    areas = models.ManyToManyField("reviews.ReviewArea", blank=True, related_name="evidence")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Documents and data: one uploaded file, stored under a server-generated name.
    file = models.FileField(upload_to="evidence/", blank=True, max_length=200)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    scan_status = models.CharField(
        max_length=10, choices=ScanStatus.choices, default=ScanStatus.NONE, blank=True
    )
    scan_detail = models.CharField(max_length=200, blank=True)

    # Meeting observations.
    meeting_name = models.CharField(max_length=200, blank=True)
    meeting_date = models.DateField(null=True, blank=True)
    working_well = models.TextField(blank=True)
    not_working_well = models.TextField(blank=True)

    # Interviews: the interviewee's role; a name only with their consent.
    interviewee_role = models.CharField(max_length=200, blank=True)
    interviewee_name = models.CharField(max_length=200, blank=True)
    name_consented = models.BooleanField(default=False)
    interviewed_by = models.CharField(max_length=10, choices=InterviewedBy.choices, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        # Newest first by id: the (partnership, -id) index serves the library and keyset pages.
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partnership__isnull=False, review__isnull=True)
                | Q(partnership__isnull=True, review__isnull=False),
                name="evidence_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(name_consented=True) | Q(interviewee_name=""),
                name="evidence_interviewee_named_only_with_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "-id"], name="evidence_partnership_id"),
            models.Index(fields=["review", "-id"], name="evidence_review_id"),
        ]

    def __str__(self) -> str:
        return self.title


class EvidenceItemUserObjectPermission(UserObjectPermissionBase):
    """Direct user grants: how a restricted item is opened to named members."""

    content_object = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE)


class EvidenceItemGroupObjectPermission(GroupObjectPermissionBase):
    """Direct group grants: how an item shared with a review reaches its team."""

    content_object = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE)


class DocumentRequest(models.Model):
    """A review team asks the reviewed partnership for something ("your threshold
    document"); it stays open until the partnership answers by sharing items."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        WITHDRAWN = "withdrawn", "Withdrawn"

    review = models.ForeignKey(
        "reviews.Review", on_delete=models.CASCADE, related_name="document_requests"
    )
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return self.title


class EvidenceShare(models.Model):
    """A live decision to share one item with one review (the guardian grant is the
    permission; this row is what the pages list). Unsharing deletes both; the audit
    chain keeps the history."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="shares")
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.CASCADE, related_name="evidence_shares"
    )
    request = models.ForeignKey(
        DocumentRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shares",
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-shared_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "review"], name="evidence_shared_once")
        ]

    def __str__(self) -> str:
        return f"{self.item} shared with review {self.review_id}"
