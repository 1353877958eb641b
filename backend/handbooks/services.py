"""Writes for handbooks: create, copy, edit drafts, publish."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit import services as audit
from core.errors import Conflict, ValidationFailed, refuse
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from . import policies
from .models import (
    AreaOfFocus,
    BaselineReference,
    Guidance,
    Handbook,
    HandbookVersion,
    LineOfEnquiry,
    Objective,
)

C = TypeVar("C", bound=models.Model)


def _editable_draft(actor: Actor, version_id: object) -> HandbookVersion:
    version = access.get_visible(actor, HandbookVersion, version_id, "change")
    if version.is_published:
        raise Conflict("A published version cannot be changed. Start a new version instead.")
    return version


def _copy_content(source: HandbookVersion, target: HandbookVersion) -> None:
    Objective.objects.bulk_create(
        Objective(version=target, position=o.position, text=o.text) for o in source.objectives.all()
    )
    BaselineReference.objects.bulk_create(
        BaselineReference(
            version=target,
            position=r.position,
            title=r.title,
            publisher=r.publisher,
            year=r.year,
            url=r.url,
        )
        for r in source.references.all()
    )
    for area in source.areas.prefetch_related("lines"):
        copy = AreaOfFocus.objects.create(
            version=target,
            position=area.position,
            title=area.title,
            key_question=area.key_question,
            guidance=area.guidance,
        )
        LineOfEnquiry.objects.bulk_create(
            LineOfEnquiry(
                area=copy,
                position=line.position,
                question=line.question,
                prompts=line.prompts,
                guidance=line.guidance,
                suggested_by_platform=line.suggested_by_platform,
            )
            for line in area.lines.all()
        )


def handbook_create(
    *, actor: Actor, partnership_slug: str, title: str, visibility: str = "private"
) -> Handbook:
    partnership = access.get_visible_by(actor, Partnership, slug=partnership_slug)
    refuse(policies.create_handbook(actor, partnership))
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Enter a title for the handbook"]
    elif len(title) > 200:
        errors["title"] = ["Title must be 200 characters or fewer"]
    if visibility not in Handbook.Visibility.values:
        errors["visibility"] = ["Select who can see the handbook"]
    if errors:
        raise ValidationFailed("The handbook could not be created.", field_errors=errors)
    with transaction.atomic():
        handbook = Handbook.objects.create(
            title=title,
            partnership=partnership,
            visibility=visibility,
            created_by_id=actor.user_id,
        )
        HandbookVersion.objects.create(handbook=handbook, number=1)
        audit.record(actor=actor, action="create", obj=handbook)
    return handbook


def handbook_copy(*, actor: Actor, version_id: object, partnership_slug: str) -> Handbook:
    """Copy a handbook version the actor can read into a private draft of their own."""
    source = access.get_visible(actor, HandbookVersion, version_id)
    partnership = access.get_visible_by(actor, Partnership, slug=partnership_slug)
    refuse(policies.copy_handbook(actor, partnership))
    with transaction.atomic():
        handbook = Handbook.objects.create(
            title=f"{source.handbook.title} ({partnership.name} copy)"[:200],
            summary=source.handbook.summary,
            partnership=partnership,
            visibility=Handbook.Visibility.PRIVATE,
            copied_from=source,
            created_by_id=actor.user_id,
        )
        draft = HandbookVersion.objects.create(
            handbook=handbook,
            number=1,
            methodology=source.methodology,
            triangulation_kinds=source.triangulation_kinds,
            factual_accuracy_check=source.factual_accuracy_check,
            based_on=source,
            change_note=f"Copied from {source}",
        )
        _copy_content(source, draft)
        audit.record(
            actor=actor, action="create", obj=handbook, detail={"copied_from_version": source.pk}
        )
    return handbook


def version_start_next(*, actor: Actor, handbook_id: object) -> HandbookVersion:
    """A new draft that starts as a copy of the latest version."""
    handbook = access.get_visible(actor, Handbook, handbook_id, "change")
    with transaction.atomic():
        latest = (
            HandbookVersion.objects.select_for_update()
            .filter(handbook=handbook)
            .order_by("-number")
            .first()
        )
        if latest is not None and not latest.is_published:
            raise Conflict("This handbook already has a draft. Publish or edit that draft.")
        draft = HandbookVersion.objects.create(
            handbook=handbook,
            number=(latest.number + 1) if latest else 1,
            methodology=latest.methodology if latest else "",
            # The method's rules for findings carry over with its content.
            triangulation_kinds=latest.triangulation_kinds if latest else 2,
            factual_accuracy_check=latest.factual_accuracy_check if latest else False,
            based_on=latest,
        )
        if latest is not None:
            _copy_content(latest, draft)
        audit.record(
            actor=actor, action="create", obj=draft, owning_partnership_id=handbook.partnership_id
        )
    return draft


def version_publish(*, actor: Actor, version_id: object, change_note: str = "") -> HandbookVersion:
    with transaction.atomic():
        version = _editable_draft(actor, version_id)
        errors: dict[str, list[str]] = {}
        if not version.objectives.exists():
            errors["objectives"] = ["Add at least one objective before publishing"]
        if not version.areas.exists():
            errors["areas"] = ["Add at least one area of focus before publishing"]
        if errors:
            raise ValidationFailed("The version cannot be published yet.", field_errors=errors)
        version.status = HandbookVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        version.change_note = (change_note or "").strip()[:300]
        version.save(update_fields=["status", "published_at", "change_note"])
        audit.record(
            actor=actor,
            action="update",
            obj=version,
            owning_partnership_id=version.handbook.partnership_id,
            detail={"published": True},
        )
    return version


def _text(value: Any, field: str, label: str, errors: dict[str, list[str]], limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str | type(None)) else ""
    if not text:
        errors[field] = [f"Enter {label}"]
    elif len(text) > limit:
        errors[field] = [f"{label[0].upper()}{label[1:]} must be {limit} characters or fewer"]
    return text


@contextmanager
def _draft_change(actor: Actor, version_id: object) -> Iterator[HandbookVersion]:
    """A change to a draft version's contents: one transaction, refused for a published
    version, audited as an update of the version whatever part changed."""
    with transaction.atomic():
        version = _editable_draft(actor, version_id)
        yield version
        audit.record(
            actor=actor,
            action="update",
            obj=version,
            owning_partnership_id=version.handbook.partnership_id,
        )


def _save_child(
    children: QuerySet[C], child_id: object | None, values: dict[str, Any], **parent: Any
) -> C:
    """Add a row at the end of `children` (an ordered part of a draft), or change the
    one with `child_id`; a foreign or missing id is not found."""
    if child_id is None:
        created: C = children.model._default_manager.create(
            position=children.count() + 1, **parent, **values
        )
        return created
    child = access.get_child(children, child_id)
    for name, value in values.items():
        setattr(child, name, value)
    child.save(update_fields=list(values))
    return child


def objective_save(
    *, actor: Actor, version_id: object, text: str, objective_id: object | None = None
) -> Objective:
    errors: dict[str, list[str]] = {}
    text = _text(text, "text", "the objective", errors, 2000)
    if errors:
        raise ValidationFailed("The objective could not be saved.", field_errors=errors)
    with _draft_change(actor, version_id) as version:
        return _save_child(version.objectives.all(), objective_id, {"text": text}, version=version)


def area_save(
    *,
    actor: Actor,
    version_id: object,
    title: str,
    key_question: str,
    guidance: str = "",
    area_id: object | None = None,
) -> AreaOfFocus:
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", "a title", errors, 200)
    key_question = _text(key_question, "key_question", "the key question", errors, 2000)
    if errors:
        raise ValidationFailed("The area of focus could not be saved.", field_errors=errors)
    with _draft_change(actor, version_id) as version:
        duplicate = version.areas.filter(title__iexact=title)
        if area_id is not None:
            duplicate = duplicate.exclude(pk=access.get_child(version.areas.all(), area_id).pk)
        if duplicate.exists():
            raise ValidationFailed(
                "The area of focus could not be saved.",
                field_errors={"title": ["An area of focus with this title already exists"]},
            )
        values = {
            "title": title,
            "key_question": key_question,
            "guidance": (guidance or "").strip(),
        }
        return _save_child(version.areas.all(), area_id, values, version=version)


def area_delete(*, actor: Actor, version_id: object, area_id: object) -> None:
    with _draft_change(actor, version_id) as version:
        access.get_child(version.areas.all(), area_id).delete()


def line_save(
    *,
    actor: Actor,
    version_id: object,
    area_id: object,
    question: str,
    prompts: str = "",
    guidance: str = "",
    line_id: object | None = None,
) -> LineOfEnquiry:
    errors: dict[str, list[str]] = {}
    question = _text(question, "question", "the line of enquiry", errors, 2000)
    if guidance not in Guidance.values:
        errors["guidance"] = ["Select which guidance this line of enquiry maps to"]
    if errors:
        raise ValidationFailed("The line of enquiry could not be saved.", field_errors=errors)
    with _draft_change(actor, version_id) as version:
        area = access.get_child(version.areas.all(), area_id)
        values = {"question": question, "prompts": (prompts or "").strip(), "guidance": guidance}
        return _save_child(area.lines.all(), line_id, values, area=area)


def reference_save(
    *,
    actor: Actor,
    version_id: object,
    title: str,
    publisher: str = "",
    year: int | None = None,
    url: str = "",
    reference_id: object | None = None,
) -> BaselineReference:
    errors: dict[str, list[str]] = {}
    title = _text(title, "title", "a title", errors, 300)
    this_year = timezone.now().year
    if year is not None and not 1900 <= year <= this_year:
        errors["year"] = [f"Year must be between 1900 and {this_year}"]
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = ["Enter a link starting with https://"]
    if errors:
        raise ValidationFailed("The reference could not be saved.", field_errors=errors)
    with _draft_change(actor, version_id) as version:
        values = {"title": title, "publisher": (publisher or "").strip(), "year": year, "url": url}
        return _save_child(version.references.all(), reference_id, values, version=version)
