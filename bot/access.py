"""The gate: what a chat may touch. A value from a button or a command's argument becomes an object only here,
checked against the acting chat's links (its committees, its institutions, their assignments).

Each function returns the object, or None when it is outside the actor's reach or gone: the caller answers
«Ese botón ya no es válido» (or the command's equivalent) and changes nothing. A stale keyboard after a restart is
the normal case: its buttons work while what they name is still within reach.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.decisions import assignment_for_secretary
from bot.progress import assignment_for_implementer, own_update
from models import queries
from models.entities import Institution, Member, Reminder, Role, Session

__all__ = ["assignment_for_implementer", "assignment_for_secretary", "digest_row", "institution_in", "member_in",
           "own_update", "reminder_for", "session_in"]


async def member_in(db: AsyncSession, user_id: int, chat_id: int, committee_id: int, *roles: Role) -> Member | None:
    """This chat's active link with that committee, in one of these roles."""
    return next((m for m in await queries.memberships(db, user_id, chat_id)
                 if m.committee_id == committee_id and m.role in roles), None)


async def institution_in(db: AsyncSession, committee_id: int, institution_id: int) -> Institution | None:
    institution = await db.get(Institution, institution_id)
    return institution if institution is not None and institution.committee_id == committee_id else None


async def session_in(db: AsyncSession, committee_id: int, session_id: int) -> Session | None:
    session = await db.get(Session, session_id)
    return session if session is not None and session.committee_id == committee_id else None


async def reminder_for(db: AsyncSession, reminder_id: int, *, assignment_id: int) -> Reminder | None:
    """A reminder about this assignment (whose chat may answer for it is the assignment's check: a group that became
    a supergroup answers old reminders from its new chat)."""
    return await db.scalar(select(Reminder).where(Reminder.id == reminder_id, Reminder.assignment_id == assignment_id))


async def digest_row(db: AsyncSession, reminder_id: int, user_id: int, chat_id: int) -> Reminder | None:
    """A reminder sent to this chat (in a digest) about an assignment this chat still speaks for."""
    row = await db.get(Reminder, reminder_id)
    if row is None or row.chat_id != chat_id or row.message_id is None or row.assignment_id is None:
        return None
    return row if await assignment_for_implementer(db, row.assignment_id, user_id, chat_id) is not None else None
