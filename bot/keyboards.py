"""Every inline keyboard the bot shows."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, texts
from bot.callbacks import ListPage, MemberButton
from bot.views import session_name
from models.entities import Assignment, Institution, Session


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


def pending(assignments: list[Assignment], several_institutions: bool) -> InlineKeyboardMarkup | None:
    """Three buttons per open assignment: report it done, in progress, or with difficulties."""
    rows = []
    for a in assignments:
        label = f"{a.agreement.code} {a.institution.name}" if several_institutions else a.agreement.code
        rows.append([InlineKeyboardButton(f"{icon} {label}", callback_data=callbacks.reminder_button(action, a.id))
                     for icon, action in (("✅", "c"), ("⏳", "p"), ("⚠️", "d"))])
    return InlineKeyboardMarkup(rows) if rows else None


def choose_assignment(assignments: list[Assignment]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        f"{a.agreement.code} · {a.institution.name} · S{a.agreement.session.number} {a.agreement.session.held_on:%d/%m}",
        callback_data=callbacks.report("a", a.id))] for a in assignments])


def report_done(assignment_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.BUTTON_REPORT_DONE,
                                                       callback_data=callbacks.reminder_button("c", assignment_id))]])


def done_question(update_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.BUTTON_YES_DONE, callback_data=callbacks.report("e", "y", update_id)),
                                  InlineKeyboardButton(texts.BUTTON_NO_PROGRESS, callback_data=callbacks.report("e", "n", update_id))]])


def skip_note(assignment_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.BUTTON_NO_NOTE, callback_data=callbacks.report("k", assignment_id))]])


def decisions(reported: list[tuple[int, str, str]]) -> InlineKeyboardMarkup | None:
    """Verify / observe buttons for each (assignment id, code, institution) reported done."""
    rows = []
    for assignment_id, code, institution in reported:
        verify = texts.plain(texts.t(texts.BUTTON_VERIFY, code=code, institution=institution))
        observe = texts.plain(texts.t(texts.BUTTON_OBSERVE, code=code, institution=institution))
        rows.append([InlineKeyboardButton(verify, callback_data=callbacks.report("v", assignment_id))])
        rows.append([InlineKeyboardButton(observe, callback_data=callbacks.report("o", assignment_id))])
    return InlineKeyboardMarkup(rows) if rows else None


def reminder(assignment_id: int, reminder_id: int, snooze_days: int = 3,
             snoozed_until: str | None = None) -> InlineKeyboardMarkup:
    """The four buttons of a reminder; once snoozed, the last one says until when."""
    def button(text: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text, callback_data=callbacks.reminder_button(action, assignment_id, reminder_id))

    snooze = texts.plain(texts.t(texts.BUTTON_REMINDER_SNOOZED, when=snoozed_until) if snoozed_until else
                         texts.t(texts.BUTTON_REMINDER_SNOOZE, days=snooze_days))
    return InlineKeyboardMarkup([[button(texts.BUTTON_REMINDER_DONE, "c"), button(texts.BUTTON_REMINDER_PROGRESS, "p")],
                                 [button(texts.BUTTON_REMINDER_DIFFICULTY, "d"), button(snooze, "s")]])


def confirm_import(preview: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.BUTTON_CONFIRM, callback_data=callbacks.import_acta("ok", preview)),
                                  InlineKeyboardButton(texts.BUTTON_CANCEL, callback_data=callbacks.import_acta("x", preview))]])


def confirm_member(action: str, member_id: int) -> InlineKeyboardMarkup:
    """✅ Revocar (action r) or ✅ Salir (action l) for one member, and ✖️ Cancelar."""
    label = texts.BUTTON_REVOKE if action == "r" else texts.BUTTON_LEAVE
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=MemberButton(action, member_id).data()),
                                  InlineKeyboardButton(texts.BUTTON_CANCEL, callback_data=MemberButton("x").data())]])


def choose_link(options: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One button per link a chat may leave: (member id, label)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=MemberButton("s", member_id).data())]
                                 for member_id, label in options])
