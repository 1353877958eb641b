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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.errors import NotFound

from .models import AccessWindow, AllianceAnalyst, Membership, Role

M = TypeVar("M", bound=models.Model)

ALL_ROLES = frozenset(Role)
LEADS = frozenset({Role.LEAD})
MANAGERS = frozenset({Role.LEAD, Role.BUSINESS_MANAGER})


@dataclass(frozen=True)
class RoleMap:
    """Who in the owning partnership holds each permission on a model.

    `partnership_path` is the ORM path from the model to its owning Partnership's
    id ("partnership_id", or "id" for Partnership itself). `shareable` lists the
    permissions that guardian group grants may carry across tenants.
    """

    partnership_path: str
    roles: Mapping[str, frozenset[Role]]
    shareable: frozenset[str] = frozenset()


# The whole permission model of the product, one line per tenant table.
# Keys are "app_label.ModelName" so this module imports no other app.
ROLE_MAPS: dict[str, RoleMap] = {
    "tenancy.Partnership": RoleMap(
        partnership_path="id",
        roles={"view": ALL_ROLES, "change": LEADS, "manage_members": LEADS},
    ),
    "tenancy.Membership": RoleMap(
        partnership_path="partnership_id",
        roles={"view": ALL_ROLES, "change": LEADS},
    ),
}


def register(label: str, role_map: RoleMap) -> None:
    """Admit a tenant model to the chokepoint (tests register fixtures' models)."""
    ROLE_MAPS[label] = role_map


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


def actor_for(user: Any, *, now: datetime | None = None) -> Actor:
    """Resolve an actor from a user: three indexed queries, whatever the user holds."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return ANONYMOUS
    if not user.is_active:
        return ANONYMOUS
    now = now or timezone.now()
    roles = {
        pid: Role(role)
        for pid, role in Membership.objects.filter(user_id=user.pk).values_list(
            "partnership_id", "role"
        )
    }
    analyst_alliances = frozenset(
        AllianceAnalyst.objects.filter(user_id=user.pk).values_list("alliance_id", flat=True)
    )
    # A window counts only while the user is still in the group: removing someone
    # from a team's group ends their access even if the window row lingers.
    open_groups = frozenset(
        AccessWindow.objects.filter(
            user_id=user.pk,
            opens_at__lte=now,
            closes_at__gt=now,
            group__user=user.pk,
        ).values_list("group_id", flat=True)
    )
    return Actor(
        user_id=user.pk,
        email=user.email,
        display_name=user.get_full_name() or user.email,
        roles=roles,
        analyst_alliance_ids=analyst_alliances,
        open_group_ids=open_groups,
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


def role_map_for(model: type[models.Model]) -> RoleMap:
    label = model._meta.label
    try:
        return ROLE_MAPS[label]
    except KeyError:
        raise ImproperlyConfigured(
            f"{label} has no role map in tenancy.access.ROLE_MAPS; tenant data cannot be read "
            "until its access rule is declared."
        ) from None


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
    codename = f"{perm}_{model._meta.model_name}"
    return perm_model.objects.filter(  # type: ignore[no-any-return]
        group_id__in=group_ids, permission__codename=codename
    ).values("content_object_id")


def visible(actor: Actor, model: type[M], perm: str = "view") -> QuerySet[M]:
    """Every row of `model` the actor may `perm`; empty for anyone else's rows."""
    role_map = role_map_for(model)
    manager = model._default_manager
    if not actor.is_authenticated:
        return manager.none()
    roles = role_map.roles.get(perm)
    if roles is None:
        raise ImproperlyConfigured(f"{model._meta.label} has no rule for permission '{perm}'.")
    own = actor.partnership_ids(roles)
    condition = Q(**{f"{role_map.partnership_path}__in": own}) if own else None
    if perm in role_map.shareable and actor.open_group_ids:
        granted = Q(pk__in=_granted_ids(model, perm, actor.open_group_ids))
        condition = granted if condition is None else condition | granted
    if condition is None:
        return manager.none()
    return manager.filter(condition)


def _coerce_pk(model: type[models.Model], pk: Any) -> Any:
    """Turn a pk from a URL or payload into the field's type; a malformed one is
    simply not found (no distinct "bad id" answer that could be probed)."""
    try:
        return model._meta.pk.to_python(pk)
    except Exception:  # noqa: BLE001 - any parse failure is "not found"
        raise NotFound() from None


def get_visible(actor: Actor, model: type[M], pk: Any, perm: str = "view") -> M:
    """One row the actor may `perm`.

    Raises NotFound — the same error, same message — whether the row does not
    exist or belongs to someone the actor may not see."""
    obj = visible(actor, model, perm).filter(pk=_coerce_pk(model, pk)).first()
    if obj is None:
        raise NotFound()
    return obj


def get_visible_by(actor: Actor, model: type[M], *, perm: str = "view", **lookup: Any) -> M:
    """Like get_visible, by a unique natural key (a slug, say). Same NotFound for both cases."""
    obj = visible(actor, model, perm).filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


def _owning_partnership_id(obj: models.Model, path: str) -> int | None:
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return int(value)


def can(actor: Actor, perm: str, obj: models.Model) -> bool:
    """Whether the actor may `perm` this object. Role rules are answered in memory;
    only a cross-tenant grant needs a query."""
    if not actor.is_authenticated:
        return False
    role_map = role_map_for(type(obj))
    roles = role_map.roles.get(perm)
    if roles is None:
        raise ImproperlyConfigured(f"{type(obj)._meta.label} has no rule for permission '{perm}'.")
    owner = _owning_partnership_id(obj, role_map.partnership_path)
    if owner is not None and actor.role_in(owner) in roles:
        return True
    if perm in role_map.shareable and actor.open_group_ids:
        return (
            _granted_ids(type(obj), perm, actor.open_group_ids)
            .filter(content_object_id=obj.pk)
            .exists()
        )
    return False
