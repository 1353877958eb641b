"""Forms for the evidence pages: the library's filter, adding and changing an item,
sharing, restricted access and document requests.

They parse what the browser sent (choices, ids, dates, a file); the rules and their
messages belong to evidence.services, whose refusals the views put back on these
fields with web.forms.add_service_errors. Where a service names a field ("title",
"areas", "file", "item_ids"...), the form has a field of that name."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms

from core.filetypes import ALLOWED, format_bytes
from evidence.services import fields as evidence_fields
from reviews.models import ReviewArea
from web.forms import Checkboxes, GovukDateField, GovukForm, Radios

from .models import EvidenceItem

Kind = EvidenceItem.Kind

KIND_HINTS = {
    Kind.DOCUMENT: "A file such as a policy, an audit report or board minutes.",
    Kind.MEETING: "What you saw at a meeting: what is working well and what is not.",
    Kind.INTERVIEW: "Notes of a conversation, recorded by the interviewee's role.",
    Kind.DATA: "Figures or metrics, with or without a spreadsheet.",
    Kind.OTHER: "Anything else that informs the review.",
}
SENSITIVITY_HINTS = {
    EvidenceItem.Sensitivity.OFFICIAL: "Everyone in the partnership can see it.",
    EvidenceItem.Sensitivity.SENSITIVE: (
        "Everyone in the partnership can see it. Handle it with care."
    ),
    EvidenceItem.Sensitivity.RESTRICTED: (
        "Only you, and the people you name afterwards, can see it."
    ),
}


def upload_hint() -> str:
    """'Upload a file (PDF, DOCX, ... or JPEG, smaller than 20MB)': the limit beside
    the control, read from the settings the checks use."""
    from django.conf import settings

    names = [t.name for t in ALLOWED.values()]
    limit = format_bytes(settings.EVIDENCE_MAX_UPLOAD_BYTES)
    return f"Upload a file ({', '.join(names[:-1])} or {names[-1]}, smaller than {limit})"


def area_choices(areas: Iterable[ReviewArea], *, label_review: bool) -> list[tuple[str, str]]:
    """Areas of focus as checkbox choices; with `label_review`, each names its review
    (a partnership may be reviewed more than once)."""
    return [
        (
            str(area.pk),
            f"{area.title} (review by {area.review.reviewing_partnership.name})"
            if label_review
            else area.title,
        )
        for area in areas
    ]


# --- The library's filter ---


class FilterForm(GovukForm):
    """The GET form above a list. Every choice is one the selector accepts, so a
    value from elsewhere (another partnership's area) is refused by name."""

    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *Kind.choices],
        error_messages={"invalid_choice": "Select a kind of evidence from the list"},
    )
    area = forms.ChoiceField(
        label="Area of focus",
        required=False,
        error_messages={"invalid_choice": "Select an area of focus from the list"},
    )
    sensitivity = forms.ChoiceField(
        label="Sensitivity",
        required=False,
        choices=[("", "Any sensitivity"), *EvidenceItem.Sensitivity.choices],
        error_messages={"invalid_choice": "Select a sensitivity from the list"},
    )
    q = forms.CharField(label="Title or description contains", required=False, max_length=200)

    def __init__(self, *args: Any, areas: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All areas"), *areas]
        self.fields["q"].error_messages["max_length"] = (
            "Search text must be 200 characters or fewer"
        )

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "area_id": data.get("area") or "",
            "sensitivity": data.get("sensitivity") or "",
            "q": (data.get("q") or "").strip(),
        }


# --- Adding and changing an item ---


class KindForm(GovukForm):
    kind = forms.ChoiceField(
        label="What kind of evidence are you adding?",
        widget=Radios,
        error_messages={
            "required": "Select the kind of evidence",
            "invalid_choice": "Select the kind of evidence",
        },
    )

    def __init__(
        self, *args: Any, kinds: Sequence[str], message: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, Kind(value).label) for value in kinds]
        if message:
            field.error_messages.update(required=message, invalid_choice=message)

    @property
    def options(self) -> list[tuple[Any, str]]:
        """Each radio with its hint."""
        return [(option, KIND_HINTS[option.data["value"]]) for option in self["kind"]]


class EvidenceForm(GovukForm):
    """The fields one kind of evidence has (the others are removed), parsed only:
    the service's own rules (evidence.services.fields.clean) check them, so adding
    and changing can never disagree with the API."""

    title = forms.CharField(label="Title", required=False)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea)
    # An empty file is the upload checks' to refuse, in their words.
    file = forms.FileField(label="Upload a file", required=False, allow_empty_file=True)
    meeting_name = forms.CharField(label="Meeting name", required=False)
    meeting_date = GovukDateField(
        label="Date of the meeting", subject="Date of the meeting", required=False
    )
    working_well = forms.CharField(
        label="What is working well", required=False, widget=forms.Textarea
    )
    not_working_well = forms.CharField(
        label="What is not working so well", required=False, widget=forms.Textarea
    )
    interviewee_role = forms.CharField(label="Interviewee's role", required=False)
    name_consented = forms.BooleanField(
        label="The interviewee agreed to be named in the evidence", required=False
    )
    interviewee_name = forms.CharField(label="Interviewee's name", required=False)
    interviewed_by = forms.ChoiceField(
        label="Who carried out the interview?",
        required=False,
        widget=Radios,
        choices=EvidenceItem.InterviewedBy.choices,
        error_messages={"invalid_choice": "Select who carried out the interview"},
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea)
    areas = forms.MultipleChoiceField(
        label="Which areas of focus does it inform?",
        required=False,
        widget=Checkboxes,
        error_messages={"invalid_choice": "Select areas of focus from the list"},
    )
    sensitivity = forms.ChoiceField(
        label="How sensitive is it?",
        required=False,
        widget=Radios,
        choices=EvidenceItem.Sensitivity.choices,
        error_messages={"invalid_choice": "Select how sensitive the evidence is"},
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        areas: Sequence[tuple[str, str]],
        with_file: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {"title", "description", "areas", "sensitivity", *evidence_fields.KIND_FIELDS[kind]}
        if with_file and kind in evidence_fields.FILE_KINDS:
            keep.add("file")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "areas" in self.fields:
            field = self.fields["areas"]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = list(areas)
        if kind == Kind.DATA and "file" in self.fields:
            self.fields["file"].label = "Upload a file (optional)"

    @property
    def sensitivity_options(self) -> list[tuple[Any, str]]:
        return [(option, SENSITIVITY_HINTS[option.data["value"]]) for option in self["sensitivity"]]

    def values(self) -> dict[str, Any]:
        """What the service takes: title, description, sensitivity and the kind's own
        fields (never a field of another kind)."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "title": data.get("title", ""),
            "description": data.get("description", ""),
            "sensitivity": data.get("sensitivity", ""),
        }
        for name in evidence_fields.KIND_FIELDS[self.kind]:
            values[name] = data.get(name)
        return values

    def area_ids(self) -> list[str]:
        return list(self.cleaned_data.get("areas") or [])

    def check(self, *, has_file: bool = False, allowed_kinds: frozenset[str] | None = None) -> bool:
        """The service's rules, without writing (before the check-answers page, or
        when the form itself is wrong): True when the answers would be accepted;
        otherwise every message is on the form, one per field, in the form's order."""
        self.is_valid()
        _, errors = evidence_fields.clean(
            kind=self.kind, values=self.values(), has_file=has_file, allowed_kinds=allowed_kinds
        )
        for name, messages in errors.items():
            target = name if name in self.fields else None
            if target is not None and target in self.errors:
                continue  # the form's own message (a date that is not real) says more
            for message in messages:
                self.add_error(target, message)
        return not self.errors


def initial_for(item: EvidenceItem, area_ids: Iterable[int]) -> dict[str, Any]:
    """An item's current answers, for the change form."""
    initial: dict[str, Any] = {
        "title": item.title,
        "description": item.description,
        "sensitivity": item.sensitivity,
        "areas": [str(pk) for pk in area_ids],
    }
    for name in evidence_fields.KIND_FIELDS[item.kind]:
        initial[name] = getattr(item, name)
    return initial


# --- Sharing ---


class ShareReviewForm(GovukForm):
    review = forms.ChoiceField(
        label="Which review do you want to share evidence with?",
        widget=Radios,
        error_messages={
            "required": "Select the review to share evidence with",
            "invalid_choice": "Select the review to share evidence with",
        },
    )

    def __init__(self, *args: Any, reviews: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["review"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(reviews)


class ShareItemsForm(GovukForm):
    """The items ticked on the list shown. Any id is passed on: the view and the
    service answer an id that is not the actor's to share with 404, as if it did
    not exist (SECURITY.md section 1)."""

    item_ids = forms.MultipleChoiceField(
        label="Which evidence do you want to share?",
        required=False,
        widget=Checkboxes,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item_ids"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.valid_value = lambda value: True  # type: ignore[method-assign]

    def ids(self) -> list[str]:
        return [str(v) for v in self.cleaned_data.get("item_ids") or []]


# --- Restricted items ---


class GrantForm(GovukForm):
    user = forms.ChoiceField(
        label="Who else should be able to see it?",
        error_messages={"required": "Select a person", "invalid_choice": "Select a person"},
    )

    def __init__(self, *args: Any, people: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a person"), *((str(pk), name) for pk, name in people)]
        # Any id is passed to the service, which says who may be chosen.
        field.valid_value = lambda value: True  # type: ignore[method-assign]


# --- Document requests ---


class RequestForm(GovukForm):
    title = forms.CharField(label="What are you asking for?", required=False, strip=False)
    detail = forms.CharField(
        label="Details (optional)", required=False, widget=forms.Textarea, strip=False
    )


# --- The access log ---


class LogFilterForm(GovukForm):
    action = forms.ChoiceField(
        label="What happened",
        required=False,
        error_messages={"invalid_choice": "Select what happened from the list"},
    )

    def __init__(self, *args: Any, actions: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Anything"), *actions]
