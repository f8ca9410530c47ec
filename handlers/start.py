"""/start: link a chat with an invitation, or explain what the bot is."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Chat, Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from bot import committees, texts
from bot.commands import commands_for
from bot.context import AppContext
from bot.views import day
from handlers.common import reply
from models import queries
from models.entities import Role

log = logging.getLogger(__name__)


async def start(update: Update, context: AppContext) -> None:
    """Link this chat with the invitation's committee and role, or say how to get an invitation."""
    if not context.args:
        await reply(update, context, texts.START)
        return
    chat, user = update.effective_chat, update.effective_user
    try:
        async with context.transaction() as db:
            linked = await committees.accept_invitation(
                db, code=context.args[0], chat_id=chat.id, user_id=user.id,
                is_group=chat.type in (Chat.GROUP, Chat.SUPERGROUP),
                display_name=chat.title or user.full_name, now=context.now())
            roles = {m.role for m in await queries.memberships(db, user.id, chat.id)
                     if m.chat_id == linked.member.chat_id}
    except committees.InvitationUnknown:
        await reply(update, context, texts.t(texts.INVITATION_UNKNOWN, bot=context.bot.username))
        return
    except committees.InvitationUsed:
        await reply(update, context, texts.INVITATION_USED)
        return
    except committees.InvitationExpired as expired:
        await reply(update, context, texts.t(texts.INVITATION_EXPIRED, date=day(expired.expires_at.date())))
        return
    name = linked.committee.name
    if linked.already:
        message = texts.t(texts.ALREADY_LINKED, committee=name)
    elif linked.member.role == Role.SECRETARY:
        message = texts.t(texts.LINKED_SECRETARY, committee=name)
    elif linked.member.role == Role.OBSERVER:
        message = texts.t(texts.LINKED_OBSERVER, committee=name)
    else:
        message = texts.t(texts.LINKED_IMPLEMENTER, institution=linked.institution.name, committee=name)
    await reply(update, context, message)
    await set_menu(context, linked.member.chat_id, roles)


async def set_menu(context: AppContext, chat_id: int, roles: set[str]) -> None:
    """Show this chat the command menu of its roles."""
    commands = [BotCommand(c.name, c.es) for c in commands_for(roles)]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        # The menu is a convenience: a failure here must not undo the link that was just made.
        log.warning("could not set the command menu of chat %s", chat_id, exc_info=True)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start))
