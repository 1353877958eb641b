"""Checking what a person typed about a piece of evidence, kind by kind.

One function, `clean`, answers for adding and for changing an item, so the two
can never disagree. It returns the model field values to save, or raises
ValidationFailed with a GOV.UK-style message on every field that is wrong; the
caller has written nothing by then.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from core.errors import ValidationFailed

from ..models import EvidenceItem

Kind = EvidenceItem.Kind

TITLE_MAX = 200
SHORT_MAX = 200
LONG_MAX = 20_000

# The fields each kind keeps; the others are saved blank, so a value typed into a
# field of another kind (a form with conditional sections) is never stored.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.DOCUMENT: (),
    Kind.MEETING: ("meeting_name", "meeting_date", "working_well", "not_working_well"),
    Kind.INTERVIEW: (
        "interviewee_role",
        "interviewee_name",
        "name_consented",
        "interviewed_by",
        "notes",
    ),
    Kind.DATA: (),
    Kind.OTHER: (),
}
ALL_KIND_FIELDS: tuple[str, ...] = (
    "meeting_name",
    "meeting_date",
    "working_well",
    "not_working_well",
    "interviewee_role",
    "interviewee_name",
    "name_consented",
    "interviewed_by",
    "notes",
)
BLANK: dict[str, Any] = {
    name: (None if name == "meeting_date" else False if name == "name_consented" else "")
    for name in ALL_KIND_FIELDS
}
# Kinds that carry an uploaded file (required for a document, optional for data).
FILE_KINDS = frozenset({Kind.DOCUMENT, Kind.DATA})

_LABELS = {
    "title": "Title",
    "description": "Description",
    "meeting_name": "Meeting name",
    "working_well": "What is working well",
    "not_working_well": "What is not working so well",
    "interviewee_role": "Interviewee's role",
    "interviewee_name": "Interviewee's name",
    "notes": "Notes",
}


def check_names(kind_fields: Mapping[str, Any]) -> None:
    """A field name no kind knows is a programming error, not a user's mistake."""
    unknown = sorted(set(kind_fields) - set(ALL_KIND_FIELDS))
    if unknown:
        raise TypeError(f"Unknown evidence field(s): {', '.join(unknown)}")


def _text(
    values: Mapping[str, Any],
    name: str,
    errors: dict[str, list[str]],
    *,
    max_length: int,
    required: str | None = None,
) -> str:
    raw = values.get(name)
    text = "" if raw is None else str(raw).strip()
    label = _LABELS[name]
    if "\x00" in text:
        # PostgreSQL cannot store a NUL byte; say so rather than fail on save.
        errors[name] = [f"{label} must not contain a null character"]
    elif not text and required:
        errors[name] = [required]
    elif len(text) > max_length:
        errors[name] = [f"{label} must be {max_length:,} characters or fewer"]
    return text


def _meeting_date(value: Any, errors: dict[str, list[str]]) -> date | None:
    if value in (None, ""):
        errors["meeting_date"] = ["Enter the date of the meeting"]
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        errors["meeting_date"] = ["Date of the meeting must be a real date"]
        return None
    if value > timezone.localdate():
        errors["meeting_date"] = ["Date of the meeting must be today or in the past"]
        return None
    return value


def clean(
    *,
    kind: str,
    values: Mapping[str, Any],
    has_file: bool,
    allowed_kinds: frozenset[str] | None = None,
    kind_message: str = "Select the kind of evidence",
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(model field values, field errors) for an item of `kind`.

    `values` holds title, description, sensitivity and the kind's own fields;
    `has_file` says whether a file comes with it (checked separately, by uploads).
    The caller raises when errors is not empty, after adding its own."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = dict(BLANK)
    kinds = allowed_kinds if allowed_kinds is not None else frozenset(Kind.values)
    if kind not in kinds:
        errors["kind"] = [kind_message]
        kind = ""  # nothing more to say about a kind that is not allowed here
    cleaned["title"] = _text(
        values, "title", errors, max_length=TITLE_MAX, required="Enter a title"
    )
    cleaned["description"] = _text(values, "description", errors, max_length=LONG_MAX)
    sensitivity = values.get("sensitivity") or ""
    if sensitivity not in EvidenceItem.Sensitivity.values:
        errors["sensitivity"] = ["Select how sensitive the evidence is"]
    cleaned["sensitivity"] = sensitivity

    if kind == Kind.DOCUMENT and not has_file:
        errors["file"] = ["Select a file to upload"]
    elif kind and kind not in FILE_KINDS and has_file:
        errors["file"] = ["Only a document or data can have a file"]
    if (
        kind == Kind.DATA
        and not has_file
        and not cleaned["description"]
        and ("description" not in errors)
    ):
        errors["description"] = ["Enter a description of the data, or upload a file"]

    if kind == Kind.MEETING:
        cleaned["meeting_name"] = _text(
            values,
            "meeting_name",
            errors,
            max_length=SHORT_MAX,
            required="Enter the name of the meeting",
        )
        cleaned["meeting_date"] = _meeting_date(values.get("meeting_date"), errors)
        cleaned["working_well"] = _text(values, "working_well", errors, max_length=LONG_MAX)
        cleaned["not_working_well"] = _text(values, "not_working_well", errors, max_length=LONG_MAX)
        if (
            not cleaned["working_well"]
            and not cleaned["not_working_well"]
            and not ({"working_well", "not_working_well"} & set(errors))
        ):
            errors["working_well"] = ["Enter what is working well, or what is not working so well"]
    elif kind == Kind.INTERVIEW:
        cleaned["interviewee_role"] = _text(
            values,
            "interviewee_role",
            errors,
            max_length=SHORT_MAX,
            required="Enter the interviewee's role",
        )
        consented = values.get("name_consented") is True
        name = _text(values, "interviewee_name", errors, max_length=SHORT_MAX)
        if "interviewee_name" not in errors:
            if name and not consented:
                errors["interviewee_name"] = [
                    "Only record the interviewee's name if they consented to being named"
                ]
            elif consented and not name:
                errors["interviewee_name"] = ["Enter the interviewee's name"]
        cleaned["name_consented"] = consented
        cleaned["interviewee_name"] = name if consented else ""
        interviewed_by = values.get("interviewed_by") or ""
        if interviewed_by not in EvidenceItem.InterviewedBy.values:
            errors["interviewed_by"] = ["Select who carried out the interview"]
        cleaned["interviewed_by"] = interviewed_by
        cleaned["notes"] = _text(values, "notes", errors, max_length=LONG_MAX)
    return cleaned, errors


def fail(message: str, errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(message, field_errors=errors)
