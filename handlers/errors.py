"""The one error handler: log the failure, tell the person briefly, never leak details."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.context import AppContext
from bot.messaging import send_text
from handlers import committee_choice
from handlers.common import Ambiguous, Refused, pacer, reply, role_of_chat

log = logging.getLogger(__name__)


async def on_error(update: object, context: AppContext) -> None:
    """Log what failed and tell the person briefly, in Spanish; the open transaction was rolled back."""
    if isinstance(context.error, Ambiguous) and isinstance(update, Update) and update.effective_chat:
        await committee_choice.ask(update, context, context.error)  # not a failure: a question
        return
    if isinstance(context.error, Refused) and isinstance(update, Update) and update.effective_chat:
        await _refuse(update, context, context.error.answer)  # not a failure: a refusal
        return
    log.error("update %s failed", getattr(update, "update_id", "-"), exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        role = await role_of_chat(update, context) if update.effective_user else "none"
        answer = texts.ERROR + texts.ERROR_CHECK[role]
        try:
            if update.callback_query:
                try:
                    await update.callback_query.answer(texts.plain(answer), show_alert=True)
                    return
                except BadRequest:
                    pass  # the handler had answered the press already: Telegram takes one answer, so say it here
            await send_text(context.bot, update.effective_chat.id, answer, pacer=pacer(context))
        except TelegramError:
            log.warning("could not tell chat %s about the failure", update.effective_chat.id)


async def _refuse(update: Update, context: AppContext, answer: str) -> None:
    """A refused command is answered in the chat; a refused button, on the button (once: else in the chat)."""
    if update.callback_query:
        try:
            await update.callback_query.answer(texts.plain(answer), show_alert=True)
            return
        except BadRequest:
            pass
    await reply(update, context, answer)


async def empty_button(update: Update, context: AppContext) -> None:
    """A press without data: python-telegram-bot would hand it to every button handler, whatever its pattern."""
    if not update.callback_query.data:
        await invalid_button(update, context)
        raise ApplicationHandlerStop


async def invalid_button(update: Update, context: AppContext) -> None:
    """A button no handler took: forged, damaged, or of a kind this version no longer has."""
    await update.callback_query.answer(texts.plain(texts.BUTTON_INVALID), show_alert=True)


async def unknown_command(update: Update, context: AppContext) -> None:
    """A command the bot does not have."""
    await send_text(context.bot, update.effective_chat.id, texts.UNKNOWN_COMMAND, pacer=pacer(context))


def register(application: Application) -> None:
    application.add_error_handler(on_error)
    # Registered last in the default group, so it only sees commands no other handler took; only in
    # private chats, because a group may hold other bots with their own commands.
    application.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command))
    application.add_handler(CallbackQueryHandler(invalid_button))
    application.add_handler(CallbackQueryHandler(empty_button), group=-10)
