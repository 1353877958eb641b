"""Tenants and who belongs to them.

A Partnership is the tenant. Every tenant-owned table elsewhere has an explicit
`partnership` foreign key, and all reads go through tenancy.access.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Alliance(models.Model):
    """A regional grouping of partnerships that compares anonymised benchmarks."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    region = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A statutory partner body. One organisation can serve several partnerships
    (one police force serves all ten in Greater Manchester)."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        HEALTH = "health", "Health (ICB or CCG)"
        POLICE = "police", "Police"
        # Schools and colleges: a relevant agency that some partnerships count among
        # the bodies funding their arrangements (budgets record their contribution).
        EDUCATION = "education", "Education"
        OTHER = "other", "Other relevant agency"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Partnership(models.Model):
    """A local safeguarding children partnership: the tenant."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    alliance = models.ForeignKey(
        Alliance, null=True, blank=True, on_delete=models.PROTECT, related_name="partnerships"
    )
    child_population = models.PositiveIntegerField(
        null=True, blank=True, help_text="Children aged 0 to 17 in the area."
    )
    statutory_partners = models.ManyToManyField(
        Organisation, related_name="partnerships", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEAD = "lead", "Partnership lead"
    BUSINESS_MANAGER = "business_manager", "Business manager"
    MEMBER = "member", "Member"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partnership__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"], name="membership_one_role_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.partnership}"


class AllianceAnalyst(models.Model):
    """A user who may read the alliance's anonymised benchmarks, and nothing else."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="analyst_roles"
    )
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="analysts")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "alliance"], name="alliance_analyst_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – analyst, {self.alliance}"


class AccessWindow(models.Model):
    """A time-bound right to use a guardian group's object permissions.

    Cross-tenant grants (evidence shared with a review team, say) are guardian
    permissions held by a group. Being in the group is not enough: the chokepoint
    only honours a group while one of the user's windows on it is open, so access
    ends at `closes_at` on the next request, before any sweep runs.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_windows"
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="access_windows")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    reason = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["user", "closes_at"], name="accesswindow_user_closes")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="accesswindow_closes_after_opens"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.group} ({self.opens_at:%d %b %Y}–{self.closes_at:%d %b %Y})"
