"""Writes for findings, one module per sub-domain."""

from .moderation import (
    finding_correct,
    finding_moderate,
    findings_publish,
    moderation_meeting_record,
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
    "triangulation",
]
