"""The canary leak hunt (SECURITY.md section 1).

The matrix world (principals.py) is built once for the module, given a few more of
Salford's rows (an evidence item of every kind, a document nobody was sent, a
document request, a phase change, baseline references, a review objective and a
local area), and then every free-text field of every row Salford takes part in is
overwritten with a marker naming the row (canary.py says which tables, which fields,
and why the rest are skipped). Stored files get a marker as their content.

Each principal then calls every GET route of the URL conf, with the kwargs of its
matrix row (`matrix.TABLE`) and again with every other seeded row of the same table
in place of each object kwarg, and every GraphQL query field, asking for every
field of its type down to four levels of nesting. A principal may meet a marker only
when the chokepoint lets them see the row's gate (`tenancy.access.visible`): the
review team with an open window sees the evidence Salford shared with its review,
and none of the rest. Any other marker in a body or a header is a leak.

The meta-tests keep the seeding honest: every text field of every table is seeded,
skipped with a reason, or belongs to a table that is not a partnership's data, and
every seeded field was written on at least one row.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    VariableNode,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    parse,
    print_ast,
)
from graphql.language import FieldNode, OperationDefinitionNode

from evidence.models import DocumentRequest, EvidenceItem
from findings.models import (
    Action,
    CriterionAssessment,
    FindingComment,
    ModerationDecision,
    ModerationMeeting,
    Recommendation,
    SuccessCriterion,
)
from handbooks.models import BaselineReference
from reviews.models import PhaseChange, ReviewArea, ReviewObjective
from tenancy.access import ROLE_MAPS, actor_for, visible

from . import canary
from .canary import PLAN, REPORT
from .matrix import TABLE, Row
from .principals import (
    ANONYMOUS,
    OTHER_MEMBER,
    OWNER_LEAD,
    OWNER_MANAGER,
    OWNER_MEMBER,
    PRINCIPALS,
    REVIEWER_CLOSED,
    REVIEWER_OPEN,
    REVIEWING_LEAD,
    REVIEWING_MEMBER,
    STAFF,
    MatrixWorld,
    build_matrix_world,
)
from .test_isolation_matrix import Route, _body, _fill, _sample_url, rows_for, url_routes

# --- the seeded world ---------------------------------------------------------------------


@dataclass(frozen=True)
class SeededRow:
    label: str
    pk: int
    gate_label: str
    gate_pk: int
    markers: tuple[str, ...]


@dataclass
class Canary:
    world: MatrixWorld
    rows: list[SeededRow]
    # (table, field) -> the markers written into it, one per row.
    seeded: dict[tuple[str, str], list[str]]
    # Seeded rows by table, for the object kwargs of routes and arguments of fields.
    pks: dict[str, list[int]]
    sessions: dict[str, str]
    extra: dict[str, models.Model] = field(default_factory=dict)

    # Who may see each gate row, from the rules (canary.who_may_see), not the chokepoint.
    viewers: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)

    def allowed(self, principal: str) -> set[str]:
        """The markers of every row whose gate the principal may see."""
        return {
            text
            for row in self.rows
            if principal in self.viewers[(row.gate_label, row.gate_pk)]
            for text in row.markers
        }

    def chokepoint_allows(self, principal: str) -> set[tuple[str, int]]:
        """The gate rows `tenancy.access.visible` lets the principal see."""
        if principal == ANONYMOUS:
            return set()
        actor = actor_for(self.world.users[principal])
        gates: dict[str, set[int]] = defaultdict(set)
        for label, pk in self.viewers:
            gates[label].add(pk)
        return {
            (label, pk)
            for label, pks in gates.items()
            for pk in visible(actor, apps.get_model(label))
            .filter(pk__in=pks)
            .values_list("pk", flat=True)
        }


def _add_rows(world: MatrixWorld) -> dict[str, models.Model]:
    """Rows the matrix world lacks, straight into the tables (their placeholders are
    overwritten by the seeding): evidence of every kind, shared or not."""
    lead = world.users[OWNER_LEAD]

    def item(kind: str, **fields: Any) -> EvidenceItem:
        return EvidenceItem.objects.create(
            partnership=world.owner, kind=kind, title="placeholder", added_by=lead, **fields
        )

    interview = item(
        "interview",
        interviewee_role="placeholder",
        interviewee_name="placeholder",
        name_consented=True,
        interviewed_by=EvidenceItem.InterviewedBy.PEER_TEAM,
        notes="placeholder",
    )
    sensitive_data = item("data", sensitivity=EvidenceItem.Sensitivity.SENSITIVE)
    other = item("other", description="placeholder")
    # A document that was never shared: its file must reach no one outside Salford.
    unshared_document = item(
        "document",
        original_name="placeholder.txt",
        content_type="text/plain",
        size=1,
        scan_status=EvidenceItem.ScanStatus.READY,
    )
    unshared_document.file.save(f"evidence/canary/{unshared_document.pk}.txt", ContentFile(b"-"))
    request = DocumentRequest.objects.create(
        review=world.review,
        title="placeholder",
        detail="placeholder",
        requested_by=world.users[REVIEWER_OPEN],
    )
    phase = world.report_back
    change = PhaseChange.objects.create(
        phase=phase,
        previous_starts_on=phase.starts_on - timedelta(days=7),
        previous_ends_on=phase.ends_on - timedelta(days=7),
        new_starts_on=phase.starts_on,
        new_ends_on=phase.ends_on,
        reason="placeholder",
        changed_by=lead,
    )
    references = [
        BaselineReference.objects.create(
            version=version, position=1, title="placeholder", publisher="placeholder", year=2025
        )
        for version in (world.published_version, world.draft_version)
    ]
    objective = ReviewObjective.objects.create(review=world.review, position=99, text="-")
    # Moderation records and a factual-accuracy comment, which the services make only
    # later in a review's life: the team's working papers, never Salford's to read.
    meeting = ModerationMeeting.objects.create(
        review=world.review, held_on=world.today, notes="-", recorded_by=world.users[REVIEWER_OPEN]
    )
    decision = ModerationDecision.objects.create(
        meeting=meeting,
        finding=world.finding,
        outcome="agreed",
        text_before="-",
        text_after="-",
        dissent="-",
        decided_by=world.users[REVIEWER_OPEN],
    )
    comment = FindingComment.objects.create(finding=world.finding, text="-", author=lead)
    # The second half of a review: criteria, the reviewers' assessment, a
    # recommendation and an action (which exist for real only after publication).
    criterion = SuccessCriterion.objects.create(
        review=world.review, statement="-", self_note="-", progress_self_note="-", created_by=lead
    )
    assessment = CriterionAssessment.objects.create(
        criterion=criterion,
        stage="review",
        rating="partly",
        note="-",
        assessed_by=world.users[REVIEWER_OPEN],
    )
    recommendation = Recommendation.objects.create(
        review=world.review,
        kind="stop",
        text="-",
        response_reason="-",
        created_by=world.users[REVIEWER_OPEN],
    )
    action = Action.objects.create(
        recommendation=recommendation,
        text="-",
        owner_role="-",
        due_on=world.today,
        created_by=lead,
    )
    area = ReviewArea.objects.create(
        review=world.review, position=99, title="placeholder", key_question="placeholder"
    )
    return {
        "interview": interview,
        "sensitive_data": sensitive_data,
        "other": other,
        "unshared_document": unshared_document,
        "request": request,
        "phase_change": change,
        "published_reference": references[0],
        "draft_reference": references[1],
        "review_objective": objective,
        "moderation_meeting": meeting,
        "moderation_decision": decision,
        "finding_comment": comment,
        "criterion": criterion,
        "criterion_assessment": assessment,
        "recommendation": recommendation,
        "action": action,
        "review_area": area,
    }


def _seed_file(item: EvidenceItem) -> str:
    """A stored file's content becomes its marker."""
    text = canary.marker(EvidenceItem, "file", item.pk)
    storage, name = item.file.storage, item.file.name
    assert name
    storage.delete(name)
    assert storage.save(name, ContentFile(text.encode())) == name
    EvidenceItem.objects.filter(pk=item.pk).update(size=len(text))
    return text


def _seed(world: MatrixWorld) -> tuple[list[SeededRow], dict[tuple[str, str], list[str]]]:
    """Overwrite every free-text field of every row Salford takes part in with its marker."""
    owned_gates = {
        label: set(
            canary.owned_rows(apps.get_model(label), world.owner.pk).values_list("pk", flat=True)
        )
        for label, gate in PLAN.items()
        if gate.path == "pk"
    }
    rows: list[SeededRow] = []
    seeded: dict[tuple[str, str], list[str]] = defaultdict(list)
    for label, gate in PLAN.items():
        model = apps.get_model(label)
        manager = model._default_manager
        queryset = manager.filter(**{f"{gate.path}__in": owned_gates[gate.label]})
        fields = canary.seeded_fields(model)
        for pk, gate_pk in sorted(set(queryset.values_list("pk", gate.path))):
            updates: dict[str, str] = {}
            texts: list[str] = []
            for f in fields:
                row_filter = canary.ROW_FILTERS.get((label, f.name))
                if row_filter and not manager.filter(row_filter[0], pk=pk).exists():
                    continue
                text = canary.marker(model, f.name, pk)
                updates[f.name] = canary.value_for(f, text)
                assert f.max_length is None or len(updates[f.name]) <= f.max_length, text
                texts.append(text)
                seeded[(label, f.name)].append(text)
            if label == "evidence.EvidenceItem" and manager.filter(pk=pk).exclude(file="").exists():
                texts.append(_seed_file(manager.get(pk=pk)))
                seeded[(label, "file")].append(texts[-1])
            if updates:
                manager.filter(pk=pk).update(**updates)
            rows.append(SeededRow(label, pk, gate.label, gate_pk, tuple(t.lower() for t in texts)))
    return rows, dict(seeded)


@pytest.fixture(scope="module")
def canary_world(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[Canary]:
    """Built and seeded once per module, in a transaction rolled back at the end."""
    canary.register_reporter(request.config)
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_matrix_world()
        extra = _add_rows(world)
        rows, seeded = _seed(world)
        pks: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            pks[row.label].append(row.pk)
        sessions = {}
        for principal, user in world.users.items():
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            sessions[principal] = client.cookies[settings.SESSION_COOKIE_NAME].value
        REPORT.markers_seeded = sum(len(markers) for markers in seeded.values())
        viewers = {
            (row.gate_label, row.gate_pk): canary.who_may_see(row.gate_label, row.gate_pk, world)
            for row in rows
        }
        yield Canary(world, rows, seeded, dict(pks), sessions, extra, viewers)
        transaction.set_rollback(True)


# --- what to call -------------------------------------------------------------------------

_OBJECT = re.compile(r"^\{w\.(\w+)\.(?:pk|id)\}$")


def _row_for(route: Route) -> Row | None:
    """The route's own matrix row (its GET row if it has one): the kwargs that name
    the owner's objects."""
    rows = [row for key, row in TABLE.items() if key.split(" ", 1)[0] == route.name]
    gets = [row for row in rows if row.method == "GET"]
    found = gets or rows
    return found[0] if found else None


def _writes_only(route: Route) -> bool:
    rows = [row for key, row in TABLE.items() if key.split(" ", 1)[0] == route.name]
    return bool(rows) and all(row.method != "GET" for row in rows)


def _variants(templates: dict[str, Any], canary_world: Canary) -> list[dict[str, Any]]:
    """The row's values, then each object value swapped for every other seeded row of
    the same table (one at a time)."""
    base = _fill(dict(templates), canary_world.world)
    variants = [base]
    for name, template in templates.items():
        match = _OBJECT.match(template) if isinstance(template, str) else None
        if match is None:
            continue
        obj = getattr(canary_world.world, match[1], None)
        if not isinstance(obj, models.Model):
            continue
        for pk in canary_world.pks.get(obj._meta.label, []):
            if str(pk) != str(base[name]):
                variants.append({**base, name: str(pk)})
    return variants


def _admin_models() -> dict[str, type[models.Model]]:
    """Admin URL names ("admin:tenancy_partnership_delete") by the model they are about."""
    from django.contrib import admin

    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}": model
        for model in admin.site._registry
    }


ADMIN_OBJECTS = 10  # newest rows of each admin model whose pages platform staff open


def _admin_urls(route: Route, canary_world: Canary) -> list[str]:
    """Platform staff open the admin's object pages (change, history, delete) of every
    seeded row of the model, and of up to ADMIN_OBJECTS others (users, windows, events),
    for the project's own tables and the review teams' groups."""
    if route.name is None or not route.name.startswith("admin:"):
        return []
    prefix, _, action = route.name.rpartition("_")
    model = _admin_models().get(prefix)
    if model is None and route.name == "admin:auth_user_password_change":
        model, action = apps.get_model(settings.AUTH_USER_MODEL), "password"
    if model is None or action not in ("change", "history", "delete", "password"):
        return []
    if model not in canary.project_models() and model._meta.label != "auth.Group":
        return []  # third-party tables (sign-in attempts, task results): the sample URL
    pks = list(canary_world.pks.get(model._meta.label, []))
    pks += list(model._default_manager.order_by("-pk").values_list("pk", flat=True)[:ADMIN_OBJECTS])
    kwarg = "id" if action == "password" else "object_id"
    return [reverse(route.name, kwargs={kwarg: pk}) for pk in dict.fromkeys(pks)]


def _urls(route: Route, canary_world: Canary, principal: str) -> list[str]:
    if principal == STAFF:
        admin_urls = _admin_urls(route, canary_world)
        if admin_urls:
            return admin_urls
    row = _row_for(route)
    if route.name is None or row is None or (not row.kwargs and _has_kwargs(route)):
        # A wildcard row (the admin) is called as the matrix calls it; a route with no
        # row at all fails the matrix's meta-test, and is listed in the summary here.
        if _has_kwargs(route) and (row is not None or not rows_for(route)):
            REPORT.unfilled.add(route.key)
        return [_sample_url(route)]
    urls = []
    for kwargs in _variants(dict(row.kwargs), canary_world):
        try:
            urls.append(reverse(route.name, kwargs=kwargs))
        except NoReverseMatch:
            REPORT.unfilled.add(route.key)
            urls.append(_sample_url(route))
    return list(dict.fromkeys(urls))


def _has_kwargs(route: Route) -> bool:
    return any(pattern.regex.groups for pattern in route.patterns)


MAX_NESTING = 4


def _selection(type_: GraphQLOutputType, depth: int = 1) -> str:
    """Every field of an object type that needs no argument: leaves by name, objects
    with their own selection, down to MAX_NESTING levels."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return "{ __typename }"
    parts = []
    for name, gfield in named.fields.items():
        if any(
            is_non_null_type(arg.type) and arg.default_value is Undefined
            for arg in gfield.args.values()
        ):
            continue
        inner = get_named_type(gfield.type)
        if is_leaf_type(inner):
            parts.append(name)
        elif depth < MAX_NESTING:
            parts.append(f"{name} {_selection(gfield.type, depth + 1)}")
    return "{ " + " ".join(parts or ["__typename"]) + " }"


@dataclass(frozen=True)
class Operation:
    field_name: str
    query: str
    variables: dict[str, Any]


def _row_arguments(field_name: str, row: Row | None) -> dict[str, tuple[str, Any]]:
    """The arguments the matrix row passes to the field: ("var", template) or
    ("literal", text)."""
    if row is None:
        return {}
    operation = parse(row.query).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    found: dict[str, tuple[str, Any]] = {}
    for node in operation.selection_set.selections:
        if isinstance(node, FieldNode) and node.name.value == field_name:
            for argument in node.arguments:
                if isinstance(argument.value, VariableNode):
                    template = row.variables.get(argument.value.name.value)
                    found[argument.name.value] = ("var", template)
                else:
                    found[argument.name.value] = ("literal", print_ast(argument.value))
    return found


def _operations(field_name: str, gfield: GraphQLField, canary_world: Canary) -> list[Operation]:
    row = TABLE.get(f"graphql:Query.{field_name}")
    given = _row_arguments(field_name, row)
    declared, used, templates = [], [], {}
    for name, arg in gfield.args.items():
        if name in given:
            kind, value = given[name]
            if kind == "literal":
                used.append(f"{name}: {value}")
                continue
            declared.append(f"${name}: {arg.type}")
            used.append(f"{name}: ${name}")
            templates[name] = value
        elif is_non_null_type(arg.type) and arg.default_value is Undefined:
            REPORT.unfilled.add(f"graphql:Query.{field_name}")
            return []
    head = f"query({', '.join(declared)})" if declared else "query"
    args = f"({', '.join(used)})" if used else ""
    query = f"{head} {{ {field_name}{args} {_selection(gfield.type)} }}"
    return [
        Operation(field_name, query, variables) for variables in _variants(templates, canary_world)
    ]


def query_fields() -> dict[str, GraphQLField]:
    from config.schema import schema

    query_type = schema.graphql_schema.query_type
    assert query_type is not None
    return dict(query_type.fields)


# --- calling ------------------------------------------------------------------------------


def _text(response: Any) -> str:
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + _body(response)


def _call(client: Client, session: str | None, method: str, url: str, **extra: Any) -> str:
    """One request in a savepoint rolled back afterwards: a GET that writes (an audit
    event, a sign-out) cannot change what the next request sees."""
    if session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    else:
        client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    with transaction.atomic():
        response = client.generic(method, url, **extra)
        text = _text(response)
        status = response.status_code
        transaction.set_rollback(True)
    REPORT.requests += 1
    return f"{status}\n{text}"


@dataclass
class Hunt:
    principal: str
    allowed: set[str]
    leaks: list[tuple[str, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    known: set[canary.KnownLeak] = field(default_factory=set)
    requests: int = 0

    def check(self, target: str, text: str) -> None:
        found = canary.markers_in(text)
        self.seen |= found & self.allowed
        for leaked in sorted(canary.forbidden(found, self.allowed)):
            known = canary.known_leak(self.principal, target)
            if known is not None:
                self.known.add(known)
                REPORT.excused.append((self.principal, target, leaked))
            else:
                self.leaks.append((target, leaked))
                REPORT.leaks.append((self.principal, target, leaked))


# --- meta-tests ---------------------------------------------------------------------------


def test_every_text_field_is_seeded_or_skipped_with_a_reason() -> None:
    """A new table with text, or a new text field that the canary cannot seed (a slug,
    an email, a JSON blob), fails here until it is planned or skipped with a reason."""
    problems = []
    for model in canary.project_models():
        label = model._meta.label
        if model._meta.app_label in canary.TEST_APPS or label in canary.NOT_TENANT:
            continue
        if label not in PLAN:
            if canary.text_fields(model):
                problems.append(f"{label}: a table with text that canary.PLAN does not know")
            continue
        _, unknown = canary.classify(model)
        problems += [f"{name}: neither seedable nor in canary.SKIPS" for name in unknown]
    for label in ROLE_MAPS:
        if label not in PLAN and label.split(".")[0] not in canary.TEST_APPS:
            problems.append(f"{label}: in ROLE_MAPS but not in canary.PLAN")
    for label, gate in PLAN.items():
        if gate.label not in ROLE_MAPS:
            problems.append(f"{label}: its gate {gate.label} is not in ROLE_MAPS")
    for label, field_name in canary.SKIPS:
        apps.get_model(label)._meta.get_field(field_name)  # a skip of a field that is gone
    assert not problems, "\n".join(problems)


def test_seeding_wrote_every_free_text_field(canary_world: Canary, db: None) -> None:
    """Found (every free-text field of every planned table) against seeded (the
    fields the fixture wrote a marker into, on at least one row)."""
    found = {(label, f.name) for label in PLAN for f in canary.seeded_fields(apps.get_model(label))}
    seeded = {pair for pair, markers in canary_world.seeded.items() if markers}
    missing = sorted(found - seeded)
    assert not missing, (
        "Free-text fields with no row of the owner to seed (add a row in _add_rows): "
        + ", ".join(f"{label}.{name}" for label, name in missing)
    )
    # And each marker really is in its row.
    for row in canary_world.rows[:: max(1, len(canary_world.rows) // 20)]:
        model = apps.get_model(row.label)
        values = model._default_manager.filter(pk=row.pk).values()[0]
        stored = canary.markers_in(json.dumps(values, default=str))
        in_columns = set(row.markers) - {canary.marker(EvidenceItem, "file", row.pk).lower()}
        assert in_columns <= stored, (row.label, row.pk)


def test_the_skips_say_why(canary_world: Canary, db: None) -> None:
    for label in PLAN:
        reasons, unknown = canary.classify(apps.get_model(label))
        assert not unknown
        assert all(reasons.values())
    assert all(canary.NOT_TENANT.values()) and all(canary.SKIPS.values())


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_the_chokepoint_agrees_with_the_rules(
    canary_world: Canary, db: None, principal: str
) -> None:
    """For every seeded gate row, `tenancy.access.visible` lets exactly the principals
    of canary.who_may_see see it: the hunt's oracle and the code under test agree."""
    expected = {gate for gate, viewers in canary_world.viewers.items() if principal in viewers}
    actual = canary_world.chokepoint_allows(principal)
    assert actual == expected, (
        f"{principal}: the chokepoint also allows {sorted(actual - expected)}, "
        f"and refuses {sorted(expected - actual)}"
    )


def test_the_live_grant_opens_only_what_was_shared(canary_world: Canary, db: None) -> None:
    """What the chokepoint lets each outsider see of the evidence: the team with an open
    window sees the two items Salford shared with its review (and the team's own
    note, and its document request), nothing else; everyone else outside Salford sees
    no evidence at all, and the owner's plain members not the restricted item."""
    w = canary_world.world

    def item_markers(item: models.Model) -> set[str]:
        return {
            m
            for row in canary_world.rows
            if row.label == item._meta.label and row.pk == item.pk
            for m in row.markers
        }

    shared = item_markers(w.shared_item) | item_markers(w.document)
    unshared = set().union(
        item_markers(w.private_item),
        item_markers(w.restricted_item),
        *(item_markers(canary_world.extra[k]) for k in ("interview", "other", "unshared_document")),
    )
    assert shared and unshared
    open_reviewer = canary_world.allowed(REVIEWER_OPEN)
    assert shared <= open_reviewer
    assert not unshared & open_reviewer
    assert item_markers(w.team_note) <= open_reviewer
    for principal in (REVIEWER_CLOSED, REVIEWING_MEMBER, REVIEWING_LEAD, OTHER_MEMBER):
        assert not (shared | unshared | item_markers(w.team_note)) & canary_world.allowed(
            principal
        ), principal
    restricted = item_markers(w.restricted_item)
    assert restricted <= canary_world.allowed(OWNER_LEAD)
    assert not restricted & canary_world.allowed(OWNER_MEMBER)
    assert not restricted & canary_world.allowed(OWNER_MANAGER)


def test_a_truncated_marker_counts() -> None:
    allowed = {"canary-handbook-title-1-end"}
    found = canary.markers_in(
        "… CANARY-handbook-title-1-END, canary-handbook-tit… Canary-evidenceitem-no"
    )
    assert canary.forbidden(found, allowed) == {"canary-evidenceitem-no"}
    assert canary.forbidden({"canary-handbook-title-12-end"}, allowed) == {
        "canary-handbook-title-12-end"
    }


# --- the hunt -----------------------------------------------------------------------------


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_no_marker_reaches_a_principal_who_may_not_see_it(
    canary_world: Canary, db: None, principal: str
) -> None:
    allowed = canary_world.allowed(principal)
    hunt = Hunt(principal, allowed)
    client = Client()
    session = None if principal == ANONYMOUS else canary_world.sessions[principal]
    REPORT.principals.add(principal)

    for route in url_routes():
        REPORT.routes.add(route.key)
        writes_only = _writes_only(route)
        for url in _urls(route, canary_world, principal):
            answer = _call(client, session, "GET", url)
            hunt.check(f"GET {url}", answer)
            hunt.requests += 1
            if writes_only and not answer.startswith("2"):
                # A route the matrix knows only for writes refuses a GET before any
                # object is read (405): once is enough, unless it answers.
                break

    graphql = reverse("graphql")
    for field_name, gfield in query_fields().items():
        for operation in _operations(field_name, gfield, canary_world):
            REPORT.fields.add(f"graphql:Query.{field_name}")
            body = json.dumps({"query": operation.query, "variables": operation.variables})
            answer = _call(
                client, session, "POST", graphql, data=body, content_type="application/json"
            )
            status = answer.split("\n", 1)[0]
            # GraphQL refuses anonymous callers outright (issue 8), as REST does.
            expected = "401" if principal == ANONYMOUS else "200"
            assert status == expected, f"{operation.query} answered {answer[:500]}"
            hunt.check(f"graphql {field_name} {operation.variables}", answer)
            hunt.requests += 1

    REPORT.seen[principal] = hunt.seen
    REPORT.requests_by_principal[principal] = hunt.requests
    assert not hunt.leaks, f"{principal} met markers of rows they may not see:\n" + "\n".join(
        f"  {marker} in {target}" for target, marker in hunt.leaks[:40]
    )
    fixed = [
        leak.reason
        for leak in canary.KNOWN_LEAKS
        if leak.principal == principal and leak not in hunt.known
    ]
    assert not fixed, "Known leaks no longer seen: delete them from canary.KNOWN_LEAKS: " + (
        "; ".join(fixed)
    )


# Principals who must meet some of the owner's markers: proof that the calls reach the
# data at all (a broken session or a query the schema refuses would otherwise pass as
# "no leaks").
MUST_SEE = {
    OWNER_LEAD: {"handbook", "exchange", "reviewarea", "teammember", "budget", "otherincome"},
    REVIEWING_LEAD: {"exchange", "reviewarea", "teammember", "finding", "quote"},
    REVIEWER_OPEN: {"reviewarea", "teammember", "finding", "quote", "moderationdecision"},
}


def test_the_hunt_met_the_markers_it_should(canary_world: Canary, db: None) -> None:
    """Runs after the hunt (pytest keeps file order). The owner's lead, Bolton's lead and
    the reviewer with an open window each met markers of the tables they work with; and
    once any route or field shows evidence, the reviewer with an open window meets the
    items Salford shared (the live grant), as the owner's lead does."""
    if not set(MUST_SEE) <= set(REPORT.seen):
        pytest.skip("the hunt did not run for every principal checked here")
    for principal, tables in MUST_SEE.items():
        met = {text.split("-")[1] for text in REPORT.seen[principal]}
        assert tables <= met, f"{principal} met no marker of {sorted(tables - met)}"
    w = canary_world.world
    shared = {
        text
        for row in canary_world.rows
        if row.label == "evidence.EvidenceItem" and row.pk in (w.shared_item.pk, w.document.pk)
        for text in row.markers
    }
    if shared & REPORT.seen[OWNER_LEAD]:
        assert shared & REPORT.seen[REVIEWER_OPEN], (
            "Evidence is shown somewhere, but the reviewer with an open window never met an "
            "item shared with their review"
        )


def test_the_admin_delete_page_counts_related_rows_without_naming_them(db, client):
    """Platform staff deleting a partnership see how many related rows there are, not
    their titles (Django's own page names every one)."""
    from accounts.models import User
    from evidence.models import EvidenceItem
    from tenancy.models import Membership, Partnership, Role

    staff = User.objects.create_user(
        "staff@admin-delete.test", "x-Password-1234", is_staff=True, is_superuser=True
    )
    partnership = Partnership.objects.create(name="Deletable", slug="deletable")
    member = User.objects.create_user("member@admin-delete.test", "x-Password-1234")
    Membership.objects.create(user=member, partnership=partnership, role=Role.LEAD)
    EvidenceItem.objects.create(
        partnership=partnership, kind="other", title="CANARY-secret-title", added_by=member
    )
    client.force_login(staff)

    for url in (
        f"/admin/tenancy/partnership/{partnership.pk}/delete/",
        f"/admin/accounts/user/{member.pk}/delete/",
    ):
        body = client.get(url).content.decode()
        assert "CANARY-secret-title" not in body, url
        assert "1 " in body, url  # a count is shown instead
