"""Forms for the findings pages. They parse what the browser sent; the rules and
their messages belong to findings.services, whose refusals the views put back on
these fields (web.forms.add_service_errors). Field names match the services'."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from accounts.models import User
from evidence.models import EvidenceItem
from web.forms import Checkboxes, GovukDateField, GovukForm, Radios

from .models import (
    Action,
    Assessment,
    CriterionAssessment,
    Finding,
    ModerationDecision,
    ModerationMeeting,
    Rating,
    Recommendation,
    ThemeTag,
)


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _choice_field(label: str, choices: Any, message: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=Radios,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


class FindingForm(GovukForm):
    kind = _choice_field(
        "Is this a strength or an area for development?",
        Finding.Kind.choices,
        "Select a strength or an area for development",
    )
    text = forms.CharField(
        label="The finding",
        required=False,
        widget=forms.Textarea,
        strip=False,
    )
    rating = forms.ChoiceField(
        label="Rating of the area (optional)",
        required=False,
        choices=[("", "No rating"), *Rating.choices],
        error_messages={"invalid_choice": "Select a rating from the scale, or none"},
    )
    themes = forms.MultipleChoiceField(
        label="Themes",
        required=False,
        widget=Checkboxes,
        error_messages={"invalid_choice": "Select themes from the list"},
    )
    evidence = forms.MultipleChoiceField(
        label="Evidence that supports it",
        required=False,
        widget=Checkboxes,
        error_messages={"invalid_choice": "Select evidence from this review's evidence"},
    )
    # The version the writer loaded: a save naming an older one is a conflict.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        themes: Iterable[ThemeTag],
        evidence: Iterable[EvidenceItem],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "themes", [(t.code, t.label) for t in themes])
        _choices(
            self,
            "evidence",
            [(str(i.pk), f"{i.title} ({i.get_kind_display().lower()})") for i in evidence],
        )


class QuoteForm(GovukForm):
    text = forms.CharField(label="What was said", required=False, widget=forms.Textarea)
    attributed_to = forms.CharField(label="Role or agency quoted", required=False)
    group_size = forms.IntegerField(
        label="How many people were in the group quoted (optional)",
        required=False,
        min_value=1,
        error_messages={
            "invalid": "The size of the group must be a whole number from 1",
            "min_value": "The size of the group must be a whole number from 1",
        },
    )
    consent = forms.BooleanField(label="The speaker agreed to be quoted", required=False)


class MeetingForm(GovukForm):
    held_on = GovukDateField(label="Date of the meeting", subject="The date of the meeting")
    attendees = forms.MultipleChoiceField(
        label="Who attended",
        required=False,
        widget=Checkboxes,
        error_messages={"invalid_choice": "Select who attended from the review team"},
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, team: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "attendees", [(str(u.pk), u.get_full_name() or u.email) for u in team])


class DecisionForm(GovukForm):
    meeting = forms.ChoiceField(
        label="Moderation meeting",
        error_messages={
            "required": "Select a moderation meeting of this review",
            "invalid_choice": "Select a moderation meeting of this review",
        },
    )
    outcome = _choice_field(
        "Decision",
        ModerationDecision.Outcome.choices,
        "Select whether the finding is agreed, amended or rejected",
    )
    amended_text = forms.CharField(
        label="Amended wording (if amended)", required=False, widget=forms.Textarea
    )
    dissent = forms.CharField(
        label="Dissent (optional)",
        required=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, meetings: Iterable[ModerationMeeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "meeting", [(str(m.pk), m.held_on.strftime("%-d %B %Y")) for m in meetings])


class PublishForm(GovukForm):
    confirm = forms.BooleanField(
        label="I confirm the agreed findings are ready to publish to the reviewed partnership",
        required=False,
    )


class CorrectionForm(GovukForm):
    text = forms.CharField(label="Corrected finding", required=False, widget=forms.Textarea)
    reason = forms.CharField(label="Why it is corrected", required=False)


class CommentForm(GovukForm):
    text = forms.CharField(
        label="Your comment on its accuracy", required=False, widget=forms.Textarea
    )


class CriterionForm(GovukForm):
    statement = forms.CharField(
        label="We will know we have succeeded when ...", required=False, widget=forms.Textarea
    )


class SelfAssessmentForm(GovukForm):
    assessment = _choice_field(
        "Do you feel this has been achieved?",
        Assessment.choices,
        "Select an answer from the scale",
    )
    note = forms.CharField(label="Why (optional)", required=False, widget=forms.Textarea)
    progress = forms.BooleanField(label="This is our answer at the progress review", required=False)


class AssessForm(GovukForm):
    stage = _choice_field(
        "When", CriterionAssessment.Stage.choices, "Select the review or the progress review"
    )
    rating = _choice_field(
        "The reviewers' assessment", Assessment.choices, "Select an answer from the scale"
    )
    note = forms.CharField(label="Why (optional)", required=False, widget=forms.Textarea)
    evidence = forms.MultipleChoiceField(
        label="Evidence",
        required=False,
        widget=Checkboxes,
        error_messages={"invalid_choice": "Select evidence from this review's evidence"},
    )

    def __init__(self, *args: Any, evidence: Iterable[EvidenceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self,
            "evidence",
            [(str(i.pk), f"{i.title} ({i.get_kind_display().lower()})") for i in evidence],
        )


class RecommendationForm(GovukForm):
    kind = _choice_field(
        "What kind of next step?",
        Recommendation.Kind.choices,
        "Select stop, start, sustain or a risk to mitigate",
    )
    text = forms.CharField(label="Recommendation", required=False, widget=forms.Textarea)


class RespondForm(GovukForm):
    answer = _choice_field(
        "Do you accept this recommendation?",
        [("accept", "Accept"), ("decline", "Decline")],
        "Select whether you accept or decline the recommendation",
    )
    reason = forms.CharField(label="Your reason", required=False, widget=forms.Textarea)


class ActionForm(GovukForm):
    text = forms.CharField(label="Action", required=False, widget=forms.Textarea)
    owner_role = forms.CharField(label="Owner's role", required=False)
    owner = forms.ChoiceField(label="Or a person who owns it", required=False)
    due_on = GovukDateField(label="Due date", subject="The due date", required=False)

    def __init__(self, *args: Any, people: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self,
            "owner",
            [("", "No one person"), *((str(u.pk), u.get_full_name() or u.email) for u in people)],
        )


class ActionStatusForm(GovukForm):
    status = _choice_field(
        "Status", Action.Status.choices, "Select not started, in progress or done"
    )
