"""Helpers every handler uses: who is speaking, for which committee, and how to answer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update

from bot import audit, texts
from bot.context import AppContext
from bot.messaging import send_text
from models import queries
from models.entities import Member, Role

ACTIVE_COMMITTEE = "committee_id"
# What the bot asked this person for (a note, a difficulty, evidence, a reason), kept until they answer.
AWAITING = "awaiting_report"


async def membership(db: AsyncSession, update: Update, context: AppContext, *roles: Role) -> Member | None:
    """The speaker's link with one of these roles, preferring the committee they last worked on."""
    members = [m for m in await queries.memberships(db, update.effective_user.id, update.effective_chat.id)
               if m.role in roles]
    if not members:
        return None
    preferred = context.user_data.get(ACTIVE_COMMITTEE) if context.user_data is not None else None
    chosen = next((m for m in members if m.committee_id == preferred), members[0])
    if context.user_data is not None:
        context.user_data[ACTIVE_COMMITTEE] = chosen.committee_id
    return chosen


async def reply(update: Update, context: AppContext, text: str,
                keyboard: InlineKeyboardMarkup | None = None) -> Message:
    return await send_text(context.bot, update.effective_chat.id, text, reply_markup=keyboard)


async def unknown_institution(db: AsyncSession, member: Member, name: str) -> str:
    """The answer to an institution name the committee does not have, listing the ones it has."""
    known = [i.name for i, _ in await queries.institutions_with_focal_points(db, member.committee_id)]
    return texts.t(texts.INSTITUTION_UNKNOWN, name=name, committee=member.committee.name,
                   known=", ".join(known) or texts.NONE_YET)


async def refuse_not_secretary(update: Update, context: AppContext, command: str) -> None:
    await reply(update, context, texts.t(texts.NOT_SECRETARY, command=command))


def actor(update: Update) -> str:
    return audit.telegram_actor(update.effective_user.id)


def args_text(update: Update) -> str:
    """Everything after the command, with the person's own spacing and line breaks."""
    text = update.effective_message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""
