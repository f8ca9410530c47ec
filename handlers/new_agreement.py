"""/nuevo: registering an agreement, step by step or in one line, and /cancelar outside any question."""

from __future__ import annotations

from datetime import date

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
from bot.clock import local_today
from bot.committees import Refused
from bot.context import AppContext
from bot.deadlines import Deadline
from bot.views import agreement_deadline, day, deadline_text, session_name, shorten
from handlers.common import AWAITING, args_text, author, membership, refuse_not_secretary, reply, unknown_institution
from models import queries
from models.entities import Institution, Member, Role, Session
from models.names import split_institutions
from models.rules import MAX_AGREEMENT_TEXT, clean_code

SESSION, CODE, TEXT, INSTITUTIONS, DEADLINE, CONFIRM = range(6)
DRAFT = "draft"


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
    session_id = callbacks.DraftSession.parse(update.callback_query.data).session_id
    async with context.transaction() as db:
        session = await db.get(Session, session_id)
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
    toggled = callbacks.DraftInstitution.parse(query.data)
    chosen = context.user_data[DRAFT]["institution_ids"]
    if toggled is not None:
        institutions = await _institutions(context)
        institution_id = toggled.institution_id
        if institution_id not in {institution.id for institution in institutions}:
            # Another committee's institution (an old keyboard), or one that is gone.
            await query.answer(texts.plain(texts.BUTTON_INVALID), show_alert=True)
            return INSTITUTIONS
        chosen.remove(institution_id) if institution_id in chosen else chosen.append(institution_id)
        await query.answer()
        await query.edit_message_reply_markup(keyboards.choose_institutions(institutions, set(chosen)))
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
            deadline=deadline, now=context.now(), actor=author(update).actor)
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


def register(application: Application) -> None:
    text = filters.TEXT & ~filters.COMMAND
    def step(*actions: str):
        return lambda data: (button := callbacks.DraftStep.parse(data)) is not None and button.action in actions

    def any_draft_button(data: object) -> bool:
        return any(kind.matches(data) for kind in (callbacks.DraftSession, callbacks.DraftInstitution,
                                                    callbacks.DraftStep))

    application.add_handler(ConversationHandler(
        entry_points=[CommandHandler("nuevo", new_agreement)],
        states={
            SESSION: [CallbackQueryHandler(chosen_session, pattern=callbacks.DraftSession.matches)],
            CODE: [MessageHandler(text, received_code)],
            TEXT: [MessageHandler(text, received_text)],
            INSTITUTIONS: [CallbackQueryHandler(toggled_institution, pattern=callbacks.DraftInstitution.matches),
                           CallbackQueryHandler(toggled_institution, pattern=step("done"))],
            DEADLINE: [MessageHandler(text, received_deadline),
                       CallbackQueryHandler(received_deadline, pattern=step("nodl"))],
            CONFIRM: [CallbackQueryHandler(confirmed, pattern=step("ok"))],
        },
        fallbacks=[CommandHandler("cancelar", cancelled), CallbackQueryHandler(cancelled, pattern=step("x")),
                   CommandHandler("nuevo", new_agreement)],
        conversation_timeout=15 * 60,
        allow_reentry=True,
    ))
    # After the conversation, so that only buttons it no longer waits for land here.
    application.add_handler(CallbackQueryHandler(stale_button, pattern=any_draft_button))
    application.add_handler(CommandHandler("cancelar", nothing_to_cancel))
