"""Reminders: a planner keeps due rows in the `reminder` outbox, one periodic job sends them (DESIGN.md, "Reminders").

What other code calls: `replan_assignment`, `replan_agreement` and `replan_institution` after it changes a status,
a deadline or a contact, in its own transaction; `start_reminders` from the application's post_init.
"""

from bot.reminders.planner import replan_agreement, replan_assignment, replan_institution

__all__ = ["replan_agreement", "replan_assignment", "replan_institution"]
