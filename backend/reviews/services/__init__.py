"""Writes for exchanges and reviews, one module per sub-domain."""

from .exchanges import exchange_answer, exchange_propose, exchange_withdraw
from .invitations import (
    invitation_accept,
    team_invitation_create,
    team_invitation_resend,
    team_invitation_revoke,
)
from .lifecycle import STEPS, next_statuses, review_transition
from .scope import scope_confirm, scope_set
from .team import (
    team_access_sync,
    team_member_add,
    team_member_declare,
    team_member_mitigate,
    team_member_remove,
    team_member_set_window,
)
from .timeline import phases_reschedule, reminders_send

__all__ = [
    "STEPS",
    "exchange_answer",
    "exchange_propose",
    "exchange_withdraw",
    "invitation_accept",
    "next_statuses",
    "phases_reschedule",
    "reminders_send",
    "review_transition",
    "scope_confirm",
    "scope_set",
    "team_access_sync",
    "team_invitation_create",
    "team_invitation_resend",
    "team_invitation_revoke",
    "team_member_add",
    "team_member_declare",
    "team_member_mitigate",
    "team_member_remove",
    "team_member_set_window",
]
