"""Reminders: a planner keeps due rows in the `reminder` outbox, one periodic job sends them (DESIGN.md, "Reminders").

What other code calls: `replan_assignment`, `replan_agreement` and `replan_institution` after it changes a deadline,
a contact or (the secretary's decisions) a status, in its own transaction; `start_reminders` from the application's
post_init. An institution's own report needs no call: it can only put its reminders later or end them, and the
next round and the dispatcher plan them again.
"""

from bot.reminders.planner import replan_agreement, replan_assignment, replan_institution

__all__ = ["replan_agreement", "replan_assignment", "replan_institution"]
