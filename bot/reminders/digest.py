"""Digests: a chat with more than DIGEST_AFTER reminders due in one round gets one message listing them, grouped
by committee, with a button per item (its card, with the usual buttons) and pages turned with ◀ ▶. Every row the
digest stands for is recorded as sent with the digest's message id, so the escalation, «who did not answer» and
the summaries go on counting per responsibility."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot import keyboards, texts
from bot.outbox.message import Outgoing
from bot.progress import lights_now
from bot.reminders.render import _committees, _details, _reminder, _today, render_reminders
from bot.views import agreement_deadline
from models.entities import Reminder
from models.semaforo import EMOJI

DIGEST_AFTER = 3  # more reminders than this due to one chat in a round go as one digest
PAGE = 8  # items per page of a digest (each with its button)


@dataclass(frozen=True)
class Item:
    reminder_id: int
    committee: str
    code: str
    institution: str
    deadline: str
    light: str


async def render_due(db: AsyncSession, rows: Sequence[Reminder], now: datetime) -> list[Outgoing]:
    """The institutions' reminders of a round: one message per row, and one digest for the rows of a chat that the
    dispatcher gathered together (it gathers them only when the chat has more than DIGEST_AFTER due). The digests
    of a render are read together: a part of forty rows is four chats' digests, each read alone took a dozen
    statements (bench_soak.py)."""
    by_chat: dict[int, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_chat[row.chat_id].append(row)
    gathered = [row for chat_rows in by_chat.values() if len(chat_rows) > 1 for row in chat_rows]
    # The planner may have moved or cancelled some of them just before (the outbox's `prepare`).
    due = set(await db.scalars(select(Reminder.id).where(
        Reminder.id.in_([row.id for row in gathered]), Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
        Reminder.due_at <= now))) if gathered else set()
    alone, digests = [], []
    for chat_rows in by_chat.values():
        still = [row for row in chat_rows if row.id in due]
        if len(chat_rows) == 1 or len(still) <= 1:
            alone.append((still or chat_rows)[0])
        else:
            digests.append(still)
    outgoing = await render_reminders(db, alone, now) if alone else []
    items = await items_of(db, [row for still in digests for row in still], now) if digests else []
    for still in digests:
        ids = {row.id for row in still}
        lead = min(still, key=lambda row: (row.due_at, row.id))
        text, keyboard = page_of([item for item in items if item.reminder_id in ids], lead.id, 1)
        outgoing.append(Outgoing(lead.id, lead.chat_id, lead.kind, text, keyboard,
                                 companions=tuple(row.id for row in still if row.id != lead.id)))
    return outgoing


async def items_of(db: AsyncSession, rows: Sequence[Reminder], now: datetime) -> list[Item]:
    """A digest's lines, by committee, then deadline (none last), then code."""
    committees = await _committees(db, rows)
    details = await _details(db, [row.assignment_id for row in rows])
    lights = await lights_now(db, [details[row.assignment_id][0] for row in rows], committees, now)
    items = []
    for row in rows:
        assignment, agreement, _, institution = details[row.assignment_id]
        committee = committees[row.committee_id]
        items.append((committee.name, agreement.deadline is None, agreement.deadline, agreement.code, Item(
            row.id, committee.name, agreement.code, institution.name,
            agreement_deadline(agreement, _today(committee, now)), EMOJI[lights[assignment.id]])))
    items.sort(key=lambda entry: entry[:4])
    return [entry[-1] for entry in items]


def page_of(items: list[Item], lead_id: int, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """One page of a digest: the header with every committee, this page's lines and their buttons, ◀ ▶."""
    pages = max(1, -(-len(items) // PAGE))
    page = min(max(page, 1), pages)
    shown = items[(page - 1) * PAGE: page * PAGE]
    committees = list(dict.fromkeys(item.committee for item in items))
    lines = [texts.t(texts.DIGEST_HEADER, count=len(items), committees=" · ".join(committees))]
    if pages > 1:
        lines.append(texts.t(texts.DIGEST_PAGE, page=page, pages=pages))
    current = None
    for item in shown:
        if item.committee != current:
            current = item.committee
            lines.append("\n" + texts.t(texts.DIGEST_COMMITTEE, committee=item.committee))
        lines.append(texts.t(texts.DIGEST_LINE, light=item.light, code=item.code, institution=item.institution,
                             deadline=item.deadline))
    lines.append("\n" + texts.DIGEST_FOOTER)
    return "\n".join(lines), keyboards.digest([(item.reminder_id, item.code, item.institution) for item in shown],
                                              lead_id, page, pages)


async def digest_rows(db: AsyncSession, chat_id: int, message_id: int) -> list[Reminder]:
    """The rows one digest message stands for (they share its message id)."""
    return list(await db.scalars(select(Reminder).where(
        Reminder.chat_id == chat_id, Reminder.message_id == message_id, Reminder.assignment_id.is_not(None))
        .order_by(Reminder.id)))


async def card(db: AsyncSession, row: Reminder, now: datetime) -> Outgoing:
    """One item of a digest on its own: the reminder as it would have gone, with its buttons."""
    committees = await _committees(db, [row])
    details = await _details(db, [row.assignment_id])
    return _reminder(row, committees[row.committee_id], *details[row.assignment_id], now)
