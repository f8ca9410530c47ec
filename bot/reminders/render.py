"""The reminders' rows as their chats will read them: Spanish, HTML, every value escaped, one message under 4,096
characters. One renderer per kind (bot/outbox/kinds.py); each takes a batch of rows of its kind."""

from __future__ import annotations

from datetime import date, datetime
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keyboards, texts
from bot.outbox.message import Outgoing
from bot.reminders.alerts import unanswered_overdue
from bot.reminders.cadence import REMINDED_STATUSES, ReminderSettings
from bot.views import agreement_deadline, day, session_name, shorten
from models.entities import Agreement, Assignment, Committee, Institution, Reminder, Session

MAX_LINES = 25  # of an escalation or a delivery problem: well under Telegram's 4,096 characters


async def render_reminders(db: AsyncSession, rows: Sequence[Reminder], now: datetime) -> list[Outgoing]:
    """An institution's reminders: the agreement, its deadline and status, and the buttons to answer."""
    committees = await _committees(db, rows)
    details = await _details(db, [row.assignment_id for row in rows])
    return [_reminder(row, committees[row.committee_id], *details[row.assignment_id], now) for row in rows]


async def render_escalations(db: AsyncSession, rows: Sequence[Reminder], now: datetime) -> list[Outgoing]:
    committees = await _committees(db, rows)
    return [Outgoing(row.id, row.chat_id, row.kind, await _escalation(db, row, committees[row.committee_id], now))
            for row in rows]


async def render_delivery_problems(db: AsyncSession, rows: Sequence[Reminder], now: datetime) -> list[Outgoing]:
    committees = await _committees(db, rows)
    return [Outgoing(row.id, row.chat_id, row.kind, _delivery(row, committees[row.committee_id])) for row in rows]


async def _committees(db: AsyncSession, rows: Sequence[Reminder]) -> dict[int, Committee]:
    return {c.id: c for c in await db.scalars(select(Committee).where(
        Committee.id.in_({row.committee_id for row in rows})))}


def _today(committee: Committee, now: datetime) -> date:
    return now.astimezone(ZoneInfo(committee.timezone)).date()


def _reminder(row: Reminder, committee: Committee, assignment: Assignment, agreement: Agreement, session: Session,
              institution: Institution, now: datetime) -> Outgoing:
    zone = ZoneInfo(committee.timezone)
    last = texts.t(texts.REMINDER_LAST_UPDATE, date=day(assignment.last_update_at.astimezone(zone).date())) \
        if assignment.last_update_at else ""
    status = texts.STATUS[assignment.status.value] + (f" ({assignment.percent}%)" if assignment.percent else "")
    text = texts.REMINDER_HEADER[row.kind] + texts.t(
        texts.REMINDER_BODY, committee=committee.name, code=agreement.code, session=session_name(session),
        text=shorten(agreement.text, 300), institution=institution.name,
        deadline=agreement_deadline(agreement, _today(committee, now)), status=status, last=last)
    keyboard = keyboards.reminder(assignment.id, row.id, ReminderSettings.of(committee.settings).snooze_days)
    return Outgoing(row.id, row.chat_id, row.kind, text, keyboard)


async def _escalation(db: AsyncSession, row: Reminder, committee: Committee, now: datetime) -> str | None:
    ids = row.payload.get("assignments", [])
    still_open = (await db.execute(
        select(Assignment, Agreement, Institution)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .join(Institution, Institution.id == Assignment.institution_id)
        .where(Assignment.id.in_(ids), Assignment.status.in_(REMINDED_STATUSES), Agreement.cancelled_at.is_(None))
        .order_by(Agreement.deadline, Agreement.id, Institution.name))).all()
    if not still_open:
        return None
    counts = {u.assignment_id: u.reminders for u in await unanswered_overdue(db, ids)}
    today = _today(committee, now)
    lines = [texts.t(texts.ESCALATION_HEADER, committee=committee.name)]
    for assignment, agreement, institution in still_open[:MAX_LINES]:
        lines.append(texts.t(texts.ESCALATION_LINE, code=agreement.code, institution=institution.name,
                             text=shorten(agreement.text, 80), deadline=agreement_deadline(agreement, today),
                             count=counts.get(assignment.id, 0)))
    if len(still_open) > MAX_LINES:
        lines.append(texts.t(texts.ESCALATION_MORE, count=len(still_open) - MAX_LINES))
    lines.append(texts.t(texts.ESCALATION_FOOTER, code=still_open[0][1].code))
    return "\n\n".join(lines)


def _delivery(row: Reminder, committee: Committee) -> str | None:
    problems = row.payload.get("problems", [])
    if not problems:
        return None
    lines = [texts.t(texts.DELIVERY_HEADER, committee=committee.name)]
    for problem in problems[:MAX_LINES]:
        if problem["problem"] == "blocked":
            line = texts.t(texts.DELIVERY_BLOCKED, institution=problem["institution"], contact=problem["contact"])
            if problem.get("alone"):
                line += texts.t(texts.DELIVERY_ALONE, institution=problem["institution"])
        else:
            line = texts.t(texts.DELIVERY_FAILED, code=problem["code"], institution=problem["institution"],
                           contact=problem["contact"], attempts=problem["attempts"])
        lines.append(line)
    if len(problems) > MAX_LINES:
        lines.append(texts.t(texts.DELIVERY_MORE, count=len(problems) - MAX_LINES))
    return "\n".join(lines)


async def _details(db: AsyncSession, assignment_ids: list[int]):
    if not assignment_ids:
        return {}
    rows = await db.execute(
        select(Assignment, Agreement, Session, Institution)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .join(Session, Session.id == Agreement.session_id)
        .join(Institution, Institution.id == Assignment.institution_id)
        .where(Assignment.id.in_(set(assignment_ids))))
    return {row[0].id: tuple(row) for row in rows.all()}
