"""The budget pages (UX screen 14): years side by side, a year with its chart and table,
entering and changing a year through check your answers, importing a file through its
report, downloading; GOV.UK errors; and the same 404 for Bolton as for a missing year."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from budgets.models import Budget
from tests.budget_factories import add_partners, salford_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(world):
    return add_partners(world)


def form_data(partners, **overrides) -> dict[str, str]:
    data = {
        "year": "2022/23",
        "child_population": "59,000",
        f"contributions.{partners['council'].pk}.cash": "100000",
        f"contributions.{partners['council'].pk}.in_kind": "",
        f"contributions.{partners['icb'].pk}.cash": "£60,000.00",
        f"contributions.{partners['police'].pk}.cash": "13500",
        "other_income.1.description": "DfE grant",
        "other_income.1.amount": "10000",
        "spending.staff": "150000",
        "source_note": "Annual report 2022/23",
    }
    data.update(overrides)
    return data


def test_the_index_takes_a_member_to_their_partnerships_budgets(world, client_for):
    response = client_for(world.salford_member).get("/budgets/")
    assert response.status_code == 302 and response["Location"] == "/budgets/salford/"


def test_someone_with_no_partnership_is_told_whose_budgets_these_are(world, client_for):
    response = client_for(world.analyst).get("/budgets/")
    assert response.status_code == 200
    assert "only a partnership's own members can see them" in response.content.decode()


def test_the_service_navigation_offers_budgets_to_members(world, client_for):
    page = client_for(world.salford_member).get("/budgets/salford/").content.decode()
    assert 'href="/budgets/"' in page and 'aria-current="true">Budgets</a>' in page
    assert 'href="/budgets/"' not in client_for(world.analyst).get("/handbooks/").content.decode()


def test_the_list_sets_the_years_side_by_side(world, partners, client_for):
    salford_budget(world, partners)
    salford_budget(world, partners, year="2021/22", illustrative=True, spending={"staff": "1"})

    page = client_for(world.salford_member).get("/budgets/salford/").content.decode()

    assert "Years side by side" in page
    assert page.index(">2021/22<") < page.index(">2022/23<")
    assert "£210,000.00" in page and "Police share of contributions" in page
    assert "10.0%" in page
    assert "Illustrative" in page and "are illustrative, not published figures" in page
    # A member reads and downloads, but does not add.
    assert "Add a year&#x27;s budget" not in page and "/budgets/salford/export/csv/" in page
    manager = client_for(world.salford_manager).get("/budgets/salford/").content.decode()
    assert "/budgets/salford/add/" in manager and "/budgets/salford/import/" in manager


def test_a_year_shows_its_chart_with_the_table_beside_it(world, partners, client_for):
    budget = salford_budget(world, partners, illustrative=True)

    page = client_for(world.salford_member).get(f"/budgets/year/{budget.pk}/").content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page
    # Text is text: every bar is labelled with its partner and amount.
    assert re.search(r"<text [^>]*>Test Police</text>", page)
    assert re.search(r"<text [^>]*>£20,000.00</text>", page)
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--s">Contributions, 2022/23'
        in page
    )
    assert "60.0%" in page and "£3,559.32 per 1,000 children" in page
    assert "are illustrative, not published figures" in page
    assert "Change the budget" not in page
    lead = client_for(world.salford_lead).get(f"/budgets/year/{budget.pk}/").content.decode()
    assert f"/budgets/year/{budget.pk}/edit/" in lead


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _without_csrf(response) -> str:
    return _CSRF.sub("", response.content.decode())


@pytest.mark.parametrize("who", ["bolton_lead", "bolton_member", "analyst", "staff", "adviser"])
def test_another_partnerships_year_is_the_same_404_as_a_missing_one(
    world, partners, client_for, who
):
    budget = salford_budget(world, partners)
    client = client_for(getattr(world, who))
    for path in ("/budgets/year/{}/", "/budgets/year/{}/edit/"):
        foreign = client.get(path.format(budget.pk))
        missing = client.get(path.format(999999))
        assert foreign.status_code == missing.status_code == 404
        assert _without_csrf(foreign) == _without_csrf(missing)
    for path in ("/budgets/salford/", "/budgets/salford/add/", "/budgets/salford/export/csv/"):
        assert client.get(path).status_code == 404


def test_enter_check_and_save(world, partners, client_for):
    client = client_for(world.salford_manager)

    response = client.post("/budgets/salford/add/", form_data(partners))
    assert response.status_code == 302 and response["Location"] == "/budgets/salford/add/check/"
    assert Budget.objects.count() == 0

    check = client.get("/budgets/salford/add/check/").content.decode()
    assert "Check your answers before saving" in check
    assert "2022/23" in check and "59,000" in check and "£60,000.00 cash" in check
    assert "DfE grant" in check and "Annual report 2022/23" in check
    assert 'href="/budgets/salford/add/#spending.staff"' in check
    assert Budget.objects.count() == 0

    saved = client.post("/budgets/salford/add/check/")
    budget = Budget.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/budgets/year/{budget.pk}/"
    assert budget.child_population == 59000
    page = client.get(saved["Location"]).content.decode()
    assert "The budget for 2022/23 has been saved." in page
    # The answers are gone: the check page starts again.
    assert client.get("/budgets/salford/add/check/")["Location"] == "/budgets/salford/add/"


def test_change_links_bring_back_the_answers(world, partners, client_for):
    client = client_for(world.salford_manager)
    client.post("/budgets/salford/add/", form_data(partners))

    page = client.get("/budgets/salford/add/").content.decode()

    assert 'value="DfE grant"' in page and 'value="£60,000.00"' in page


def test_errors_follow_the_gov_uk_pattern_and_nothing_is_kept(world, partners, client_for):
    client = client_for(world.salford_manager)
    police = f"contributions.{partners['police'].pk}.cash"

    response = client.post(
        "/budgets/salford/add/", form_data(partners, **{police: "-5", "year": "2099/00"})
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Add a year's budget" in page
    assert "There is a problem" in page
    assert f'<a href="#{police}">Cash from Test Police must be 0 or more</a>' in page
    assert '<a href="#year">The financial year must be between 2015/16 and' in page
    assert f'id="{police}-error"' in page
    assert Budget.objects.count() == 0
    assert client.get("/budgets/salford/add/check/")["Location"] == "/budgets/salford/add/"


def test_a_duplicate_year_is_refused_on_the_form(world, partners, client_for):
    salford_budget(world, partners)
    response = client_for(world.salford_manager).post("/budgets/salford/add/", form_data(partners))
    assert response.status_code == 400
    assert "Salford SCP already has a budget for 2022/23" in response.content.decode()
    assert Budget.objects.count() == 1


def test_a_member_is_refused_the_form_with_the_reason(world, partners, client_for):
    response = client_for(world.salford_member).get("/budgets/salford/add/")
    assert response.status_code == 403
    assert "Only the partnership" in response.content.decode()


def test_change_a_year_through_check_answers(world, partners, client_for):
    budget = salford_budget(world, partners)
    client = client_for(world.salford_lead)

    form = client.get(f"/budgets/year/{budget.pk}/edit/").content.decode()
    assert 'value="2022/23"' in form and 'value="DfE grant"' in form

    client.post(f"/budgets/year/{budget.pk}/edit/", form_data(partners, **{"spending.staff": "1"}))
    check = client.get(f"/budgets/year/{budget.pk}/edit/check/").content.decode()
    assert "£1.00" in check
    saved = client.post(f"/budgets/year/{budget.pk}/edit/check/")

    assert saved["Location"] == f"/budgets/year/{budget.pk}/"
    event = AuditEvent.objects.get(action="update", object_type="budgets.Budget")
    assert event.detail["before"]["spending"]["staff"] == "150000.00"
    assert event.detail["after"]["spending"]["staff"] == "1.00"


def _upload(rows, name="budgets.csv", encoding="utf-8") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["year", "line", "code", "amount", "in_kind", "description"])
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


GOOD = [
    ["2021/22", "children", "", "58000", "", ""],
    ["2021/22", "contribution", "test-police", "13000", "", ""],
]


def test_import_shows_the_report_then_imports_on_confirm(world, partners, client_for):
    client = client_for(world.salford_manager)

    response = client.post("/budgets/salford/import/", {"file": _upload(GOOD)})
    assert response["Location"] == "/budgets/salford/import/check/"
    report = client.get("/budgets/salford/import/check/").content.decode()
    assert "Every row of budgets.csv can be imported: budgets for 2021/22." in report
    assert Budget.objects.count() == 0

    done = client.post("/budgets/salford/import/check/")

    assert done["Location"] == "/budgets/salford/"
    assert Budget.objects.get().year == 2021
    assert "Imported the budgets for 2021/22." in client.get("/budgets/salford/").content.decode()


def test_a_file_with_a_bad_row_cannot_be_imported(world, partners, client_for):
    client = client_for(world.salford_manager)
    bad = [*GOOD, ["2021/22", "other_income", "", "5", "", "@SUM(1)"]]

    client.post("/budgets/salford/import/", {"file": _upload(bad)})
    report = client.get("/budgets/salford/import/check/")
    page = report.content.decode()

    assert "<title>Error: Check the file before importing" in page
    assert "Row 4: description begins with @: cells cannot begin with =, +, - or @" in page
    assert "Import 1 year" not in page
    forced = client.post("/budgets/salford/import/check/")
    assert forced.status_code == 400
    assert Budget.objects.count() == 0


def test_an_upload_in_the_wrong_encoding_is_refused_on_the_page(world, partners, client_for):
    rows = [["2021/22", "other_income", "", "5", "", "Café grant"]]
    response = client_for(world.salford_manager).post(
        "/budgets/salford/import/", {"file": _upload(rows, encoding="cp1252")}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The selected file must be a CSV saved as UTF-8" in page
    assert '<a href="#file">' in page


def test_an_upload_of_the_wrong_type_answers_415(world, partners, client_for):
    upload = SimpleUploadedFile("budgets.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client_for(world.salford_manager).post("/budgets/salford/import/", {"file": upload})
    assert response.status_code == 415
    assert "The selected file must be a CSV or XLSX" in response.content.decode()


def test_the_download_is_an_attachment(world, partners, client_for):
    salford_budget(world, partners)
    response = client_for(world.salford_member).get("/budgets/salford/export/xlsx/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="salford-budgets.xlsx"'
    assert response.content.startswith(b"PK")
