"""Forms for the review pages: scope, team and access, timeline.

They parse what the browser sent (ids, choices, dates and times); the rules and
their messages belong to reviews.services, whose refusals the views put back on
these fields with web.forms.add_service_errors. Where a service names a field, the
form has a field of that name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.datastructures import MultiValueDict

from core.dates import LONDON, clock, end_of_day, start_of_day
from handbooks.models import AreaOfFocus
from web.forms import DateParts, GovukDateField, GovukForm, Radios, _option_id

from .models import Phase, Review, ReviewArea, TeamMember

# Blank "add another" rows for local areas of focus: enough without JavaScript.
BLANK_LOCAL_ROWS = 3
MAX_LOCAL_ROWS = 30


class Checkboxes(forms.CheckboxSelectMultiple):
    """The first box carries the field's id, so the error summary's link lands on it."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return _option_id(id_, index)


# --- Scope ---


class ScopeForm(GovukForm):
    """The handbook's areas of focus to include, and local areas (title and key question)
    as numbered rows `local_areas-<n>-title` / `-key_question`, as the service names them."""

    handbook_areas = forms.MultipleChoiceField(
        label="Which of the handbook's areas of focus will the review look at?",
        required=False,
        widget=Checkboxes,
        error_messages={"invalid_choice": "Select areas of focus from the handbook list"},
    )

    def __init__(
        self,
        *args: Any,
        handbook_areas: Sequence[AreaOfFocus],
        agreed: Iterable[ReviewArea] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        agreed = list(agreed)
        field = self.fields["handbook_areas"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(a.pk), a.title) for a in handbook_areas]
        field.initial = [str(a.source_id) for a in agreed if a.source_id]
        local = [a for a in agreed if a.is_local]
        rows = len(local) + BLANK_LOCAL_ROWS
        if self.is_bound:
            rows = max(rows, _posted_rows(self.data))
        self.row_count = min(rows, MAX_LOCAL_ROWS)
        for index in range(self.row_count):
            existing = local[index] if index < len(local) else None
            self.fields[f"local_areas-{index}-title"] = forms.CharField(
                label="Title",
                required=False,
                initial=existing.title if existing else "",
            )
            self.fields[f"local_areas-{index}-key_question"] = forms.CharField(
                label="Key question",
                required=False,
                widget=forms.Textarea,
                initial=existing.key_question if existing else "",
            )

    @property
    def local_rows(self) -> list[tuple[int, BoundField, BoundField]]:
        return [
            (
                index + 1,
                self[f"local_areas-{index}-title"],
                self[f"local_areas-{index}-key_question"],
            )
            for index in range(self.row_count)
        ]

    def local_areas(self) -> list[tuple[str, str]]:
        """Every row in order, blank ones included, so the service's row numbers match."""
        return [
            (
                self.cleaned_data.get(f"local_areas-{index}-title", ""),
                self.cleaned_data.get(f"local_areas-{index}-key_question", ""),
            )
            for index in range(self.row_count)
        ]


_ROW = re.compile(r"^local_areas-(\d{1,3})-(?:title|key_question)$")


def _posted_rows(data: Mapping[str, Any]) -> int:
    indexes = [int(m.group(1)) for key in data if (m := _ROW.match(key))]
    return max(indexes) + 1 if indexes else 0


# --- Team ---


class CandidateField(forms.ChoiceField):
    """Offers the people the lead may add, but passes any id on: the service answers
    with the rule a person breaks (a third partnership's member, say)."""

    def valid_value(self, value: Any) -> bool:
        return True


def team_role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="What is their role in the team?",
        choices=TeamMember.TeamRole.choices,
        widget=Radios,
        error_messages={
            "required": "Select a role in the team",
            "invalid_choice": "Select a role in the team",
        },
    )


def _with_choices(
    form: forms.Form, name: str, empty: str, options: Sequence[tuple[int, str]]
) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [("", empty), *((str(pk), label) for pk, label in options)]


class MemberAddForm(GovukForm):
    user = CandidateField(
        label="Who do you want to add?",
        error_messages={"required": "Select a person to add"},
    )
    team_role = team_role_field()

    def __init__(self, *args: Any, candidates: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_choices(self, "user", "Choose a person", candidates)


class DeclarationForm(GovukForm):
    has_interest = forms.ChoiceField(
        label="Do you have any interests to declare?",
        choices=[("yes", "Yes"), ("no", "No")],
        required=False,
        widget=Radios,
    )
    details = forms.CharField(
        label="Describe the interest",
        required=False,
        widget=forms.Textarea,
    )

    def has_interest_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("has_interest") or "")


class MitigationForm(GovukForm):
    mitigation = forms.CharField(
        label="How is the conflict of interest mitigated?",
        required=False,
        widget=forms.Textarea,
    )


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")
_NAMED_TIMES = {"midnight": time(0, 0), "midday": time(12, 0), "noon": time(12, 0)}


def parse_time(text: str) -> time | None:
    """'9:30am', '9am', '14:30', 'midday', 'midnight'; None when it is none of these."""
    text = text.strip().lower().replace(" ", "")
    if text in _NAMED_TIMES:
        return _NAMED_TIMES[text]
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match.group(2) is None:
        return None  # "14" alone: hours need minutes or am/pm
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class AccessWindowForm(GovukForm):
    """A member's access window: a date and an optional time for each end, in UK time.
    A date without a time means the start (or the end) of that day; all blank means
    the default window. The service names `closes_at` in its refusals."""

    opens_at = GovukDateField(
        label="Access opens on", subject="The date access opens", required=False
    )
    opens_at_time = forms.CharField(label="Time access opens (optional)", required=False)
    closes_at = GovukDateField(
        label="Access closes on", subject="The date access closes", required=False
    )
    closes_at_time = forms.CharField(label="Time access closes (optional)", required=False)

    def __init__(self, *args: Any, member: TeamMember | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if member is not None:
            for name, value in (
                ("opens_at", member.access_opens_at),
                ("closes_at", member.access_closes_at),
            ):
                if value is not None:
                    self.fields[name].initial = value.astimezone(LONDON).date()
                    self.fields[f"{name}_time"].initial = clock(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("opens_at", "closes_at"):
            text = (data.get(f"{name}_time") or "").strip()
            day = data.get(name)
            if text and parse_time(text) is None:
                self.add_error(f"{name}_time", "Enter a time like 9:30am or 14:30")
            elif text and day is None and name not in self.errors:
                which = "opens" if name == "opens_at" else "closes"
                self.add_error(name, f"Enter the date access {which}")
        return data

    def window(self) -> tuple[datetime | None, datetime | None]:
        return (self._moment("opens_at", start_of_day), self._moment("closes_at", end_of_day))

    def _moment(self, name: str, whole_day: Any) -> datetime | None:
        day: date | None = self.cleaned_data.get(name)
        if day is None:
            return None
        at = parse_time(self.cleaned_data.get(f"{name}_time") or "")
        if at is None:
            return whole_day(day)  # type: ignore[no-any-return]
        if name == "closes_at" and at.minute == 59:
            at = at.replace(second=59)  # "11:59pm" is the end of that minute
        return datetime.combine(day, at, tzinfo=LONDON)


# --- Timeline ---

SIDES = ("starts", "ends")

# How a phase is named in a sentence about its dates.
_PHASE_NOUNS = {
    Phase.Kind.MOBILISATION: "mobilisation",
    Phase.Kind.FIELDWORK: "fieldwork",
    Phase.Kind.MODERATION: "moderation",
    Phase.Kind.REPORT_BACK: "report-back",
}


class PhaseDatesWidget(forms.Widget):
    """A phase's start and end as two GOV.UK date inputs: `<kind>-starts-day` and so on."""

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> dict[str, list[str]]:
        return {
            side: DateParts().value_from_datadict(data, files, f"{name}-{side}") for side in SIDES
        }

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> bool:
        return all(
            DateParts().value_omitted_from_data(data, files, f"{name}-{side}") for side in SIDES
        )


def _parts(value: Any) -> list[str]:
    if isinstance(value, date):
        return [str(value.day), str(value.month), str(value.year)]
    if isinstance(value, list | tuple) and len(value) == 3:
        return [str(v or "") for v in value]
    return ["", "", ""]


def _wrong_parts(values: list[str]) -> set[str]:
    """Which boxes of a date that does not parse to outline, as web.forms does."""
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


class PhaseDatesBoundField(BoundField):
    field: PhaseDatesField

    def _values(self) -> dict[str, list[str]]:
        value = self.value()
        if isinstance(value, dict):
            return {side: _parts(value.get(side)) for side in SIDES}
        if isinstance(value, tuple) and len(value) == 2:
            return {side: _parts(day) for side, day in zip(SIDES, value, strict=True)}
        return {side: ["", "", ""] for side in SIDES}

    @property
    def dates(self) -> list[dict[str, Any]]:
        """Each side's boxes; when the phase has an error, the wrong boxes are marked
        (a date that does not parse), or both dates when the dates themselves clash."""
        values = self._values()
        broken = {side: self.field.sides[side].parse_error(values[side]) for side in SIDES}
        any_broken = any(broken.values())
        base = self.auto_id or self.html_name
        result = []
        for side in SIDES:
            if not self.errors:
                wrong: set[str] = set()
            elif broken[side]:
                wrong = _wrong_parts(values[side])
            else:
                wrong = set() if any_broken else set(DateParts.PARTS)
            result.append(
                {
                    "side": side,
                    "legend": f"{self.label} {side}",
                    "id": f"{base}-{side}",
                    "parts": [
                        {
                            "name": f"{self.html_name}-{side}-{part}",
                            "id": f"{base}-{side}-{part}",
                            "label": part.capitalize(),
                            "value": value,
                            "error": part in wrong,
                            "width": 4 if part == "year" else 2,
                        }
                        for part, value in zip(DateParts.PARTS, values[side], strict=True)
                    ],
                }
            )
        return result

    @property
    def id_for_label(self) -> str:
        parts = [part for d in self.dates for part in d["parts"]]
        return str(next((p for p in parts if p["error"]), parts[0])["id"])


class _SideField(GovukDateField):
    def parse_error(self, values: list[str]) -> bool:
        try:
            self.clean(values)
        except ValidationError:
            return True
        return False


class PhaseDatesField(forms.Field):
    """One question per phase: when it starts and ends. The service's refusals name
    the phase (`fieldwork`), so they land here."""

    widget = PhaseDatesWidget

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        noun = _PHASE_NOUNS.get(Phase.Kind(kind), kind)
        self.sides = {
            side: _SideField(subject=f"The date {noun} {side}", label="") for side in SIDES
        }

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        return PhaseDatesBoundField(form, self, field_name)

    def clean(self, value: Any) -> tuple[date, date]:
        value = value if isinstance(value, dict) else {}
        errors: list[str] = []
        dates: dict[str, date] = {}
        for side, field in self.sides.items():
            try:
                dates[side] = field.clean(value.get(side, ["", "", ""]))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return dates["starts"], dates["ends"]


class RescheduleForm(GovukForm):
    reason = forms.CharField(
        label="Why are the dates changing?",
        required=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields.pop("reason")
        self.kinds = []
        for phase in review.phases.all():
            self.fields[phase.kind] = PhaseDatesField(
                kind=phase.kind,
                label=phase.get_kind_display(),
                initial=(phase.starts_on, phase.ends_on),
            )
            self.kinds.append(phase.kind)
        self.fields["reason"] = reason  # after the dates, as on the page

    @property
    def phase_fields(self) -> list[BoundField]:
        return [self[kind] for kind in self.kinds]

    def new_dates(self) -> dict[str, tuple[date | None, date | None]]:
        return {kind: self.cleaned_data[kind] for kind in self.kinds}


class InvitationForm(GovukForm):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={
            "required": "Enter their full name",
            "max_length": "Full name must be 150 characters or fewer",
        },
    )
    email = forms.CharField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter their email address"},
    )
    organisation = forms.ChoiceField(
        label="Organisation they work for",
        required=False,
        help_text="Used to flag a conflict of interest with the reviewed partnership's partners.",
        error_messages={"invalid_choice": "Select their organisation from the list"},
    )
    team_role = team_role_field()

    def __init__(self, *args: Any, organisations: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_choices(self, "organisation", "Not listed", organisations)


class AcceptInvitationForm(GovukForm):
    password = forms.CharField(
        label="Create a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text="At least 12 characters. Avoid common words and your name.",
        error_messages={"required": "Enter a password"},
    )
    password_again = forms.CharField(
        label="Confirm your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        error_messages={"required": "Enter your password again"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") not in (None, data["password"]):
            self.add_error("password_again", "The passwords do not match")
        return data
