"""What the bot waits for a person to answer in a chat: one typed row per (chat, person), in the database.

A question is stored only once Telegram took it (`ask`, with the question's message id), so a question that
failed to send leaves nothing waiting. It belongs to the chat and the person it was asked of, expires
(`EXPIRES`), is answered in the same transaction as the write its answer causes (`answered`), and survives a
restart. When the answer comes, the link that allowed the question must still hold (`still_linked`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import queries
from models.entities import Member, Role, Waiting, WaitKind

# Half an hour from the moment it was asked; each step of /nuevo and of an import is a question of its own, so
# the time starts again at each step.
EXPIRES = timedelta(minutes=30)


@dataclass(frozen=True)
class Found:
    """The question waiting for this person in this chat, and whether it expired."""

    question: Waiting
    expired: bool


async def ask(db: AsyncSession, *, chat_id: int, user_id: int, kind: WaitKind, committee_id: int, member_id: int,
              about: dict[str, Any], message_id: int | None, now: datetime) -> Waiting:
    """Wait for the answer to a question Telegram took; it replaces whatever this person was asked in this chat."""
    await drop(db, chat_id, user_id)
    question = Waiting(chat_id=chat_id, user_id=user_id, kind=kind, committee_id=committee_id, member_id=member_id,
                       about=about, message_id=message_id, created_at=now, expires_at=now + EXPIRES)
    db.add(question)
    await db.flush()
    return question


async def find(db: AsyncSession, chat_id: int, user_id: int, now: datetime) -> Found | None:
    """The question this person was asked in this chat, if any (another person's, or another chat's, is not it)."""
    question = await db.scalar(select(Waiting).where(Waiting.chat_id == chat_id, Waiting.user_id == user_id))
    if question is None:
        return None
    return Found(question, question.expires_at <= now)


async def still_linked(db: AsyncSession, question: Waiting, user_id: int, chat_id: int) -> Member | None:
    """The link that allowed the question, if it still holds: active, the same committee, and still this person's
    (or this group's) in this chat; None otherwise."""
    linked = [m for m in await queries.memberships(db, user_id, chat_id) if m.id == question.member_id]
    return linked[0] if linked and linked[0].committee_id == question.committee_id else None


async def link_for(db: AsyncSession, user_id: int, chat_id: int, role: Role, committee_id: int,
                   institution_id: int | None = None) -> Member | None:
    """The link that allows asking this person, in this chat, for something of this committee (and institution)."""
    return next((m for m in await queries.memberships(db, user_id, chat_id)
                 if m.role == role and m.committee_id == committee_id
                 and (institution_id is None or m.institution_id == institution_id)), None)


async def answered(db: AsyncSession, question: Waiting | int) -> bool:
    """The question got its answer: call it in the transaction that writes what the answer causes. False when it
    was answered or replaced meanwhile."""
    question_id = question if isinstance(question, int) else question.id
    result = await db.execute(delete(Waiting).where(Waiting.id == question_id))
    return result.rowcount > 0


async def drop(db: AsyncSession, chat_id: int, user_id: int) -> Waiting | None:
    """Forget what this person was asked in this chat (/cancelar, a new question); returns what it was."""
    question = await db.scalar(select(Waiting).where(Waiting.chat_id == chat_id, Waiting.user_id == user_id))
    if question is not None:
        await db.delete(question)
        await db.flush()
    return question


async def drop_chat(db: AsyncSession, chat_id: int) -> int:
    """Forget every question waiting in a chat (a link revoked, a chat gone); returns how many."""
    result = await db.execute(delete(Waiting).where(Waiting.chat_id == chat_id))
    return result.rowcount


async def revise(db: AsyncSession, question: Waiting, about: dict[str, Any]) -> bool:
    """Change what a question is about while it waits (a box ticked); False when it was answered meanwhile."""
    result = await db.execute(update(Waiting).where(Waiting.id == question.id).values(about=about))
    return result.rowcount > 0
