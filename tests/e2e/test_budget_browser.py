"""Budgets in Chromium (UX screen 14): Salford's lead opens Budgets from the service
navigation, reads the years side by side and a year's chart and table (labelled
illustrative), enters a year with a mistake (the GOV.UK error summary takes the focus),
corrects it, checks the answers and saves; then sends a file with a formula cell and
reads the report. axe checks every page on the way: 0 violations."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tenancy.demo import DEMO_PASSWORD
from tests.e2e.conftest import axe_check, describe_violations, sign_in

pytestmark = pytest.mark.browser


def test_budget_pages_work_and_pass_axe(demo_world: None, browsing, tmp_path: Path) -> None:
    page = browsing.new_page()
    failures: list[str] = []

    def audit(name: str) -> None:
        violations = axe_check(page)
        if violations:
            failures.append(describe_violations(name, page.url, violations))

    sign_in(page, "lead@salford.demo", DEMO_PASSWORD)
    page.get_by_role("link", name="Budgets", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Salford Safeguarding Children Partnership budgets"
    )
    expect(page.get_by_text("are illustrative, not published figures")).to_be_visible()
    audit("budgets: years side by side")

    page.get_by_role("link", name="2022/23").first.click()
    expect(page.locator("svg[role=img] text", has_text="Greater Manchester Police")).to_be_visible()
    expect(page.get_by_role("cell", name="£13,500.00").first).to_be_visible()
    audit("budgets: a year with its chart and table")

    page.goto("/budgets/salford/")
    page.get_by_role("link", name="Add a year's budget").click()
    page.get_by_label("Financial year").fill("2024/25")
    page.get_by_label("Number of children aged 0 to 17").fill("59000")
    page.get_by_label("Staff").fill("-5")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Spending on staff must be 0 or more")).to_be_visible()
    expect(page).to_have_title("Error: Add a year's budget – Partnership peer review exchange")
    audit("budgets: add, with errors")

    page.get_by_label("Staff").fill("45000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before saving")
    audit("budgets: check your answers")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The budget for 2024/25 has been saved.")).to_be_visible()

    bad = tmp_path / "budgets.csv"
    bad.write_text(
        "year,line,code,amount,in_kind,description\n"
        "2025/26,children,,59000,,\n"
        '2025/26,other_income,,10,,=HYPERLINK("http://x")\n',
        encoding="utf-8",
    )
    page.goto("/budgets/salford/import/")
    audit("budgets: import")
    page.get_by_label("Upload a file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("description begins with =").first).to_be_visible()
    expect(page.get_by_role("button", name="Import 1 year")).to_have_count(0)
    audit("budgets: import report with a refused row")

    assert not failures, "axe found violations:\n\n" + "\n\n".join(failures)
