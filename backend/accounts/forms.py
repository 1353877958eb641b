from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm


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
