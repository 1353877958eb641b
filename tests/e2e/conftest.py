"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live
server, with axe-core checking every page against WCAG 2.2 AA.

Chromium is never downloaded: the tests use the `chromium` on the PATH (tests/conftest.py
skips them without it, or fails them when REQUIRE_BROWSER=1). axe-core comes from the
front-end build (frontend/build.mjs copies it to static_build/vendor/axe.min.js).

Playwright's sync API keeps an asyncio loop running in the test thread, so Django's
guard against database calls from async code must be lifted for as long as the browser
is open (DJANGO_ALLOW_ASYNC_UNSAFE); the live server's own thread has no loop."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "backend" / "web" / "static_build" / "vendor" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# GOV.UK Frontend's focus colour (govuk-colour("yellow")), as getComputedStyle gives it.
GOVUK_FOCUS_YELLOW = "rgb(255, 221, 0)"
TIMEOUT_MS = 15_000


# --- axe ----------------------------------------------------------------------------------


@dataclass
class AxeLedger:
    """Every page axe checked in this session, for the one-line summary at the end."""

    pages: list[str] = field(default_factory=list)
    violations: int = 0


AXE = AxeLedger()


def axe_check(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now, with the WCAG 2.2 AA rules; the violations.

    The page's context must be opened with bypass_csp (the `browsing` fixture does), as
    the script is injected inline and the service's CSP allows only its own files."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run the front-end build (make assets)"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """(tags) => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        WCAG_22_AA,
    )
    violations: list[dict[str, Any]] = result["violations"]
    AXE.pages.append(page.url)
    AXE.violations += len(violations)
    return violations


def describe_violations(name: str, url: str, violations: list[dict[str, Any]]) -> str:
    """One page's violations, readable in a failure message: rule, impact, help, targets."""
    lines = [f"{name} ({url}): {len(violations)} violation(s)"]
    for violation in violations:
        lines.append(
            f"  - {violation['id']} [{violation.get('impact')}]: {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"      at {node['target']}: {node.get('failureSummary', '')}")
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if AXE.pages:
        terminalreporter.write_line(f"axe: {AXE.violations} violations on {len(AXE.pages)} pages")


# --- the browser --------------------------------------------------------------------------


ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


class Chromium:
    """One headless Chromium for the session's browser tests.

    It starts with the first browser test and stops as soon as the browser tests are
    over (pytest-django runs them together, with the other live-server tests), not at
    the end of the session: Playwright's running event loop, and the lifted async guard
    with it, must not reach the tests that follow (a subprocess would inherit it)."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._previous_guard: str | None = None

    def get(self) -> Browser:
        if self._browser is None:
            executable = shutil.which("chromium")
            if executable is None:  # tests/conftest.py skips (or fails) such tests first
                pytest.fail("Chromium is not installed (apt-get install chromium)")
            self._previous_guard = os.environ.get(ASYNC_UNSAFE)
            os.environ[ASYNC_UNSAFE] = "true"
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                args=["--no-sandbox"] if os.geteuid() == 0 else [],
            )
        return self._browser

    def stop(self) -> None:
        if self._playwright is None:
            return
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            self._playwright.stop()
            self._playwright = self._browser = None
            if self._previous_guard is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = self._previous_guard


CHROMIUM = Chromium()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    yield CHROMIUM
    CHROMIUM.stop()


@pytest.fixture
def browser(chromium: Chromium) -> Browser:
    return chromium.get()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the last browser test in a row (its windows closed), stop Chromium."""
    result = yield
    if nextitem is None or nextitem.get_closest_marker("browser") is None:
        CHROMIUM.stop()
    return result


@dataclass
class Browsing:
    """Opens browser windows on the live server, each with its own cookies (so one test
    can have several people signed in), and notes script errors and missing assets."""

    browser: Browser
    base_url: str
    contexts: list[BrowserContext] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def new_page(self, *, enforce_csp: bool = False) -> Page:
        """A fresh window. With enforce_csp the service's CSP applies as in production
        (axe cannot be injected then); otherwise it is bypassed for axe's inline script."""
        context = self.browser.new_context(
            base_url=self.base_url,
            bypass_csp=not enforce_csp,
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self._note_console)
        page.on("response", self._note_response)
        return page

    def _note_console(self, message: ConsoleMessage) -> None:
        # An error page's own status is reported as "Failed to load resource": not a fault.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text}")

    def _note_response(self, response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.problems.append(f"{response.status} for {response.url}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser: Browser, live_server: Any) -> Iterator[Browsing]:
    """Windows on the live server; the test fails if any page had a script error, a
    console error (a CSP refusal, say) or a static file that did not load."""
    session = Browsing(browser, live_server.url)
    yield session
    session.close()
    assert not session.problems, "\n".join(session.problems)


@pytest.fixture
def page(browsing: Browsing) -> Page:
    return browsing.new_page()


# --- people and data ----------------------------------------------------------------------


@pytest.fixture
def demo_world(live_server: Any, settings: Any) -> None:
    """The demo data (`manage.py seed_demo`): the Greater Manchester alliance, its ten
    partnerships, the demo sign-ins and the demo reviews.

    The reference handbook comes from a data migration; a transactional test before this
    one (the live server needs real commits) may have flushed it, so it is loaded again."""
    from tests.reference_data import reload_reference_data

    settings.DEMO_MODE = True
    reload_reference_data()
    call_command("seed_demo", stdout=io.StringIO())


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the real form, and land on Your reviews."""
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Your reviews")).to_be_visible()


def focused_style(page: Page) -> dict[str, str]:
    """What the focused element is and how it is drawn."""
    style: dict[str, str] = page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                text: (el.innerText || el.value || "").trim(),
                label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : "",
                className: String(el.className),
                backgroundColor: s.backgroundColor,
                outlineColor: s.outlineColor,
                outlineStyle: s.outlineStyle,
                borderColor: s.borderTopColor,
            };
        }"""
    )
    return style


def focus_is_visible(style: dict[str, str]) -> bool:
    """GOV.UK's focus state: a yellow background (links, buttons) or a yellow outline
    (form controls)."""
    return style["backgroundColor"] == GOVUK_FOCUS_YELLOW or (
        style["outlineStyle"] != "none" and style["outlineColor"] == GOVUK_FOCUS_YELLOW
    )
