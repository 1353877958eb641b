"""The GraphQL endpoint, hardened as SECURITY.md section 4 requires.

graphene-django passes `validation_rules` straight to graphql-core, where they
*replace* the specified rules: `(DisableIntrospection,)` alone turns `{ helo }`
into a 200 with empty data. So the rules here are always the specified ones plus
ours. Token caps and hiding suggestions are graphql-core options graphene does
not expose, hence the subclass.

What a caller sees:

- a request that cannot be run (bad JSON, a batch, too many tokens, a query that
  fails validation) is a 400 with `errors` and no `data`;
- a mutation sent with GET is a 405;
- a bad or expired bearer token is a 401; a signed-in session POST without the
  CSRF token is a 403;
- an unexpected exception in a resolver is reported as "Internal server error."
  (logged with its traceback); domain errors keep their message and code.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ASTValidationRule,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    ValidationContext,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from accounts.authentication import (
    TokenInvalid,
    bearer_token,
    mark_token_authenticated,
    user_for_token,
)

from .errors import DomainError

logger = logging.getLogger(__name__)

# graphql-core appends "Did you mean 'x'?" to unknown-field errors, which maps the
# schema for anyone probing it. did_you_mean() reads this module constant on each
# call; zero turns every suggestion off.
sys.modules["graphql.pyutils.did_you_mean"].MAX_LENGTH = 0  # type: ignore[attr-defined]

# ScalarLeafsRule writes its hint ("Did you mean 'me { ... }'?") without did_you_mean(),
# so every message is also trimmed on the way out.
_SUGGESTION = re.compile(r"\s*Did you mean\b.*\Z", re.DOTALL)

INTERNAL_ERROR = "Internal server error."


def plain_message(message: str) -> str:
    """The message without any "Did you mean ...?" suggestion."""
    return _SUGGESTION.sub("", message)


def _selection_depth(
    node: Node, fragments: dict[str, FragmentDefinitionNode], seen: frozenset[str]
) -> int:
    selection_set = getattr(node, "selection_set", None)
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            # Introspection has its own switch (off in production); counting it would
            # refuse GraphiQL's own schema query in local settings.
            if selection.name.value.startswith("__"):
                continue
            deepest = max(deepest, 1 + _selection_depth(selection, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _selection_depth(selection, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            # A fragment cycle is reported by the standard NoFragmentCycles rule.
            if fragment is not None and name not in seen:
                deepest = max(deepest, _selection_depth(fragment, fragments, seen | {name}))
    return deepest


def depth_limit_rule(max_depth: int) -> type[ASTValidationRule]:
    """Refuse an operation whose fields nest deeper than `max_depth` levels
    (`{ me { email } }` is depth 2); fragments count where they are spread."""

    class DepthLimit(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = {
                definition.name.value: definition
                for definition in self.context.document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
            depth = _selection_depth(node, fragments, frozenset())
            if depth > max_depth:
                self.report_error(
                    GraphQLError(
                        f"Query is too deep: depth {depth}, the limit is {max_depth}.", node
                    )
                )

    return DepthLimit


def alias_limit_rule(max_aliases: int) -> type[ASTValidationRule]:
    """Refuse a document with more than `max_aliases` aliased fields: aliases are
    how one request asks for the same expensive field many times."""

    class AliasLimit(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.aliases = 0
            self.reported = False

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is not None:
                self.aliases += 1
                if self.aliases > max_aliases and not self.reported:
                    self.reported = True
                    self.report_error(
                        GraphQLError(f"Too many aliases: the limit is {max_aliases}.", node)
                    )

    return AliasLimit


def validation_rules() -> list[type[ASTValidationRule]]:
    """The specified rules plus ours, read from settings on each request."""
    rules: list[type[ASTValidationRule]] = list(specified_rules)
    rules.append(depth_limit_rule(settings.GRAPHQL_MAX_DEPTH))
    rules.append(alias_limit_rule(settings.GRAPHQL_MAX_ALIASES))
    if not settings.GRAPHQL_INTROSPECTION:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"errors": [{"message": message}]}, status=status)


@method_decorator(csrf_exempt, name="dispatch")
class HardenedGraphQLView(GraphQLView):
    """GraphQL over HTTP: bearer token or session (with CSRF), no batching,
    standard validation plus depth, alias and token caps."""

    batch = False
    # Our own page: GraphiQL from the static build, no CDN (web/templates/web/graphiql.html).
    graphiql_template = "web/graphiql.html"

    def render_graphiql(self, request: HttpRequest, **data: Any) -> HttpResponse:
        response: HttpResponse = super().render_graphiql(request, **data)
        # GraphiQL's stylesheet carries its fonts as data: URIs; only this page allows them.
        response._csp_update = {"font-src": ["data:"]}  # type: ignore[attr-defined]
        return response

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Read on each request, not when the URL conf is imported.
        self.graphiql = settings.GRAPHQL_GRAPHIQL
        raw_token = bearer_token(request)
        if raw_token is not None:
            try:
                request.user = user_for_token(raw_token)
            except TokenInvalid as exc:
                response = _json_error(exc.message, 401)
                response["WWW-Authenticate"] = "Bearer"
                return response
            mark_token_authenticated(request)
        elif request.method == "POST" and request.user.is_authenticated:
            # A cookie session keeps CSRF protection (as DRF's SessionAuthentication
            # does); token calls need none, since a browser never adds the header.
            csrf = CsrfViewMiddleware(lambda _request: HttpResponse())
            csrf.process_request(request)
            rejection = csrf.process_view(request, lambda _request: HttpResponse(), (), {})
            if rejection is not None:
                return _json_error(
                    "CSRF check failed. Send the CSRF token or use an API token.", 403
                )
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def parse_body(self, request: HttpRequest) -> Any:
        # The parent checks the body's shape with `assert`, which `python -O` strips.
        if self.get_content_type(request) != "application/json":
            return super().parse_body(request)
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise HttpError(
                HttpResponseBadRequest(), "The request body is not valid JSON."
            ) from None
        if isinstance(data, list):
            raise HttpError(
                HttpResponseBadRequest(),
                "Batched queries are not accepted. Send one operation per request.",
            )
        if not isinstance(data, dict):
            raise HttpError(
                HttpResponseBadRequest(),
                'The request body must be a JSON object with a "query".',
            )
        return data

    @staticmethod
    def format_error(error: Any) -> dict[str, Any]:
        if not isinstance(error, GraphQLError):
            return {"message": plain_message(str(error))}
        formatted: dict[str, Any] = dict(error.formatted)
        original = error.original_error
        if isinstance(original, DomainError):
            formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": original.code}
        elif original is not None and not isinstance(original, GraphQLError):
            # A bug, not a refusal: its text may hold internals, so it stays in the log.
            logger.error("GraphQL resolver failed", exc_info=original)
            formatted["message"] = INTERNAL_ERROR
            return formatted
        formatted["message"] = plain_message(formatted["message"])
        return formatted

    def execute_graphql_request(
        self,
        request: HttpRequest,
        data: Any,
        query: str | None,
        variables: Any,
        operation_name: str | None,
        show_graphiql: bool = False,
    ) -> ExecutionResult | None:
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest(), "Must provide a query string.")
        schema = self.schema.graphql_schema
        try:
            document = parse(query, max_tokens=settings.GRAPHQL_MAX_TOKENS)
        except GraphQLError as error:
            return ExecutionResult(data=None, errors=[error])
        operation_ast = get_operation_ast(document, operation_name)
        is_query = operation_ast is None or operation_ast.operation == OperationType.QUERY
        if request.method == "GET" and not is_query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseNotAllowed(["POST"]), "Mutations must be sent with POST.")
        errors = validate(schema, document, validation_rules(), max_errors=20)
        if errors:
            return ExecutionResult(data=None, errors=errors)
        options: dict[str, Any] = {
            "root_value": self.get_root_value(request),
            "context_value": self.get_context(request),
            "variable_values": variables,
            "operation_name": operation_name,
            "middleware": self.get_middleware(request),
        }
        try:
            if is_query:
                return execute(schema, document, **options)  # type: ignore[return-value]
            # A mutation is all or nothing: any error rolls every write back.
            with transaction.atomic():
                result = execute(schema, document, **options)
                if getattr(result, "errors", None):
                    transaction.set_rollback(True)
            return result  # type: ignore[return-value]
        except Exception:
            logger.exception("GraphQL execution failed")
            return ExecutionResult(data=None, errors=[GraphQLError(INTERNAL_ERROR)])
