"""The secretaries' batched notice of reports: queued when an institution reports, rendered with buttons to verify
or observe, and sent by the outbox's dispatcher (bot/outbox) at any hour."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from telegram import InlineKeyboardMarkup

from bot import keyboards, texts
from bot.outbox.message import Outgoing
from bot.reminders.alerts import tell_secretaries
from bot.views import shorten
from models.entities import Assignment, Committee, MessageKind, Reminder, Status, StatusUpdate

NOTICE_DELAY = timedelta(minutes=1)  # reports arriving within a minute reach the secretary in one message


async def queue_notice(db: AsyncSession, *, committee_id: int, update_id: int, now: datetime) -> None:
    """Tell the committee's secretaries about a report; reports within NOTICE_DELAY share one message."""
    await tell_secretaries(db, committee_id, MessageKind.NOTICE, now, due_at=now + NOTICE_DELAY, updates=[update_id])


async def render_notices(db: AsyncSession, rows: Sequence[Reminder], now: datetime) -> list[Outgoing]:
    outgoing = []
    for row in rows:
        text, keyboard = await _notice(db, row)
        outgoing.append(Outgoing(row.id, row.chat_id, row.kind, text, keyboard))
    return outgoing


async def _notice(db: AsyncSession, reminder: Reminder) -> tuple[str, InlineKeyboardMarkup | None]:
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
    # What else the secretaries are told in the same message: a hand-over, an absence that leaves nobody.
    lines += [texts.t(texts.NOTICE_EVENTS[event["event"]], **{k: v for k, v in event.items() if k != "event"})
              for event in reminder.payload.get("events", [])]
    if reported:
        code, institution = next(iter(reported.values()))[1:]
        lines.append(texts.t(texts.NOTICE_FOOTER, code=code, institution=institution))
    return "\n\n".join(lines), keyboards.decisions(list(reported.values()))
