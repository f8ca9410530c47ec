"""🕒 «Recordar en 3 días» on a reminder (its other buttons belong to handlers/reports.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import callbacks, keyboards, texts
from bot.context import AppContext
from bot.reminders import SnoozeRefused, snooze
from handlers.common import author


async def snoozed(update: Update, context: AppContext) -> None:
    """The institution asks to be reminded in three days: the next reminder moves, the button says until when."""
    query = update.callback_query
    button = callbacks.Snooze.parse(query.data)
    assignment_id, reminder_id = button.assignment_id, button.reminder_id
    try:
        async with context.transaction() as db:
            result = await snooze(db, reminder_id=reminder_id, assignment_id=assignment_id,
                                  chat_id=update.effective_chat.id, now=context.now(), actor=author(update).actor)
    except SnoozeRefused as refused:
        answer = texts.SNOOZE_NOT_YOURS if refused.reason == "unknown" else \
            texts.t(texts.SNOOZE_CLOSED, status=texts.STATUS[refused.status.value])
        await query.answer(texts.plain(answer), show_alert=True)
        return
    local = result.until.astimezone(ZoneInfo(result.timezone))
    when = texts.plain(texts.t(texts.SNOOZE_WHEN, weekday=texts.WEEKDAYS[local.weekday()],
                               date=local.strftime("%d/%m"), time=local.strftime("%H:%M")))
    await query.answer(texts.plain(texts.t(texts.SNOOZED, when=when)))
    await query.edit_message_reply_markup(keyboards.reminder(assignment_id, reminder_id, snoozed_until=when))


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(snoozed, pattern=callbacks.Snooze.matches))
