"""Demo data: the Greater Manchester Safeguarding Alliance, its ten partnerships and
a sign-in for every kind of user, so `make run` shows a working product.

Everything here is data plus one idempotent service (`demo_seed`): running it again
updates the same rows rather than adding new ones. Names of people are invented
(DOMAIN.md: demo data never reproduces the real people of the reference review).
The demo password is public by design, so the service refuses to run unless
`settings.DEMO_MODE` is on (it is off in production settings, whatever the
environment says).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from accounts.models import User
from tenancy.models import Alliance, AllianceAnalyst, Membership, Organisation, Partnership, Role

# Public on purpose: printed by `manage.py demo_banner`. Passes the password
# validators in base settings (length 12+, not common, not numeric, not like an email).
DEMO_PASSWORD = "peer-review-demo-2026"  # noqa: S105 - a published demo password

DEMO_ADDRESS = "http://127.0.0.1:8000"

ALLIANCE_NAME = "Greater Manchester Safeguarding Alliance"
ALLIANCE_SLUG = "greater-manchester"

POLICE = ("Greater Manchester Police", "greater-manchester-police", Organisation.Kind.POLICE)
ICB = ("NHS Greater Manchester", "nhs-greater-manchester", Organisation.Kind.HEALTH)


@dataclass(frozen=True)
class Area:
    name: str
    council: str
    # Children aged 0 to 17: ILLUSTRATIVE round figures of the right order of
    # magnitude for each borough, not official population estimates.
    child_population: int

    @property
    def slug(self) -> str:
        return self.name.lower()

    @property
    def partnership_name(self) -> str:
        return f"{self.name} Safeguarding Children Partnership"


# The ten local authorities of Greater Manchester (DOMAIN.md, "Facts for demo and
# reference data"). Child populations are illustrative (see Area.child_population).
AREAS: tuple[Area, ...] = (
    Area("Bolton", "Bolton Council", 69_000),
    Area("Bury", "Bury Council", 43_000),
    Area("Manchester", "Manchester City Council", 128_000),
    Area("Oldham", "Oldham Council", 60_000),
    Area("Rochdale", "Rochdale Borough Council", 54_000),
    Area("Salford", "Salford City Council", 59_000),
    Area("Stockport", "Stockport Council", 64_000),
    Area("Tameside", "Tameside Council", 50_000),
    Area("Trafford", "Trafford Council", 56_000),
    Area("Wigan", "Wigan Council", 70_000),
)


@dataclass(frozen=True)
class DemoUser:
    """One demo sign-in. `partnership` is an area slug; `employer` an organisation slug."""

    email: str
    full_name: str
    job_title: str
    role_label: str
    partnership: str = ""
    role: Role | None = None
    employer: str = ""
    is_independent_adviser: bool = False
    is_alliance_analyst: bool = False
    is_staff: bool = False


# Invented people. The Bolton police detective inspector is employed by
# Greater Manchester Police, which also serves Salford: an organisational conflict
# of interest when Bolton reviews Salford (DOMAIN.md), kept here on purpose.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "lead@bolton.demo",
        "Imogen Ravenscroft",
        "Director of Children's Services",
        "Partnership lead",
        partnership="bolton",
        role=Role.LEAD,
        employer="bolton-council",
    ),
    DemoUser(
        "manager@bolton.demo",
        "Marcus Pellow",
        "Partnership business manager",
        "Business manager",
        partnership="bolton",
        role=Role.BUSINESS_MANAGER,
        employer="bolton-council",
    ),
    DemoUser(
        "member@bolton.demo",
        "Aisha Thornbury",
        "Detective inspector",
        "Member",
        partnership="bolton",
        role=Role.MEMBER,
        employer="greater-manchester-police",
    ),
    DemoUser(
        "nurse@bolton.demo",
        "Owen Castellano",
        "Named nurse for safeguarding children",
        "Member",
        partnership="bolton",
        role=Role.MEMBER,
        employer="nhs-greater-manchester",
    ),
    DemoUser(
        "lead@salford.demo",
        "Helena Marchbank",
        "Strategic director, children's services",
        "Partnership lead",
        partnership="salford",
        role=Role.LEAD,
        employer="salford-city-council",
    ),
    DemoUser(
        "manager@salford.demo",
        "Ravi Penhaligon",
        "Partnership business manager",
        "Business manager",
        partnership="salford",
        role=Role.BUSINESS_MANAGER,
        employer="salford-city-council",
    ),
    DemoUser(
        "member@salford.demo",
        "Josie Tremlett",
        "Practice improvement manager",
        "Member",
        partnership="salford",
        role=Role.MEMBER,
        employer="salford-city-council",
    ),
    DemoUser(
        "adviser@independent.demo",
        "Morwenna Quayle",
        "Independent adviser",
        "Independent adviser",
        is_independent_adviser=True,
    ),
    DemoUser(
        "analyst@alliance.demo",
        "Nathaniel Brisco",
        "Alliance performance analyst",
        "Alliance analyst",
        is_alliance_analyst=True,
    ),
    DemoUser(
        "staff@platform.demo",
        "Lena Holtby",
        "Platform support",
        "Platform staff",
        is_staff=True,
    ),
)


class DemoModeOff(ImproperlyConfigured):
    """Demo sign-ins share a published password: never create them outside demo mode."""

    def __init__(self) -> None:
        super().__init__("Demo data is only available when DEMO_MODE is on.")


@dataclass(frozen=True)
class DemoSummary:
    alliances: int
    organisations: int
    partnerships: int
    users: int
    memberships: int


def demo_mode_on() -> bool:
    return bool(getattr(settings, "DEMO_MODE", False))


def require_demo_mode() -> None:
    if not demo_mode_on():
        raise DemoModeOff()


def _organisation_specs() -> list[tuple[str, str, str]]:
    councils = [
        (area.council, area.council.lower().replace(" ", "-"), Organisation.Kind.LOCAL_AUTHORITY)
        for area in AREAS
    ]
    return [POLICE, ICB, *councils]


def _seed_organisations() -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    for name, slug, kind in _organisation_specs():
        organisations[slug], _ = Organisation.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind}
        )
    return organisations


def _seed_partnerships(
    alliance: Alliance, organisations: dict[str, Organisation]
) -> dict[str, Partnership]:
    shared = [organisations[POLICE[1]], organisations[ICB[1]]]
    partnerships: dict[str, Partnership] = {}
    for area in AREAS:
        partnership, _ = Partnership.objects.update_or_create(
            slug=area.slug,
            defaults={
                "name": area.partnership_name,
                "alliance": alliance,
                "child_population": area.child_population,
            },
        )
        council = organisations[area.council.lower().replace(" ", "-")]
        # One police force and one ICB serve all ten; each has its own council.
        partnership.statutory_partners.set([*shared, council])
        partnerships[area.slug] = partnership
    return partnerships


class _PasswordSetter:
    """Gives every demo user the demo password without re-hashing on every run.

    Checking a hash is as slow as making one, so a hash already verified is
    remembered: the demo users share one hash, so a second run checks it once."""

    def __init__(self) -> None:
        self._verified: dict[str, bool] = {}
        self._new_hash: str | None = None

    def apply(self, user: User) -> bool:
        """Set the demo password on `user` if it does not have it; True if changed."""
        encoded = user.password
        if encoded not in self._verified:
            self._verified[encoded] = bool(encoded) and check_password(DEMO_PASSWORD, encoded)
        if self._verified[encoded]:
            return False
        if self._new_hash is None:
            self._new_hash = make_password(DEMO_PASSWORD)
            self._verified[self._new_hash] = True
        user.password = self._new_hash
        return True


def _seed_users(
    alliance: Alliance,
    organisations: dict[str, Organisation],
    partnerships: dict[str, Partnership],
) -> None:
    passwords = _PasswordSetter()
    for spec in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            email=spec.email,
            defaults={
                "full_name": spec.full_name,
                "job_title": spec.job_title,
                "employer": organisations.get(spec.employer),
                "is_independent_adviser": spec.is_independent_adviser,
                "is_staff": spec.is_staff,
                # Staff need the admin's permissions to administer anything there;
                # the access chokepoint ignores this flag, so no tenant data follows.
                "is_superuser": spec.is_staff,
                "is_active": True,
            },
        )
        validate_password(DEMO_PASSWORD, user)
        if passwords.apply(user):
            user.save(update_fields=["password"])
        if spec.partnership and spec.role is not None:
            Membership.objects.update_or_create(
                user=user,
                partnership=partnerships[spec.partnership],
                defaults={"role": spec.role},
            )
        if spec.is_alliance_analyst:
            AllianceAnalyst.objects.get_or_create(user=user, alliance=alliance)


def demo_seed() -> DemoSummary:
    """Create or update the demo alliance, organisations, partnerships and users.

    Idempotent: every row is found by its natural key (slug or email) and updated,
    so a second run leaves the same rows. Raises DemoModeOff outside demo mode."""
    require_demo_mode()
    with transaction.atomic():
        alliance, _ = Alliance.objects.update_or_create(
            slug=ALLIANCE_SLUG, defaults={"name": ALLIANCE_NAME, "region": "North West"}
        )
        organisations = _seed_organisations()
        partnerships = _seed_partnerships(alliance, organisations)
        _seed_users(alliance, organisations, partnerships)
    return DemoSummary(
        alliances=1,
        organisations=len(organisations),
        partnerships=len(partnerships),
        users=len(DEMO_USERS),
        memberships=sum(1 for spec in DEMO_USERS if spec.role is not None),
    )


def _area_name(slug: str) -> str:
    return next((area.name for area in AREAS if area.slug == slug), "")


def demo_sign_ins() -> list[tuple[str, str, str]]:
    """(email, role, partnership) for each demo sign-in, in the order they are listed.
    Raises DemoModeOff outside demo mode."""
    require_demo_mode()
    rows: list[tuple[str, str, str]] = []
    for spec in DEMO_USERS:
        if spec.partnership:
            where = _area_name(spec.partnership)
        elif spec.is_alliance_analyst:
            where = ALLIANCE_NAME
        else:
            where = "–"
        rows.append((spec.email, spec.role_label, where))
    return rows


def format_table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> list[str]:
    """Plain fixed-width columns for a terminal."""
    all_rows = [header, *rows]
    widths = [max(len(row[i]) for row in all_rows) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()

    return [line(header), "  ".join("-" * width for width in widths), *map(line, all_rows[1:])]
