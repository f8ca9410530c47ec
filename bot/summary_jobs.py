"""The weekly summary job. A planner keeps, for every recipient, one pending row of kind "summary" in the reminder
outbox, due at the committee's weekday and hour; a periodic job sends the due rows and records `sent_at`.

So a restart loses nothing, and a summary that fell due while the bot was down goes out once when it is back:
its row is still pending, and the next one is planned from then on, not once per missed week.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ExtBot

from bot.context import AppContext
from bot.messaging import retry_after, send_text
from bot.reminders.jobs import shared_pacer
from bot.summaries import build_summaries
from bot.summary_render import render
from models.entities import Committee, Member, MessageKind, Reminder, Role

log = logging.getLogger(__name__)

TICK_SECONDS = 60
RUN_SECONDS = 45  # a run stops claiming after this, so that it ends before the next one starts
LEASE = timedelta(minutes=10)  # a claimed row another instance may take over if this one died sending it
BATCH = 50  # rows claimed at once: their committees' summaries are computed together
RETRY = timedelta(minutes=5)  # after a failure other than Telegram's 429 and 403
MAX_ATTEMPTS = 5
PAUSE_SECONDS = 0.05  # between chats: far below Telegram's 30 messages per second, leaving room for reminders
WORKER = f"{socket.gethostname()}:{os.getpid()}"
REPLANNED = "recipient or schedule changed"


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
            due = schedule.next_after(after, committees[committee_id].timezone)
            db.add(Reminder(committee_id=committee_id, member_id=wanted[key], chat_id=chat_id, kind=MessageKind.SUMMARY,
                            payload=schedule.payload, due_at=due,
                            attempts=0, created_at=now))
    return len(missing)


async def send_due_summaries(bot: ExtBot, sessions: async_sessionmaker[AsyncSession], now: datetime,
                             pacer=None) -> int:
    """Send the due summaries, a batch at a time, until none is due or this run's time is up (the next run goes on).
    Each committee and chat gets one, however many of its rows were due. Returns how many went out."""
    started, sent = time.monotonic(), 0
    while time.monotonic() - started < RUN_SECONDS:
        async with sessions.begin() as db:
            claimed = await _claim(db, now)
        if not claimed:
            break
        batch_sent, held = await _send_batch(bot, sessions, claimed, now, pacer)
        sent += batch_sent
        if held:
            break
    return sent


async def _send_batch(bot: ExtBot, sessions: async_sessionmaker[AsyncSession], claimed: list,
                      now: datetime, pacer=None) -> tuple[int, bool]:
    """Compute the batch's summaries together and send them; (how many went out, whether Telegram said wait)."""
    chats: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for row in claimed:
        chats[row.committee_id][row.chat_id].append(row)
    async with sessions() as db:
        committees = (await db.scalars(select(Committee).where(Committee.id.in_(list(chats))))).all()
        summaries = {summary.committee_id: summary for summary in await build_summaries(db, committees, now)}
    waiting, sent = {row.id for row in claimed}, 0
    try:
        for committee_id, rows_by_chat in chats.items():
            summary = summaries[committee_id]
            text = render(summary)
            for chat_id, rows in rows_by_chat.items():
                ids = [row.id for row in rows]
                if not summary.agreements:
                    await _mark(sessions, ids, cancelled_at=now, error="no agreements yet")
                else:
                    if sent:
                        await asyncio.sleep(PAUSE_SECONDS)
                    sent += await _deliver(bot, sessions, chat_id, rows, text, now, pacer)
                waiting.difference_update(ids)
    except RetryAfter as error:
        wait = retry_after(error)
        log.warning("Telegram asked to wait %s; the remaining weekly summaries wait too", wait)
        await _mark(sessions, list(waiting), claimed_until=now + wait, claimed_by=None)
        async with sessions.begin() as db:  # and so do the due ones not claimed yet
            await db.execute(update(Reminder).where(_due(now)).values(claimed_until=now + wait)
                             .execution_options(synchronize_session=False))
        return sent, True
    return sent, False


async def _deliver(bot: ExtBot, sessions: async_sessionmaker[AsyncSession], chat_id: int, rows: list, text: str,
                   now: datetime, pacer=None) -> int:
    ids = [row.id for row in rows]
    try:
        message = await send_text(bot, chat_id, text, pacer=pacer)
    except RetryAfter:
        raise
    except Forbidden as error:
        await _mark(sessions, ids, cancelled_at=now, error=str(error)[:500])
        return 0
    except TelegramError as error:
        log.warning("weekly summary to chat %s failed: %s", chat_id, error)
        given_up = {"cancelled_at": now} if max(row.attempts for row in rows) >= MAX_ATTEMPTS else {}
        await _mark(sessions, ids, claimed_until=now + RETRY, claimed_by=None, error=str(error)[:500], **given_up)
        return 0
    await _mark(sessions, ids, sent_at=now, message_id=message.message_id, error=None)
    return 1


async def _claim(db: AsyncSession, now: datetime) -> list:
    """Take the due rows for this run; several instances on PostgreSQL never take the same row."""
    token = f"{WORKER}:{uuid4().hex[:8]}"
    due = select(Reminder.id).where(_due(now)).order_by(Reminder.due_at, Reminder.id).limit(BATCH) \
        .with_for_update(skip_locked=True)
    await db.execute(update(Reminder).where(Reminder.id.in_(due))
                     .values(claimed_by=token, claimed_until=now + LEASE, attempts=Reminder.attempts + 1)
                     .execution_options(synchronize_session=False))
    return list((await db.execute(select(Reminder.id, Reminder.committee_id, Reminder.chat_id, Reminder.attempts)
                                  .where(Reminder.claimed_by == token))).all())


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(Reminder.kind == MessageKind.SUMMARY, Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
                Reminder.due_at <= now, or_(Reminder.claimed_until.is_(None), Reminder.claimed_until <= now))


async def _mark(sessions: async_sessionmaker[AsyncSession], ids: list[int], **values: Any) -> None:
    if not ids:
        return
    async with sessions.begin() as db:
        await db.execute(update(Reminder).where(Reminder.id.in_(ids)).values(**values)
                         .execution_options(synchronize_session=False))


async def summary_tick(context: AppContext) -> None:
    """Every minute: plan the next weekly summaries, then send those that are due."""
    services = context.services
    now = services.clock.now()
    async with services.sessions.begin() as db:
        await plan_summaries(db, now)
    await send_due_summaries(context.bot, services.sessions, now, shared_pacer(context.application))


def schedule(application: Application) -> None:
    application.job_queue.run_repeating(summary_tick, interval=TICK_SECONDS, first=TICK_SECONDS,
                                        name="weekly-summaries")
