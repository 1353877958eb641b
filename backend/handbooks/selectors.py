"""Reads for handbooks. Every function starts from tenancy.access."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from tenancy import access
from tenancy.access import Actor

from .models import AreaOfFocus, Handbook, HandbookVersion


def _visible_versions(actor: Actor) -> Prefetch[str, QuerySet[HandbookVersion], str]:
    # Versions through the chokepoint too: a shared handbook's drafts stay with its owners.
    return Prefetch("versions", queryset=access.visible(actor, HandbookVersion).order_by("number"))


def handbook_list(*, actor: Actor) -> QuerySet[Handbook]:
    """Handbooks the actor may use: their partnership's own, their alliance's, everyone's."""
    return (
        access.visible(actor, Handbook)
        .select_related("partnership", "alliance")
        .prefetch_related(_visible_versions(actor))
        .order_by("title", "id")
    )


def handbook_get(*, actor: Actor, handbook_id: object) -> Handbook:
    """One handbook the actor may use; its `versions` are only those the actor may read."""
    handbook = access.get_visible(actor, Handbook, handbook_id)
    prefetch_related_objects([handbook], _visible_versions(actor))
    return handbook


def version_list(*, actor: Actor, handbook: Handbook) -> QuerySet[HandbookVersion]:
    """The versions of a handbook the actor may read (drafts only for its owners)."""
    return access.visible(actor, HandbookVersion).filter(handbook=handbook).order_by("number")


def version_get(*, actor: Actor, version_id: object) -> HandbookVersion:
    """One version with its whole content loaded in a fixed number of queries."""
    version = access.get_visible(actor, HandbookVersion, version_id)
    return (
        HandbookVersion.objects.select_related("handbook")
        .prefetch_related(
            "objectives",
            "references",
            Prefetch("areas", queryset=AreaOfFocus.objects.prefetch_related("lines")),
        )
        .get(pk=version.pk)
    )


def published_version_list(*, actor: Actor) -> QuerySet[HandbookVersion]:
    """Published versions the actor may pin an exchange to."""
    return (
        access.visible(actor, HandbookVersion)
        .filter(status=HandbookVersion.Status.PUBLISHED)
        .select_related("handbook")
        .order_by("handbook__title", "-number")
    )


@dataclass
class SectionDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class VersionDiff:
    objectives: SectionDiff
    areas: SectionDiff
    lines: SectionDiff
    references: SectionDiff
    methodology_changed: bool

    @property
    def empty(self) -> bool:
        return (
            self.objectives.empty
            and self.areas.empty
            and self.lines.empty
            and self.references.empty
            and not self.methodology_changed
        )


def _diff(old: dict[str, str], new: dict[str, str]) -> SectionDiff:
    """Items are keyed by a stable label; a changed value under the same label is a change."""
    return SectionDiff(
        added=[new[key] for key in new if key not in old],
        removed=[old[key] for key in old if key not in new],
        changed=[(old[key], new[key]) for key in new if key in old and old[key] != new[key]],
    )


def _snapshot(version: HandbookVersion) -> dict[str, dict[str, str]]:
    areas = list(version.areas.all())
    return {
        "objectives": {o.text: o.text for o in version.objectives.all()},
        "areas": {a.title: f"{a.title}: {a.key_question}" for a in areas},
        "lines": {
            f"{a.title} / {line.question}": f"{a.title}: {line.question}"
            + (f" ({line.get_guidance_display()})" if line.guidance else "")
            for a in areas
            for line in a.lines.all()
        },
        "references": {
            r.title: f"{r.title}, {r.publisher or 'no publisher'}, {r.year or 'no year'}"
            for r in version.references.all()
        },
    }


def version_diff(*, actor: Actor, old_id: object, new_id: object) -> VersionDiff:
    """What changed between two versions the actor may read (any two handbooks)."""
    old = version_get(actor=actor, version_id=old_id)
    new = version_get(actor=actor, version_id=new_id)
    before, after = _snapshot(old), _snapshot(new)
    return VersionDiff(
        objectives=_diff(before["objectives"], after["objectives"]),
        areas=_diff(before["areas"], after["areas"]),
        lines=_diff(before["lines"], after["lines"]),
        references=_diff(before["references"], after["references"]),
        methodology_changed=old.methodology != new.methodology,
    )
