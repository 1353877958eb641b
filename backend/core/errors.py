"""Domain errors. Services raise these; each interface maps them in one place
(REST: core.api.exception_handler, GraphQL: core.graphql, pages: the views' forms)."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a rule of the product refused the request. Nothing was written."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    """Input broke a rule; `field_errors` names each field."""

    code = "invalid"


class NotFound(DomainError):
    """The object does not exist *or* the actor may not see it: one answer for both,
    so nobody can learn that another partnership's object exists."""

    status_code = 404
    code = "not_found"

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class NotAuthenticated(DomainError):
    """Nobody is signed in (no session, no API token) and the request needs someone."""

    status_code = 401
    code = "not_authenticated"

    def __init__(self, message: str = "Sign in, or send an API token.") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    """The actor can see the object but may not do this to it."""

    status_code = 403
    code = "permission_denied"


class Conflict(DomainError):
    """The object is not in a state that allows this (a guard failed)."""

    status_code = 409
    code = "conflict"


def refuse(refusal: DomainError | None) -> None:
    """Raise a policy's refusal, if it gave one (policies answer "may this actor do
    this now" with the error to raise, or None)."""
    if refusal is not None:
        raise refusal
