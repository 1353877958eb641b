"""The findings demo: Salford's 2020 review published with the reference report's
findings for all ten areas, six success criteria and next steps; Bolton's review in
moderation with findings in every status; idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from findings.models import Finding, Recommendation, SuccessCriterion
from reviews.models import Phase, Review
from tenancy.access import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    settings.DEMO_MODE = True


def test_the_demo_seeds_the_reference_review_and_bolton_in_moderation():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "findings" in out.getvalue()
    salford = Review.objects.get(reviewed_partnership__slug="salford", status="published")
    published = Finding.objects.filter(review=salford)
    assert published.values("area").distinct().count() == 10
    assert set(published.values_list("status", flat=True)) == {"published"}
    assert published.filter(rating="beyond_compliance").exists()
    assert SuccessCriterion.objects.filter(review=salford).count() == 6
    assert set(Recommendation.objects.filter(review=salford).values_list("kind", flat=True)) == {
        "stop",
        "start",
        "sustain",
        "risk",
    }
    assert salford.phases.filter(kind=Phase.Kind.PROGRESS_REVIEW).exists()
    # Every finding is triangulated by the review's evidence.
    assert all(len({i.kind for i in f.evidence.all()}) >= 2 for f in published[:10])
    bolton = Review.objects.get(reviewed_partnership__slug="bolton")
    assert bolton.status == "moderation"
    assert set(Finding.objects.filter(review=bolton).values_list("status", flat=True)) == {
        "draft",
        "proposed",
        "agreed",
        "rejected",
    }
    count = Finding.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Finding.objects.count() == count


def test_salfords_lead_reads_the_published_findings_and_bolton_sees_none_of_its_drafts():
    from accounts.models import User
    from findings import selectors

    call_command("seed_demo", stdout=StringIO())
    salford = Review.objects.get(reviewed_partnership__slug="salford", status="published")
    lead = actor_for(User.objects.get(email="lead@salford.demo"))
    assert selectors.finding_list(actor=lead, review_id=salford.pk).count() == (
        Finding.objects.filter(review=salford).count()
    )
    bolton_review = Review.objects.get(reviewed_partnership__slug="bolton")
    bolton_lead = actor_for(User.objects.get(email="lead@bolton.demo"))
    assert not selectors.finding_list(actor=bolton_lead, review_id=bolton_review.pk).exists()
