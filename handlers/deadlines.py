"""/plazo: set or change an agreement's deadline."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import agreements, texts
from bot.context import AppContext
from bot.views import day, shorten, stored_deadline
from handlers.common import acting, author, reply
from models import queries
from models.entities import Agreement, Role
from models.rules import latest_deadline


async def change_deadline(update: Update, context: AppContext) -> None:
    """Set or change a deadline: /plazo 2.1 30 de abril (or «sin plazo»)."""
    if len(context.args) < 2:
        await reply(update, context, texts.DEADLINE_USAGE)
        return
    code, words = context.args[0], " ".join(context.args[1:])
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/plazo")
        if (agreement := await queries.find_agreement(db, member.committee_id, code)) is None:
            answer = texts.t(texts.AGREEMENT_NOT_FOUND, code=shorten(code, 20), committee=member.committee.name)
        else:
            answer = await _apply_deadline(db, update, context, agreement, words)
    await reply(update, context, answer)


async def _apply_deadline(db: AsyncSession, update: Update, context: AppContext, agreement: Agreement,
                          words: str) -> str:
    try:
        deadline = agreements.read_deadline(words, agreement.session.held_on)
        old, new = await agreements.set_deadline(db, agreement=agreement, deadline=deadline, now=context.now(),
                                                 actor=author(update).actor)
    except agreements.UnreadableDeadline:
        return texts.t(texts.NEW_BAD_DEADLINE, text=shorten(words, 60)) + "\n" + texts.DEADLINE_USAGE
    except agreements.DeadlineBeforeSession:
        return texts.t(texts.DEADLINE_BEFORE_SESSION, deadline=day(deadline.due),
                       session_date=day(agreement.session.held_on))
    except agreements.DeadlineTooLate:
        return texts.t(texts.DEADLINE_TOO_LATE, deadline=day(deadline.due), session_date=day(agreement.session.held_on),
                       latest=day(latest_deadline(agreement.session.held_on)))
    if old == new:
        return texts.t(texts.DEADLINE_UNCHANGED, code=agreement.code, new=stored_deadline(new))
    return texts.t(texts.DEADLINE_CHANGED, code=agreement.code, old=stored_deadline(old), new=stored_deadline(new))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("plazo", change_deadline))
