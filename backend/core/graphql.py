"""The GraphQL endpoint, hardened as SECURITY.md section 4 requires.

graphene-django passes `validation_rules` straight to graphql-core, where they
*replace* the specified rules: `(DisableIntrospection,)` alone turns `{ helo }`
into a 200 with empty data. So the rules here are always the specified ones plus
ours. Token caps and hiding suggestions are graphql-core options graphene does
not expose, hence the subclass.

What a caller sees:

- nobody signed in and no token: a 401, as REST answers (GraphQL is not public);
- over the rate limit (settings.RATE_LIMITS: per user, or per address for anonymous
  callers): a 429 with Retry-After;
- a body over GRAPHQL_MAX_BODY_BYTES: a 413, before it is parsed;
- a request that cannot be run (bad JSON, a body nested too deeply or holding a NUL,
  a batch, a query or variables of the wrong JSON type, too many tokens or selections,
  a query that fails validation) is a 400 with `errors` and no `data`;
- a mutation sent with GET is a 405;
- a bad or expired bearer token is a 401; a signed-in session POST without the
  CSRF token is a 403;
- an unexpected exception in a resolver is reported as "Internal server error."
  (logged with its traceback); domain errors keep their message and code.

Refusals made before GraphQL runs carry `extensions.code` with REST's code for the
same case (not_authenticated, authentication_failed, throttled, too_large).

Validation is the expensive step (graphql-core's overlapping-fields rule is quadratic
in the fields of a selection set), so the selections are counted right after parsing
and before validating, and each (short) query text's parsed and validated document is
kept in a bounded in-process LRU: a repeated query is neither parsed nor validated again.
"""

from __future__ import annotations

import logging
import re
import sys
from functools import lru_cache
from typing import Any, NamedTuple

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
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    ValidationContext,
    Visitor,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
    visit,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from rest_framework.exceptions import NotAuthenticated

from accounts.authentication import (
    TokenInvalid,
    bearer_token,
    mark_token_authenticated,
    user_for_token,
)

from . import outage, ratelimit
from .errors import DomainError
from .json_input import JsonInputError, load_json

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


class Limits(NamedTuple):
    """What a document is checked against, read from settings on each request; part
    of the document cache's key, so a changed setting never serves a stale verdict."""

    max_tokens: int
    max_selections: int
    max_depth: int
    max_aliases: int
    introspection: bool

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            settings.GRAPHQL_MAX_TOKENS,
            settings.GRAPHQL_MAX_SELECTIONS,
            settings.GRAPHQL_MAX_DEPTH,
            settings.GRAPHQL_MAX_ALIASES,
            settings.GRAPHQL_INTROSPECTION,
        )


def validation_rules(limits: Limits | None = None) -> list[type[ASTValidationRule]]:
    """The specified rules plus ours."""
    limits = limits or Limits.from_settings()
    rules: list[type[ASTValidationRule]] = list(specified_rules)
    rules.append(depth_limit_rule(limits.max_depth))
    rules.append(alias_limit_rule(limits.max_aliases))
    if not limits.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


NUL_IN_STRING = "A string in the query contains a NUL character, which is not allowed."


class _Census(Visitor):
    """Counts the selections (fields, fragment spreads, inline fragments) of a parsed
    document and notices a NUL in a string literal: one linear walk, before the
    validation rules run."""

    def __init__(self) -> None:
        super().__init__()
        self.selections = 0
        self.has_nul = False

    def enter_field(self, *_: Any) -> None:
        self.selections += 1

    enter_fragment_spread = enter_field
    enter_inline_fragment = enter_field

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.has_nul = self.has_nul or "\x00" in node.value


class CheckedDocument(NamedTuple):
    document: DocumentNode | None
    errors: list[GraphQLError]


# The cache's bound: a parsed document takes about 60 bytes per character of its query
# (a 4,096-character query about 250 KB), so at most 128 entries of at most 4,096
# characters each: about 32 MB per process at worst, a few MB for the queries the
# pages and scripts send (a few hundred characters each). Longer queries are checked
# on every request.
DOCUMENT_CACHE_SIZE = 128
CACHEABLE_QUERY_CHARS = 4096


def checked_document(schema: Any, query: str, limits: Limits) -> CheckedDocument:
    """The query parsed (at most `max_tokens` tokens), its selections counted (at most
    `max_selections`), then validated: from the cache when it has been seen (refusals
    are kept too, so a repeated bad query costs a dictionary look-up)."""
    if len(query) > CACHEABLE_QUERY_CHARS:
        return _check_document(schema, query, limits)
    return _cached_check_document(schema, query, limits)


def _check_document(schema: Any, query: str, limits: Limits) -> CheckedDocument:
    try:
        document = parse(query, max_tokens=limits.max_tokens)
    except GraphQLError as error:
        return CheckedDocument(None, [error])
    census = _Census()
    visit(document, census)
    if census.has_nul:
        return CheckedDocument(None, [GraphQLError(NUL_IN_STRING)])
    if census.selections > limits.max_selections:
        message = f"Too many selections: {census.selections}, the limit is {limits.max_selections}."
        return CheckedDocument(None, [GraphQLError(message)])
    errors = validate(schema, document, validation_rules(limits), max_errors=20)
    return CheckedDocument(document, list(errors))


_cached_check_document = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(_check_document)


def _json_error(message: str, status: int, code: str | None = None) -> JsonResponse:
    error: dict[str, Any] = {"message": message}
    if code is not None:
        error["extensions"] = {"code": code}
    return JsonResponse({"errors": [error]}, status=status)


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
        refusal = self._authenticate(request)
        # Counted before any refusal, so a flood of bad tokens is limited too.
        signed_in = request.user.is_authenticated
        wait = ratelimit.wait_seconds(
            request,
            group="graphql",
            key="user" if signed_in else "ip",
            rate=ratelimit.rate("user" if signed_in else "anon"),
        )
        if wait is not None:
            response = _json_error(
                f"Request was throttled. Expected available in {wait} seconds.",
                429,
                "throttled",
            )
            response["Retry-After"] = str(wait)
            return response
        if refusal is not None:
            return refusal
        if not signed_in:
            response = _json_error(
                str(NotAuthenticated.default_detail), 401, NotAuthenticated.default_code
            )
            response["WWW-Authenticate"] = "Bearer"
            return response
        limit = settings.GRAPHQL_MAX_BODY_BYTES
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            return _json_error(
                f"The request body is too large: the limit is {limit} bytes.", 413, "too_large"
            )
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def _authenticate(self, request: HttpRequest) -> HttpResponse | None:
        """Put the token's user on the request; the refusal for a bad token, or for a
        session POST without the CSRF token, else None."""
        raw_token = bearer_token(request)
        if raw_token is not None:
            try:
                request.user = user_for_token(raw_token)
            except TokenInvalid as exc:
                response = _json_error(exc.message, 401, "authentication_failed")
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
        return None

    def parse_body(self, request: HttpRequest) -> Any:
        # The parent checks the body's shape with `assert`, which `python -O` strips.
        if self.get_content_type(request) != "application/json":
            return super().parse_body(request)
        try:
            data = load_json(request.body)
        except JsonInputError as exc:
            raise HttpError(HttpResponseBadRequest(), str(exc)) from None
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
    def get_graphql_params(request: HttpRequest, data: Any) -> Any:
        """Query, variables and operation name (from the query string or the body, as
        graphene reads them), each checked for its JSON type: `{"query": 5}` or a list
        must be a 400, not an exception inside graphql-core. Variables sent as a JSON
        string go through core.json_input like any body."""
        query = request.GET.get("query") or data.get("query")
        variables = request.GET.get("variables") or data.get("variables")
        operation_name = request.GET.get("operationName") or data.get("operationName")
        if operation_name == "null":
            operation_name = None
        if isinstance(variables, str):
            try:
                variables = load_json(variables.encode())
            except JsonInputError as exc:
                raise HttpError(HttpResponseBadRequest(), f"Variables: {exc}") from None
        for name, value, kind in (
            ("query", query, str),
            ("variables", variables, dict),
            ("operationName", operation_name, str),
        ):
            if value is not None and not isinstance(value, kind):
                article = "a string" if kind is str else "an object"
                raise HttpError(HttpResponseBadRequest(), f'"{name}" must be {article}.')
        return query, variables, operation_name, None

    @staticmethod
    def format_error(error: Any) -> dict[str, Any]:
        if not isinstance(error, GraphQLError):
            return {"message": plain_message(str(error))}
        formatted: dict[str, Any] = dict(error.formatted)
        original = error.original_error
        if outage.is_outage(original):
            return {**formatted, **outage.graphql_error()}
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
        document, errors = checked_document(schema, query, Limits.from_settings())
        if document is None:
            return ExecutionResult(data=None, errors=errors)
        operation_ast = get_operation_ast(document, operation_name)
        is_query = operation_ast is None or operation_ast.operation == OperationType.QUERY
        if request.method == "GET" and not is_query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseNotAllowed(["POST"]), "Mutations must be sent with POST.")
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
        except Exception as error:
            if outage.is_outage(error):  # the commit itself failed: formatted as UNAVAILABLE
                return ExecutionResult(
                    data=None, errors=[GraphQLError(str(error), original_error=error)]
                )
            logger.exception("GraphQL execution failed")
            return ExecutionResult(data=None, errors=[GraphQLError(INTERNAL_ERROR)])
