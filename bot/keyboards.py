"""Every inline keyboard the bot shows."""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, texts
from bot.callbacks import ListPage
from bot.views import session_name
from models.entities import Assignment, Institution, Session


def _button(text: str, data: callbacks.Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data.data())


def choose_session(sessions: list[Session]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(session_name(s), callbacks.DraftSession(s.id))]
                                 for s in sessions])


def choose_institutions(institutions: list[Institution], chosen: set[int]) -> InlineKeyboardMarkup:
    rows = [[_button(("☑️ " if i.id in chosen else "⬜ ") + i.name, callbacks.DraftInstitution(i.id))]
            for i in institutions]
    rows.append([_button(texts.BUTTON_DONE, callbacks.DraftStep("done")),
                 _button(texts.BUTTON_CANCEL, callbacks.DraftStep("x"))])
    return InlineKeyboardMarkup(rows)


def no_deadline() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_NO_DEADLINE, callbacks.DraftStep("nodl")),
                                  _button(texts.BUTTON_CANCEL, callbacks.DraftStep("x"))]])


def confirm_agreement() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_CONFIRM, callbacks.DraftStep("ok")),
                                  _button(texts.BUTTON_CANCEL, callbacks.DraftStep("x"))]])


def pages(current: ListPage, total_pages: int) -> InlineKeyboardMarkup | None:
    buttons = []
    if current.page > 1:
        buttons.append(_button(texts.BUTTON_PREVIOUS, replace(current, page=current.page - 1)))
    if current.page < total_pages:
        buttons.append(_button(texts.BUTTON_NEXT, replace(current, page=current.page + 1)))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def pending(assignments: list[Assignment], several_institutions: bool) -> InlineKeyboardMarkup | None:
    """Three buttons per open assignment: report it done, in progress, or with difficulties."""
    rows = []
    for a in assignments:
        label = f"{a.agreement.code} {a.institution.name}" if several_institutions else a.agreement.code
        rows.append([_button(f"{icon} {label}", callbacks.ReminderAnswer(action, a.id))
                     for icon, action in (("✅", "c"), ("⏳", "p"), ("⚠️", "d"))])
    return InlineKeyboardMarkup(rows) if rows else None


def choose_assignment(assignments: list[Assignment]) -> InlineKeyboardMarkup:
    def label(a: Assignment) -> str:
        session = a.agreement.session
        return f"{a.agreement.code} · {a.institution.name} · S{session.number} {session.held_on:%d/%m}"

    return InlineKeyboardMarkup([[_button(label(a), callbacks.ChooseAssignment(a.id))] for a in assignments])


def report_done(assignment_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_REPORT_DONE, callbacks.ReminderAnswer("c", assignment_id))]])


def done_question(update_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_YES_DONE, callbacks.DoneQuestion("y", update_id)),
                                  _button(texts.BUTTON_NO_PROGRESS, callbacks.DoneQuestion("n", update_id))]])


def skip_note(assignment_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_NO_NOTE, callbacks.SkipNote(assignment_id))]])


def decisions(reported: list[tuple[int, str, str]]) -> InlineKeyboardMarkup | None:
    """Verify / observe buttons for each (assignment id, code, institution) reported done."""
    rows = []
    for assignment_id, code, institution in reported:
        verify = texts.plain(texts.t(texts.BUTTON_VERIFY, code=code, institution=institution))
        observe = texts.plain(texts.t(texts.BUTTON_OBSERVE, code=code, institution=institution))
        rows.append([_button(verify, callbacks.Verify(assignment_id))])
        rows.append([_button(observe, callbacks.Observe(assignment_id))])
    return InlineKeyboardMarkup(rows) if rows else None


def reminder(assignment_id: int, reminder_id: int, snooze_days: int = 3,
             snoozed_until: str | None = None) -> InlineKeyboardMarkup:
    """The four buttons of a reminder; once snoozed, the last one says until when."""
    def button(text: str, action: str) -> InlineKeyboardButton:
        data = callbacks.Snooze(assignment_id, reminder_id) if action == "s" else \
            callbacks.ReminderAnswer(action, assignment_id, reminder_id)
        return _button(text, data)

    snooze = texts.plain(texts.t(texts.BUTTON_REMINDER_SNOOZED, when=snoozed_until) if snoozed_until else
                         texts.t(texts.BUTTON_REMINDER_SNOOZE, days=snooze_days))
    return InlineKeyboardMarkup([[button(texts.BUTTON_REMINDER_DONE, "c"), button(texts.BUTTON_REMINDER_PROGRESS, "p")],
                                 [button(texts.BUTTON_REMINDER_DIFFICULTY, "d"), button(snooze, "s")]])


def confirm_import(preview: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_CONFIRM, callbacks.ImportAnswer("ok", preview)),
                                  _button(texts.BUTTON_CANCEL, callbacks.ImportAnswer("x", preview))]])


def confirm_member(action: str, member_id: int) -> InlineKeyboardMarkup:
    """✅ Revocar (action r) or ✅ Salir (action l) for one member, and ✖️ Cancelar."""
    label = texts.BUTTON_REVOKE if action == "r" else texts.BUTTON_LEAVE
    return InlineKeyboardMarkup([[_button(label, callbacks.MemberButton(action, member_id)),
                                  _button(texts.BUTTON_CANCEL, callbacks.MemberButton("x"))]])


def choose_link(options: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One button per link a chat may leave: (member id, label)."""
    return InlineKeyboardMarkup([[_button(label, callbacks.MemberButton("s", member_id))]
                                 for member_id, label in options])


def digest(items: list[tuple[int, str, str]], lead_id: int, page: int, pages: int) -> InlineKeyboardMarkup:
    """A button per item of a digest's page ((reminder id, code, institution)), then ◀ ▶ when it has pages."""
    rows = [[_button(texts.plain(texts.t(texts.BUTTON_DIGEST_ITEM, code=code, institution=institution)),
                     callbacks.DigestItem(reminder_id))] for reminder_id, code, institution in items]
    turns = []
    if page > 1:
        turns.append(_button(texts.BUTTON_PREVIOUS, callbacks.DigestPage(lead_id, page - 1)))
    if page < pages:
        turns.append(_button(texts.BUTTON_NEXT, callbacks.DigestPage(lead_id, page + 1)))
    return InlineKeyboardMarkup(rows + ([turns] if turns else []))


def follow_choice(action: str, options: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One button per agreement a /seguir or /dejar code may mean: (agreement id, label)."""
    return InlineKeyboardMarkup([[_button(label, callbacks.FollowChoice(action, agreement_id))]
                                 for agreement_id, label in options])
