"""Reminders: a planner keeps due rows in the `reminder` outbox, one periodic job sends them (docs/design.md).

The domain operation that changes a deadline, a contact or (the secretary's decisions) a status calls
`replan_agreement`, `replan_institution` or `replan_assignment` in its own transaction. An institution's own report
does not: it can only put its reminders later or end them, and the next round and the dispatcher plan them again.
🕒 Recordar en 3 días is `snooze`, which plans the assignment again itself.
"""

from bot.reminders.planner import SnoozeRefused, replan_agreement, replan_assignment, replan_institution, snooze

__all__ = ["SnoozeRefused", "replan_agreement", "replan_assignment", "replan_institution", "snooze"]
