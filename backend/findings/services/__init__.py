"""Writes for findings, one module per sub-domain."""

from .moderation import (
    finding_correct,
    finding_moderate,
    findings_publish,
    moderation_meeting_record,
)
from .next_steps import (
    action_add,
    action_reminders_send,
    action_update,
    criterion_add,
    criterion_assess,
    criterion_self_assess,
    recommendation_add,
    recommendation_respond,
)
from .writing import (
    EditConflict,
    finding_comment,
    finding_create,
    finding_delete,
    finding_propose,
    finding_update,
    quote_add,
    triangulation,
)

__all__ = [
    "EditConflict",
    "action_add",
    "action_reminders_send",
    "action_update",
    "criterion_add",
    "criterion_assess",
    "criterion_self_assess",
    "finding_comment",
    "finding_correct",
    "finding_create",
    "finding_delete",
    "finding_moderate",
    "finding_propose",
    "finding_update",
    "findings_publish",
    "moderation_meeting_record",
    "quote_add",
    "recommendation_add",
    "recommendation_respond",
    "triangulation",
]
