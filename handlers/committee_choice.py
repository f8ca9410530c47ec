"""A chat linked to several committees says in which it works: /comite, or the buttons it is asked with when a
command could mean more than one (handlers/common.py raises `Ambiguous`, the error handler asks here)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks, texts
from bot.context import AppContext
from handlers.common import ACTIVE_COMMITTEE, Ambiguous, committees_of, reply
from models import queries

ASKED_COMMAND = "asked_command"  # the command the choice interrupted, to say it again after


def choices(committees: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(name, callback_data=callbacks.CommitteeChoice(cid).data())]
                                 for cid, name in sorted(committees, key=lambda c: c[1].casefold())])


async def ask(update: Update, context: AppContext, ambiguous: Ambiguous) -> None:
    """Called by the error handler: nothing was written; ask in which committee."""
    if update.callback_query:
        try:
            await update.callback_query.answer()
        except BadRequest:
            pass
    if context.user_data is not None:
        context.user_data[ASKED_COMMAND] = ambiguous.command
    await reply(update, context, texts.t(texts.CHOOSE_COMMITTEE, command=ambiguous.command or "/ayuda"),
                choices(ambiguous.committees))


async def choose(update: Update, context: AppContext) -> None:
    """/comite: the committees this chat is linked to, a button each."""
    async with context.transaction() as db:
        links = await queries.memberships(db, update.effective_user.id, update.effective_chat.id)
        committees = committees_of(links)
    if not committees:
        await reply(update, context, texts.NOT_MEMBER)
    elif len(committees) == 1:
        await reply(update, context, texts.t(texts.COMMITTEE_ONLY_ONE, committee=committees[0][1]))
    else:
        if context.user_data is not None:
            context.user_data.pop(ASKED_COMMAND, None)
        await reply(update, context, texts.t(texts.CHOOSE_COMMITTEE, command="/ayuda"), choices(committees))


async def chosen(update: Update, context: AppContext) -> None:
    query = update.callback_query
    committee_id = callbacks.CommitteeChoice.parse(query.data).committee_id
    async with context.transaction() as db:
        links = await queries.memberships(db, update.effective_user.id, update.effective_chat.id)
        member = next((m for m in links if m.committee_id == committee_id), None)
        name = member.committee.name if member else None
    if member is None:
        await query.answer(texts.plain(texts.BUTTON_INVALID), show_alert=True)
        return
    await query.answer()
    context.user_data[ACTIVE_COMMITTEE] = committee_id
    command = context.user_data.pop(ASKED_COMMAND, None)
    await query.edit_message_text(texts.t(texts.COMMITTEE_CHOSEN, committee=name, command=command) if command else
                                  texts.t(texts.COMMITTEE_CHOSEN_NO_COMMAND, committee=name))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("comite", choose))
    application.add_handler(CallbackQueryHandler(chosen, pattern=callbacks.CommitteeChoice.matches))

