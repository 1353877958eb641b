"""The GraphQL endpoint, hardened as SECURITY.md section 4 requires.

graphene-django passes `validation_rules` straight to graphql-core, where they
*replace* the specified rules: `(DisableIntrospection,)` alone turns `{ helo }`
into a 200 with empty data. So the rules here are always the specified ones plus
ours. Token caps and hiding suggestions are graphql-core options graphene does
not expose, hence the subclass.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
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
    ValidationContext,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from accounts.authentication import TokenInvalid, bearer_token, user_for_token

# graphql-core appends "Did you mean 'x'?" to unknown-field errors, which maps the
# schema for anyone probing it. did_you_mean() reads this module constant on each
# call; zero turns every suggestion off.
sys.modules["graphql.pyutils.did_you_mean"].MAX_LENGTH = 0  # type: ignore[attr-defined]


def _selection_depth(
    node: Node, fragments: dict[str, FragmentDefinitionNode], seen: frozenset[str]
) -> int:
    selection_set = getattr(node, "selection_set", None)
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
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

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raw_token = bearer_token(request)
        if raw_token is not None:
            try:
                request.user = user_for_token(raw_token)
            except TokenInvalid as exc:
                return _json_error(exc.message, 401)
        elif request.method == "POST":
            # Cookie-authenticated posts keep CSRF protection; token calls need none.
            csrf = CsrfViewMiddleware(lambda _request: HttpResponse())
            csrf.process_request(request)
            rejection = csrf.process_view(request, lambda _request: HttpResponse(), (), {})
            if rejection is not None:
                return _json_error(
                    "CSRF check failed. Send the CSRF token or use an API token.", 403
                )
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if isinstance(data, list):
            raise HttpError(_json_error("Batched queries are not accepted.", 400))
        return data

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
            raise HttpError(_json_error("Must provide a query string.", 400))
        schema = self.schema.graphql_schema
        try:
            document = parse(query, max_tokens=settings.GRAPHQL_MAX_TOKENS)
        except GraphQLError as error:
            return ExecutionResult(data=None, errors=[error])
        operation_ast = get_operation_ast(document, operation_name)
        if request.method == "GET" and (
            operation_ast is None or operation_ast.operation.value != "query"
        ):
            if show_graphiql:
                return None
            raise HttpError(_json_error("Mutations must be sent with POST.", 405))
        errors = validate(schema, document, validation_rules(), max_errors=20)
        if errors:
            return ExecutionResult(data=None, errors=errors)
        try:
            return execute(  # type: ignore[return-value]
                schema,
                document,
                root_value=self.get_root_value(request),
                context_value=self.get_context(request),
                variable_values=variables,
                operation_name=operation_name,
                middleware=self.get_middleware(request),
            )
        except Exception as error:  # noqa: BLE001 - reported to the caller as a GraphQL error
            return ExecutionResult(data=None, errors=[GraphQLError(str(error))])
