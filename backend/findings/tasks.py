"""Background work for findings. Each task takes ids (or nothing) and is safe to rerun."""

from __future__ import annotations

from core.tasks import project_task

from .services import action_reminders_send


@project_task()
def send_action_reminders() -> int:
    """Remind owners of actions due within a week, and of overdue ones; each once."""
    return action_reminders_send()
