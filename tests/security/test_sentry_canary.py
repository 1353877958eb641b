"""No evidence text or personal data reaches Sentry (SECURITY.md section 7).

A canary string is put where data usually leaks from (a request body, query string,
headers and cookies; a local variable; an exception message; a log message; a SQL
parameter). The SDK is initialised by config.sentry with a transport that keeps
envelopes in memory. Every case must produce an event (so the test can fail), and no
byte of any envelope may contain the canary.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from config.sentry import MASK, before_send, configure_sentry

# Built at run time so the canary never appears in this file's source lines, which
# Sentry sends as context around each frame (code, not data).
CANARY = "-".join(["CANARY", "7f3a"])

ROOT = Path(__file__).resolve().parents[2]
logger = logging.getLogger("tests.sentry_canary")


def explode(request: HttpRequest) -> HttpResponse:
    request.POST  # noqa: B018 - parse the body, as a real form view would
    raise RuntimeError("the view failed")


urlpatterns = [path("explode/", explode)]


class CapturingTransport(Transport):
    """Keeps every envelope instead of sending it."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.type == "event" and item.payload.json is not None
        ]

    def raw(self) -> bytes:
        return b"".join(envelope.serialize() for envelope in self.envelopes)


@pytest.fixture
def transport() -> Iterator[CapturingTransport]:
    transport = CapturingTransport()
    configure_sentry(
        "https://public@sentry.invalid/1", environment="test", release=None, transport=transport
    )
    try:
        yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
        assert not sentry_sdk.get_client().is_active()


def assert_no_canary(transport: CapturingTransport) -> dict:
    events = transport.events()
    assert len(events) >= 1, "no event was captured, so the case proves nothing"
    assert CANARY not in json.dumps(events)
    assert CANARY.encode() not in transport.raw()
    return events[-1]


@pytest.mark.urls(__name__)
def test_request_body_headers_cookies_and_query_are_not_sent(transport):
    client = Client(raise_request_exception=False, HTTP_X_NOTE=CANARY)
    client.cookies["note"] = CANARY

    response = client.post(
        f"/explode/?q={CANARY}",
        data={"description": CANARY, "notes": f"interview with {CANARY}", "other": CANARY},
    )

    assert response.status_code == 500
    event = assert_no_canary(transport)
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert set(event["request"]) <= {"url", "method"}


def test_before_send_keeps_only_the_url_path_and_method_of_a_request():
    # What the WSGI integration attaches under gunicorn (the test client bypasses it).
    event = {
        "request": {
            "url": f"https://example.org/evidence/12/?q={CANARY}",
            "method": "POST",
            "query_string": f"q={CANARY}",
            "headers": {"X-Note": CANARY, "Authorization": f"Bearer {CANARY}"},
            "cookies": {"__Host-sessionid": CANARY},
            "env": {"REMOTE_ADDR": "192.0.2.1", "SERVER_NAME": CANARY},
            "data": {"description": CANARY},
        },
        "user": {"id": 7, "email": CANARY, "ip_address": "192.0.2.1"},
        "extra": {"celery-job": {"task_name": "t", "args": [CANARY], "kwargs": {"n": CANARY}}},
        "message": CANARY,
    }

    masked = before_send(event, {})

    assert CANARY not in json.dumps(masked)
    assert masked["request"] == {"url": "https://example.org/evidence/12/", "method": "POST"}
    assert masked["user"] == {"id": 7}


def test_local_variables_are_not_sent(transport):
    def handle(note: str) -> None:
        interview_notes = f"The child said {note}"
        raise ValueError(f"could not file {len(interview_notes)} characters")

    with sentry_sdk.isolation_scope():
        try:
            handle(CANARY)
        except ValueError:
            sentry_sdk.capture_exception()

    event = assert_no_canary(transport)
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames and not any("vars" in frame for frame in frames)


def test_exception_message_is_masked_but_its_type_kept(transport):
    with sentry_sdk.isolation_scope():
        try:
            raise PermissionError(f"{CANARY} may not see this evidence")
        except PermissionError:
            sentry_sdk.capture_exception()

    event = assert_no_canary(transport)
    assert event["exception"]["values"][-1]["type"] == "PermissionError"
    assert event["exception"]["values"][-1]["value"] == MASK


def test_log_messages_and_their_breadcrumbs_are_masked(transport):
    with sentry_sdk.isolation_scope():
        logger.info("Imported survey answer %s", CANARY)  # a breadcrumb
        logger.error("Could not send the reminder to %s", CANARY)  # an event

    event = assert_no_canary(transport)
    assert event["logentry"] == {"message": MASK}
    crumbs = event["breadcrumbs"]["values"]
    assert any(crumb.get("category") == "tests.sentry_canary" for crumb in crumbs)


@pytest.mark.django_db
def test_sql_parameters_are_not_sent(transport):
    with sentry_sdk.isolation_scope():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT %s", [CANARY])
            raise LookupError("no such evidence")
        except LookupError:
            sentry_sdk.capture_exception()

    event = assert_no_canary(transport)
    queries = [c for c in event["breadcrumbs"]["values"] if c.get("category") == "query"]
    assert queries, "the SQL breadcrumb was not recorded, so the case proves nothing"
    assert all(crumb["message"] == MASK for crumb in queries)
    assert not any("db.params" in crumb.get("data", {}) for crumb in queries)


def test_the_privacy_options_cannot_be_overridden():
    transport = CapturingTransport()
    try:
        client = configure_sentry(
            "https://public@sentry.invalid/1",
            environment="test",
            release=None,
            transport=transport,
            send_default_pii=True,
            include_local_variables=True,
            max_request_body_size="always",
        )
        assert client.options["send_default_pii"] is False
        assert client.options["include_local_variables"] is False
        assert client.options["max_request_body_size"] == "never"
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


def test_sdk_is_not_active_in_the_test_suite():
    assert os.environ.get("SENTRY_DSN") or not sentry_sdk.get_client().is_active()


def _sentry_state_with(extra_env: dict[str, str]) -> Any:
    """Load the settings in a fresh interpreter and report whether the SDK started."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        PYTHONPATH=str(ROOT / "backend"),
        **extra_env,
    )
    script = (
        "import json, django, sentry_sdk; django.setup(); c = sentry_sdk.get_client();"
        "print(json.dumps({'active': c.is_active(),"
        " 'pii': c.options.get('send_default_pii') if c.is_active() else None,"
        " 'integrations': sorted(getattr(c, 'integrations', {}))}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT / "backend",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_a_dsn_the_sdk_is_not_initialised():
    assert _sentry_state_with({})["active"] is False


def test_with_a_dsn_the_settings_start_the_sdk_with_pii_off():
    # Port 9 (discard) on loopback: nothing is sent, since no event is captured.
    state = _sentry_state_with({"SENTRY_DSN": "http://public@127.0.0.1:9/1"})

    assert state["active"] is True
    assert state["pii"] is False
    assert {"django", "celery"} <= set(state["integrations"])
