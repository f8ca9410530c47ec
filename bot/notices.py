"""The secretaries' batched notice of reports: queued when an institution reports, rendered with buttons to verify
or observe, and sent by a job of its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from telegram import InlineKeyboardMarkup
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from bot import keyboards, texts
from bot.messaging import retry_after, send_text
from bot.reminders.alerts import tell_secretaries
from bot.views import shorten
from models.entities import Assignment, Committee, MessageKind, Reminder, Status, StatusUpdate

NOTICE_DELAY = timedelta(minutes=1)  # reports arriving within a minute reach the secretary in one message
NOTICE_RETRY = timedelta(minutes=2)
NOTICE_ATTEMPTS = 5


async def queue_notice(db: AsyncSession, *, committee_id: int, update_id: int, now: datetime) -> None:
    """Tell the committee's secretaries about a report; reports within NOTICE_DELAY share one message."""
    await tell_secretaries(db, committee_id, MessageKind.NOTICE, now, due_at=now + NOTICE_DELAY, updates=[update_id])


async def render_notice(db: AsyncSession, reminder: Reminder) -> tuple[str, InlineKeyboardMarkup | None]:
    committee = await db.get(Committee, reminder.committee_id)
    zone = ZoneInfo(committee.timezone)
    updates = (await db.scalars(
        select(StatusUpdate).where(StatusUpdate.id.in_(reminder.payload.get("updates", [])))
        .options(selectinload(StatusUpdate.evidence))
        .order_by(StatusUpdate.created_at, StatusUpdate.id))).all()
    lines = [texts.t(texts.NOTICE_HEADER, committee=committee.name)]
    reported: dict[int, tuple[int, str, str]] = {}
    for update in updates:
        assignment = await db.get(Assignment, update.assignment_id,
                                  options=[selectinload(Assignment.agreement), selectinload(Assignment.institution)])
        values = dict(code=assignment.agreement.code, institution=assignment.institution.name,
                      who=update.author_name, when=update.created_at.astimezone(zone).strftime("%d/%m %H:%M"),
                      note=shorten(update.note, 200) or "—")
        if update.status == Status.REPORTADO:
            evidence = "".join(f" 📎 {e.name or e.kind}" for e in update.evidence)
            lines.append(texts.t(texts.NOTICE_REPORTED, evidence=evidence, **values))
            if assignment.status == Status.REPORTADO:
                reported[assignment.id] = (assignment.id, assignment.agreement.code, assignment.institution.name)
        else:
            lines.append(texts.t(texts.NOTICE_DIFFICULTY, **values))
    if reported:
        code, institution = next(iter(reported.values()))[1:]
        lines.append(texts.t(texts.NOTICE_FOOTER, code=code, institution=institution))
    return "\n\n".join(lines), keyboards.decisions(list(reported.values()))


async def send_due_notices(bot, sessions, now: datetime, pacer=None) -> int:
    """Send the secretaries' batched notices that are due; returns how many messages went out."""
    async with sessions.begin() as db:
        rows = (await db.scalars(select(Reminder).where(
            Reminder.kind == MessageKind.NOTICE, Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
            Reminder.due_at <= now, (Reminder.claimed_until.is_(None)) | (Reminder.claimed_until < now))
            .order_by(Reminder.due_at).limit(50).with_for_update(skip_locked=True))).all()
        for row in rows:
            row.claimed_until, row.attempts = now + timedelta(minutes=5), row.attempts + 1
        claimed = [row.id for row in rows]
    sent = 0
    for reminder_id in claimed:
        async with sessions() as db:
            reminder = await db.get(Reminder, reminder_id)
            text, keyboard = await render_notice(db, reminder)
        message_id, error, retry = None, None, None
        try:
            message = await send_text(bot, reminder.chat_id, text, reply_markup=keyboard, pacer=pacer)
            message_id, sent = message.message_id, sent + 1
        except RetryAfter as limited:
            retry, error = retry_after(limited), str(limited)[:500]
            if pacer is not None:
                pacer.pause(retry.total_seconds())
        except TimedOut as failure:  # in doubt whether it arrived: at most once, like the reminders
            error = str(failure)[:500]
        except NetworkError as failure:  # it did not leave (or Telegram failed): try again
            retry, error = NOTICE_RETRY, str(failure)[:500]
        except TelegramError as failure:
            error = str(failure)[:500]
        async with sessions.begin() as db:
            reminder = await db.get(Reminder, reminder_id)
            if retry is not None and reminder.attempts < NOTICE_ATTEMPTS:
                reminder.claimed_until, reminder.error = now + retry, error
            else:
                reminder.sent_at, reminder.message_id, reminder.error = now, message_id, error
    return sent
