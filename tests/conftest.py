"""Fixtures shared by every test: two partnerships (Bolton and Salford) and a user
for every principal, so that a tenant-B case is one line in any test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from tenancy.models import Alliance, AllianceAnalyst, Membership, Organisation, Partnership, Role

PASSWORD = "correct-horse-battery-staple"


def pytest_report_header(config: pytest.Config) -> list[str]:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL or "none (tasks run inline)"
    return [f"database: {engine}", f"celery broker: {broker}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser and PostgreSQL tests run when their tools are here; CI makes them
    mandatory with REQUIRE_BROWSER=1 / REQUIRE_POSTGRES=1 (a missing tool then fails)."""
    from django.conf import settings

    has_chromium = shutil.which("chromium") is not None
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_broker = bool(os.environ.get("CELERY_BROKER_URL"))
    for item in items:
        if "browser" in item.keywords and not has_chromium:
            if os.environ.get("REQUIRE_BROWSER") == "1":
                item.add_marker(pytest.mark.usefixtures("_fail_missing_chromium"))
            else:
                item.add_marker(pytest.mark.skip(reason="Chromium not installed"))
        if "postgres" in item.keywords and not on_postgres:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                item.add_marker(pytest.mark.usefixtures("_fail_missing_postgres"))
            else:
                item.add_marker(pytest.mark.skip(reason="DATABASE_URL is not PostgreSQL"))
        if "redis" in item.keywords and not has_broker:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                item.add_marker(pytest.mark.usefixtures("_fail_missing_broker"))
            else:
                item.add_marker(pytest.mark.skip(reason="CELERY_BROKER_URL is not set"))


@pytest.fixture
def _fail_missing_chromium() -> None:
    pytest.fail("REQUIRE_BROWSER=1 but Chromium is not installed")


@pytest.fixture
def _fail_missing_postgres() -> None:
    pytest.fail("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")


@pytest.fixture
def _fail_missing_broker() -> None:
    pytest.fail("CI requires CELERY_BROKER_URL (Redis) for the worker test")


@dataclass
class World:
    """Two partnerships in one alliance, with every principal SECURITY.md names."""

    alliance: Alliance
    bolton: Partnership
    salford: Partnership
    police: Organisation
    salford_lead: User
    salford_manager: User
    salford_member: User
    bolton_lead: User
    bolton_manager: User
    bolton_member: User
    adviser: User
    analyst: User
    staff: User
    outsider: User


def make_user(email: str, **extra: object) -> User:
    return User.objects.create_user(
        email, PASSWORD, full_name=email.split("@")[0].replace(".", " ").title(), **extra
    )


@pytest.fixture
def world(db: None) -> World:
    alliance = Alliance.objects.create(name="Test Alliance", slug="test-alliance")
    police = Organisation.objects.create(name="Test Police", slug="test-police", kind="police")
    bolton = Partnership.objects.create(name="Bolton SCP", slug="bolton", alliance=alliance)
    salford = Partnership.objects.create(name="Salford SCP", slug="salford", alliance=alliance)
    bolton.statutory_partners.add(police)
    salford.statutory_partners.add(police)

    def member(email: str, partnership: Partnership, role: Role) -> User:
        user = make_user(email)
        Membership.objects.create(user=user, partnership=partnership, role=role)
        return user

    analyst = make_user("analyst@alliance.test")
    AllianceAnalyst.objects.create(user=analyst, alliance=alliance)
    return World(
        alliance=alliance,
        bolton=bolton,
        salford=salford,
        police=police,
        salford_lead=member("lead@salford.test", salford, Role.LEAD),
        salford_manager=member("manager@salford.test", salford, Role.BUSINESS_MANAGER),
        salford_member=member("member@salford.test", salford, Role.MEMBER),
        bolton_lead=member("lead@bolton.test", bolton, Role.LEAD),
        bolton_manager=member("manager@bolton.test", bolton, Role.BUSINESS_MANAGER),
        bolton_member=member("member@bolton.test", bolton, Role.MEMBER),
        adviser=make_user("adviser@independent.test", is_independent_adviser=True),
        analyst=analyst,
        staff=make_user("staff@platform.test", is_staff=True, is_superuser=True),
        outsider=make_user("nobody@nowhere.test"),
    )


@pytest.fixture
def client_for() -> Iterator[object]:
    """client_for(user) -> a Django test client signed in as that user."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    yield make


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache, so DRF's throttle counters (kept in the
    cache, keyed by user id or address) never carry from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
