"""A digest's buttons: an item's card, and the pages turned with ◀ ▶ (replies to a digest are handlers/reports.py's)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import access, callbacks, texts
from bot.context import AppContext
from bot.reminders import digest
from handlers.common import reply
from models.entities import Reminder, ReminderCard


async def pressed_item(update: Update, context: AppContext) -> None:
    """An item of a digest: its card, as a new message with the usual ✅ ⏳ ⚠️ 🕒 buttons."""
    query, chat = update.callback_query, update.effective_chat
    reminder_id = callbacks.DigestItem.parse(query.data).reminder_id
    async with context.transaction() as db:
        row = await access.digest_row(db, reminder_id, update.effective_user.id, chat.id)
        shown = row and await digest.card(db, row, context.now())
    if not shown:
        await query.answer(texts.NOT_YOURS, show_alert=True)
        return
    await query.answer()
    message = await reply(update, context, shown.text, shown.keyboard)
    async with context.transaction() as db:
        db.add(ReminderCard(reminder_id=reminder_id, chat_id=chat.id, message_id=message.message_id,
                            created_at=context.now()))


async def turned_page(update: Update, context: AppContext) -> None:
    """◀ ▶ under a digest: the same message shows another page of the items still this chat's."""
    query, chat, user = update.callback_query, update.effective_chat, update.effective_user
    button = callbacks.DigestPage.parse(query.data)
    items = []
    async with context.transaction() as db:
        lead = await db.get(Reminder, button.reminder_id)
        if lead is not None and lead.chat_id == chat.id and lead.message_id == query.message.message_id:
            rows = [row for row in await digest.digest_rows(db, chat.id, lead.message_id)
                    if await access.assignment_for_implementer(db, row.assignment_id, user.id, chat.id)]
            items = await digest.items_of(db, rows, context.now()) if rows else []
    if not items:
        await query.answer(texts.plain(texts.BUTTON_INVALID), show_alert=True)
        return
    text, keyboard = digest.page_of(items, lead.id, button.page)
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard)


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(pressed_item, pattern=callbacks.DigestItem.matches))
    application.add_handler(CallbackQueryHandler(turned_page, pattern=callbacks.DigestPage.matches))
