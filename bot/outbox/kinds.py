"""What differs between the kinds of message in the outbox: how a batch of rows is rendered, whether they wait for
the committee's working hours, how often a failure is tried again, and how many rows are rendered together.
Everything else (claiming, pacing, sending, recording) is the dispatcher's, the same for every kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.following import render_following
from bot.notices import render_notices
from bot.outbox.message import Outgoing
from bot.reminders.digest import DIGEST_AFTER, render_due
from bot.reminders.planner import replan_reminders
from bot.reminders.render import render_delivery_problems, render_escalations
from bot.summary_plan import BATCH, merge_due, render_summaries
from models.entities import ANSWERABLE_KINDS, MessageKind, Reminder

Render = Callable[[AsyncSession, Sequence[Reminder], datetime], Awaitable[list[Outgoing]]]
Prepare = Callable[[AsyncSession, list[int], datetime], Awaitable[None]]

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


@dataclass(frozen=True)
class Policy:
    render: Render
    # Sent only while the committee is at work (a working day, between its opening and closing hours).
    working_hours: bool = True
    # After the n-th failed attempt, the next one waits retry_delays[n - 1]; after the last, the row is given up.
    retry_delays: tuple[timedelta, ...] = RETRY_DELAYS
    # A timeout may have delivered the message: False sends it at most once (the row is left "in doubt").
    retry_timeouts: bool = True
    # Rows rendered together at most (their statements are shared); None: all those claimed at once.
    batch: int | None = None
    # Run in the render's transaction, before it, on the claimed rows' ids.
    prepare: Prepare | None = None
    # A chat with more than this many rows of such kinds due in a round gets them as one digest (the render joins
    # the rows of one chat it is given); None: one message per row.
    digest_after: int | None = None

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays) + 1


REMINDER = Policy(render_due, prepare=replan_reminders, digest_after=DIGEST_AFTER)

POLICIES: dict[str, Policy] = {
    **dict.fromkeys(ANSWERABLE_KINDS, REMINDER),
    MessageKind.ESCALATION: Policy(render_escalations),
    MessageKind.DELIVERY: Policy(render_delivery_problems),
    # A notice goes a minute after the report, at any hour: the secretary asked to be told.
    MessageKind.NOTICE: Policy(render_notices, working_hours=False, retry_timeouts=False,
                               retry_delays=(timedelta(minutes=2),) * 4),
    # Like the secretaries' notice: a follower asked to be told.
    MessageKind.FOLLOWING: Policy(render_following, working_hours=False, retry_timeouts=False,
                                  retry_delays=(timedelta(minutes=2),) * 4),
    # At the hour the committee chose, which may be outside its working hours.
    MessageKind.SUMMARY: Policy(render_summaries, working_hours=False, retry_delays=(timedelta(minutes=5),) * 4,
                                batch=BATCH, prepare=merge_due),
}
