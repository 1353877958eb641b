"""GraphQL for findings: the same selectors and services as the pages and REST,
rendered from the same rows (findings.present). A finding the reader may not see
is null (a list leaves it out); a refused write comes back in `errors`."""

from __future__ import annotations

from typing import Any

import graphene

from core.errors import NotFound
from core.schema import ServiceMutation, errors_from
from reviews import selectors as review_selectors
from tenancy.access import actor_of

from . import selectors, services
from .models import Finding, ModerationDecision
from .present import criterion_data, finding_data, recommendation_data

FindingKind = graphene.Enum.from_enum(Finding.Kind, name="FindingKind")
ModerationOutcome = graphene.Enum.from_enum(ModerationDecision.Outcome, name="ModerationOutcome")


def _value(choice: Any) -> Any:
    return choice.value if hasattr(choice, "value") else choice


class FindingAreaType(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)


class FindingEvidenceType(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    kind = graphene.String(required=True)


class QuoteType(graphene.ObjectType):
    id = graphene.ID(required=True)
    text = graphene.String(required=True)
    attributed_to = graphene.String(required=True)
    consent = graphene.Boolean(required=True)
    group_size = graphene.Int()
    small_group = graphene.Boolean(required=True, description="Fewer than 5 in the group.")


class FindingCommentType(graphene.ObjectType):
    id = graphene.ID(required=True)
    text = graphene.String(required=True)
    made_at = graphene.String(required=True)


class ModerationDecisionType(graphene.ObjectType):
    outcome = graphene.String(required=True)
    held_on = graphene.String(required=True)
    text_before = graphene.String(required=True)
    text_after = graphene.String(required=True)
    dissent = graphene.String(required=True)


class FindingType(graphene.ObjectType):
    id = graphene.ID(required=True)
    review = graphene.ID(required=True)
    area = graphene.Field(FindingAreaType, required=True)
    kind = graphene.String(required=True)
    position = graphene.Int(required=True)
    text = graphene.String(required=True)
    rating = graphene.String(required=True)
    status = graphene.String(required=True)
    version = graphene.Int(required=True)
    themes = graphene.List(graphene.NonNull(graphene.String), required=True)
    evidence = graphene.List(
        graphene.NonNull(FindingEvidenceType), required=True, description="Items you may see."
    )
    evidence_kinds = graphene.List(graphene.NonNull(graphene.String), required=True)
    quotes = graphene.List(graphene.NonNull(QuoteType), required=True)
    comments = graphene.List(graphene.NonNull(FindingCommentType), required=True)
    decisions = graphene.List(
        graphene.NonNull(ModerationDecisionType),
        required=True,
        description="Moderation decisions: the review team's and its leads' only.",
    )
    supersedes = graphene.ID()
    correction_reason = graphene.String(required=True)
    published_at = graphene.String()
    can_edit = graphene.Boolean(required=True)
    can_propose = graphene.Boolean(required=True)
    can_moderate = graphene.Boolean(required=True)
    can_correct = graphene.Boolean(required=True)
    can_comment = graphene.Boolean(required=True)


class ThemeTagType(graphene.ObjectType):
    code = graphene.String(required=True)
    label = graphene.String(required=True)
    description = graphene.String(required=True)


class CriterionAssessmentType(graphene.ObjectType):
    stage = graphene.String(required=True)
    rating = graphene.String(required=True)
    note = graphene.String(required=True)
    evidence = graphene.List(graphene.NonNull(FindingEvidenceType), required=True)


class SuccessCriterionType(graphene.ObjectType):
    id = graphene.ID(required=True)
    position = graphene.Int(required=True)
    statement = graphene.String(required=True)
    self_assessment = graphene.String(required=True)
    self_note = graphene.String(required=True)
    progress_self_assessment = graphene.String(required=True)
    progress_self_note = graphene.String(required=True)
    assessments = graphene.List(
        graphene.NonNull(CriterionAssessmentType),
        required=True,
        description="The reviewers' assessments you may see.",
    )


class ActionType(graphene.ObjectType):
    id = graphene.ID(required=True)
    text = graphene.String(required=True)
    owner_role = graphene.String(required=True)
    owner = graphene.String()
    due_on = graphene.String(required=True)
    status = graphene.String(required=True)


class RecommendationType(graphene.ObjectType):
    id = graphene.ID(required=True)
    kind = graphene.String(required=True)
    position = graphene.Int(required=True)
    text = graphene.String(required=True)
    response = graphene.String(required=True)
    response_reason = graphene.String(required=True)
    actions = graphene.List(graphene.NonNull(ActionType), required=True)


def _one(info: Any, finding_id: object) -> dict[str, Any]:
    actor = actor_of(info.context)
    finding = selectors.finding_get(actor=actor, finding_id=finding_id)
    flags = selectors.finding_permissions(actor=actor, review=finding.review, findings=[finding])
    return finding_data(finding, flags[finding.pk])


class Query(graphene.ObjectType):
    findings = graphene.List(
        graphene.NonNull(FindingType),
        required=True,
        description="A review's findings you may see now, by area, kind and position.",
        review=graphene.ID(required=True),
        area=graphene.ID(),
        status=graphene.String(),
    )
    finding = graphene.Field(FindingType, id=graphene.ID(required=True))
    theme_tags = graphene.List(graphene.NonNull(ThemeTagType), required=True)
    success_criteria = graphene.List(
        graphene.NonNull(SuccessCriterionType), required=True, review=graphene.ID(required=True)
    )
    recommendations = graphene.List(
        graphene.NonNull(RecommendationType), required=True, review=graphene.ID(required=True)
    )

    @staticmethod
    def resolve_success_criteria(root: Any, info: Any, review: str) -> list[dict[str, Any]]:
        actor = actor_of(info.context)
        try:
            reviewed = review_selectors.review_get(actor=actor, review_id=review)
        except NotFound:
            return []
        return [criterion_data(c) for c in selectors.criterion_list(actor=actor, review=reviewed)]

    @staticmethod
    def resolve_recommendations(root: Any, info: Any, review: str) -> list[dict[str, Any]]:
        actor = actor_of(info.context)
        try:
            reviewed = review_selectors.review_get(actor=actor, review_id=review)
        except NotFound:
            return []
        rows = selectors.recommendation_list(actor=actor, review=reviewed)
        return [recommendation_data(r) for r in rows]

    @staticmethod
    def resolve_findings(
        root: Any, info: Any, review: str, area: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        actor = actor_of(info.context)
        try:
            reviewed = review_selectors.review_get(actor=actor, review_id=review)
            rows = list(
                selectors.finding_list(
                    actor=actor, review_id=reviewed.pk, area_id=area, status=status
                )
            )
        except NotFound:
            return []
        flags = selectors.finding_permissions(actor=actor, review=reviewed, findings=rows)
        return [finding_data(f, flags[f.pk]) for f in rows]

    @staticmethod
    def resolve_finding(root: Any, info: Any, id: str) -> dict[str, Any] | None:
        try:
            return _one(info, id)
        except NotFound:
            return None

    @staticmethod
    def resolve_theme_tags(root: Any, info: Any) -> list[Any]:
        return list(selectors.theme_list())


class _FindingMutation(ServiceMutation):
    class Meta:
        abstract = True

    finding = graphene.Field(FindingType)


class CreateFinding(_FindingMutation):
    class Arguments:
        review = graphene.ID(required=True)
        area = graphene.ID(required=True)
        kind = FindingKind(required=True)
        text = graphene.String(required=True)
        rating = graphene.String()
        themes = graphene.List(graphene.NonNull(graphene.String))
        evidence = graphene.List(graphene.NonNull(graphene.ID))

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> CreateFinding:
        finding = services.finding_create(
            actor=actor_of(info.context),
            review_id=a["review"],
            area_id=a["area"],
            kind=_value(a["kind"]),
            text=a["text"],
            rating=a.get("rating") or "",
            theme_codes=a.get("themes") or [],
            evidence_ids=a.get("evidence") or [],
        )
        return cls(finding=_one(info, finding.pk), errors=[])


class EditConflictType(graphene.ObjectType):
    current_text = graphene.String(required=True)
    current_version = graphene.Int(required=True)
    your_text = graphene.String(required=True)


class UpdateFinding(_FindingMutation):
    """Change a draft or proposed finding. A stale `version` is refused with both
    texts in `conflict`."""

    class Arguments:
        finding = graphene.ID(required=True)
        version = graphene.Int(required=True)
        kind = FindingKind()
        text = graphene.String()
        rating = graphene.String()
        themes = graphene.List(graphene.NonNull(graphene.String))
        evidence = graphene.List(graphene.NonNull(graphene.ID))

    conflict = graphene.Field(EditConflictType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> UpdateFinding:
        try:
            services.finding_update(
                actor=actor_of(info.context),
                finding_id=a["finding"],
                version=a["version"],
                text=a.get("text"),
                kind=_value(a.get("kind")),
                rating=a.get("rating"),
                theme_codes=a.get("themes"),
                evidence_ids=a.get("evidence"),
            )
        except services.EditConflict as exc:
            return cls(
                errors=errors_from(exc),
                conflict={
                    "current_text": exc.current_text,
                    "current_version": exc.current_version,
                    "your_text": exc.your_text,
                },
            )
        return cls(finding=_one(info, a["finding"]), errors=[])


class ProposeFinding(_FindingMutation):
    class Arguments:
        finding = graphene.ID(required=True)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> ProposeFinding:
        services.finding_propose(actor=actor_of(info.context), finding_id=a["finding"])
        return cls(finding=_one(info, a["finding"]), errors=[])


class AddQuote(_FindingMutation):
    class Arguments:
        finding = graphene.ID(required=True)
        text = graphene.String(required=True)
        attributed_to = graphene.String(required=True, description="A role or an agency.")
        consent = graphene.Boolean(required=True)
        group_size = graphene.Int()

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> AddQuote:
        services.quote_add(
            actor=actor_of(info.context),
            finding_id=a["finding"],
            text=a["text"],
            attributed_to=a["attributed_to"],
            consent=a["consent"],
            group_size=a.get("group_size"),
        )
        return cls(finding=_one(info, a["finding"]), errors=[])


class ModerateFinding(_FindingMutation):
    class Arguments:
        finding = graphene.ID(required=True)
        meeting = graphene.ID(required=True)
        outcome = ModerationOutcome(required=True)
        amended_text = graphene.String()
        dissent = graphene.String()

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> ModerateFinding:
        services.finding_moderate(
            actor=actor_of(info.context),
            finding_id=a["finding"],
            meeting_id=a["meeting"],
            outcome=_value(a["outcome"]),
            amended_text=a.get("amended_text") or "",
            dissent=a.get("dissent") or "",
        )
        return cls(finding=_one(info, a["finding"]), errors=[])


class RecordModerationMeeting(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        held_on = graphene.Date(required=True)
        attendees = graphene.List(graphene.NonNull(graphene.ID), required=True)
        notes = graphene.String()

    meeting_id = graphene.ID()

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> RecordModerationMeeting:
        meeting = services.moderation_meeting_record(
            actor=actor_of(info.context),
            review_id=a["review"],
            held_on=a["held_on"],
            attendee_ids=a["attendees"],
            notes=a.get("notes") or "",
        )
        return cls(meeting_id=meeting.pk, errors=[])


class PublishFindings(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        confirm = graphene.Boolean(required=True)

    published = graphene.Int()

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> PublishFindings:
        count = services.findings_publish(
            actor=actor_of(info.context), review_id=a["review"], confirmed=a["confirm"]
        )
        return cls(published=count, errors=[])


class CorrectFinding(_FindingMutation):
    class Arguments:
        finding = graphene.ID(required=True)
        text = graphene.String(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> CorrectFinding:
        correction = services.finding_correct(
            actor=actor_of(info.context),
            finding_id=a["finding"],
            text=a["text"],
            reason=a["reason"],
        )
        return cls(finding=_one(info, correction.pk), errors=[])


class CommentOnFinding(_FindingMutation):
    class Arguments:
        finding = graphene.ID(required=True)
        text = graphene.String(required=True)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> CommentOnFinding:
        services.finding_comment(
            actor=actor_of(info.context), finding_id=a["finding"], text=a["text"]
        )
        return cls(finding=_one(info, a["finding"]), errors=[])


class DeleteFinding(ServiceMutation):
    class Arguments:
        finding = graphene.ID(required=True)

    deleted_id = graphene.ID()

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> DeleteFinding:
        services.finding_delete(actor=actor_of(info.context), finding_id=a["finding"])
        return cls(deleted_id=a["finding"], errors=[])


class Mutation(graphene.ObjectType):
    create_finding = CreateFinding.Field()
    update_finding = UpdateFinding.Field()
    propose_finding = ProposeFinding.Field()
    delete_finding = DeleteFinding.Field()
    add_quote = AddQuote.Field()
    record_moderation_meeting = RecordModerationMeeting.Field()
    moderate_finding = ModerateFinding.Field()
    publish_findings = PublishFindings.Field()
    correct_finding = CorrectFinding.Field()
    comment_on_finding = CommentOnFinding.Field()
