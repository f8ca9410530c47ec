"""The one error handler: log the failure, tell the person briefly, never leak details."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, MessageHandler, filters

from bot import texts
from bot.context import AppContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: AppContext) -> None:
    """Log what failed and tell the person briefly, in Spanish; the open transaction was rolled back."""
    log.error("update %s failed", getattr(update, "update_id", "-"), exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        try:
            if update.callback_query:
                await update.callback_query.answer(texts.plain(texts.ERROR), show_alert=True)
            else:
                await context.bot.send_message(update.effective_chat.id, texts.ERROR)
        except TelegramError:
            log.warning("could not tell chat %s about the failure", update.effective_chat.id)


async def unknown_command(update: Update, context: AppContext) -> None:
    """A command the bot does not have."""
    await context.bot.send_message(update.effective_chat.id, texts.UNKNOWN_COMMAND)


def register(application: Application) -> None:
    application.add_error_handler(on_error)
    # Registered last in the default group, so it only sees commands no other handler took; only in
    # private chats, because a group may hold other bots with their own commands.
    application.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command))
