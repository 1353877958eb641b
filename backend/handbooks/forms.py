"""Forms for the handbook pages. They parse; handbooks.services holds the rules and
their messages (web.forms.add_service_errors shows them on these fields)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from tenancy.models import Partnership
from web.forms import GovukForm, Radios

from .models import Guidance, HandbookVersion


class ObjectiveForm(GovukForm):
    text = forms.CharField(label="Objective", required=False, widget=forms.Textarea)


class AreaForm(GovukForm):
    title = forms.CharField(label="Title", required=False)
    key_question = forms.CharField(label="Key question", required=False, widget=forms.Textarea)
    guidance = forms.CharField(
        label="Guidance for reviewers (optional)", required=False, widget=forms.Textarea
    )


class LineForm(GovukForm):
    question = forms.CharField(label="Line of enquiry", required=False, widget=forms.Textarea)
    prompts = forms.CharField(
        label="Prompts for reviewers (optional)", required=False, widget=forms.Textarea
    )
    guidance = forms.ChoiceField(
        label="Which guidance does this line of enquiry map to?",
        # "Not mapped" last: GOV.UK puts the 'none of these' answer at the end.
        choices=[c for c in Guidance.choices if c[0]] + [("", "Not mapped to guidance")],
        required=False,
        widget=Radios,
        error_messages={"invalid_choice": "Select which guidance this line of enquiry maps to"},
    )


class ReferenceForm(GovukForm):
    title = forms.CharField(label="Title", required=False)
    publisher = forms.CharField(label="Publisher (optional)", required=False)
    year = forms.IntegerField(
        label="Year published (optional)",
        required=False,
        error_messages={"invalid": "Year must be a number, like 2018"},
    )
    url = forms.CharField(label="Link (optional)", required=False)


class PublishForm(GovukForm):
    change_note = forms.CharField(
        label="What changed in this version? (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea,
        error_messages={"max_length": "What changed must be 300 characters or fewer"},
    )


class CopyForm(GovukForm):
    """The partnership to copy into: one of those the actor manages."""

    partnership = forms.ChoiceField(
        label="Which partnership is the copy for?",
        widget=Radios,
        error_messages={
            "required": "Select the partnership to copy the handbook into",
            "invalid_choice": "Select the partnership to copy the handbook into",
        },
    )

    def __init__(self, *args: Any, partnerships: Iterable[Partnership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnerships = list(partnerships)
        field = self.fields["partnership"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(p.slug, p.name) for p in self.partnerships]
        if len(self.partnerships) == 1:
            field.initial = self.partnerships[0].slug


class CompareForm(GovukForm):
    """Two versions to compare, from a list the view has already made visible."""

    old = forms.ChoiceField(
        label="Compare",
        error_messages={
            "required": "Select the earlier version",
            "invalid_choice": "Select the earlier version",
        },
    )
    new = forms.ChoiceField(
        label="With",
        error_messages={
            "required": "Select the later version",
            "invalid_choice": "Select the later version",
        },
    )

    def __init__(
        self,
        *args: Any,
        versions: Iterable[HandbookVersion],
        source: HandbookVersion | None = None,
        **kwargs: Any,
    ) -> None:
        """`versions` are one handbook's; `source` is the version it was copied from."""
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a version")]
        if source is not None:
            choices.append(
                (
                    str(source.pk),
                    f"Version {source.number} of {source.handbook.title} (copied from)",
                )
            )
        choices += [(str(v.pk), f"Version {v.number} ({v.get_status_display()})") for v in versions]
        for name in ("old", "new"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("old") and data.get("old") == data.get("new"):
            self.add_error("new", "Select a different version to compare with")
        return data
