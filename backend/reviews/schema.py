"""GraphQL for exchanges, reviews, timelines and teams: the same selectors and
services as the pages and REST."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.errors import NotFound
from core.schema import ServiceMutation
from tenancy.access import actor_of

from . import selectors, services
from .models import Exchange, ExchangeParty, Phase, PhaseChange, Review, ReviewArea, TeamMember

ReviewStatus = graphene.Enum.from_enum(Review.Status, name="ReviewStatus")
PhaseKind = graphene.Enum.from_enum(Phase.Kind, name="PhaseKind")
TeamRole = graphene.Enum.from_enum(TeamMember.TeamRole, name="TeamRole")


class ExchangePartyType(DjangoObjectType):
    partnership = graphene.String(required=True)
    reviews = graphene.String(required=True)

    class Meta:
        model = ExchangeParty
        fields = ("answer", "answered_at", "answer_note")

    @staticmethod
    def resolve_partnership(root: ExchangeParty, info: Any) -> str:
        return root.partnership.slug

    @staticmethod
    def resolve_reviews(root: ExchangeParty, info: Any) -> str:
        return root.reviews.slug


class ExchangeType(DjangoObjectType):
    proposed_by_partnership = graphene.String(required=True)
    parties = graphene.List(graphene.NonNull(ExchangePartyType), required=True)

    class Meta:
        model = Exchange
        fields = (
            "id",
            "fieldwork_starts_on",
            "fieldwork_ends_on",
            "message",
            "status",
            "created_at",
        )

    @staticmethod
    def resolve_proposed_by_partnership(root: Exchange, info: Any) -> str:
        return root.partnership.slug

    @staticmethod
    def resolve_parties(root: Exchange, info: Any) -> Any:
        return root.parties.all()  # prefetched by selectors.exchange_list


class PhaseChangeType(DjangoObjectType):
    class Meta:
        model = PhaseChange
        fields = (
            "previous_starts_on",
            "previous_ends_on",
            "new_starts_on",
            "new_ends_on",
            "reason",
            "changed_at",
        )


class PhaseType(DjangoObjectType):
    changes = graphene.List(graphene.NonNull(PhaseChangeType), required=True)

    class Meta:
        model = Phase
        fields = ("kind", "original_starts_on", "original_ends_on", "starts_on", "ends_on")

    @staticmethod
    def resolve_changes(root: Phase, info: Any) -> Any:
        return root.changes.all()


class ReviewAreaType(DjangoObjectType):
    is_local = graphene.Boolean(required=True)

    class Meta:
        model = ReviewArea
        fields = ("id", "position", "title", "key_question")


class TeamMemberType(DjangoObjectType):
    email = graphene.String(required=True)
    name = graphene.String(required=True)
    has_declared = graphene.Boolean(required=True)
    conflicting_organisation = graphene.String()
    conflict_unresolved = graphene.Boolean(required=True)
    access_opens_at = graphene.DateTime()
    access_closes_at = graphene.DateTime()

    class Meta:
        model = TeamMember
        fields = ("id", "team_role", "status", "declared_interest", "mitigation")

    @staticmethod
    def resolve_email(root: TeamMember, info: Any) -> str:
        return root.user.email

    @staticmethod
    def resolve_name(root: TeamMember, info: Any) -> str:
        return root.user.full_name

    @staticmethod
    def resolve_conflicting_organisation(root: TeamMember, info: Any) -> str | None:
        return root.conflicting_organisation.name if root.conflicting_organisation else None

    @staticmethod
    def resolve_access_opens_at(root: TeamMember, info: Any) -> Any:
        return root.access_window.opens_at if root.access_window else None

    @staticmethod
    def resolve_access_closes_at(root: TeamMember, info: Any) -> Any:
        return root.access_window.closes_at if root.access_window else None


class DeadlineType(graphene.ObjectType):
    phase = graphene.Field(PhaseKind, required=True)
    wording = graphene.String(required=True, description="'by 11:59pm on Friday 12 March 2027'")
    tag = graphene.String(required=True, description="'Due in 3 days', 'Overdue'")


class ReviewType(DjangoObjectType):
    reviewing_partnership = graphene.String(required=True)
    reviewed_partnership = graphene.String(required=True)
    scope_agreed = graphene.Boolean(required=True)
    phases = graphene.List(graphene.NonNull(PhaseType), required=True)
    areas = graphene.List(graphene.NonNull(ReviewAreaType), required=True)
    objectives = graphene.List(graphene.NonNull(graphene.String), required=True)
    next_deadline = graphene.Field(DeadlineType)
    team = graphene.List(graphene.NonNull(TeamMemberType), required=True)

    class Meta:
        model = Review
        fields = ("id", "status", "access_days_after_report", "created_at")

    @staticmethod
    def resolve_reviewing_partnership(root: Review, info: Any) -> str:
        return root.reviewing_partnership.slug

    @staticmethod
    def resolve_reviewed_partnership(root: Review, info: Any) -> str:
        return root.reviewed_partnership.slug

    @staticmethod
    def resolve_phases(root: Review, info: Any) -> Any:
        return root.phases.all()

    @staticmethod
    def resolve_areas(root: Review, info: Any) -> Any:
        return root.areas.all()

    @staticmethod
    def resolve_objectives(root: Review, info: Any) -> list[str]:
        return [o.text for o in root.objectives.all()]

    @staticmethod
    def resolve_next_deadline(root: Review, info: Any) -> dict[str, str] | None:
        upcoming = selectors.next_deadline(root)
        if upcoming is None:
            return None
        return {"phase": upcoming.phase.kind, "wording": upcoming.wording, "tag": upcoming.tag}

    @staticmethod
    def resolve_team(root: Review, info: Any) -> Any:
        return root.team.all()  # prefetched by the review selectors


def _or_none(fn: Any, **kwargs: Any) -> Any:
    """Run a selector; a missing or foreign object is null, exactly alike."""
    try:
        return fn(**kwargs)
    except NotFound:
        return None


class Query(graphene.ObjectType):
    exchanges = graphene.List(graphene.NonNull(ExchangeType), required=True)
    exchange = graphene.Field(ExchangeType, id=graphene.ID(required=True))
    reviews = graphene.List(graphene.NonNull(ReviewType), required=True, status=ReviewStatus())
    review = graphene.Field(ReviewType, id=graphene.ID(required=True))

    @staticmethod
    def resolve_exchanges(root: Any, info: Any) -> Any:
        return selectors.exchange_list(actor=actor_of(info.context))

    @staticmethod
    def resolve_exchange(root: Any, info: Any, id: str) -> Any:
        return _or_none(selectors.exchange_get, actor=actor_of(info.context), exchange_id=id)

    @staticmethod
    def resolve_reviews(root: Any, info: Any, status: Any = None) -> Any:
        value = status.value if hasattr(status, "value") else status
        return selectors.review_list(actor=actor_of(info.context), status=value)

    @staticmethod
    def resolve_review(root: Any, info: Any, id: str) -> Any:
        return _or_none(selectors.review_get, actor=actor_of(info.context), review_id=id)


class LocalAreaInput(graphene.InputObjectType):
    title = graphene.String(required=True)
    key_question = graphene.String(required=True)


class PhaseDatesInput(graphene.InputObjectType):
    kind = PhaseKind(required=True)
    starts_on = graphene.Date(required=True)
    ends_on = graphene.Date(required=True)


class ProposeExchange(ServiceMutation):
    class Arguments:
        partnership = graphene.String(required=True)
        partners = graphene.List(graphene.NonNull(graphene.String), required=True)
        handbook_version = graphene.ID(required=True)
        fieldwork_starts_on = graphene.Date(required=True)
        fieldwork_ends_on = graphene.Date(required=True)
        message = graphene.String()

    exchange = graphene.Field(ExchangeType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> ProposeExchange:
        exchange = services.exchange_propose(
            actor=actor_of(info.context),
            partnership_slug=a["partnership"],
            partner_slugs=a["partners"],
            handbook_version_id=a["handbook_version"],
            fieldwork_starts_on=a["fieldwork_starts_on"],
            fieldwork_ends_on=a["fieldwork_ends_on"],
            message=a.get("message") or "",
        )
        return cls(exchange=exchange, errors=[])


class AnswerExchange(ServiceMutation):
    class Arguments:
        exchange = graphene.ID(required=True)
        partnership = graphene.String(required=True)
        accept = graphene.Boolean(required=True)
        note = graphene.String()

    exchange = graphene.Field(ExchangeType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> AnswerExchange:
        exchange = services.exchange_answer(
            actor=actor_of(info.context),
            exchange_id=a["exchange"],
            partnership_slug=a["partnership"],
            accept=a["accept"],
            note=a.get("note") or "",
        )
        return cls(exchange=exchange, errors=[])


class WithdrawExchange(ServiceMutation):
    class Arguments:
        exchange = graphene.ID(required=True)

    exchange = graphene.Field(ExchangeType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> WithdrawExchange:
        exchange = services.exchange_withdraw(
            actor=actor_of(info.context), exchange_id=a["exchange"]
        )
        return cls(exchange=exchange, errors=[])


class TransitionReview(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        to_status = ReviewStatus(required=True)

    review = graphene.Field(ReviewType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> TransitionReview:
        to_status = a["to_status"].value if hasattr(a["to_status"], "value") else a["to_status"]
        review = services.review_transition(
            actor=actor_of(info.context), review_id=a["review"], to_status=to_status
        )
        return cls(review=review, errors=[])


class SetReviewScope(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        handbook_areas = graphene.List(graphene.NonNull(graphene.ID), required=True)
        local_areas = graphene.List(graphene.NonNull(LocalAreaInput))

    review = graphene.Field(ReviewType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> SetReviewScope:
        review = services.scope_set(
            actor=actor_of(info.context),
            review_id=a["review"],
            handbook_area_ids=a["handbook_areas"],
            local_areas=[(x.title, x.key_question) for x in a.get("local_areas") or []],
        )
        return cls(review=review, errors=[])


class ConfirmReviewScope(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)

    review = graphene.Field(ReviewType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> ConfirmReviewScope:
        review = services.scope_confirm(actor=actor_of(info.context), review_id=a["review"])
        return cls(review=review, errors=[])


class RescheduleReview(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        phases = graphene.List(graphene.NonNull(PhaseDatesInput), required=True)
        reason = graphene.String(required=True)

    review = graphene.Field(ReviewType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> RescheduleReview:
        review = services.phases_reschedule(
            actor=actor_of(info.context),
            review_id=a["review"],
            reason=a["reason"],
            new_dates={
                (p.kind.value if hasattr(p.kind, "value") else p.kind): (p.starts_on, p.ends_on)
                for p in a["phases"]
            },
        )
        return cls(review=review, errors=[])


class AddTeamMember(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        user = graphene.ID(required=True)
        team_role = TeamRole(required=True)

    member = graphene.Field(TeamMemberType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> AddTeamMember:
        role = a["team_role"].value if hasattr(a["team_role"], "value") else a["team_role"]
        member = services.team_member_add(
            actor=actor_of(info.context), review_id=a["review"], user_id=a["user"], team_role=role
        )
        return cls(member=member, errors=[])


class DeclareInterest(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        member = graphene.ID(required=True)
        has_interest = graphene.Boolean(required=True)
        details = graphene.String()

    member = graphene.Field(TeamMemberType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> DeclareInterest:
        member = services.team_member_declare(
            actor=actor_of(info.context),
            review_id=a["review"],
            member_id=a["member"],
            has_interest=a["has_interest"],
            details=a.get("details") or "",
        )
        return cls(member=member, errors=[])


class MitigateConflict(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        member = graphene.ID(required=True)
        mitigation = graphene.String(required=True)

    member = graphene.Field(TeamMemberType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> MitigateConflict:
        member = services.team_member_mitigate(
            actor=actor_of(info.context),
            review_id=a["review"],
            member_id=a["member"],
            mitigation=a["mitigation"],
        )
        return cls(member=member, errors=[])


class RemoveTeamMember(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        member = graphene.ID(required=True)

    member = graphene.Field(TeamMemberType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> RemoveTeamMember:
        member = services.team_member_remove(
            actor=actor_of(info.context), review_id=a["review"], member_id=a["member"]
        )
        return cls(member=member, errors=[])


class SetAccessWindow(ServiceMutation):
    class Arguments:
        review = graphene.ID(required=True)
        member = graphene.ID(required=True)
        opens_at = graphene.DateTime()
        closes_at = graphene.DateTime()

    member = graphene.Field(TeamMemberType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> SetAccessWindow:
        member = services.team_member_set_window(
            actor=actor_of(info.context),
            review_id=a["review"],
            member_id=a["member"],
            opens_at=a.get("opens_at"),
            closes_at=a.get("closes_at"),
        )
        member.refresh_from_db()
        return cls(member=member, errors=[])


class Mutation(graphene.ObjectType):
    propose_exchange = ProposeExchange.Field()
    answer_exchange = AnswerExchange.Field()
    withdraw_exchange = WithdrawExchange.Field()
    transition_review = TransitionReview.Field()
    set_review_scope = SetReviewScope.Field()
    confirm_review_scope = ConfirmReviewScope.Field()
    reschedule_review = RescheduleReview.Field()
    add_team_member = AddTeamMember.Field()
    declare_interest = DeclareInterest.Field()
    mitigate_conflict = MitigateConflict.Field()
    remove_team_member = RemoveTeamMember.Field()
    set_access_window = SetAccessWindow.Field()
