"""`manage.py seed_demo` and `manage.py demo_banner` (demo/partnerships.py)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from demo import partnerships as demo
from evidence.models import (
    DocumentRequest,
    EvidenceItem,
    EvidenceItemGroupObjectPermission,
    EvidenceItemUserObjectPermission,
    EvidenceShare,
)
from reviews import services as review_services
from reviews.models import Exchange, Phase, Review, TeamMember
from tenancy import access
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


# Evidence (demo/evidence.py) ---------------------------------------------------------------


def _evidence_counts() -> dict[str, int]:
    return {
        "items": EvidenceItem.objects.count(),
        "shares": EvidenceShare.objects.count(),
        "requests": DocumentRequest.objects.count(),
        "group_grants": EvidenceItemGroupObjectPermission.objects.count(),
        "user_grants": EvidenceItemUserObjectPermission.objects.count(),
        "areas_tagged": EvidenceItem.areas.through.objects.count(),
        "evidence_events": AuditEvent.objects.filter(object_type__startswith="evidence.").count(),
    }


def _evidence_snapshot() -> list[tuple[object, ...]]:
    return [
        *EvidenceItem.objects.order_by("pk").values_list(
            "pk", "partnership_id", "title", "added_at", "file", "sha256", "scan_status"
        ),
        *EvidenceShare.objects.order_by("pk").values_list(
            "pk", "item_id", "review_id", "shared_at"
        ),
        *DocumentRequest.objects.order_by("pk").values_list("pk", "title", "status", "answered_at"),
    ]


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _review_of_salford() -> Review:
    return Review.objects.get(
        reviewed_partnership__slug="salford", reviewing_partnership__slug="bolton"
    )


def test_seed_twice_is_idempotent_for_evidence():
    call_command("seed_demo", stdout=StringIO())
    counts, rows = _evidence_counts(), _evidence_snapshot()

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert _evidence_counts() == counts
    assert _evidence_snapshot() == rows
    assert counts["items"] == 24 and counts["shares"] == 19 and counts["requests"] == 2
    assert "24 evidence items (19 shared, 2 document requests)" in out.getvalue()


def test_salfords_evidence_for_the_2020_review():
    call_command("seed_demo", stdout=StringIO())
    review = _review_of_salford()
    salford = EvidenceItem.objects.filter(partnership__slug="salford")

    kinds = {kind: salford.filter(kind=kind).count() for kind in EvidenceItem.Kind.values}
    assert kinds == {"document": 5, "meeting": 5, "interview": 6, "data": 3, "other": 1}
    meetings = set(salford.filter(kind="meeting").values_list("meeting_name", flat=True))
    assert meetings == {
        "Practice Review sub-group",
        "Salford Safeguarding Children Partnership (SSCP)",
        "Safeguarding Effectiveness Group",
        "Safeguarding Executive",
        "Safeguarding Operational Group",
    }
    assert all(m.working_well and m.not_working_well for m in salford.filter(kind="meeting"))
    interviews = salford.filter(kind="interview")
    # By role, never by name; some by the peer team, some by the adviser alone.
    assert not interviews.exclude(interviewee_name="").exists()
    assert not interviews.filter(interviewee_role="").exists()
    assert set(interviews.values_list("interviewed_by", flat=True)) == {"peer_team", "adviser"}
    # Files were generated, so they are Ready; every one passes the upload checks again.
    with_files = salford.exclude(file="")
    assert with_files.count() == 7
    assert set(with_files.values_list("scan_status", flat=True)) == {"ready"}
    assert {
        name.rsplit(".", 1)[1] for name in with_files.values_list("original_name", flat=True)
    } == {
        "pdf",
        "txt",
        "csv",
    }
    # Areas of focus are the review's own.
    assert (
        not EvidenceItem.areas.through.objects.filter(evidenceitem__partnership__slug="salford")
        .exclude(reviewarea__review=review)
        .exists()
    )
    assert salford.filter(areas__isnull=False).distinct().count() == salford.count()
    # All but the internal note shared with Bolton's team, with its group's grant.
    shared = set(review.evidence_shares.values_list("item_id", flat=True))
    assert shared == set(
        salford.exclude(title__startswith="Internal note").values_list("pk", flat=True)
    )
    granted = EvidenceItemGroupObjectPermission.objects.filter(group=review.team_group)
    assert set(granted.values_list("content_object_id", flat=True)) == shared
    # Both requests answered (the review is published), each by shares.
    requests = DocumentRequest.objects.filter(review=review)
    assert set(requests.values_list("status", flat=True)) == {"answered"}
    assert all(request.shares.exists() for request in requests)


def test_recheck_of_demo_files_passes_the_upload_checks():
    from evidence.uploads import inspect_file

    call_command("seed_demo", stdout=StringIO())

    for item in EvidenceItem.objects.exclude(file=""):
        with item.file.open("rb") as stored:
            checked = inspect_file(item.original_name, stored)
        assert (checked.sha256, checked.content_type) == (item.sha256, item.content_type)


def test_a_salford_user_cannot_see_boltons_private_evidence():
    call_command("seed_demo", stdout=StringIO())
    bolton_items = EvidenceItem.objects.filter(partnership__slug="bolton")
    assert bolton_items.count() == 4
    assert not EvidenceShare.objects.filter(item__in=bolton_items).exists()

    for email in ("lead@salford.demo", "manager@salford.demo", "member@salford.demo"):
        visible = access.visible(access.actor_for(_user(email)), EvidenceItem)
        assert not visible.filter(partnership__slug="bolton").exists(), email
        assert visible.filter(partnership__slug="salford").count() == 20, email


def test_boltons_restricted_item_is_seen_only_by_the_two_it_is_opened_to():
    call_command("seed_demo", stdout=StringIO())
    restricted = EvidenceItem.objects.get(partnership__slug="bolton", sensitivity="restricted")

    def sees(email: str) -> bool:
        actor = access.actor_for(_user(email))
        return access.visible(actor, EvidenceItem).filter(pk=restricted.pk).exists()

    assert sees("manager@bolton.demo") and sees("lead@bolton.demo")
    assert not sees("member@bolton.demo") and not sees("nurse@bolton.demo")
    assert not sees("lead@salford.demo")


def test_boltons_team_sees_salfords_shares_only_while_a_window_is_open():
    call_command("seed_demo", stdout=StringIO())
    review = _review_of_salford()
    salford = EvidenceItem.objects.filter(partnership__slug="salford")

    # The demo on purpose shows today: the 2020 windows ran from the start of fieldwork
    # (3 August 2020) to 14 days after report-back (30 November 2020) and closed long
    # ago, so Bolton's reviewers see NOTHING of Salford's. The shares and grants stay
    # as the record of what the review was given.
    for member in review.team.select_related("user"):
        actor = access.actor_for(member.user)
        assert not access.visible(actor, EvidenceItem).filter(partnership__slug="salford").exists()
        assert not actor.open_group_ids

    # While a window is open (here: Salford's lead reopens the lead reviewer's for a
    # day), the lead reviewer sees exactly the shared items: not the internal note.
    lead_reviewer = review.team.get(team_role="lead_reviewer")
    now = timezone.now()
    review_services.team_member_set_window(
        actor=access.actor_for(_user("lead@salford.demo")),
        review_id=review.pk,
        member_id=lead_reviewer.pk,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    actor = access.actor_for(lead_reviewer.user)
    seen = set(
        access.visible(actor, EvidenceItem)
        .exclude(partnership__slug="bolton")  # their own library, as ever
        .values_list("pk", flat=True)
    )
    shared = set(review.evidence_shares.values_list("item_id", flat=True))
    assert seen == shared
    assert shared < set(salford.values_list("pk", flat=True))
    # Once it closes again, nothing.
    later = access.actor_for(lead_reviewer.user, now=now + timedelta(days=2))
    assert not access.visible(later, EvidenceItem).filter(partnership__slug="salford").exists()
