from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from web.forms import GovukForm, Radios


class SignInForm(AuthenticationForm):
    """Email and password, with GOV.UK wording for each error."""

    error_messages = {
        "invalid_login": "Enter a correct email address and password. "
        "After 5 wrong attempts your account is locked for 30 minutes.",
        "inactive": "This account has been deactivated. Contact your partnership lead.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "email", "spellcheck": "false"}
        )
        self.fields["password"].error_messages["required"] = "Enter your password"


class ApiTokenForm(GovukForm):
    """A name and an expiry for a new API token.

    The name's checks repeat services.api_token_create's, in GOV.UK wording, so that a
    missing name and a missing expiry are reported together; the service still checks
    both and its refusals are shown on these fields (web.forms.add_service_errors)."""

    EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year")]

    name = forms.CharField(
        label="Name",
        max_length=100,  # ApiToken.name
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Name must be 100 characters or fewer",
        },
    )
    days = forms.TypedChoiceField(
        label="When should the token expire?",
        choices=EXPIRY_CHOICES,
        coerce=int,
        widget=Radios,
        error_messages={
            "required": "Select when the token should expire",
            "invalid_choice": "Select when the token should expire",
        },
    )
