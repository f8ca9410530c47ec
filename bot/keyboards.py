"""Every inline keyboard the bot shows."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, texts
from bot.callbacks import ListPage
from bot.views import session_name
from models.entities import Institution, Session


def choose_session(sessions: list[Session]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(session_name(s), callback_data=callbacks.new_agreement("s", s.id))]
                                 for s in sessions])


def choose_institutions(institutions: list[Institution], chosen: set[int]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(("☑️ " if i.id in chosen else "⬜ ") + i.name,
                                  callback_data=callbacks.new_agreement("i", i.id))] for i in institutions]
    rows.append([InlineKeyboardButton(texts.BUTTON_DONE, callback_data=callbacks.new_agreement("done")),
                 InlineKeyboardButton(texts.BUTTON_CANCEL, callback_data=callbacks.new_agreement("x"))])
    return InlineKeyboardMarkup(rows)


def no_deadline() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.BUTTON_NO_DEADLINE,
                                                       callback_data=callbacks.new_agreement("nodl")),
                                  InlineKeyboardButton(texts.BUTTON_CANCEL, callback_data=callbacks.new_agreement("x"))]])


def confirm_agreement() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.BUTTON_CONFIRM, callback_data=callbacks.new_agreement("ok")),
                                  InlineKeyboardButton(texts.BUTTON_CANCEL, callback_data=callbacks.new_agreement("x"))]])


def pages(current: ListPage, total_pages: int) -> InlineKeyboardMarkup | None:
    buttons = []
    if current.page > 1:
        buttons.append(InlineKeyboardButton(texts.BUTTON_PREVIOUS, callback_data=ListPage(
            current.page - 1, current.institution_id, current.status).data()))
    if current.page < total_pages:
        buttons.append(InlineKeyboardButton(texts.BUTTON_NEXT, callback_data=ListPage(
            current.page + 1, current.institution_id, current.status).data()))
    return InlineKeyboardMarkup([buttons]) if buttons else None
