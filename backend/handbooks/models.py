"""Review handbooks: the method a review follows, shared and versioned.

A handbook belongs to a partnership, an alliance or the platform, and is visible
privately, across its alliance, or to everyone. Its content lives in versions: a
draft can be edited; a published version is immutable, and a review pins one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Handbook(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private to the owning partnership"
        ALLIANCE = "alliance", "Partnerships in the alliance"
        EVERYONE = "everyone", "Every partnership"

    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    # Exactly one owner kind: a partnership, an alliance, or (both null) the platform.
    partnership = models.ForeignKey(
        "tenancy.Partnership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handbooks",
    )
    alliance = models.ForeignKey(
        "tenancy.Alliance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handbooks",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    copied_from = models.ForeignKey(
        "HandbookVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(partnership__isnull=True) | Q(alliance__isnull=True),
                name="handbook_one_owner",
            ),
            models.CheckConstraint(
                # A private handbook must belong to a partnership (someone must see it).
                condition=~Q(visibility="private") | Q(partnership__isnull=False),
                name="handbook_private_needs_partnership",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        if self.partnership_id:
            return str(self.partnership)
        if self.alliance_id:
            return str(self.alliance)
        return "Platform"


class HandbookVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    handbook = models.ForeignKey(Handbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    methodology = models.TextField(blank=True)
    change_note = models.CharField(max_length=300, blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Triangulation: a finding is proposed for moderation only when evidence of at
    # least this many different kinds supports it.
    triangulation_kinds = models.PositiveSmallIntegerField(
        default=2, help_text="Different kinds of evidence a finding needs before moderation."
    )
    # Whether the reviewed partnership's leads check agreed findings for factual
    # accuracy (comment only) before they are published.
    factual_accuracy_check = models.BooleanField(default=False)

    class Meta:
        ordering = ["handbook_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["handbook", "number"], name="handbook_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.handbook} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Objective(models.Model):
    version = models.ForeignKey(
        HandbookVersion, on_delete=models.CASCADE, related_name="objectives"
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class AreaOfFocus(models.Model):
    version = models.ForeignKey(HandbookVersion, on_delete=models.CASCADE, related_name="areas")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    key_question = models.TextField()
    guidance = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "areas of focus"

    def __str__(self) -> str:
        return self.title


class Guidance(models.TextChoices):
    WT2018 = "wt2018", "Working Together 2018"
    WT2023 = "wt2023", "Working Together 2023"
    OTHER = "other", "Other guidance"
    NONE = "", "Not mapped"


class LineOfEnquiry(models.Model):
    area = models.ForeignKey(AreaOfFocus, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    question = models.TextField()
    prompts = models.TextField(blank=True)
    guidance = models.CharField(max_length=10, choices=Guidance.choices, blank=True)
    # The reference handbook ships lines the platform suggests; pages mark them so.
    suggested_by_platform = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "lines of enquiry"

    def __str__(self) -> str:
        return self.question[:80]


class BaselineReference(models.Model):
    """'What good looks like': a published source the reviewers measure against."""

    version = models.ForeignKey(
        HandbookVersion, on_delete=models.CASCADE, related_name="references"
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title
