"""/nuevo, /acuerdos, /acuerdo and /plazo: registering agreements and reading them back."""

from __future__ import annotations

import math
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import agreements, callbacks, keyboards, texts
from bot.callbacks import ListPage
from bot.clock import local_today
from bot.committees import Refused
from bot.context import AppContext
from bot.deadlines import Deadline
from bot.reminders import replan_agreement
from bot.views import agreement_deadline, day, deadline_text, session_name, shorten
from handlers.common import AWAITING, actor, args_text, membership, refuse_not_secretary, reply, unknown_institution
from models import queries
from models.entities import Agreement, Institution, Member, Role, Session, Status
from models.names import split_institutions
from models.rules import MAX_AGREEMENT_TEXT, clean_code

SESSION, CODE, TEXT, INSTITUTIONS, DEADLINE, CONFIRM = range(6)
DRAFT = "draft"
PAGE_SIZE = 10
STATUS_WORDS = {texts.STATUS[s.value]: s for s in Status} | {s.value: s for s in Status}


async def new_agreement(update: Update, context: AppContext) -> int:
    """Start the guided registration, or register in one line: /nuevo 2.5 | texto | Prefectura | 24 horas."""
    if args_text(update):
        await new_agreement_in_one_line(update, context)
        return ConversationHandler.END
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY)
        if member is None:
            await refuse_not_secretary(update, context, "/nuevo")
            return ConversationHandler.END
        sessions = await queries.recent_sessions(db, member.committee_id)
        has_institutions = bool(await queries.institutions_with_focal_points(db, member.committee_id))
    if not sessions:
        await reply(update, context, texts.t(texts.NO_SESSION, committee=member.committee.name))
        return ConversationHandler.END
    if not has_institutions:
        await reply(update, context, texts.t(texts.NO_INSTITUTIONS, committee=member.committee.name))
        return ConversationHandler.END
    context.user_data[DRAFT] = {"committee_id": member.committee_id, "institution_ids": []}
    if len(sessions) == 1:
        return await _ask_code(update, context, sessions[0])
    await reply(update, context, texts.NEW_ASK_SESSION, keyboards.choose_session(sessions))
    return SESSION


async def chosen_session(update: Update, context: AppContext) -> int:
    """The secretary picked the session."""
    await update.callback_query.answer()
    _, session_id = callbacks.parse_new_agreement(update.callback_query.data)
    async with context.transaction() as db:
        session = await db.get(Session, int(session_id))
    if session is None or session.committee_id != context.user_data[DRAFT]["committee_id"]:
        await reply(update, context, texts.NEW_EXPIRED)
        return ConversationHandler.END
    return await _ask_code(update, context, session)


async def _ask_code(update: Update, context: AppContext, session: Session) -> int:
    context.user_data[DRAFT].update(session_id=session.id, session_date=session.held_on.isoformat(),
                                    session_name=session_name(session))
    await reply(update, context, texts.t(texts.NEW_ASK_CODE, session=session_name(session)))
    return CODE


async def received_code(update: Update, context: AppContext) -> int:
    """The agreement's code, like 2.1."""
    draft = context.user_data[DRAFT]
    code = clean_code(update.effective_message.text)
    if code is None:
        await reply(update, context, texts.t(texts.NEW_BAD_CODE, code=shorten(update.effective_message.text, 20)))
        return CODE
    async with context.transaction() as db:
        exists = await queries.find_agreement(db, draft["committee_id"], code, session_id=draft["session_id"])
    if exists:
        await reply(update, context, texts.t(texts.NEW_CODE_EXISTS, code=code, session=draft["session_name"]))
        return CODE
    draft["code"] = code
    await reply(update, context, texts.t(texts.NEW_ASK_TEXT, code=code))
    return TEXT


async def received_text(update: Update, context: AppContext) -> int:
    """The agreement's text."""
    text = update.effective_message.text.strip()
    if len(text) > MAX_AGREEMENT_TEXT:
        await reply(update, context, texts.t(texts.NEW_TEXT_TOO_LONG, length=len(text), max=MAX_AGREEMENT_TEXT))
        return TEXT
    context.user_data[DRAFT]["text"] = text
    await reply(update, context, texts.NEW_ASK_INSTITUTIONS,
                keyboards.choose_institutions(await _institutions(context), set()))
    return INSTITUTIONS


async def toggled_institution(update: Update, context: AppContext) -> int:
    """A tap on an institution marks or unmarks it."""
    query = update.callback_query
    action, value = callbacks.parse_new_agreement(query.data)
    chosen = context.user_data[DRAFT]["institution_ids"]
    if action == "i":
        institution_id = int(value)
        chosen.remove(institution_id) if institution_id in chosen else chosen.append(institution_id)
        await query.answer()
        await query.edit_message_reply_markup(keyboards.choose_institutions(await _institutions(context), set(chosen)))
        return INSTITUTIONS
    if not chosen:
        await query.answer(texts.plain(texts.NEW_NEED_INSTITUTION), show_alert=True)
        return INSTITUTIONS
    await query.answer()
    await query.edit_message_reply_markup(None)
    session_date = day(_session_date(context))
    await reply(update, context, texts.t(texts.NEW_ASK_DEADLINE, session_date=session_date), keyboards.no_deadline())
    return DEADLINE


async def received_deadline(update: Update, context: AppContext) -> int:
    """The deadline in words, or the «Sin plazo» button."""
    draft = context.user_data[DRAFT]
    if update.callback_query:
        await update.callback_query.answer()
        draft["deadline"] = None
    else:
        text = update.effective_message.text
        try:
            deadline = agreements.read_deadline(text, _session_date(context))
        except agreements.UnreadableDeadline:
            await reply(update, context, texts.t(texts.NEW_BAD_DEADLINE, text=shorten(text, 60)))
            return DEADLINE
        if deadline and deadline.due and deadline.due < _session_date(context):
            await reply(update, context, texts.t(texts.DEADLINE_BEFORE_SESSION, deadline=day(deadline.due),
                                                 session_date=day(_session_date(context))))
            return DEADLINE
        draft["deadline"] = None if deadline is None else {
            "due": deadline.due.isoformat() if deadline.due else None, "next_session": deadline.next_session,
            "words": deadline.words}
    by_id = {i.id: i.name for i in await _institutions(context)}
    names = [by_id[i] for i in draft["institution_ids"] if i in by_id]
    await reply(update, context, texts.t(texts.NEW_SUMMARY, session=draft["session_name"], code=draft["code"],
                                         text=draft["text"], institutions=", ".join(names),
                                         deadline=_draft_deadline_text(draft)),
                keyboards.confirm_agreement())
    return CONFIRM


async def confirmed(update: Update, context: AppContext) -> int:
    """«Confirmar» registers the agreement in one transaction."""
    query = update.callback_query
    await query.answer()
    await query.edit_message_reply_markup(None)
    draft = context.user_data.pop(DRAFT)
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY)
        if member is None or member.committee_id != draft["committee_id"]:
            answer = texts.t(texts.NOT_SECRETARY, command="/nuevo")
        else:
            answer = await _register(db, update, context, member, await db.get(Session, draft["session_id"]),
                                     draft["code"], draft["text"],
                                     [await db.get(Institution, i) for i in draft["institution_ids"]],
                                     _draft_deadline(draft))
    await reply(update, context, answer)
    return ConversationHandler.END


async def cancelled(update: Update, context: AppContext) -> int:
    """/cancelar or «Cancelar» leaves without writing anything."""
    context.user_data.pop(DRAFT, None)
    if update.callback_query:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(None)
    await reply(update, context, texts.NEW_CANCELLED)
    return ConversationHandler.END


async def nothing_to_cancel(update: Update, context: AppContext) -> None:
    """/cancelar outside /nuevo: forget any question the bot was waiting to have answered."""
    context.user_data.pop(AWAITING, None)
    await reply(update, context, texts.CANCELLED)


async def stale_button(update: Update, context: AppContext) -> None:
    """A button of a registration that already ended."""
    await update.callback_query.answer(texts.plain(texts.NEW_EXPIRED), show_alert=True)


async def new_agreement_in_one_line(update: Update, context: AppContext) -> None:
    parts = [p.strip() for p in args_text(update).split("|")]
    if len(parts) not in (3, 4) or not all(parts[:3]):
        await reply(update, context, texts.NEW_USAGE)
        return
    code, text, names = parts[0], parts[1], split_institutions(parts[2])
    if clean_code(code) is None:
        await reply(update, context, texts.t(texts.NEW_BAD_CODE, code=shorten(code, 20)) + "\n\n" + texts.NEW_USAGE)
        return
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY)
        if member is None:
            answer = texts.t(texts.NOT_SECRETARY, command="/nuevo")
        elif not (sessions := await queries.recent_sessions(db, member.committee_id, limit=1)):
            answer = texts.t(texts.NO_SESSION, committee=member.committee.name)
        else:
            found = {name: await queries.find_institution(db, member.committee_id, name) for name in names}
            unknown = [name for name, institution in found.items() if institution is None]
            if unknown:
                answer = await unknown_institution(db, member, unknown[0])
            else:
                try:
                    deadline = agreements.read_deadline(parts[3], sessions[0].held_on) if len(parts) == 4 else None
                except agreements.UnreadableDeadline:
                    answer = texts.t(texts.NEW_BAD_DEADLINE, text=shorten(parts[3], 60))
                else:
                    answer = await _register(db, update, context, member, sessions[0], code, text,
                                             list(found.values()), deadline)
    await reply(update, context, answer)


async def _register(db: AsyncSession, update: Update, context: AppContext, member: Member, session: Session,
                    code: str, text: str, institutions: list[Institution], deadline) -> str:
    try:
        agreement = await agreements.register_agreement(
            db, committee=member.committee, session=session, code=code, text=text, institutions=institutions,
            deadline=deadline, now=context.now(), actor=actor(update))
    except agreements.CodeExists:
        return texts.t(texts.NEW_CODE_EXISTS, code=clean_code(code), session=session_name(session))
    except agreements.DeadlineBeforeSession:
        return texts.t(texts.DEADLINE_BEFORE_SESSION, deadline=day(deadline.due), session_date=day(session.held_on))
    except agreements.TextTooLong:
        return texts.t(texts.NEW_TEXT_TOO_LONG, length=len(text.strip()), max=MAX_AGREEMENT_TEXT)
    except Refused:
        return texts.NEW_USAGE
    return texts.t(texts.NEW_SAVED, code=agreement.code, session=session_name(session),
                   institutions=", ".join(i.name for i in institutions),
                   deadline=agreement_deadline(agreement, local_today(context.services.clock,
                                                                      member.committee.timezone)))


async def _institutions(context: AppContext) -> list[Institution]:
    async with context.transaction() as db:
        rows = await queries.institutions_with_focal_points(db, context.user_data[DRAFT]["committee_id"])
    return [institution for institution, _ in rows]


def _session_date(context: AppContext) -> date:
    return date.fromisoformat(context.user_data[DRAFT]["session_date"])


def _draft_deadline(draft: dict) -> Deadline | None:
    value = draft.get("deadline")
    if not value:
        return None
    return Deadline(due=date.fromisoformat(value["due"]) if value["due"] else None,
                    next_session=value["next_session"], words=value["words"])


def _draft_deadline_text(draft: dict) -> str:
    deadline = _draft_deadline(draft)
    return deadline_text(deadline.due if deadline else None, bool(deadline and deadline.next_session))


async def list_agreements(update: Update, context: AppContext) -> None:
    """The committee's agreements, ten per page: /acuerdos, /acuerdos PNP, /acuerdos pendiente."""
    words = args_text(update)
    status = STATUS_WORDS.get(words.lower().replace("_", " ")) or STATUS_WORDS.get(words.lower())
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY, Role.OBSERVER)
        if member is None:
            answer, keyboard = texts.t(texts.NOT_SECRETARY, command="/acuerdos"), None
        else:
            institution = None
            if words and status is None:
                institution = await queries.find_institution(db, member.committee_id, words)
                if institution is None:
                    answer = await unknown_institution(db, member, words)
                    await reply(update, context, answer)
                    return
            page = ListPage(1, institution.id if institution else None, status.value if status else None)
            answer, keyboard = await render_page(db, context, member, page)
    await reply(update, context, answer, keyboard)


async def turned_page(update: Update, context: AppContext) -> None:
    """«Anterior» / «Siguiente» on the list."""
    query = update.callback_query
    page = ListPage.parse(query.data)
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY, Role.OBSERVER)
        if member is None:
            await query.answer(texts.plain(texts.NOT_MEMBER), show_alert=True)
            return
        answer, keyboard = await render_page(db, context, member, page)
    await query.answer()
    await query.edit_message_text(answer, reply_markup=keyboard)


async def render_page(db: AsyncSession, context: AppContext, member: Member, page: ListPage):
    status = Status(page.status) if page.status else None
    rows, total = await queries.agreements_page(db, member.committee_id, institution_id=page.institution_id,
                                                status=status, offset=(page.page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    filters_text = ""
    if page.institution_id:
        institution = await db.get(Institution, page.institution_id)
        filters_text += texts.t(texts.AGREEMENTS_FILTER_INSTITUTION, institution=institution.name if institution else "?")
    if status:
        filters_text += texts.t(texts.AGREEMENTS_FILTER_STATUS, status=texts.STATUS[status.value])
    filters_text = texts.Html(filters_text)
    if total == 0:
        return texts.t(texts.AGREEMENTS_EMPTY, filters=filters_text), None
    today = local_today(context.services.clock, member.committee.timezone)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    lines = [texts.t(texts.AGREEMENTS_HEADER, committee=member.committee.name, filters=filters_text, count=total)]
    for agreement in rows:
        lines.append(_list_line(agreement, today))
    if pages > 1:
        lines.append(texts.t(texts.AGREEMENTS_PAGE, page=page.page, pages=pages))
    return "\n\n".join(lines), keyboards.pages(page, pages)


def _list_line(agreement: Agreement, today) -> str:
    assignments = ", ".join(f"{a.institution.name}: {texts.STATUS[a.status.value]}" for a in agreement.assignments)
    return texts.t(texts.AGREEMENTS_LINE, code=agreement.code, session=f"S{agreement.session.number}",
                   text=shorten(agreement.text), deadline=agreement_deadline(agreement, today),
                   assignments=assignments)


async def show_agreement(update: Update, context: AppContext) -> None:
    """One agreement with its responsibles and the history of its deadline: /acuerdo 2.1."""
    if not context.args:
        await reply(update, context, texts.AGREEMENT_USAGE)
        return
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY, Role.OBSERVER)
        if member is None:
            answer = texts.t(texts.NOT_SECRETARY, command="/acuerdo")
        elif (agreement := await queries.find_agreement(db, member.committee_id, context.args[0])) is None:
            answer = texts.t(texts.AGREEMENT_NOT_FOUND, code=shorten(context.args[0], 20),
                             committee=member.committee.name)
        else:
            deadline_history = await queries.audit_trail(db, "agreement", agreement.id, "deadline_changed")
            updates = await queries.history(db, [a.id for a in agreement.assignments])
            answer = render_detail(agreement, deadline_history, updates,
                                   local_today(context.services.clock, member.committee.timezone),
                                   member.committee.timezone)
    await reply(update, context, answer)


def render_detail(agreement: Agreement, deadline_history, updates, today, timezone: str) -> str:
    lines = []
    for a in agreement.assignments:
        last = texts.t(texts.LAST_UPDATE_ON, date=day(a.last_update_at.astimezone(ZoneInfo(timezone)).date())) \
            if a.last_update_at else ""
        lines.append(texts.t(texts.AGREEMENT_ASSIGNMENT, institution=a.institution.name,
                             status=texts.STATUS[a.status.value], percent=f" ({a.percent}%)" if a.percent else "",
                             last=last))
    text = texts.t(texts.AGREEMENT_DETAIL, code=agreement.code, session=session_name(agreement.session),
                   text=agreement.text, deadline=agreement_deadline(agreement, today),
                   followup=agreement.followup_institution.name if agreement.followup_institution
                   else texts.HELP_ROLE["secretary"],
                   assignments=texts.Html("\n".join(lines)))
    if agreement.problem:
        text += texts.t(texts.AGREEMENT_PROBLEM, problem=agreement.problem)
    if updates:
        institutions = {a.id: a.institution.name for a in agreement.assignments}
        text += texts.HISTORY_HEADER
        for update in updates:
            text += "\n" + texts.t(
                texts.HISTORY_LINE, when=update.created_at.astimezone(ZoneInfo(timezone)).strftime("%d/%m %H:%M"),
                institution=institutions[update.assignment_id], who=update.author_name,
                status=texts.STATUS[update.status.value], percent=f" {update.percent}%" if update.percent else "",
                note=f" — {update.note}" if update.note else "",
                evidence="".join(f" 📎 {e.name or e.kind}" for e in update.evidence))
    if deadline_history:
        text += texts.AGREEMENT_HISTORY_HEADER
        for entry in deadline_history:
            text += "\n" + texts.t(texts.AGREEMENT_HISTORY_LINE,
                                   when=entry.at.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M"),
                                   old=_stored_deadline(entry.details.get("old")),
                                   new=_stored_deadline(entry.details.get("new")), who=entry.actor)
    return text


def _stored_deadline(value: str | None) -> str:
    if value == "next_session":
        return texts.NEXT_SESSION
    return day(date.fromisoformat(value)) if value else texts.NO_DEADLINE


async def change_deadline(update: Update, context: AppContext) -> None:
    """Set or change a deadline: /plazo 2.1 30 de abril (or «sin plazo»)."""
    if len(context.args) < 2:
        await reply(update, context, texts.DEADLINE_USAGE)
        return
    code, words = context.args[0], " ".join(context.args[1:])
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY)
        if member is None:
            answer = texts.t(texts.NOT_SECRETARY, command="/plazo")
        elif (agreement := await queries.find_agreement(db, member.committee_id, code)) is None:
            answer = texts.t(texts.AGREEMENT_NOT_FOUND, code=shorten(code, 20), committee=member.committee.name)
        else:
            answer = await _apply_deadline(db, update, context, agreement, words)
    await reply(update, context, answer)


async def _apply_deadline(db: AsyncSession, update: Update, context: AppContext, agreement: Agreement,
                          words: str) -> str:
    try:
        deadline = agreements.read_deadline(words, agreement.session.held_on)
        old, new = await agreements.set_deadline(db, agreement=agreement, deadline=deadline, now=context.now(),
                                                 actor=actor(update))
        await replan_agreement(db, agreement.id, context.now())
    except agreements.UnreadableDeadline:
        return texts.t(texts.NEW_BAD_DEADLINE, text=shorten(words, 60)) + "\n" + texts.DEADLINE_USAGE
    except agreements.DeadlineBeforeSession:
        return texts.t(texts.DEADLINE_BEFORE_SESSION, deadline=day(deadline.due),
                       session_date=day(agreement.session.held_on))
    if old == new:
        return texts.t(texts.DEADLINE_UNCHANGED, code=agreement.code, new=_stored_deadline(new))
    return texts.t(texts.DEADLINE_CHANGED, code=agreement.code, old=_stored_deadline(old), new=_stored_deadline(new))


def register(application: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND
    pattern = callbacks.NEW_AGREEMENT_PATTERN
    application.add_handler(ConversationHandler(
        entry_points=[CommandHandler("nuevo", new_agreement)],
        states={
            SESSION: [CallbackQueryHandler(chosen_session, pattern=pattern + "s:")],
            CODE: [MessageHandler(text, received_code)],
            TEXT: [MessageHandler(text, received_text)],
            INSTITUTIONS: [CallbackQueryHandler(toggled_institution, pattern=pattern + "(i|done):")],
            DEADLINE: [MessageHandler(text, received_deadline),
                       CallbackQueryHandler(received_deadline, pattern=pattern + "nodl:")],
            CONFIRM: [CallbackQueryHandler(confirmed, pattern=pattern + "ok:")],
        },
        fallbacks=[CommandHandler("cancelar", cancelled), CallbackQueryHandler(cancelled, pattern=pattern + "x:"),
                   CommandHandler("nuevo", new_agreement)],
        conversation_timeout=15 * 60,
        allow_reentry=True,
    ))
    # After the conversation, so that only buttons it no longer waits for land here.
    application.add_handler(CallbackQueryHandler(stale_button, pattern=pattern))
    application.add_handler(CommandHandler("cancelar", nothing_to_cancel))
    application.add_handler(CallbackQueryHandler(turned_page, pattern=callbacks.LIST_PAGE_PATTERN))
    application.add_handler(CommandHandler("acuerdos", list_agreements))
    application.add_handler(CommandHandler("acuerdo", show_agreement))
    application.add_handler(CommandHandler("plazo", change_deadline))
