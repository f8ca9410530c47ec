"""The weekly summaries in the outbox. A planner keeps, for every recipient, one pending row of kind "summary",
due at the committee's weekday and hour; the outbox's dispatcher sends the due rows (bot/outbox) and records
`sent_at`.

So a restart loses nothing, and a summary that fell due while the bot was down goes out once when it is back:
its row is still pending, and the next one is planned from then on, not once per missed week.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox.message import Outgoing
from bot.reminders.locking import chunked
from bot.summaries import build_summaries
from bot.summary_render import render
from models.entities import Committee, Member, MessageKind, Reminder, Role

log = logging.getLogger(__name__)

BATCH = 50  # committees whose summaries are computed together, in the same few statements
REPLANNED = "recipient or schedule changed"
MERGED = "sent with another row due for the same chat"


@dataclass(frozen=True)
class Schedule:
    """When a committee gets its weekly summary (settings["summary"]): default Monday 08:00, local time."""

    weekday: int = 0
    hour: int = 8
    to_group: bool = False

    @classmethod
    def of(cls, settings: dict[str, Any] | None) -> Schedule:
        """The committee's schedule; a value that makes no sense keeps its default."""
        values = (settings or {}).get("summary", {})
        weekday, hour = _number(values.get("weekday"), range(7)), _number(values.get("hour"), range(24))
        return cls(weekday=cls.weekday if weekday is None else weekday, hour=cls.hour if hour is None else hour,
                   to_group=values.get("to_group") is True)

    @property
    def payload(self) -> dict[str, int]:
        return {"weekday": self.weekday, "hour": self.hour}

    def next_after(self, moment: datetime, timezone: str) -> datetime:
        """The first weekday at hour:00, local time, strictly after `moment`; in UTC."""
        local = moment.astimezone(ZoneInfo(timezone))
        candidate = local.replace(hour=self.hour, minute=0, second=0, microsecond=0) \
            + timedelta(days=(self.weekday - local.weekday()) % 7)
        if candidate <= local:
            candidate += timedelta(days=7)
        return candidate.astimezone(ZoneInfo("UTC"))


def _number(value: Any, allowed: range) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in allowed else None


async def plan_summaries(db: AsyncSession, now: datetime) -> int:
    """Give every recipient (each active secretary, and the group if the committee asks) its next due summary,
    and cancel pending ones nobody should get any more. Returns how many rows were planned."""
    committees = {c.id: c for c in (await db.execute(
        select(Committee.id, Committee.timezone, Committee.settings, Committee.group_chat_id))).all()}
    schedules = {committee_id: Schedule.of(c.settings) for committee_id, c in committees.items()}
    wanted: dict[tuple[int, int], int | None] = {}
    for c in committees.values():
        if schedules[c.id].to_group and c.group_chat_id:
            wanted[(c.id, c.group_chat_id)] = None
    for member in (await db.execute(select(Member.committee_id, Member.chat_id, Member.id)
                                    .where(Member.role == Role.SECRETARY, Member.active.is_(True)))).all():
        wanted[(member.committee_id, member.chat_id)] = member.id

    planned: set[tuple[int, int]] = set()
    for row in (await db.scalars(select(Reminder).where(
            Reminder.kind == MessageKind.SUMMARY, Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None)))).all():
        key = (row.committee_id, row.chat_id)
        in_flight = row.claimed_until is not None and row.claimed_until > now
        if in_flight or (key in wanted and row.payload == schedules[row.committee_id].payload):
            planned.add(key)
        else:
            row.cancelled_at, row.error = now, REPLANNED

    missing = wanted.keys() - planned
    if missing:
        # An occurrence is used up once sent, or given up (a blocked chat, nothing to summarize yet).
        finished = func.coalesce(Reminder.sent_at, Reminder.cancelled_at)
        last_done = {(r.committee_id, r.chat_id): max(r.due, r.finished) for r in (await db.execute(
            select(Reminder.committee_id, Reminder.chat_id, func.max(Reminder.due_at).label("due"),
                   func.max(finished).label("finished"))
            .where(Reminder.kind == MessageKind.SUMMARY, finished.is_not(None),
                   Reminder.error.is_distinct_from(REPLANNED))
            .group_by(Reminder.committee_id, Reminder.chat_id))).all()}
        for key in sorted(missing):
            committee_id, chat_id = key
            schedule = schedules[committee_id]
            # The occurrence after the last one used: if the bot was down then, it is already due, and it is one
            # row however many weeks passed; a first summary is the next occurrence from now on.
            after = last_done.get(key, now - timedelta(microseconds=1))
            try:
                due = schedule.next_after(after, committees[committee_id].timezone)
            except Exception:  # one committee's bad data must not keep the others' summaries from being planned
                log.exception("no weekly summary planned for committee %s, chat %s", committee_id, chat_id)
                continue
            db.add(Reminder(committee_id=committee_id, member_id=wanted[key], chat_id=chat_id, kind=MessageKind.SUMMARY,
                            payload=schedule.payload, due_at=due,
                            attempts=0, created_at=now))
    return len(missing)


async def merge_due(db: AsyncSession, ids: list[int], now: datetime) -> None:
    """Each committee and chat gets one summary, however many of its rows fell due: the others are set down as
    sent with the one that goes (they are not rendered or sent)."""
    rows = (await db.execute(select(Reminder.id, Reminder.committee_id, Reminder.chat_id)
                             .where(Reminder.id.in_(ids)))).all()
    keys = {(row.committee_id, row.chat_id) for row in rows}
    others = (await db.execute(select(Reminder.id, Reminder.committee_id, Reminder.chat_id).where(
        Reminder.kind == MessageKind.SUMMARY, Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
        Reminder.due_at <= now, Reminder.id.not_in(ids), Reminder.claimed_by.is_(None),
        Reminder.committee_id.in_({committee_id for committee_id, _ in keys})))).all()
    merged = [row.id for row in others if (row.committee_id, row.chat_id) in keys]
    if merged:
        await db.execute(update(Reminder).where(Reminder.id.in_(merged))
                         .values(cancelled_at=now, error=MERGED).execution_options(synchronize_session=False))


async def render_summaries(db: AsyncSession, rows: Sequence[Reminder], now: datetime) -> list[Outgoing]:
    """The summaries of these rows' committees, computed BATCH committees at a time."""
    by_committee: dict[int, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_committee[row.committee_id].append(row)
    outgoing = []
    for ids in chunked(by_committee, BATCH):
        committees = (await db.scalars(select(Committee).where(Committee.id.in_(ids)))).all()
        for summary in await build_summaries(db, committees, now):
            text = render(summary) if summary.agreements else None
            outgoing += [Outgoing(row.id, row.chat_id, row.kind, text, silence="no agreements yet")
                         for row in by_committee[summary.committee_id]]
    return outgoing
