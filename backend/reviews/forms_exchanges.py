"""Forms for arranging and answering an exchange. They parse what the browser sent;
reviews.services.exchange_propose / exchange_answer hold the rules, and their
refusals are shown on these fields (web.forms.add_service_errors)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms

from handbooks.models import HandbookVersion
from tenancy.models import Partnership
from web.forms import GovukDateField, GovukForm, Radios

from .models import ExchangeParty
from .services.exchanges import fieldwork_window_errors


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class ProposeForm(GovukForm):
    """Arrange a reciprocal review: who, which handbook, when, and a message.

    The choices come from the selectors the view called (the actor's led partnerships,
    the directory, the published versions the actor may use); the dates are checked by
    the service's own window rule here, so mistakes show before "Check your answers"."""

    partnership = forms.ChoiceField(
        label="Which partnership are you arranging this for?",
        widget=Radios,
        error_messages={
            "required": "Select the partnership you are arranging this for",
            "invalid_choice": "Select the partnership you are arranging this for",
        },
    )
    partners = forms.ChoiceField(
        label="Which partnership do you want to exchange reviews with?",
        error_messages={
            "required": "Select the partnership you want to exchange reviews with",
            "invalid_choice": "Select the partnership you want to exchange reviews with",
        },
    )
    second_partner = forms.ChoiceField(
        label="Third partnership, for a triad (optional)",
        required=False,
        error_messages={"invalid_choice": "Select a partnership from the list"},
    )
    handbook_version = forms.ChoiceField(
        label="Which handbook will the reviews use?",
        error_messages={
            "required": "Select a published handbook",
            "invalid_choice": "Select a published handbook",
        },
    )
    fieldwork_starts_on = GovukDateField(
        label="When does fieldwork start?", subject="The date fieldwork starts"
    )
    fieldwork_ends_on = GovukDateField(
        label="When does fieldwork end?", subject="The date fieldwork ends"
    )
    message = forms.CharField(
        label="Message to the other partnerships (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"max_length": "Message must be 2000 characters or fewer"},
    )

    def __init__(
        self,
        *args: Any,
        leads: Iterable[Partnership],
        directory: Iterable[Partnership],
        versions: Iterable[HandbookVersion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.leads = {p.slug: p for p in leads}
        # With one partnership to propose for, it is left out of the partners to choose.
        own = next(iter(self.leads)) if len(self.leads) == 1 else None
        self.directory = {p.slug: p for p in directory if p.slug != own}
        self.versions = {str(v.pk): v for v in versions}
        _choice(self, "partnership").choices = [(p.slug, p.name) for p in self.leads.values()]
        if own is not None:
            self.fields["partnership"].initial = own
        partners = [(slug, p.name) for slug, p in self.directory.items()]
        _choice(self, "partners").choices = [("", "Choose a partnership"), *partners]
        _choice(self, "second_partner").choices = [("", "No third partnership"), *partners]
        _choice(self, "handbook_version").choices = [("", "Choose a handbook")] + [
            (key, f"{v.handbook.title}, version {v.number}") for key, v in self.versions.items()
        ]

    @property
    def single_partnership(self) -> Partnership | None:
        return next(iter(self.leads.values())) if len(self.leads) == 1 else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        proposer, partner = data.get("partnership"), data.get("partners")
        if partner and partner == proposer:
            self.add_error("partners", "You cannot propose an exchange with your own partnership")
        second = data.get("second_partner")
        if second and second in (partner, proposer):
            self.add_error("second_partner", "Select a third partnership different from the others")
        starts, ends = data.get("fieldwork_starts_on"), data.get("fieldwork_ends_on")
        if isinstance(starts, date) and isinstance(ends, date):
            errors: dict[str, list[str]] = {}
            fieldwork_window_errors(starts, ends, errors)
            for name, messages in errors.items():
                for message in messages:
                    self.add_error(name, message)
        return data

    @property
    def answers(self) -> dict[str, Any]:
        """The cleaned answers as objects, for the check page and the service call."""
        data = self.cleaned_data
        partners = [self.directory[data["partners"]]]
        if data.get("second_partner"):
            partners.append(self.directory[data["second_partner"]])
        proposer = self.leads[data["partnership"]]
        ring = [proposer, *partners]
        return {
            "proposer": proposer,
            "partners": partners,
            # Who reviews whom: each partnership reviews the next, the last reviews the first.
            "directions": [(p, ring[(i + 1) % len(ring)]) for i, p in enumerate(ring)],
            "version": self.versions[data["handbook_version"]],
            "starts_on": data["fieldwork_starts_on"],
            "ends_on": data["fieldwork_ends_on"],
            "message": data["message"],
        }


class AnswerForm(GovukForm):
    partnership = forms.ChoiceField(
        label="Which partnership are you answering for?",
        widget=Radios,
        error_messages={
            "required": "Select the partnership you are answering for",
            "invalid_choice": "Select the partnership you are answering for",
        },
    )
    answer = forms.ChoiceField(
        label="Do you accept the invitation?",
        choices=[("accept", "Yes, accept the exchange"), ("decline", "No, decline it")],
        widget=Radios,
        error_messages={
            "required": "Select whether you accept or decline the invitation",
            "invalid_choice": "Select whether you accept or decline the invitation",
        },
    )
    note = forms.CharField(
        label="Note to the other partnerships (optional)",
        required=False,
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, parties: Iterable[ExchangeParty], **kwargs: Any) -> None:
        """`parties` are the invitations in this exchange the actor may answer."""
        super().__init__(*args, **kwargs)
        self.parties = list(parties)
        _choice(self, "partnership").choices = [
            (p.partnership.slug, p.partnership.name) for p in self.parties
        ]
        if len(self.parties) == 1:
            self.fields["partnership"].initial = self.parties[0].partnership.slug
