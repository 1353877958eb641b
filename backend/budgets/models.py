"""A partnership's budget for one financial year (April to March): what each statutory
partner paid in (cash and in kind), other income, spending by category and the child
population the per-child figures use.

Money is `Decimal` with two places (pence-exact), never float. Totals are not stored:
they are sums of the rows below, worked out by `budgets.figures`. Every line carries
its budget's partnership (the tenant key) and, for contributions, the partner type it
was recorded under, so a benchmark sums one table grouped by (year, partner type)
without joining organisations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenancy.models import Organisation, Partnership

FIRST_YEAR = 2015  # 2015/16: the earliest year a budget may be recorded for


def year_label(year: int) -> str:
    """'2022/23' for the financial year that starts in April 2022."""
    return f"{year}/{(year + 1) % 100:02d}"


class Budget(models.Model):
    """One partnership's budget for the financial year starting in April of `year`."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2022 is April 2022 to March 2023."
    )
    child_population = models.PositiveIntegerField(
        help_text="Children aged 0 to 17 in the area, as used for the per-child figures."
    )
    # Where the figures come from. Demo and imported budgets say so here; a budget whose
    # figures are not (all) published is flagged `illustrative` and every page showing
    # it says so.
    source_note = models.CharField(max_length=500, blank=True)
    illustrative = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["partnership_id", "-year"]
        constraints = [
            # Also the index a partnership's list of years reads (partnership, year).
            models.UniqueConstraint(fields=["partnership", "year"], name="budget_one_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=2100), name="budget_year_sane"
            ),
            models.CheckConstraint(condition=Q(child_population__gt=0), name="budget_children"),
        ]

    def __str__(self) -> str:
        return f"Budget {self.year_label}"

    @property
    def year_label(self) -> str:
        return year_label(self.year)


class PartnerType(models.TextChoices):
    """The kinds of statutory partner a contribution is reported under (as
    tenancy.Organisation.Kind, copied onto the row when it is written)."""

    LOCAL_AUTHORITY = "local_authority", "Local authority"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    EDUCATION = "education", "Education"
    OTHER = "other", "Other"


class Contribution(models.Model):
    """What one statutory partner organisation paid in for the year."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="contributions")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    partner_type = models.CharField(max_length=20, choices=PartnerType.choices)
    cash = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    in_kind = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["budget_id", "partner_type", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "organisation"], name="contribution_one_per_partner"
            ),
            models.CheckConstraint(
                condition=Q(cash__gte=0) & Q(in_kind__gte=0), name="contribution_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "partner_type"], name="contribution_type"),
        ]

    def __str__(self) -> str:
        return f"Contribution {self.pk}"


class OtherIncome(models.Model):
    """Income from anyone but the statutory partners: a grant, say."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="other_income")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["budget_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "position"], name="other_income_position"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="other_income_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Other income {self.pk}"


class SpendingCategory(models.TextChoices):
    STAFF = "staff", "Staff"
    INDEPENDENT_SCRUTINY = "independent_scrutiny", "Independent scrutiny"
    CASE_REVIEWS = "case_reviews", "Case reviews"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class Spending(models.Model):
    """What was spent on one category in the year."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="spending")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=SpendingCategory.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["budget_id", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "category"], name="spending_one_per_category"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spending_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Spending {self.pk}"
