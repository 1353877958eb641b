"""The write half of sharing, and the grant tables' reads: the only module that
calls guardian or touches its tables. tenancy.access reads the same grants to
decide who sees what; everything else asks here to give, take back or list them.

Grants are guardian object permissions in the model's direct foreign-key tables
(`<Model>UserObjectPermission`, `<Model>GroupObjectPermission`), which a
shareable or restricted model must declare (the generic table is refused, as in
tenancy.access). Permissions are named as the role map names them ("view"); the
codename is `<perm>_<model>`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model


def _codename(model: type[models.Model], perm: str) -> str:
    return f"{perm}_{model._meta.model_name}"


def _direct(perm_model: Any, model: type[models.Model]) -> Any:
    if perm_model.objects.is_generic():
        raise ImproperlyConfigured(f"{model._meta.label} has no direct grant table.")
    return perm_model


def user_grants(model: type[models.Model], perm: str = "view") -> QuerySet[Any]:
    """Every user grant of `perm` on `model` rows (filter it by content_object)."""
    table = _direct(get_user_obj_perms_model(model), model)  # type: ignore[arg-type]
    rows: QuerySet[Any] = table.objects.filter(permission__codename=_codename(model, perm))
    return rows


def group_grants(model: type[models.Model], perm: str = "view") -> QuerySet[Any]:
    """Every group grant of `perm` on `model` rows (filter it by content_object)."""
    table = _direct(get_group_obj_perms_model(model), model)  # type: ignore[arg-type]
    rows: QuerySet[Any] = table.objects.filter(permission__codename=_codename(model, perm))
    return rows


def user_ids(obj: models.Model, perm: str = "view") -> set[int]:
    """The users holding their own grant of `perm` on `obj`."""
    rows = user_grants(type(obj), perm).filter(content_object=obj)
    return set(rows.values_list("user_id", flat=True))


def group_ids(obj: models.Model, perm: str = "view") -> QuerySet[Any]:
    """The groups holding a grant of `perm` on `obj`, as a subquery of ids."""
    return group_grants(type(obj), perm).filter(content_object=obj).values("group_id")


def grant_user(*, perm: str, user_id: int, obj: models.Model) -> None:
    """Give one user `perm` on `obj` (a restricted row opened to them). Idempotent."""
    user = get_user_model().objects.get(pk=user_id)
    assign_perm(_codename(type(obj), perm), user, obj)


def grant_group(*, perm: str, group: Group, objs: Sequence[models.Model]) -> None:
    """Give a group (a review team) `perm` on each of `objs`, in one write. Idempotent."""
    if objs:
        codename = _codename(type(objs[0]), perm)
        assign_perm(codename, group, list(objs))  # type: ignore[arg-type]


def revoke_group(*, perm: str, group: Group, obj: models.Model) -> None:
    """Take `perm` on `obj` back from a group."""
    remove_perm(_codename(type(obj), perm), group, obj)


def revoke_users(*, obj: models.Model, user_id: int | None = None, perm: str = "view") -> int:
    """Take `perm` on `obj` back from one user, or from every user; how many went."""
    rows = user_grants(type(obj), perm).filter(content_object=obj)
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    deleted: int = rows.delete()[0]
    return deleted
