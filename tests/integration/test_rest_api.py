"""The REST foundations: me, partnerships, tokens, the one error mapping, throttling,
query counts and the OpenAPI schema."""

from __future__ import annotations

import importlib
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts import services as account_services
from accounts.models import ApiToken, User, hash_token
from audit.models import AuditEvent
from tenancy.models import Alliance, Membership, Organisation, Partnership, Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


def bearer_client(raw: str, **kwargs: object) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"}, **kwargs)  # type: ignore[arg-type]


def post_json(client: Client, url: str, body: object) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def queries_for(user: User, url: str) -> int:
    """Queries for one GET as an API client (bearer token). A cookie session adds a
    fixed three (session read and save), the same for any amount of data."""
    client = bearer_client(account_services.api_token_create(user=user, name="count").raw)
    client.get(url)  # warm-up: the token's last-used time is written once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- me ---------------------------------------------------------------------------


def test_me_shows_the_user_their_memberships_and_roles(world, client_for):
    response = client_for(world.salford_lead).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {
        "email": "lead@salford.test",
        "full_name": "Lead",
        "is_independent_adviser": False,
        "is_alliance_analyst": False,
        "memberships": [
            {"partnership": "salford", "partnership_name": "Salford SCP", "role": "lead"}
        ],
    }


def test_me_flags_independent_advisers_and_alliance_analysts(world, client_for):
    adviser = client_for(world.adviser).get("/api/v1/me/").json()
    analyst = client_for(world.analyst).get("/api/v1/me/").json()

    assert (adviser["is_independent_adviser"], adviser["is_alliance_analyst"]) == (True, False)
    assert (analyst["is_independent_adviser"], analyst["is_alliance_analyst"]) == (False, True)
    assert adviser["memberships"] == analyst["memberships"] == []


def test_me_without_credentials_is_401_with_a_bearer_challenge(world):
    response = Client().get("/api/v1/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


# --- partnerships -------------------------------------------------------------------


def test_partnership_list_holds_only_the_callers_partnerships(world, client_for):
    response = client_for(world.bolton_member).get("/api/v1/partnerships/")

    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert body["results"] == [
        {
            "id": world.bolton.pk,
            "slug": "bolton",
            "name": "Bolton SCP",
            "alliance": "test-alliance",
            "child_population": None,
            "statutory_partners": [
                {"slug": "test-police", "name": "Test Police", "kind": "police"}
            ],
            "role": "member",
        }
    ]


@pytest.mark.parametrize("principal", ["adviser", "analyst", "staff", "outsider"])
def test_partnership_list_is_empty_without_a_membership(world, client_for, principal):
    response = client_for(getattr(world, principal)).get("/api/v1/partnerships/")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_partnership_list_filters_by_alliance_within_the_callers_own(world, client_for):
    north = Alliance.objects.create(name="North", slug="north")
    wigan = Partnership.objects.create(name="Wigan SCP", slug="wigan", alliance=north)
    Membership.objects.create(user=world.bolton_lead, partnership=wigan, role=Role.MEMBER)
    client = client_for(world.bolton_lead)

    in_test = client.get("/api/v1/partnerships/", {"alliance": "test-alliance"}).json()
    in_north = client.get("/api/v1/partnerships/", {"alliance": "north"}).json()
    unknown = client.get("/api/v1/partnerships/", {"alliance": "nowhere"}).json()

    # Salford is in the test alliance too, but it is not Bolton's lead's partnership.
    assert [p["slug"] for p in in_test["results"]] == ["bolton"]
    assert [p["slug"] for p in in_north["results"]] == ["wigan"]
    assert unknown["results"] == []


def test_partnership_list_pages_by_cursor_in_name_order(world, client_for):
    for name in ("Aaa SCP", "Zzz SCP"):
        extra = Partnership.objects.create(name=name, slug=name.split()[0].lower())
        Membership.objects.create(user=world.bolton_lead, partnership=extra, role=Role.LEAD)
    client = client_for(world.bolton_lead)

    first = client.get("/api/v1/partnerships/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [p["slug"] for p in first["results"]] == ["aaa", "bolton"]
    assert [p["slug"] for p in second["results"]] == ["zzz"]
    assert second["next"] is None


def test_partnership_detail_shows_the_callers_partnership(world, client_for):
    response = client_for(world.salford_manager).get("/api/v1/partnerships/salford/")

    assert response.status_code == 200
    assert response.json()["role"] == "business_manager"


@pytest.mark.parametrize("slug", ["bolton", "no-such-partnership", "bolton!", "%20"])
def test_foreign_unknown_and_malformed_slugs_give_the_identical_404(world, client_for, slug):
    response = client_for(world.salford_lead).get(f"/api/v1/partnerships/{slug}/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_foreign_and_missing_partnership_bodies_are_byte_identical(world, client_for):
    client = client_for(world.salford_lead)

    foreign = client.get("/api/v1/partnerships/bolton/")
    missing = client.get("/api/v1/partnerships/atlantis/")

    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)


# --- tokens -------------------------------------------------------------------------


def test_creating_a_token_returns_the_raw_token_once_and_stores_only_its_hash(world, client_for):
    response = post_json(
        client_for(world.salford_lead), "/api/v1/tokens/", {"name": "Reporting", "days": 30}
    )

    assert response.status_code == 201
    body = response.json()
    raw = body["raw_token"]
    assert raw.startswith("prx_")
    assert body["token"]["name"] == "Reporting"
    assert body["token"]["is_live"] is True
    assert set(body["token"]) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "is_live",
    }
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(raw)
    assert token.user == world.salford_lead
    assert AuditEvent.objects.filter(action="create", object_type="accounts.ApiToken").count() == 1


def test_token_list_shows_the_callers_tokens_never_the_secret(world, client_for):
    mine = account_services.api_token_create(user=world.salford_lead, name="Mine")
    theirs = account_services.api_token_create(user=world.bolton_lead, name="Theirs")

    response = client_for(world.salford_lead).get("/api/v1/tokens/")

    assert response.status_code == 200
    assert [t["name"] for t in response.json()["results"]] == ["Mine"]
    content = response.content.decode()
    assert mine.raw not in content
    assert mine.token.token_hash not in content
    assert theirs.token.prefix not in content


def test_a_token_cannot_create_tokens(world):
    issued = account_services.api_token_create(user=world.salford_lead, name="Script")

    response = post_json(bearer_client(issued.raw), "/api/v1/tokens/", {"name": "Another"})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Create API tokens while signed in to the website, not with an API token.",
        "code": "permission_denied",
    }
    assert ApiToken.objects.count() == 1


def test_a_session_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.salford_lead, backend="django.contrib.auth.backends.ModelBackend")

    response = post_json(client, "/api/v1/tokens/", {"name": "Forged"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["detail"].startswith("CSRF Failed")
    assert ApiToken.objects.count() == 0


def test_creating_a_token_anonymously_is_401(world):
    response = post_json(Client(), "/api/v1/tokens/", {"name": "Nobody"})

    assert response.status_code == 401
    assert ApiToken.objects.count() == 0


def test_token_rules_give_a_message_per_field_and_write_nothing(world, client_for):
    events = AuditEvent.objects.count()

    response = post_json(
        client_for(world.salford_lead), "/api/v1/tokens/", {"name": "  ", "days": 0}
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The token could not be created.",
        "code": "invalid",
        "errors": {
            "name": ["Enter a name for the token."],
            "days": ["Expiry must be between 1 and 366 days."],
        },
    }
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"name": "x", "days": "soon"}, {"days": ["A valid integer is required."]}),
        ({"name": "x", "days": 1.5}, {"days": ["A valid integer is required."]}),
        ({"name": "bad\x00name"}, {"name": ["Null characters are not allowed."]}),
        ({"days": 5}, {"name": ["This field is required."]}),
        (
            ["name", "x"],
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
        ),
    ],
)
def test_malformed_token_input_is_a_400_per_field(world, client_for, payload, errors):
    response = post_json(client_for(world.salford_lead), "/api/v1/tokens/", payload)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request has errors. Nothing was saved.",
        "code": "invalid",
        "errors": errors,
    }
    assert ApiToken.objects.count() == 0


def test_malformed_json_is_a_clear_400_and_writes_nothing(world, client_for):
    events = AuditEvent.objects.count()

    response = client_for(world.salford_lead).post(
        "/api/v1/tokens/", '{"name": "Reporting",', content_type="application/json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["detail"] == "The request body is not valid JSON."
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_body_that_is_not_utf8_is_a_400(world, client_for):
    response = client_for(world.salford_lead).post(
        "/api/v1/tokens/", b'{"name": "\xff\xfe"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert ApiToken.objects.count() == 0


def test_revoking_a_token_ends_it(world, client_for):
    issued = account_services.api_token_create(user=world.salford_lead, name="Old")

    response = client_for(world.salford_lead).post(f"/api/v1/tokens/{issued.token.pk}/revoke/")

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert response.json()["is_live"] is False
    assert bearer_client(issued.raw).get("/api/v1/me/").status_code == 401


def test_revoking_someone_elses_token_is_the_same_404_as_a_missing_one(world, client_for):
    theirs = account_services.api_token_create(user=world.bolton_lead, name="Theirs")
    client = client_for(world.salford_lead)

    foreign = client.post(f"/api/v1/tokens/{theirs.token.pk}/revoke/")
    missing = client.post(f"/api/v1/tokens/{theirs.token.pk + 1000}/revoke/")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert foreign.json() == NOT_FOUND
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None


def test_a_token_may_revoke_itself(world):
    issued = account_services.api_token_create(user=world.salford_lead, name="Leaked")
    client = bearer_client(issued.raw)

    response = client.post(f"/api/v1/tokens/{issued.token.pk}/revoke/")

    assert response.status_code == 200
    assert client.get("/api/v1/me/").json() == {
        "detail": "Invalid token.",
        "code": "authentication_failed",
    }


# --- authentication -----------------------------------------------------------------


def test_a_bearer_token_authenticates_without_a_session(world):
    issued = account_services.api_token_create(user=world.bolton_manager, name="Script")

    response = bearer_client(issued.raw).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["email"] == "manager@bolton.test"


def test_an_expired_token_is_401_with_a_clear_message(world):
    issued = account_services.api_token_create(user=world.bolton_lead, name="Old")
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = bearer_client(issued.raw).get("/api/v1/partnerships/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "Token has expired. Create a new token.",
        "code": "authentication_failed",
    }


@pytest.mark.parametrize("raw", ["prx_not-a-real-token", "x"])
def test_an_unknown_token_is_401(world, raw):
    response = bearer_client(raw).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


def test_an_inactive_users_token_is_401(world):
    issued = account_services.api_token_create(user=world.bolton_lead, name="Script")
    User.objects.filter(pk=world.bolton_lead.pk).update(is_active=False)

    response = bearer_client(issued.raw).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


# --- throttling ---------------------------------------------------------------------


def test_throttled_requests_get_429_with_retry_after(world, client_for, monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/min"}
    with override_settings(
        REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}
    ):
        # DRF copies the rates onto the throttle class when it is first imported.
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES
        )
        client = client_for(world.bolton_lead)
        statuses = [client.get("/api/v1/me/").status_code for _ in range(3)]
        throttled = client.get("/api/v1/me/")
        other_user = client_for(world.salford_lead).get("/api/v1/me/")

    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert throttled.json()["code"] == "throttled"
    assert re.fullmatch(
        r"Request was throttled\. Expected available in \d+ seconds?\.",
        throttled.json()["detail"],
    )
    assert other_user.status_code == 200


# --- query counts -------------------------------------------------------------------


def _member_of(user: User, count: int, prefix: str) -> None:
    alliance = Alliance.objects.create(name=f"{prefix} alliance", slug=f"{prefix}-alliance")
    for i in range(count):
        partnership = Partnership.objects.create(
            name=f"{prefix} {i} SCP", slug=f"{prefix}-{i}", alliance=alliance
        )
        for kind in ("police", "health"):
            org = Organisation.objects.create(
                name=f"{prefix} {i} {kind}", slug=f"{prefix}-{i}-{kind}", kind=kind
            )
            partnership.statutory_partners.add(org)
        Membership.objects.create(user=user, partnership=partnership, role=Role.MEMBER)


@pytest.mark.parametrize("url", ["/api/v1/partnerships/", "/api/v1/me/"])
def test_membership_lists_use_the_same_queries_for_1x_and_10x(world, url):
    one, ten = make_user("one@x.test"), make_user("ten@x.test")
    _member_of(one, 1, "one")
    _member_of(ten, 10, "ten")

    one_count = queries_for(one, url)
    ten_count = queries_for(ten, url)

    assert one_count == ten_count
    assert one_count <= 8


def test_token_list_uses_the_same_queries_for_1x_and_10x(world):
    one, ten = make_user("one@x.test"), make_user("ten@x.test")
    account_services.api_token_create(user=one, name="t")
    for i in range(10):
        account_services.api_token_create(user=ten, name=f"t{i}")

    one_count = queries_for(one, "/api/v1/tokens/")
    ten_count = queries_for(ten, "/api/v1/tokens/")

    assert one_count == ten_count
    assert one_count <= 8


# --- OpenAPI ------------------------------------------------------------------------


def test_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", validate=True, fail_on_warn=True, file=str(target))

    text = target.read_text()
    for path in (
        "/api/v1/me/",
        "/api/v1/partnerships/",
        "/api/v1/partnerships/{slug}/",
        "/api/v1/tokens/",
        "/api/v1/tokens/{token_id}/revoke/",
    ):
        assert f"  {path}:" in text
    assert "    apiToken:\n      type: http\n      scheme: bearer\n" in text
    assert "token_hash" not in text


@override_settings(API_SCHEMA_PUBLIC=True)
def test_openapi_schema_and_docs_are_served_to_anyone_when_public(world):
    client = Client()

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    script = client.get("/api/docs/", {"script": ""})

    assert schema.status_code == 200
    assert b"/api/v1/partnerships/" in schema.content
    assert docs.status_code == 200
    # Swagger UI comes from this server's static files, not a CDN.
    assert b"drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs.content
    assert b"cdn.jsdelivr.net" not in docs.content
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


@override_settings(API_SCHEMA_PUBLIC=False)
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/docs/?script="])
def test_openapi_schema_and_docs_refuse_anonymous_callers_when_not_public(world, path):
    response = Client().get(path)

    assert response.status_code == 401
    assert b"/api/v1/partnerships/" not in response.content


@override_settings(API_SCHEMA_PUBLIC=False)
def test_openapi_schema_and_docs_are_served_to_signed_in_callers_when_not_public(world, client_for):
    client = client_for(world.bolton_member)
    raw = account_services.api_token_create(user=world.bolton_member, name="t", days=1).raw

    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    by_token = Client().get("/api/schema/", headers={"Authorization": f"Bearer {raw}"})
    assert by_token.status_code == 200
    assert b"/api/v1/partnerships/" in by_token.content


def test_openapi_schema_is_public_only_in_local_settings(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "peer-review.example")
    production = importlib.import_module("config.settings.production")
    local = importlib.import_module("config.settings.local")

    assert production.API_SCHEMA_PUBLIC is False
    assert local.API_SCHEMA_PUBLIC is True
    assert settings.API_SCHEMA_PUBLIC is False  # the test settings, as production
