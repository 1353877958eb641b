"""A form posted with no fields at all is still checked: the page shows the error
summary and writes nothing (an unbound form would show the blank form again)."""

from __future__ import annotations

from handbooks.models import Handbook, HandbookVersion
from tenancy.models import Membership, Role


def test_copying_a_handbook_with_nothing_chosen_says_what_is_missing(world, client_for):
    # Given a lead of two partnerships, so the copy form asks which one
    Membership.objects.create(user=world.salford_lead, partnership=world.bolton, role=Role.LEAD)
    reference = HandbookVersion.objects.filter(
        handbook__partnership__isnull=True, status="published"
    ).earliest("pk")
    handbooks_before = Handbook.objects.count()

    # When they post the copy form with nothing in it
    response = client_for(world.salford_lead).post(f"/handbooks/versions/{reference.pk}/copy/")

    # Then the page shows the error summary and nothing is copied
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert Handbook.objects.count() == handbooks_before
