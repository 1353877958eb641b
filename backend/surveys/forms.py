"""The survey pages' forms: they parse what the browser sent; the services decide."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms

from core.dates import LONDON
from web.forms import Checkboxes, GovukDateField, GovukForm, Radios

from .imports import IGNORE, ROLE_LEVEL, SECTOR
from .models import BankQuestion, SurveyQuestion
from .scales import SCALES, RoleLevel, Scale, Sector

# A local question may use any scale; the bank's questions keep their own.
LOCAL_SCALES = [("", "No local question"), *Scale.choices]


def start_of(day: date) -> datetime:
    """Midnight at the start of `day` in London (a survey opens then)."""
    return datetime.combine(day, time.min, tzinfo=LONDON)


def end_of(day: date) -> datetime:
    """Midnight at the end of `day` in London (a survey closing on a day takes
    answers all that day)."""
    return start_of(day + timedelta(days=1))


class SurveyForm(GovukForm):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title for the survey"}
    )
    opens_on = GovukDateField(label="Opens on", subject="The date the survey opens")
    closes_on = GovukDateField(label="Closes on", subject="The date the survey closes")
    bank_codes = forms.MultipleChoiceField(
        label="Questions from the bank", required=False, widget=Checkboxes
    )
    local_question = forms.CharField(
        label="A local question (optional)", required=False, max_length=300
    )
    local_scale = forms.ChoiceField(
        label="Answer scale for the local question",
        choices=LOCAL_SCALES,
        required=False,
        widget=Radios,
    )
    review = forms.ChoiceField(label="Review (optional)", required=False)
    previous = forms.ChoiceField(label="Compare with an earlier survey (optional)", required=False)

    def __init__(
        self,
        *args: Any,
        bank: Sequence[BankQuestion],
        reviews: Sequence[tuple[str, str]],
        previous: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["bank_codes"]).choices = [
            (
                q.code,
                f"{q.text} ({SCALES[q.scale].positive_label or 'free text'}; {q.area_of_focus})",
            )
            for q in bank
        ]
        cast(forms.ChoiceField, self.fields["review"]).choices = [
            ("", "Not part of a review"),
            *reviews,
        ]
        cast(forms.ChoiceField, self.fields["previous"]).choices = [
            ("", "No earlier survey"),
            *previous,
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("local_question", "").strip() and not data.get("local_scale"):
            self.add_error("local_scale", "Choose an answer scale for the local question")
        return data


class InvitationsForm(GovukForm):
    count = forms.IntegerField(
        label="How many invitation links?",
        min_value=1,
        max_value=500,
        error_messages={
            "required": "Enter how many invitation links to create",
            "invalid": "Enter a whole number of invitation links",
            "min_value": "Enter a number of invitations between 1 and 500",
            "max_value": "Enter a number of invitations between 1 and 500",
        },
    )
    days = forms.IntegerField(
        label="Days each link works",
        min_value=1,
        max_value=90,
        initial=14,
        error_messages={
            "required": "Enter how many days each link works",
            "invalid": "Enter a whole number of days",
            "min_value": "Enter a number of days between 1 and 90",
            "max_value": "Enter a number of days between 1 and 90",
        },
    )


class BaselineForm(GovukForm):
    label = forms.CharField(
        label="Name of the survey compared with",
        max_length=200,
        error_messages={"required": "Enter the name of the survey"},
    )
    respondents = forms.IntegerField(
        label="How many people responded",
        min_value=1,
        error_messages={
            "required": "Enter how many people responded",
            "invalid": "Enter a whole number",
            "min_value": "Enter how many people responded, as a whole number above 0",
        },
    )

    def __init__(self, *args: Any, questions: Sequence[SurveyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [q.code for q in questions if q.code and q.scale != Scale.FREE_TEXT]
        for question in questions:
            if not question.code or question.scale == Scale.FREE_TEXT:
                continue
            for part, label in (("answered", "answered"), ("positive", "answered positively")):
                self.fields[f"{question.code}-{part}"] = forms.IntegerField(
                    label=f"{question.wording} – how many {label}",
                    required=False,
                    min_value=0,
                    error_messages={"invalid": "Enter a whole number"},
                )

    def counts(self) -> dict[str, tuple[object, object]]:
        data = self.cleaned_data
        return {
            code: (data.get(f"{code}-answered"), data.get(f"{code}-positive"))
            for code in self.codes
            if data.get(f"{code}-answered") is not None or data.get(f"{code}-positive") is not None
        }


class UploadForm(GovukForm):
    file = forms.FileField(
        label="Upload a file",
        error_messages={
            "required": "Select a CSV or XLSX file",
            "empty": "The selected file is empty",
        },
    )


class ColumnsForm(GovukForm):
    """One select per column of the file: which question (or sector, role level) it holds."""

    def __init__(
        self,
        *args: Any,
        header: Sequence[str],
        targets: Sequence[tuple[str, str]],
        initial_map: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (IGNORE, "Ignore this column"),
            (SECTOR, "Sector"),
            (ROLE_LEVEL, "Role level"),
            *targets,
        ]
        self.columns = list(header)
        for index, column in enumerate(header):
            self.fields[f"column-{index}"] = forms.ChoiceField(
                label=f"Column ‘{column}’",
                choices=choices,
                initial=initial_map.get(column, IGNORE),
            )

    def mapping(self) -> dict[str, str]:
        return {
            column: self.cleaned_data[f"column-{index}"]
            for index, column in enumerate(self.columns)
        }


# --- the respondent's pages -------------------------------------------------------------


class SectorForm(GovukForm):
    sector = forms.ChoiceField(
        label="Which sector do you work in?",
        choices=Sector.choices,
        widget=Radios,
        error_messages={"required": "Select the sector you work in"},
    )


class RoleForm(GovukForm):
    role_level = forms.ChoiceField(
        label="What is your role level?",
        choices=RoleLevel.choices,
        widget=Radios,
        error_messages={"required": "Select your role level"},
    )


class AnswerForm(GovukForm):
    """One question of the survey: radios for a scale (an answer is needed), a text
    box for free text (which may be left empty)."""

    def __init__(self, *args: Any, question: SurveyQuestion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if question.scale == Scale.FREE_TEXT:
            self.fields["answer"] = forms.CharField(
                label=question.wording,
                required=False,
                max_length=2000,
                widget=forms.Textarea,
                error_messages={"max_length": "Your answer must be 2000 characters or fewer"},
            )
        else:
            self.fields["answer"] = forms.ChoiceField(
                label=question.wording,
                choices=SCALES[question.scale].options,
                widget=Radios,
                error_messages={
                    "required": "Select an answer",
                    "invalid_choice": "Choose one of the answers given",
                },
            )
