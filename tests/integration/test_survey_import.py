"""Importing responses from another survey tool (CSV or XLSX): upload, map columns,
row-by-row report, confirm. Every bad file or row is a clear error and nothing is
written."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core.errors import PermissionDenied, ValidationFailed
from surveys import services
from surveys.imports import MAX_BYTES, read_table
from surveys.models import Answer, Response
from tenancy.access import actor_for
from tests.survey_factories import open_survey

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "sector,role_level,collaboration_vision,felt_supported,what_would_help\n"
    "Health,Manager or supervisor,Effective,Agree,More time\n"
    "police,frontline,very_effective,Strongly disagree,\n"
)


def _import(world, survey, content: bytes, name: str = "export.csv", mapping=None) -> int:
    table = read_table(name, io.BytesIO(content), len(content))
    from surveys.imports import default_mapping

    questions = list(survey.questions.select_related("bank_question"))
    return services.responses_import(
        actor=actor_for(world.salford_lead),
        survey_id=survey.pk,
        header=table.header,
        rows=table.rows,
        mapping=mapping or default_mapping(table.header, questions),
    )


def _refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        call()
    assert not Response.objects.exists() and not Answer.objects.exists()
    return refused.value.field_errors


def test_a_good_csv_imports_every_row(world):
    survey = open_survey(world)
    assert _import(world, survey, GOOD_CSV.encode()) == 2
    assert sorted(Response.objects.values_list("sector", "role_level", "source")) == [
        ("health", "manager", "import"),
        ("police", "frontline", "import"),
    ]
    assert sorted(Answer.objects.exclude(choice="").values_list("choice", flat=True)) == [
        "agree",
        "effective",
        "strongly_disagree",
        "very_effective",
    ]


def test_a_good_xlsx_imports_too(world):
    survey = open_survey(world)
    workbook = Workbook()
    sheet = workbook.active
    for line in GOOD_CSV.strip().split("\n"):
        sheet.append(line.split(","))
    out = io.BytesIO()
    workbook.save(out)
    assert _import(world, survey, out.getvalue(), "export.xlsx") == 2


def test_a_missing_column_is_named(world):
    survey = open_survey(world)
    content = b"sector,role_level,collaboration_vision\nHealth,Manager,Effective\n"
    errors = _refusal(lambda: _import(world, survey, content))
    assert errors == {
        "columns": [
            "The file has no column for question ‘felt_supported’",
            "The file has no column for question ‘what_would_help’",
        ]
    }


def test_an_unknown_question_code_is_named(world):
    survey = open_survey(world)
    content = GOOD_CSV.replace("what_would_help", "q99_unknown").encode()
    errors = _refusal(
        lambda: _import(
            world,
            survey,
            content,
            mapping={
                "sector": "sector",
                "role_level": "role_level",
                "collaboration_vision": "collaboration_vision",
                "felt_supported": "felt_supported",
                "q99_unknown": "q99_unknown",
            },
        )
    )
    assert (
        "‘q99_unknown’ (column ‘q99_unknown’) is not a question code of this survey"
        in errors["columns"]
    )
    # Unmapped, the column is named too.
    errors = _refusal(lambda: _import(world, survey, content))
    assert (
        "Column ‘q99_unknown’ is not a question code of this survey: map it or ignore it"
        in errors["columns"]
    )


def test_a_bad_row_refuses_the_whole_file_and_names_the_row(world):
    survey = open_survey(world)
    content = (
        GOOD_CSV + "Health,Manager,Superb,Agree,\nPirates,Manager,Effective,Agree,\n"
    ).encode()
    errors = _refusal(lambda: _import(world, survey, content))
    assert errors["row 4"] == [
        "‘Superb’ is not an answer to ‘collaboration_vision’: use one of Very effective, "
        "Effective, Neither effective nor ineffective, Ineffective, Very ineffective"
    ]
    assert errors["row 5"][0].startswith("‘Pirates’ is not a sector")
    assert "row 2" not in errors and "row 3" not in errors


@pytest.mark.parametrize("formula", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_a_formula_in_a_cell_is_refused(world, formula):
    survey = open_survey(world)
    content = (GOOD_CSV + f"Health,Manager,Effective,Agree,{formula}\n").encode()
    errors = _refusal(lambda: _import(world, survey, content))
    assert errors == {
        "row 4": [
            f"‘what_would_help’ starts with ‘{formula[0]}’, which a spreadsheet would run as a "
            "formula: remove it"
        ]
    }


def test_a_formula_in_an_xlsx_cell_is_refused(world):
    survey = open_survey(world)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["sector", "role_level", "collaboration_vision", "felt_supported", "what_would_help"]
    )
    sheet.append(["Health", "Manager", "Effective", "Agree", '=HYPERLINK("http://x")'])
    out = io.BytesIO()
    workbook.save(out)
    errors = _refusal(lambda: _import(world, survey, out.getvalue(), "export.xlsx"))
    assert list(errors) == ["row 2"]


def test_the_wrong_encoding_is_refused(world):
    content = GOOD_CSV.replace("More time", "Café liaison").encode("cp1252")
    with pytest.raises(ValidationFailed) as refused:
        read_table("export.csv", io.BytesIO(content), len(content))
    assert refused.value.field_errors == {
        "file": ["The selected file must be saved as UTF-8 (in Excel, save as ‘CSV UTF-8’)"]
    }


def test_a_file_over_the_size_limit_is_refused(world):
    content = b"x" * (MAX_BYTES + 1)
    with pytest.raises(ValidationFailed) as refused:
        read_table("export.csv", io.BytesIO(content), len(content))
    assert refused.value.field_errors == {"file": ["The selected file must be smaller than 2MB"]}


def test_other_files_are_refused(world):
    for name, content, message in (
        ("export.pdf", b"%PDF-1.4", "The selected file must be a CSV or XLSX"),
        ("export.xlsx", b"not a zip", "The selected file is not an XLSX workbook"),
        ("export.csv", b"", "The selected file is empty"),
        (
            "export.csv",
            b"sector,role_level\n",
            "The selected file has no responses under its header row",
        ),
    ):
        with pytest.raises(ValidationFailed) as refused:
            read_table(name, io.BytesIO(content), len(content))
        assert refused.value.field_errors == {"file": [message]}, name


def test_only_the_partnerships_managers_import(world):
    survey = open_survey(world)
    table = read_table("e.csv", io.BytesIO(GOOD_CSV.encode()), len(GOOD_CSV))
    with pytest.raises(PermissionDenied):
        services.responses_import(
            actor=actor_for(world.salford_member),
            survey_id=survey.pk,
            header=table.header,
            rows=table.rows,
            mapping={},
        )


def test_the_pages_upload_map_report_and_confirm(world, client_for):
    survey = open_survey(world)
    client = client_for(world.salford_manager)
    bad = GOOD_CSV + "Health,Manager,Superb,Agree,\n"
    upload = client.post(
        reverse("surveys:import", args=[survey.pk]),
        {"file": SimpleUploadedFile("export.csv", bad.encode(), "text/csv")},
    )
    assert upload.status_code == 302
    columns = client.get(upload["Location"])
    assert columns.status_code == 200
    posted = {f"column-{i}": name for i, name in enumerate(GOOD_CSV.split("\n")[0].split(","))}
    check = client.post(reverse("surveys:import-columns", args=[survey.pk]), posted)
    assert check.status_code == 302
    report = client.get(check["Location"])
    assert report.status_code == 400
    body = report.content.decode()
    assert "Row 4" in body and "‘Superb’ is not an answer" in body
    assert client.post(check["Location"]).status_code == 400
    assert not Response.objects.exists()

    # A corrected file goes through.
    client.post(
        reverse("surveys:import", args=[survey.pk]),
        {"file": SimpleUploadedFile("export.csv", GOOD_CSV.encode(), "text/csv")},
    )
    client.post(reverse("surveys:import-columns", args=[survey.pk]), posted)
    done = client.post(reverse("surveys:import-check", args=[survey.pk]))
    assert done.status_code == 200 and "2 responses imported" in done.content.decode()
    assert Response.objects.filter(survey=survey).count() == 2


def test_the_upload_page_shows_file_errors(world, client_for):
    survey = open_survey(world)
    page = client_for(world.salford_manager).post(
        reverse("surveys:import", args=[survey.pk]),
        {"file": SimpleUploadedFile("export.csv", "é".encode("latin-1"), "text/csv")},
    )
    assert page.status_code == 400
    assert "must be saved as UTF-8" in page.content.decode()


def test_the_api_imports_all_or_nothing(world, client_for):
    survey = open_survey(world)
    client = client_for(world.salford_lead)
    url = reverse("surveys-api:survey-import", args=[survey.pk])
    bad = client.post(url, {"file": SimpleUploadedFile("e.csv", (GOOD_CSV + "x,y,z,,\n").encode())})
    assert bad.status_code == 400
    assert "row 4" in bad.json()["errors"]
    assert not Response.objects.exists()
    good = client.post(url, {"file": SimpleUploadedFile("e.csv", GOOD_CSV.encode())})
    assert good.status_code == 201 and good.json() == {"imported": 2}
