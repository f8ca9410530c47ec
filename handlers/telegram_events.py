"""Telegram's own events, handled before anything else: an edited message never acts again, and a group that
became a supergroup takes its links with it at once."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, MessageHandler, filters

from bot import committees, texts
from bot.context import AppContext
from handlers.common import reply


async def edited(update: Update, context: AppContext) -> None:
    """Editing a message changes nothing that was recorded from it (Telegram sends the edit as an update of its own).
    An edited /avance is told how to correct; any other edit is left alone."""
    words = (update.edited_message.text or "").split(maxsplit=1)
    if words and words[0].split("@")[0].lower() == "/avance":
        await reply(update, context, texts.EDITED_PROGRESS)
    raise ApplicationHandlerStop


async def migrated(update: Update, context: AppContext) -> None:
    """The group became a supergroup: its links, pending messages, questions and summary follow the new id now,
    not when a reminder bounces days later."""
    message = update.effective_message
    if message.migrate_to_chat_id:  # said in the old group
        old, new = message.chat.id, message.migrate_to_chat_id
    else:  # said in the new supergroup
        old, new = message.migrate_from_chat_id, message.chat.id
    async with context.transaction() as db:
        await committees.move_chat(db, old=old, new=new, now=context.now())
    raise ApplicationHandlerStop


def register(application: Application) -> None:
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, edited), group=-20)
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated), group=-20)
