"""GraphiQL (issue 11 item 7): served from our own static files under the service's
own CSP, so it works on a closed network; before, it loaded React and GraphiQL from a
CDN and showed a blank page wherever the CDN could not be reached."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Request, expect

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import Browsing, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_graphiql_runs_a_query_with_nothing_from_another_host(
    browsing: Browsing, live_server: Any, settings: Any
) -> None:
    settings.GRAPHQL_GRAPHIQL = True
    make_user("analyst@graphiql.test")
    page = browsing.new_page(enforce_csp=True)
    elsewhere: list[str] = []
    own_host = urlparse(live_server.url).netloc

    def note(request: Request) -> None:
        if urlparse(request.url).netloc not in ("", own_host):
            elsewhere.append(request.url)

    page.on("request", note)
    sign_in(page, "analyst@graphiql.test", PASSWORD)
    page.goto("/graphql/", wait_until="load")
    expect(page.locator(".graphiql-container")).to_be_visible()
    editor = page.locator(".graphiql-query-editor .CodeMirror").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("{ __typename")
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    expect(page.locator(".graphiql-response")).to_contain_text('"__typename": "Query"')
    assert elsewhere == []
