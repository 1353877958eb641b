"""GraphQL plumbing shared by the apps: one error type, one mutation base."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import graphene

from .errors import DomainError


class FieldError(graphene.ObjectType):
    field = graphene.String(description="The input field, or null for the whole request.")
    messages = graphene.List(graphene.NonNull(graphene.String), required=True)


def errors_from(exc: DomainError) -> list[FieldError]:
    """A domain refusal as a list of field errors (the message first, then per field)."""
    errors = [FieldError(field=None, messages=[exc.message])]
    errors += [FieldError(field=name, messages=msgs) for name, msgs in exc.field_errors.items()]
    return errors


class ServiceMutation(graphene.Mutation):
    """A mutation that calls one service. Refusals (validation, permission, guard,
    not found) come back in `errors` with nothing written; the changed object
    comes back otherwise."""

    errors = graphene.List(graphene.NonNull(FieldError), required=True)

    class Meta:
        abstract = True

    # Each subclass defines `perform(cls, root, info, **arguments)`: one service call.
    perform: ClassVar[Callable[..., Any]]

    @classmethod
    def mutate(cls, root: Any, info: graphene.ResolveInfo, **kwargs: Any) -> Any:
        try:
            return cls.perform(root, info, **kwargs)
        except DomainError as exc:
            return cls(errors=errors_from(exc))
