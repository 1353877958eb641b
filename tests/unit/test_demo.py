"""`manage.py seed_demo` and `manage.py demo_banner` (tenancy/demo.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from reviews.models import Exchange, Phase, Review, TeamMember
from tenancy import access, demo
from tenancy.models import (
    AccessWindow,
    Alliance,
    AllianceAnalyst,
    Membership,
    Organisation,
    Partnership,
    Role,
)

pytestmark = pytest.mark.django_db

TEN_AREAS = [
    "Bolton",
    "Bury",
    "Manchester",
    "Oldham",
    "Rochdale",
    "Salford",
    "Stockport",
    "Tameside",
    "Trafford",
    "Wigan",
]


def _counts() -> dict[str, int]:
    return {
        "alliances": Alliance.objects.count(),
        "organisations": Organisation.objects.count(),
        "partnerships": Partnership.objects.count(),
        "partners": Partnership.statutory_partners.through.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "analysts": AllianceAnalyst.objects.count(),
        "exchanges": Exchange.objects.count(),
        "reviews": Review.objects.count(),
        "team_members": TeamMember.objects.count(),
        "phases": Phase.objects.count(),
        "access_windows": AccessWindow.objects.count(),
    }


def _snapshot() -> list[tuple[object, ...]]:
    return [
        *User.objects.order_by("email").values_list(
            "pk", "email", "full_name", "password", "employer_id", "is_staff"
        ),
        *Membership.objects.order_by("pk").values_list("pk", "user_id", "partnership_id", "role"),
        *Partnership.objects.order_by("pk").values_list("pk", "slug", "name", "child_population"),
    ]


def test_seed_demo_builds_the_greater_manchester_alliance():
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert "Demo data ready: 10 partnerships" in out.getvalue()
    alliance = Alliance.objects.get()
    assert alliance.name == "Greater Manchester Safeguarding Alliance"
    partnerships = Partnership.objects.filter(alliance=alliance).order_by("slug")
    assert [p.name.split(" ")[0] for p in partnerships] == TEN_AREAS
    assert all(p.child_population for p in partnerships)


def test_one_police_force_and_one_icb_serve_all_ten_with_a_council_each():
    call_command("seed_demo", stdout=StringIO())

    police = Organisation.objects.get(name="Greater Manchester Police")
    icb = Organisation.objects.get(name="NHS Greater Manchester")
    assert (police.kind, icb.kind) == ("police", "health")
    assert police.partnerships.count() == icb.partnerships.count() == 10
    for partnership in Partnership.objects.all():
        kinds = sorted(partnership.statutory_partners.values_list("kind", flat=True))
        assert kinds == ["health", "local_authority", "police"]
    bolton = Partnership.objects.get(slug="bolton")
    assert bolton.statutory_partners.filter(name="Bolton Council").exists()


def test_running_twice_gives_the_same_rows():
    call_command("seed_demo", stdout=StringIO())
    counts, rows = _counts(), _snapshot()

    call_command("seed_demo", stdout=StringIO())

    assert _counts() == counts
    assert _snapshot() == rows
    assert counts["partnerships"] == 10
    assert counts["organisations"] == 12
    assert counts["users"] == len(demo.DEMO_USERS)
    assert counts["exchanges"] >= 1 and counts["reviews"] >= 2


def test_seed_demo_repairs_a_changed_demo_password():
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(email="lead@salford.demo")
    user.set_password("someone-changed-it-2026")
    user.save()

    call_command("seed_demo", stdout=StringIO())

    user.refresh_from_db()
    assert user.check_password(demo.DEMO_PASSWORD)


def test_every_role_exists_for_bolton_and_salford():
    call_command("seed_demo", stdout=StringIO())

    for slug in ("bolton", "salford"):
        roles = set(
            Membership.objects.filter(partnership__slug=slug).values_list("role", flat=True)
        )
        assert roles == {Role.LEAD, Role.BUSINESS_MANAGER, Role.MEMBER}
    assert User.objects.get(email="adviser@independent.demo").is_independent_adviser
    assert AllianceAnalyst.objects.filter(user__email="analyst@alliance.demo").exists()
    assert User.objects.get(email="staff@platform.demo").is_staff


def test_bolton_member_employed_by_the_police_force_salford_shares():
    """Kept for conflict-of-interest detection: Bolton reviewing Salford with a GMP officer."""
    call_command("seed_demo", stdout=StringIO())

    officer = User.objects.get(email="member@bolton.demo")
    assert officer.employer is not None
    assert officer.employer.name == "Greater Manchester Police"
    assert (
        Partnership.objects.get(slug="salford")
        .statutory_partners.filter(pk=officer.employer.pk)
        .exists()
    )


def test_demo_users_sign_in_with_the_demo_password_and_see_their_own_partnership():
    call_command("seed_demo", stdout=StringIO())

    client = Client()
    response = client.post(
        reverse("accounts:sign-in"),
        {"username": "member@salford.demo", "password": demo.DEMO_PASSWORD},
    )

    assert response.status_code == 302
    user = User.objects.get(email="member@salford.demo")
    assert int(client.session["_auth_user_id"]) == user.pk
    visible = access.visible(access.actor_for(user), Partnership)
    assert list(visible.values_list("slug", flat=True)) == ["salford"]


def test_demo_password_passes_the_password_validators():
    from django.contrib.auth.password_validation import validate_password

    for spec in demo.DEMO_USERS:
        validate_password(demo.DEMO_PASSWORD, User(email=spec.email, full_name=spec.full_name))


def test_seed_demo_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False

    with pytest.raises(CommandError, match="only available when DEMO_MODE is on"):
        call_command("seed_demo", stdout=StringIO())

    counts = _counts()
    assert counts["users"] == counts["partnerships"] == counts["exchanges"] == 0


def test_demo_banner_lists_every_sign_in_and_the_password():
    out = StringIO()
    call_command("demo_banner", stdout=out)

    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text
    assert demo.DEMO_PASSWORD in text
    for spec in demo.DEMO_USERS:
        assert spec.email in text
    assert "lead@salford.demo" in text and "Partnership lead" in text


def test_demo_banner_prints_nothing_secret_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("demo_banner", stdout=out, stderr=err)

    printed = out.getvalue() + err.getvalue() + str(refused.value)
    assert demo.DEMO_PASSWORD not in printed
    assert ".demo" not in printed
