"""THE access chokepoint: the only place that decides who may see or change what.

Every read of tenant data in views, API views, GraphQL resolvers and tasks starts here:

- `actor_of(request)` resolves the signed-in user's memberships, alliance roles and
  open access windows once per request;
- `visible(actor, Model, perm)` is the queryset of rows the actor may `perm`;
- `get_visible(actor, Model, pk, perm)` is one row, or `NotFound` — the same error
  for "does not exist" and "not yours", so nobody learns another partnership's ids;
- `can(actor, perm, obj)` answers for an object already in hand.

Rules:

1. A tenant-owned row is reachable by members of its partnership whose role the
   model's role map lists for the permission (`ROLE_MAPS`).
2. Across tenants, only guardian object permissions held by a *group* reach a row,
   and only while one of the actor's `AccessWindow`s on that group is open. Guardian
   is read through its direct foreign-key permission models, never through
   `user.has_perm`: no superuser flag and no global (table-level) permission widens
   access. Platform staff are ordinary actors here.
3. A model with no role map is refused (fail closed): registering is how a new
   tenant table is admitted to the product.
4. A row the role map marks restricted (evidence marked "restricted") is reachable
   through a role only by users who also hold a guardian *user* grant on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection, models
from django.db.models import Q, QuerySet, Subquery
from django.db.models.query import ModelIterable
from django.db.models.sql.where import WhereNode
from django.http import HttpRequest
from django.utils import timezone

from core.errors import NotFound, PermissionDenied

from .models import AccessWindow, AllianceAnalyst, Membership, Role

M = TypeVar("M", bound=models.Model)

ALL_ROLES = frozenset(Role)
LEADS = frozenset({Role.LEAD})
MANAGERS = frozenset({Role.LEAD, Role.BUSINESS_MANAGER})


@dataclass(frozen=True)
class Side:
    """Members of the partnership at `partnership_path` hold `roles[perm]`."""

    partnership_path: str
    roles: Mapping[str, frozenset[Role]]
    # Only rows meeting this condition are reached through this side (a review's
    # notes reach the reviewed partnership's leads once the review is published).
    when: Q | None = None


@dataclass(frozen=True)
class Audience:
    """A view rule wider than membership: `rule(actor)` is a condition on the model
    (a handbook shared with an alliance or with everyone)."""

    rule: Callable[[Actor], Q]
    perms: frozenset[str] = frozenset({"view"})


@dataclass(frozen=True)
class RoleMap:
    """Who holds each permission on a model.

    `partnership_path` is the ORM path from the model to its owning Partnership's
    id ("partnership_id", or "id" for Partnership itself); `roles` maps each
    permission to the owning partnership's roles that hold it. A row that two
    partnerships take part in (a review: reviewing and reviewed) lists the second
    in `other_sides`, each with its own roles.

    `team_group_path` is the path to a guardian Group whose members hold
    `team_perms` (a review team sees its review, window or not; with
    `team_needs_window`, only while their AccessWindow on the group is open).
    `shareable` lists the permissions that guardian group grants may carry across
    tenants, honoured only while an AccessWindow on the group is open.

    `restricted` marks rows that no role reaches on its own: the user must also
    hold a guardian user grant of "view" on the row (through the model's direct
    user-permission table).
    """

    partnership_path: str
    roles: Mapping[str, frozenset[Role]]
    shareable: frozenset[str] = frozenset()
    other_sides: tuple[Side, ...] = ()
    team_group_path: str | None = None
    team_perms: frozenset[str] = frozenset()
    team_needs_window: bool = False
    audience: Audience | None = None
    restricted: Q | None = None

    @property
    def sides(self) -> tuple[Side, ...]:
        return (Side(self.partnership_path, self.roles), *self.other_sides)

    def knows(self, perm: str) -> bool:
        return (
            any(perm in side.roles for side in self.sides)
            or perm in self.team_perms
            or perm in self.shareable
            or (self.audience is not None and perm in self.audience.perms)
        )


@dataclass(frozen=True)
class Actor:
    """Who is asking, resolved once per request. Immutable: a change of role
    takes effect on the next request, never half-way through one."""

    user_id: int | None
    email: str = ""
    display_name: str = ""
    roles: Mapping[int, Role] = field(default_factory=dict)
    analyst_alliance_ids: frozenset[int] = frozenset()
    open_group_ids: frozenset[int] = frozenset()
    group_ids: frozenset[int] = frozenset()
    alliance_ids: frozenset[int] = frozenset()
    is_independent_adviser: bool = False
    is_platform_staff: bool = False
    resolved_at: datetime | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def role_in(self, partnership_id: int) -> Role | None:
        return self.roles.get(partnership_id)

    def partnership_ids(self, roles: Iterable[Role] = ALL_ROLES) -> frozenset[int]:
        wanted = frozenset(roles)
        return frozenset(pid for pid, role in self.roles.items() if role in wanted)


ANONYMOUS = Actor(user_id=None)


def _holdings_sql() -> str:
    """One statement for everything an actor holds besides the user row itself: each
    row is tagged with what it is ("m" membership, "a" analyst alliance, "w" open
    window, "g" group). A UNION ALL of four indexed reads, portable to SQLite (local
    runs), where array aggregates are not. Table names come from the models."""
    from django.contrib.auth import get_user_model

    def table(model: type[models.Model]) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    partnership = Membership._meta.get_field("partnership").related_model
    assert partnership is not None
    user_groups = table(get_user_model().groups.through)
    # A window counts only while the user is still in the group: removing someone
    # from a team's group ends their access even if the window row lingers.
    return (
        f"SELECT 'm', m.partnership_id, m.role, p.alliance_id FROM {table(Membership)} m"  # noqa: S608
        f" JOIN {table(partnership)} p ON p.id = m.partnership_id WHERE m.user_id = %s"
        f" UNION ALL SELECT 'a', a.alliance_id, NULL, NULL FROM {table(AllianceAnalyst)} a"
        " WHERE a.user_id = %s"
        f" UNION ALL SELECT 'w', w.group_id, NULL, NULL FROM {table(AccessWindow)} w"
        " WHERE w.user_id = %s AND w.opens_at <= %s AND w.closes_at > %s"
        f" AND EXISTS (SELECT 1 FROM {user_groups} ug"
        " WHERE ug.user_id = w.user_id AND ug.group_id = w.group_id)"
        f" UNION ALL SELECT 'g', g.group_id, NULL, NULL FROM {user_groups} g WHERE g.user_id = %s"
    )


def actor_for(user: Any, *, now: datetime | None = None) -> Actor:
    """Resolve an actor from a user in hand: one statement, whatever the user holds
    (memberships with their alliances, analyst alliances, open windows, groups)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return ANONYMOUS
    if not user.is_active:
        return ANONYMOUS
    now = now or timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    roles: dict[int, Role] = {}
    alliances: set[int] = set()
    held: dict[str, set[int]] = {"a": set(), "w": set(), "g": set()}
    with connection.cursor() as cursor:
        cursor.execute(_holdings_sql(), [user.pk, user.pk, user.pk, at, at, user.pk])
        for kind, key, role, alliance in cursor.fetchall():
            if kind == "m":
                roles[int(key)] = Role(role)
                if alliance is not None:
                    alliances.add(int(alliance))
            else:
                held[kind].add(int(key))
    return Actor(
        user_id=user.pk,
        email=user.email,
        display_name=user.get_full_name() or user.email,
        roles=roles,
        analyst_alliance_ids=frozenset(held["a"]),
        open_group_ids=frozenset(held["w"]),
        group_ids=frozenset(held["g"]),
        alliance_ids=frozenset(alliances),
        is_independent_adviser=user.is_independent_adviser,
        is_platform_staff=user.is_staff,
        resolved_at=now,
    )


_ACTOR_CACHE = "_tenancy_actor"


def actor_of(request: Any) -> Actor:
    """The request's actor, resolved on first use and cached on the request.

    Accepts a Django HttpRequest or a DRF Request (whose user may come from a
    bearer token, so it is only known inside the view)."""
    django_request: HttpRequest = getattr(request, "_request", request)
    user = getattr(request, "user", None)
    cached: Actor | None = getattr(django_request, _ACTOR_CACHE, None)
    user_id = getattr(user, "pk", None) if user is not None and user.is_authenticated else None
    if cached is not None and cached.user_id == user_id:
        return cached
    actor = actor_for(user)
    setattr(django_request, _ACTOR_CACHE, actor)
    return actor


def _handbook_audience(prefix: str = "", *, published_only: bool = False) -> Audience:
    """Handbooks shared with everyone, or with the alliance of one of the actor's
    partnerships. Drafts stay with the owners (`published_only` for versions)."""

    def rule(actor: Actor) -> Q:
        shared = Q(**{f"{prefix}visibility": "everyone"})
        if actor.alliance_ids:
            shared |= Q(**{f"{prefix}visibility": "alliance"}) & (
                Q(**{f"{prefix}alliance_id__in": actor.alliance_ids})
                | Q(**{f"{prefix}partnership__alliance_id__in": actor.alliance_ids})
            )
        return shared & Q(status="published") if published_only else shared

    return Audience(rule=rule)


_REVIEW_ROLES_BOTH_SIDES = {
    "view": ALL_ROLES,
    "agree_scope": MANAGERS,
    "advance": LEADS,
    "reschedule": LEADS,
}

_ReviewedSide = tuple[Mapping[str, frozenset[Role]], Q | None]


def _findings_rules(
    prefix: str, team_perms: frozenset[str], reviewed: tuple[_ReviewedSide, ...]
) -> RoleMap:
    """A finding, or a row hanging off one at `prefix` ("finding__"): the review team
    while its window is open (they write findings during fieldwork and moderation,
    as they take notes); the reviewing partnership's leads, who run the review, read
    them. `reviewed` lists the reviewed partnership's sides, as (roles, when)."""
    return RoleMap(
        partnership_path=f"{prefix}review__reviewing_partnership_id",
        roles={"view": LEADS},
        team_group_path=f"{prefix}review__team_group_id",
        team_perms=team_perms,
        team_needs_window=True,
        other_sides=tuple(
            Side(f"{prefix}review__reviewed_partnership_id", roles, when=when)
            for roles, when in reviewed
        ),
    )


def _finding_sides(prefix: str = "") -> tuple[_ReviewedSide, ...]:
    """The reviewed partnership's leads: published findings (and what hangs off
    them); and agreed ones, with the right to comment, while the review is reporting
    under a handbook that asks for a factual-accuracy check. Nothing else, ever."""
    accuracy_check = Q(
        **{
            f"{prefix}status": "agreed",
            f"{prefix}review__status": "reporting",
            f"{prefix}review__handbook_version__factual_accuracy_check": True,
        }
    )
    return (
        ({"view": LEADS}, Q(**{f"{prefix}status": "published"})),
        ({"view": LEADS, "comment": LEADS}, accuracy_check),
    )


# The whole permission model of the product, one line per tenant table.
# Keys are "app_label.ModelName" so this module imports no other app.
ROLE_MAPS: dict[str, RoleMap] = {
    "handbooks.Handbook": RoleMap(
        partnership_path="partnership_id",
        roles={"view": ALL_ROLES, "change": MANAGERS, "copy": MANAGERS},
        audience=_handbook_audience(),
    ),
    "handbooks.HandbookVersion": RoleMap(
        partnership_path="handbook__partnership_id",
        roles={"view": ALL_ROLES, "change": MANAGERS},
        audience=_handbook_audience("handbook__", published_only=True),
    ),
    "reviews.Exchange": RoleMap(
        # The proposer may withdraw; every party's members see the exchange.
        partnership_path="partnership_id",
        roles={"view": ALL_ROLES, "withdraw": LEADS},
        other_sides=(Side("parties__partnership_id", {"view": ALL_ROLES}),),
    ),
    "reviews.ExchangeParty": RoleMap(
        # Only a party's own lead answers for it.
        partnership_path="partnership_id",
        roles={"view": ALL_ROLES, "answer": LEADS},
        other_sides=(Side("exchange__parties__partnership_id", {"view": ALL_ROLES}),),
    ),
    "reviews.Review": RoleMap(
        partnership_path="reviewed_partnership_id",
        roles={**_REVIEW_ROLES_BOTH_SIDES, "host": LEADS, "manage_access": LEADS},
        other_sides=(
            Side(
                "reviewing_partnership_id",
                {**_REVIEW_ROLES_BOTH_SIDES, "lead": LEADS, "manage_team": LEADS},
            ),
        ),
        # Every team member (independent advisers included) sees the review itself;
        # evidence needs an open access window on top.
        team_group_path="team_group_id",
        team_perms=frozenset({"view"}),
    ),
    "reviews.TeamInvitation": RoleMap(
        # Places offered to people without an account: the reviewing lead's business.
        partnership_path="review__reviewing_partnership_id",
        roles={"view": LEADS, "manage": LEADS},
    ),
    "evidence.EvidenceItem": RoleMap(
        # A partnership's library: every member reads it (restricted items only with a
        # user grant); managers change, share and read the access log. Shared items
        # reach a review team through its group's grant while a window is open.
        partnership_path="partnership_id",
        roles={"view": ALL_ROLES, "change": MANAGERS, "share": MANAGERS, "view_log": MANAGERS},
        shareable=frozenset({"view"}),
        restricted=Q(sensitivity="restricted"),
        # A review team's own notes: the team, while its window is open; the reviewed
        # partnership's leads once the review is published.
        team_group_path="review__team_group_id",
        team_perms=frozenset({"view", "change"}),
        team_needs_window=True,
        other_sides=(
            Side(
                "review__reviewed_partnership_id",
                {"view": LEADS},
                when=Q(review__status__in=("published", "closed")),
            ),
        ),
    ),
    "evidence.DocumentRequest": RoleMap(
        # The reviewed partnership answers; both partnerships see the requests; the
        # team sees and withdraws them while its window is open.
        partnership_path="review__reviewed_partnership_id",
        roles={"view": ALL_ROLES, "answer": MANAGERS},
        # The reviewing partnership's lead, who may ask too, may also withdraw.
        other_sides=(
            Side("review__reviewing_partnership_id", {"view": ALL_ROLES, "withdraw": LEADS}),
        ),
        team_group_path="review__team_group_id",
        team_perms=frozenset({"view", "withdraw"}),
        team_needs_window=True,
    ),
    "findings.Finding": _findings_rules(
        "", frozenset({"view", "change", "moderate"}), _finding_sides()
    ),
    "findings.Quote": _findings_rules(
        "finding__", frozenset({"view", "change"}), _finding_sides("finding__")
    ),
    "findings.FindingComment": _findings_rules(
        # The reviewed partnership's leads read the comments they made during the
        # check, from then on.
        "finding__",
        frozenset({"view"}),
        (({"view": LEADS}, Q(finding__review__status__in=("reporting", "published", "closed"))),),
    ),
    # Moderation records are the team's working papers: never the reviewed
    # partnership's. Its side is named with no permission, so that the rows are
    # known as the review's (the canary seeds them as the reviewed partnership's).
    "findings.ModerationMeeting": _findings_rules("", frozenset({"view", "change"}), (({}, None),)),
    "findings.ModerationDecision": _findings_rules("meeting__", frozenset({"view"}), (({}, None),)),
    # Success criteria are the reviewed partnership's own statements: every member
    # reads them, its managers write and self-assess; the team reads them (window
    # open), as do the reviewing partnership's leads.
    "findings.SuccessCriterion": RoleMap(
        partnership_path="review__reviewed_partnership_id",
        roles={"view": ALL_ROLES, "change": MANAGERS},
        other_sides=(Side("review__reviewing_partnership_id", {"view": LEADS}),),
        team_group_path="review__team_group_id",
        team_perms=frozenset({"view"}),
        team_needs_window=True,
    ),
    # The reviewers' assessment and recommendations follow the findings: the team's
    # until the review is published, then the reviewed partnership's leads read them
    # (and answer the recommendations).
    "findings.CriterionAssessment": _findings_rules(
        "criterion__",
        frozenset({"view", "change"}),
        (({"view": LEADS}, Q(criterion__review__status__in=("published", "closed"))),),
    ),
    "findings.Recommendation": _findings_rules(
        "",
        frozenset({"view", "change"}),
        (({"view": LEADS, "respond": LEADS}, Q(review__status__in=("published", "closed"))),),
    ),
    # Actions are the reviewed partnership's own work.
    "findings.Action": RoleMap(
        partnership_path="recommendation__review__reviewed_partnership_id",
        roles={"view": ALL_ROLES, "change": MANAGERS},
        other_sides=(Side("recommendation__review__reviewing_partnership_id", {"view": LEADS}),),
    ),
    "budgets.Budget": RoleMap(
        # A partnership's own money: every member reads it, its leads and business
        # managers enter and change it. No reviewer, analyst or staff role reaches a
        # row: alliance analysts get anonymised benchmarks only, never a budget.
        partnership_path="partnership_id",
        roles={"view": ALL_ROLES, "change": MANAGERS},
    ),
    "surveys.Survey": RoleMap(
        # A professionals survey, its answers (free text included) and its results
        # belong to the surveyed partnership: every member reads them, managers run
        # the survey. The review team reads them only while its window is open.
        partnership_path="partnership_id",
        roles={"view": ALL_ROLES, "change": MANAGERS},
        team_group_path="review__team_group_id",
        team_perms=frozenset({"view"}),
        team_needs_window=True,
    ),
    "tenancy.Partnership": RoleMap(
        # Any member adds to the evidence library; its managers share it with reviews,
        # read who has viewed the library's evidence (the partnership's access log),
        # and enter budgets and run surveys.
        partnership_path="id",
        roles={
            "view": ALL_ROLES,
            "change": LEADS,
            "manage_members": LEADS,
            "add_evidence": ALL_ROLES,
            "share_evidence": MANAGERS,
            "arrange_exchange": LEADS,
            "agree_review_scope": MANAGERS,
            "view_evidence_log": MANAGERS,
            "add_budget": MANAGERS,
            "add_survey": MANAGERS,
        },
    ),
    "tenancy.Membership": RoleMap(
        partnership_path="partnership_id",
        roles={"view": ALL_ROLES, "change": LEADS},
    ),
}


def register(label: str, role_map: RoleMap) -> None:
    """Admit a tenant model to the chokepoint (tests register fixtures' models)."""
    ROLE_MAPS[label] = role_map


def role_map_for(model: type[models.Model]) -> RoleMap:
    label = model._meta.label
    try:
        return ROLE_MAPS[label]
    except KeyError:
        raise ImproperlyConfigured(
            f"{label} has no role map in tenancy.access.ROLE_MAPS; tenant data cannot be read "
            "until its access rule is declared."
        ) from None


def _permission_id(model: type[models.Model], perm: str) -> Subquery:
    """The id of `<perm>_<model>` as a scalar subquery, resolved once per statement.

    Compared with joining auth_permission row by row, the grant subquery then reads
    the permission table's (group, permission, object) rows directly, with no hash
    join: about 1 ms less for a reviewer holding 10k grants (PERFORMANCE.md, P3).
    Resolved in SQL rather than cached in the process, so it is never stale."""
    from django.contrib.auth.models import Permission

    concrete = (model._meta.concrete_model or model)._meta
    return Subquery(
        Permission.objects.filter(
            content_type__app_label=concrete.app_label,
            content_type__model=concrete.model_name,
            codename=f"{perm}_{model._meta.model_name}",
        ).values("pk")[:1]
    )


def _granted_ids(model: type[models.Model], perm: str, group_ids: frozenset[int]) -> QuerySet[Any]:
    """Ids of `model` rows that the given groups hold `perm` on, read from the model's
    direct foreign-key group-permission table (guardian's `<Model>GroupObjectPermission`).

    The subquery starts from the permission table's (group, permission) index rather
    than from the tenant table, which is what keeps a reviewer's list as fast as the
    owner's (PERFORMANCE.md, P3)."""
    from guardian.utils import get_group_obj_perms_model

    perm_model: Any = get_group_obj_perms_model(model)  # type: ignore[arg-type]
    if perm_model.objects.is_generic():
        # The generic table keys objects by a text id over every model: slow, and
        # easy to misread. Shareable models must declare a direct model.
        raise ImproperlyConfigured(
            f"{model._meta.label} is shareable but has no direct group-permission model."
        )
    return perm_model.objects.filter(  # type: ignore[no-any-return]
        group_id__in=group_ids, permission_id=_permission_id(model, perm)
    ).values("content_object_id")


def _user_granted_ids(model: type[models.Model], user_id: int) -> QuerySet[Any]:
    """Ids of `model` rows on which the user holds a direct guardian grant of "view"
    (how a restricted row is opened to named members of its own partnership)."""
    from guardian.utils import get_user_obj_perms_model

    perm_model: Any = get_user_obj_perms_model(model)  # type: ignore[arg-type]
    if perm_model.objects.is_generic():
        raise ImproperlyConfigured(
            f"{model._meta.label} has restricted rows but no direct user-permission model."
        )
    return perm_model.objects.filter(  # type: ignore[no-any-return]
        user_id=user_id, permission_id=_permission_id(model, "view")
    ).values("content_object_id")


def _check_perm(model: type[models.Model], role_map: RoleMap, perm: str) -> None:
    if not role_map.knows(perm):
        raise ImproperlyConfigured(f"{model._meta.label} has no rule for permission '{perm}'.")


def _path_condition(
    model: type[models.Model], path: str, values: Iterable[int], when: Q | None = None
) -> tuple[Q, Q]:
    """`path IN values` (and `when`): as it goes into the OR of all rules, and as the
    rule's own query (`VisibleQuerySet`) asks it.

    In the OR, a path or `when` reaching into another table becomes a subquery of
    the model's own ids. A to-many hop joined in the outer query would repeat rows. A
    to-one hop would not, but its LEFT JOIN sits under the OR of the other rules, so
    the planner has to join every row it walks (an owner's evidence list walked ~9k
    rows, each joined to its review, for 50 rows). As `pk IN (subquery)` it is a
    small hashed set built once, and the outer query reads the tenant table alone.
    On its own the rule is better joined: the planner starts from the other table's
    index (a partnership's few published reviews, then their notes) instead of
    merging the subquery against the whole primary key (PERFORMANCE.md, P3). A
    to-many path stays a subquery: repeated rows would take the rule's LIMIT slots
    from rows that belong on the page."""
    condition = Q(**{f"{path}__in": values})
    if when is not None:
        condition &= when
    if _crosses_relation(model, path) or (when is not None and _q_crosses_relation(model, when)):
        subquery = Q(pk__in=model._default_manager.filter(condition).values("pk"))
        return subquery, subquery if _crosses_to_many(model, path) else condition
    return condition, condition


class VisibleQuerySet(QuerySet[M]):
    """What `visible()` returns. Every evaluation filters by the OR of the actor's
    rules, like any queryset; a list that opts in with `paged_by_rule()` also takes
    each page's ids rule by rule.

    Why: under the OR of role, team and grant rules the planner cannot use any one
    rule's index for ORDER BY ... LIMIT, so it walks the primary key backwards and
    discards rows (9,888 for one page at 1x; PERFORMANCE.md P3, P4). With
    `paged_by_rule()`, a sliced, ordered fetch first asks each rule, on its own
    index, for its first `high mark` ids under the same filters and order, merges
    them (UNION, ordered, sliced: the page's ids), then fetches those rows by id. A
    rule's first N rows contain every row of the merged first N, so the page is
    exactly the page of the OR, and each id on it passed one rule with every filter.

    Filters are replayed on each rule's query, so only filters that name the
    model's own fields and relations qualify: one applied after an annotation
    (which might name it) turns the rule-by-rule path off for that queryset.
    `after_fetch(fn)` runs `fn(rows)` once on each fetched list of rows (a page's
    counts in one grouped query instead of a subquery per row)."""

    _rules: tuple[Q, ...] = ()
    _narrowing: tuple[tuple[bool, tuple[Any, ...], dict[str, Any]], ...] = ()
    _replayable: bool = True
    _by_rule: bool = False
    _after_fetch: tuple[Callable[[list[Any]], None], ...] = ()

    def _clone(self) -> VisibleQuerySet[M]:
        clone: VisibleQuerySet[M] = super()._clone()  # type: ignore[misc]
        clone._rules = self._rules
        clone._narrowing = self._narrowing
        clone._replayable = self._replayable
        clone._by_rule = self._by_rule
        clone._after_fetch = self._after_fetch
        return clone

    def _filter_or_exclude(self, negate: bool, args: Any, kwargs: Any) -> VisibleQuerySet[M]:
        clone: VisibleQuerySet[M] = super()._filter_or_exclude(negate, args, kwargs)  # type: ignore[misc]
        clone._narrowing = (*self._narrowing, (negate, tuple(args), dict(kwargs)))
        if self.query.annotations:
            clone._replayable = False
        return clone

    def _copy(self) -> VisibleQuerySet[M]:
        return self._clone()

    def paged_by_rule(self) -> VisibleQuerySet[M]:
        clone = self._copy()
        clone._by_rule = True
        return clone

    def after_fetch(self, hook: Callable[[list[Any]], None]) -> VisibleQuerySet[M]:
        clone = self._copy()
        clone._after_fetch = (*self._after_fetch, hook)
        return clone

    def _order_names(self) -> list[str] | None:
        """The order as names of the model's own columns, or None if it is not."""
        order = list(self.query.order_by or self.model._meta.ordering or ())
        names = []
        for item in order:
            if not isinstance(item, str):
                return None
            name = item.removeprefix("-")
            if name == "pk":
                name = self.model._meta.pk.name
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                return None
            if not field.concrete or field.is_relation:
                return None
            names.append(("-" if item.startswith("-") else "") + name)
        return names or None

    def _page_by_rule(self) -> bool:
        query = self.query
        return (
            self._by_rule
            and self._replayable
            and len(self._rules) > 1
            and query.high_mark is not None
            and query.high_mark - query.low_mark > 1
            and query.combinator is None
            and not query.distinct
            and not query.select_for_update
            and query.group_by is None
            and self._order_names() is not None
        )

    def _page_ids(self) -> list[Any]:
        order = self._order_names()
        assert order is not None
        pk = self.model._meta.pk.name
        columns = [pk, *(name.removeprefix("-") for name in order if name.removeprefix("-") != pk)]
        high, low = self.query.high_mark, self.query.low_mark
        assert high is not None
        branches = []
        for rule in self._rules:
            branch = self.model._default_manager.filter(rule)
            for negate, args, kwargs in self._narrowing:
                narrow = branch.exclude if negate else branch.filter
                branch = narrow(*args, **kwargs)
            branches.append(branch.order_by(*order).values_list(*columns)[:high])
        merged = branches[0].union(*branches[1:]).order_by(*order)[low:high]
        return [row[0] for row in merged]

    def _fetch_all(self) -> None:
        if self._result_cache is None and self._page_by_rule():
            ids = self._page_ids()
            # Fetched by id alone: every id came from one of the rules' own queries,
            # and the OR's grant subquery would cost more than the rows (P3).
            rows = self._copy()
            rows.query.clear_limits()
            rows.query.where = WhereNode()
            rows._by_rule = False
            rows._after_fetch = ()
            self._result_cache = list(rows.filter(pk__in=ids)) if ids else []
            self._prefetch_done = True
        else:
            super()._fetch_all()
        if (
            self._after_fetch
            and self._result_cache
            and self._iterable_class is ModelIterable
            and not getattr(self, "_fetched", False)
        ):
            self._fetched = True
            rows_fetched = list(self._result_cache)
            for hook in self._after_fetch:
                hook(rows_fetched)


def visible(actor: Actor, model: type[M], perm: str = "view") -> VisibleQuerySet[M]:
    """Every row of `model` the actor may `perm`; empty for anyone else's rows."""
    role_map = role_map_for(model)
    _check_perm(model, role_map, perm)
    manager = model._default_manager
    if not actor.is_authenticated:
        return VisibleQuerySet(model, using=manager.db).none()
    # Each rule twice: as it goes into the OR, and as its own query (_path_condition).
    conditions: list[tuple[Q, Q]] = []
    role_conditions: list[tuple[Q, Q]] = []
    for side in role_map.sides:
        own = actor.partnership_ids(side.roles.get(perm, frozenset()))
        if own:
            role_conditions.append(_path_condition(model, side.partnership_path, own, side.when))
    team_groups = actor.open_group_ids if role_map.team_needs_window else actor.group_ids
    if role_map.team_group_path and perm in role_map.team_perms and team_groups:
        role_conditions.append(_path_condition(model, role_map.team_group_path, team_groups))
    if role_conditions and role_map.restricted is not None:
        # Roles and teams reach a restricted row only with the user's own grant.
        opened = ~role_map.restricted | Q(pk__in=_user_granted_ids(model, actor.user_id or 0))
        role_conditions = [(alone & opened, joined & opened) for alone, joined in role_conditions]
    conditions.extend(role_conditions)
    if role_map.audience is not None and perm in role_map.audience.perms:
        audience = role_map.audience.rule(actor)
        conditions.append((audience, audience))
    if perm in role_map.shareable and actor.open_group_ids:
        granted = Q(pk__in=_granted_ids(model, perm, actor.open_group_ids))
        conditions.append((granted, granted))
    if not conditions:
        return VisibleQuerySet(model, using=manager.db).none()
    condition = conditions[0][0]
    for extra, _ in conditions[1:]:
        condition |= extra
    rows: VisibleQuerySet[M] = VisibleQuerySet(model, using=manager.db).filter(condition)
    # The OR above is in every query; the rules one by one only page (see the class).
    rows._rules = tuple(alone for _, alone in conditions)
    rows._narrowing = ()
    return rows


def permitted_ids(
    actor: Actor, model: type[models.Model], perm: str, ids: Iterable[Any]
) -> frozenset[Any]:
    """Which of `ids` the actor may `perm`, by exactly the rules of `visible`: one
    query for a whole page, and none when the actor holds nothing that could grant
    `perm` (visible() is then empty without asking the database). Per-row flags on
    a list ("can change", "can share") cost this, never a query per row
    (PERFORMANCE.md, P5). Ids the actor may not `perm`, or that do not exist, are
    simply left out."""
    wanted = list(ids)
    if not wanted:
        return frozenset()
    rows = visible(actor, model, perm).filter(pk__in=wanted)
    return frozenset(rows.values_list("pk", flat=True))


def _coerce_pk(model: type[models.Model], pk: Any) -> Any:
    """Turn a pk from a URL or payload into the field's type; a malformed one is
    simply not found (no distinct "bad id" answer that could be probed)."""
    try:
        return model._meta.pk.to_python(pk)
    except Exception:  # noqa: BLE001 - any parse failure is "not found"
        raise NotFound() from None


def get_visible(
    actor: Actor,
    model: type[M],
    pk: Any,
    perm: str = "view",
    *,
    shape: Callable[[QuerySet[M]], QuerySet[M]] | None = None,
) -> M:
    """One row the actor may `perm`; `shape` adds what the caller reads with it
    (select_related, prefetch_related) to the same query, never a filter that widens.

    Raises NotFound — the same error, same message — whether the row does not
    exist or belongs to someone the actor may not see."""
    rows: QuerySet[M] = visible(actor, model, perm)
    if shape is not None:
        rows = shape(rows)
    obj = rows.filter(pk=_coerce_pk(model, pk)).first()
    if obj is None:
        raise NotFound()
    return obj


def get_visible_by(actor: Actor, model: type[M], *, perm: str = "view", **lookup: Any) -> M:
    """Like get_visible, by a unique natural key (a slug, say). Same NotFound for both cases."""
    obj = visible(actor, model, perm).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


def _crosses_to_many(model: type[models.Model], path: str) -> bool:
    """Whether any hop of an ORM path is a reverse foreign key or many-to-many."""
    current: Any = model
    for part in path.split("__"):
        if part in ("id", "pk") or current is None:
            return False
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a trailing "_id" attribute: the end of the path
        if field.one_to_many or field.many_to_many:
            return True
        current = field.related_model
    return False


def _crosses_relation(model: type[models.Model], path: str) -> bool:
    """Whether an ORM path (or lookup) follows any relation into another table:
    "review__team_group_id" does, "partnership_id" and "status__in" do not."""
    current: Any = model
    parts = path.split("__")
    for index, part in enumerate(parts):
        if current is None or part == "pk":
            return False
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup ("in") or an attname ends the path
        if field.is_relation and index < len(parts) - 1 and parts[index + 1] != "id":
            return True
        current = field.related_model if field.is_relation else None
    return False


def _q_crosses_relation(model: type[models.Model], q: Q) -> bool:
    for child in q.children:
        if isinstance(child, Q):
            if _q_crosses_relation(model, child):
                return True
        elif isinstance(child, tuple) and _crosses_relation(model, str(child[0])):
            return True
    return False


def _id_at_path(obj: models.Model, path: str) -> int | None:
    """Follow a to-one ORM path on an object in hand ("review__reviewed_partnership_id")."""
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return int(value)


def _rule(obj: models.Model, perm: str) -> tuple[type[models.Model], RoleMap]:
    """The object's model and role map, refusing a permission the map does not know."""
    model = type(obj)
    role_map = role_map_for(model)
    _check_perm(model, role_map, perm)
    return model, role_map


def _needs_rows(model: type[models.Model], role_map: RoleMap) -> bool:
    """Whether the rule cannot be read from an object's own foreign keys: an
    audience condition, or a path through a to-many relation."""
    paths = [side.partnership_path for side in role_map.sides]
    if role_map.team_group_path:
        paths.append(role_map.team_group_path)
    return role_map.audience is not None or any(_crosses_to_many(model, p) for p in paths)


def can(actor: Actor, perm: str, obj: models.Model) -> bool:
    """Whether the actor may `perm` this object. Role and team rules are answered
    in memory from the object's own foreign keys; only a cross-tenant grant (or a
    path through another table) needs a query."""
    if not actor.is_authenticated:
        return False
    model, role_map = _rule(obj, perm)
    needs_query = (
        _needs_rows(model, role_map)
        or role_map.restricted is not None
        or role_map.team_needs_window
        or any(side.when is not None for side in role_map.sides)
    )
    if needs_query:
        return visible(actor, model, perm).filter(pk=obj.pk).exists()
    for side in role_map.sides:
        owner = _id_at_path(obj, side.partnership_path)
        if owner is not None and actor.role_in(owner) in side.roles.get(perm, frozenset()):
            return True
    if role_map.team_group_path and perm in role_map.team_perms:
        group_id = _id_at_path(obj, role_map.team_group_path)
        if group_id is not None and group_id in actor.group_ids:
            return True
    if perm in role_map.shareable and actor.open_group_ids:
        return (
            _granted_ids(model, perm, actor.open_group_ids)
            .filter(content_object_id=obj.pk)
            .exists()
        )
    return False


def partnerships_holding(actor: Actor, model: type[models.Model], perm: str) -> frozenset[int]:
    """The partnerships whose rows of `model` the actor may `perm` by their role
    there (the owning side of the role map): in memory, no query."""
    role_map = role_map_for(model)
    _check_perm(model, role_map, perm)
    return actor.partnership_ids(role_map.roles.get(perm, frozenset()))


class Permits:
    """What an actor may do to rows already in hand (a page of a list, one row):
    the role-map rules answered in memory from each row's own foreign keys, by the
    same rules as `visible`. Rows must carry what their paths follow (a team note's
    review, selected with it). Only what no row can tell is asked of the database,
    once for the whole set and only when first needed: the actor's own grants (for
    a model with restricted rows, once a role reaches a row), and group grants for
    a shareable permission. A path that
    crosses a to-many relation is answered by one `permitted_ids` query per
    permission (PERFORMANCE.md, P5)."""

    def __init__(self, actor: Actor, rows: Iterable[models.Model]) -> None:
        self.actor = actor
        self.rows = list(rows)
        self._user_granted: dict[type[models.Model], frozenset[Any]] = {}
        self._group_granted: dict[tuple[type[models.Model], str], frozenset[Any]] = {}
        self._queried: dict[tuple[type[models.Model], str], frozenset[Any]] = {}

    def _of_model(self, model: type[models.Model]) -> list[Any]:
        return [row.pk for row in self.rows if type(row) is model]

    def _user_grants(self, model: type[models.Model]) -> frozenset[Any]:
        """The actor's own grants on the page's rows of `model`, asked the first time
        a role reaches any row, restricted or not: so a page costs the same whichever
        of its rows are restricted (constant in the page, PERFORMANCE.md P2)."""
        if model not in self._user_granted:
            self._user_granted[model] = frozenset(
                _user_granted_ids(model, self.actor.user_id or 0)
                .filter(content_object_id__in=self._of_model(model))
                .values_list("content_object_id", flat=True)
            )
        return self._user_granted[model]

    def _group_grants(self, model: type[models.Model], perm: str) -> frozenset[Any]:
        key = (model, perm)
        if key not in self._group_granted:
            self._group_granted[key] = frozenset(
                _granted_ids(model, perm, self.actor.open_group_ids)
                .filter(content_object_id__in=self._of_model(model))
                .values_list("content_object_id", flat=True)
            )
        return self._group_granted[key]

    def can(self, perm: str, obj: models.Model) -> bool:
        """Whether the actor may `perm` this row (one of the rows given)."""
        actor = self.actor
        if not actor.is_authenticated:
            return False
        model, role_map = _rule(obj, perm)
        if role_map.restricted is not None and any(
            actor.partnership_ids(side.roles.get(perm, frozenset())) for side in role_map.sides
        ):
            # Asked once per page for anyone who holds a role that could reach rows for
            # `perm`, whether or not one does: the page costs the same whichever rows it
            # holds (PERFORMANCE.md P2).
            self._user_grants(model)
        if _needs_rows(model, role_map):
            key = (model, perm)
            if key not in self._queried:
                self._queried[key] = permitted_ids(actor, model, perm, self._of_model(model))
            return obj.pk in self._queried[key]
        by_role = any(
            actor.role_in(owner) in side.roles.get(perm, frozenset())
            and (side.when is None or _matches(obj, side.when))
            for side in role_map.sides
            if (owner := _id_at_path(obj, side.partnership_path)) is not None
        )
        if not by_role and role_map.team_group_path and perm in role_map.team_perms:
            team_groups = actor.open_group_ids if role_map.team_needs_window else actor.group_ids
            by_role = _id_at_path(obj, role_map.team_group_path) in team_groups
        if by_role and role_map.restricted is not None:
            granted = self._user_grants(model)
            by_role = not _matches(obj, role_map.restricted) or obj.pk in granted
        if by_role:
            return True
        if perm in role_map.shareable and actor.open_group_ids:
            return obj.pk in self._group_grants(model, perm)
        return False


def permits(actor: Actor, rows: Iterable[models.Model]) -> Permits:
    """The actor's permissions on rows in hand (see Permits)."""
    return Permits(actor, rows)


def _matches(obj: models.Model, condition: Q) -> bool:
    """A role map's condition (`when`, `restricted`) on an object in hand: ANDed
    `path=value` and `path__in=values` terms over to-one paths, which is all the
    role maps use; anything else is refused rather than guessed."""
    if condition.connector != Q.AND or condition.negated:
        raise ImproperlyConfigured(f"Cannot evaluate {condition!r} in memory.")
    for child in condition.children:
        if isinstance(child, Q):
            if not _matches(obj, child):
                return False
            continue
        if not isinstance(child, tuple):
            raise ImproperlyConfigured(f"Cannot evaluate {condition!r} in memory.")
        lookup, expected = child
        path, _, operator = str(lookup).rpartition("__")
        if operator not in ("in", "exact"):
            path, operator = str(lookup), "exact"
        value: Any = obj
        for part in path.split("__"):
            value = getattr(value, part, None)
        if operator == "in" and value not in expected:
            return False
        if operator == "exact" and value != expected:
            return False
    return True


def require(actor: Actor, perm: str, obj: models.Model, message: str) -> None:
    """Raise PermissionDenied with `message` unless the actor may `perm` the object.
    For objects the actor can already see: the message may say what is missing."""
    if not can(actor, perm, obj):
        raise PermissionDenied(message)


def get_child(queryset: QuerySet[M], pk: Any) -> M:
    """A row inside a parent the caller has already authorised (an area of a
    visible review, say). A foreign or malformed id is simply not found."""
    obj = queryset.filter(pk=_coerce_pk(queryset.model, pk)).first()
    if obj is None:
        raise NotFound()
    return obj
