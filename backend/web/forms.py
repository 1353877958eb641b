"""Form plumbing shared by every page: GOV.UK widgets and fields, and the one mapping
from a service's domain error onto a form.

Forms only parse what the browser sent (types, choices, dates); the services hold the
rules and their messages. `add_service_errors` puts a refused service call back onto
the form, so the page shows the GOV.UK error summary and a message on each field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.datastructures import MultiValueDict

from core.errors import DomainError


class GovukForm(forms.Form):
    """Ids are the field names (GOV.UK style), so the error summary's links land on
    the control, including for errors that belong to the whole form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_service_errors(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: each field error on its field (or at the
    top when the form has no such field), and the message itself when no field is named."""
    if not exc.field_errors:
        form.add_error(None, exc.message)
        return
    for field, messages in exc.field_errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def _option_id(id_: str, index: Any) -> str:
    """`name`, `name-2`, `name-3`: the first option carries the field's id, so the
    error summary's link (to the field's id) focuses the first option."""
    if not id_ or index is None or str(index) == "0":
        return id_
    return f"{id_}-{int(index) + 1}"


class Radios(forms.RadioSelect):
    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return _option_id(id_, index)


class Checkboxes(forms.CheckboxSelectMultiple):
    """The first box carries the field's id, so the error summary's link lands on it."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return _option_id(id_, index)


class DateParts(forms.Widget):
    """The three boxes of the GOV.UK date input: `<name>-day`, `-month`, `-year`."""

    PARTS = ("day", "month", "year")

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> list[str]:
        return [str(data.get(f"{name}-{part}", "") or "").strip() for part in self.PARTS]

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> bool:
        return all(f"{name}-{part}" not in data for part in self.PARTS)


def _date_parts(value: Any) -> list[str]:
    if isinstance(value, date):
        return [str(value.day), str(value.month), str(value.year)]
    if isinstance(value, list | tuple) and len(value) == 3:
        return [str(v or "") for v in value]
    return ["", "", ""]


class DateBoundField(BoundField):
    """A bound date field that knows which of its boxes are wrong, so only those are
    outlined in red and the error summary links to the first of them."""

    @property
    def parts(self) -> list[dict[str, Any]]:
        values = _date_parts(self.value())
        wrong = self.wrong_parts(values)
        base = self.auto_id or self.html_name
        return [
            {
                "name": f"{self.html_name}-{part}",
                "id": f"{base}-{part}",
                "label": part.capitalize(),
                "value": value,
                "error": part in wrong,
                "width": 4 if part == "year" else 2,
            }
            for part, value in zip(DateParts.PARTS, values, strict=True)
        ]

    def wrong_parts(self, values: list[str]) -> set[str]:
        if not self.errors:
            return set()
        named = dict(zip(DateParts.PARTS, values, strict=True))
        missing = {part for part, value in named.items() if not value}
        if missing and len(missing) < 3:
            return missing
        not_numbers = {part for part, value in named.items() if value and not value.isdigit()}
        if not_numbers:
            return not_numbers
        if named["year"] and len(named["year"]) != 4:
            return {"year"}
        return set(DateParts.PARTS)

    @property
    def id_for_label(self) -> str:
        parts = self.parts
        return str(next((p for p in parts if p["error"]), parts[0])["id"])


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK error messages.

    `subject` names the date in messages: "The date fieldwork starts must be a real date"."""

    widget = DateParts

    def __init__(self, *, subject: str, **kwargs: Any) -> None:
        self.subject = subject
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", f"Enter {subject[0].lower()}{subject[1:]}")
        super().__init__(**kwargs)

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        return DateBoundField(form, self, field_name)

    def prepare_value(self, value: Any) -> Any:
        return _date_parts(value) if isinstance(value, date) else value

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        day, month, year = _date_parts(value)
        named = {"day": day, "month": month, "year": year}
        missing = [part for part, text in named.items() if not text]
        if len(missing) == 3:
            return None
        if missing:
            raise ValidationError(
                f"{self.subject} must include a {' and '.join(missing)}", code="incomplete"
            )
        if not all(text.isdigit() for text in named.values()):
            raise ValidationError(f"{self.subject} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid_year")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.subject} must be a real date", code="invalid") from None


def posted(request: Any) -> Any:
    """The submitted data on a POST, else None. Bound on every POST, even one with no
    fields (`request.POST or None` would leave an empty post unbound, so the page
    would show no errors)."""
    return request.POST if request.method == "POST" else None
