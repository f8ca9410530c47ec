"""/nuevo: registering an agreement, step by step (each step a question the bot waits for, bot/waiting.py) or in
one line."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import agreements, callbacks, keyboards, texts, waiting
from bot.clock import local_today
from bot.committees import Refused
from bot.context import AppContext
from bot.deadlines import Deadline
from bot.views import agreement_deadline, day, deadline_text, session_name, shorten
from handlers import answers
from handlers.common import (
    acting,
    args_text,
    author,
    membership,
    reply,
    said,
    unknown_institution,
)
from models import queries
from models.entities import Institution, Member, Role, Session, Waiting, WaitKind
from models.names import split_institutions
from models.rules import MAX_AGREEMENT_TEXT, clean_code, latest_deadline

SESSION, CODE, TEXT, INSTITUTIONS, DEADLINE, CONFIRM = "session", "code", "text", "institutions", "deadline", "confirm"
NEW = WaitKind.NEW_AGREEMENT


async def new_agreement(update: Update, context: AppContext) -> None:
    """Start the guided registration, or register in one line: /nuevo 2.5 | texto | Prefectura | 24 horas."""
    if args_text(update):
        await new_agreement_in_one_line(update, context)
        return
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/nuevo")
        sessions = await queries.recent_sessions(db, member.committee_id)
        has_institutions = bool(await queries.institutions_with_focal_points(db, member.committee_id))
    if not sessions:
        await reply(update, context, texts.t(texts.NO_SESSION, committee=member.committee.name))
        return
    if not has_institutions:
        await reply(update, context, texts.t(texts.NO_INSTITUTIONS, committee=member.committee.name))
        return
    link = dict(committee_id=member.committee_id, member_id=member.id)
    if len(sessions) == 1:
        await _ask_code(update, context, link, {"institution_ids": []}, sessions[0])
        return
    await answers.ask(update, context, NEW, **link, about={"step": SESSION, "institution_ids": []},
                      text=texts.NEW_ASK_SESSION, keyboard=keyboards.choose_session(sessions), typed=False)


def _link(question: Waiting) -> dict:
    return dict(committee_id=question.committee_id, member_id=question.member_id)


async def _ask_code(update: Update, context: AppContext, link: dict, draft: dict, session: Session) -> None:
    draft = dict(draft, step=CODE, session_id=session.id, session_date=session.held_on.isoformat(),
                 session_name=session_name(session))
    await answers.ask(update, context, NEW, **link, about=draft,
                      text=texts.t(texts.NEW_ASK_CODE, session=session_name(session)))


async def received_step(update: Update, context: AppContext, question: Waiting) -> bool:
    """A message while /nuevo waits: the code, the text or the deadline, as the step asks."""
    if update.effective_message.text is None:
        return False  # a file is not a step of /nuevo: the other handlers take it, as before
    text = said(update.effective_message)
    step = question.about["step"]
    if step == CODE:
        await received_code(update, context, question, text)
    elif step == TEXT:
        await received_text(update, context, question, text)
    elif step == DEADLINE:
        await received_deadline(update, context, question, text)
    else:
        await reply(update, context, texts.NEW_USE_BUTTONS)
    return True


async def received_code(update: Update, context: AppContext, question: Waiting, text: str) -> None:
    """The agreement's code, like 2.1."""
    draft = question.about
    code = clean_code(text)
    if code is None:
        await answers.insist(update, context, texts.t(texts.NEW_BAD_CODE, code=shorten(text, 20)))
        return
    async with context.transaction() as db:
        exists = await queries.find_agreement(db, question.committee_id, code, session_id=draft["session_id"])
    if exists:
        await answers.insist(update, context,
                             texts.t(texts.NEW_CODE_EXISTS, code=code, session=draft["session_name"]))
        return
    await answers.ask(update, context, NEW, **_link(question), about=dict(draft, step=TEXT, code=code),
                      text=texts.t(texts.NEW_ASK_TEXT, code=code))


async def received_text(update: Update, context: AppContext, question: Waiting, text: str) -> None:
    """The agreement's text."""
    text = text.strip()
    if len(text) > MAX_AGREEMENT_TEXT:
        await answers.insist(update, context,
                             texts.t(texts.NEW_TEXT_TOO_LONG, length=len(text), max=MAX_AGREEMENT_TEXT))
        return
    await answers.ask(update, context, NEW, **_link(question), about=dict(question.about, step=INSTITUTIONS, text=text),
                      text=texts.NEW_ASK_INSTITUTIONS,
                      keyboard=keyboards.choose_institutions(await _institutions(context, question), set()),
                      typed=False)


async def received_deadline(update: Update, context: AppContext, question: Waiting, text: str | None) -> None:
    """The deadline in words, or the «Sin plazo» button (text None)."""
    draft, session_date = dict(question.about), date.fromisoformat(question.about["session_date"])
    if text is None:
        draft["deadline"] = None
    else:
        try:
            deadline = agreements.read_deadline(text, session_date)
        except agreements.UnreadableDeadline:
            await answers.insist(update, context, texts.t(texts.NEW_BAD_DEADLINE, text=shorten(text, 60)))
            return
        if deadline and deadline.due and deadline.due < session_date:
            await answers.insist(update, context, texts.t(texts.DEADLINE_BEFORE_SESSION, deadline=day(deadline.due),
                                                          session_date=day(session_date)))
            return
        if deadline and deadline.due and deadline.due > latest_deadline(session_date):
            await answers.insist(update, context, texts.t(texts.DEADLINE_TOO_LATE, deadline=day(deadline.due),
                                                          session_date=day(session_date),
                                                          latest=day(latest_deadline(session_date))))
            return
        draft["deadline"] = None if deadline is None else {
            "due": deadline.due.isoformat() if deadline.due else None, "next_session": deadline.next_session,
            "words": deadline.words}
    by_id = {i.id: i.name for i in await _institutions(context, question)}
    names = [by_id[i] for i in draft["institution_ids"] if i in by_id]
    await answers.ask(update, context, NEW, **_link(question), about=dict(draft, step=CONFIRM),
                      text=texts.t(texts.NEW_SUMMARY, session=draft["session_name"], code=draft["code"],
                                   text=draft["text"], institutions=", ".join(names),
                                   deadline=_draft_deadline_text(draft)),
                      keyboard=keyboards.confirm_agreement(), typed=False)


async def pressed(update: Update, context: AppContext) -> None:
    """A button of /nuevo: the session, an institution, «Listo», «Sin plazo», «Confirmar» or «Cancelar»; only the
    buttons of the question it waits for work."""
    query = update.callback_query
    button = callbacks.parse_any(query.data)
    if isinstance(button, callbacks.DraftSession):
        action, value = "s", button.session_id
    elif isinstance(button, callbacks.DraftInstitution):
        action, value = "i", button.institution_id
    else:
        action, value = button.action, 0
    question = await answers.current(update, context, NEW)
    step = {"s": SESSION, "i": INSTITUTIONS, "done": INSTITUTIONS, "nodl": DEADLINE, "ok": CONFIRM}.get(action)
    if question is None or question.message_id != query.message.message_id \
            or (step is not None and question.about["step"] != step):
        await query.answer(texts.plain(texts.NEW_EXPIRED), show_alert=True)
        return
    if action == "x":
        await cancelled(update, context, question)
    elif action == "s":
        await chosen_session(update, context, question, value)
    elif step == INSTITUTIONS:
        await toggled_institution(update, context, question, action, value)
    elif action == "nodl":
        await query.answer()
        await received_deadline(update, context, question, None)
    else:
        await confirmed(update, context, question)


async def chosen_session(update: Update, context: AppContext, question: Waiting, session_id: int) -> None:
    """The secretary picked the session."""
    await update.callback_query.answer()
    async with context.transaction() as db:
        session = await db.get(Session, session_id)
    if session is None or session.committee_id != question.committee_id:
        await reply(update, context, texts.NEW_EXPIRED)
        return
    await _ask_code(update, context, _link(question), question.about, session)


async def toggled_institution(update: Update, context: AppContext, question: Waiting, action: str,
                              value: int) -> None:
    """A tap on an institution marks or unmarks it; «Listo» goes on to the deadline."""
    query = update.callback_query
    chosen = list(question.about["institution_ids"])
    if action == "i":
        institutions = await _institutions(context, question)
        if value not in {institution.id for institution in institutions}:
            # Another committee's institution (an old keyboard), or one that is gone.
            await query.answer(texts.plain(texts.BUTTON_INVALID), show_alert=True)
            return
        chosen.remove(value) if value in chosen else chosen.append(value)
        async with context.transaction() as db:
            await waiting.revise(db, question, dict(question.about, institution_ids=chosen))
        await query.answer()
        await query.edit_message_reply_markup(keyboards.choose_institutions(institutions, set(chosen)))
        return
    if not chosen:
        await query.answer(texts.plain(texts.NEW_NEED_INSTITUTION), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    session_date = day(date.fromisoformat(question.about["session_date"]))
    await answers.ask(update, context, NEW, **_link(question), about=dict(question.about, step=DEADLINE),
                      text=texts.t(texts.NEW_ASK_DEADLINE, session_date=session_date), keyboard=keyboards.no_deadline())


async def confirmed(update: Update, context: AppContext, question: Waiting) -> None:
    """«Confirmar» registers the agreement, and ends the registration, in one transaction."""
    query = update.callback_query
    await query.answer()
    await query.edit_message_reply_markup(None)
    draft = question.about
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY)
        if member is None or member.committee_id != question.committee_id:
            answer = texts.t(texts.NOT_SECRETARY, command="/nuevo")
        else:
            answer = await _register(db, update, context, member, await db.get(Session, draft["session_id"]),
                                     draft["code"], draft["text"],
                                     [await db.get(Institution, i) for i in draft["institution_ids"]],
                                     _draft_deadline(draft))
        await waiting.answered(db, question)
    await reply(update, context, answer)


async def cancelled(update: Update, context: AppContext, question: Waiting) -> None:
    """«Cancelar» leaves without writing anything (/cancelar does the same, handlers/answers.py)."""
    async with context.transaction() as db:
        await waiting.answered(db, question)
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, context, texts.NEW_CANCELLED)


async def new_agreement_in_one_line(update: Update, context: AppContext) -> None:
    parts = [p.strip() for p in args_text(update).split("|")]
    if len(parts) not in (3, 4) or not all(parts[:3]):
        await reply(update, context, texts.NEW_USAGE)
        return
    code, text = parts[0], parts[1]
    if clean_code(code) is None:
        await reply(update, context, texts.t(texts.NEW_BAD_CODE, code=shorten(code, 20)) + "\n\n" + texts.NEW_USAGE)
        return
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/nuevo")
        if not (sessions := await queries.recent_sessions(db, member.committee_id, limit=1)):
            answer = texts.t(texts.NO_SESSION, committee=member.committee.name)
        else:
            # The committee's own names are never split («Gerencia de Seguridad y Defensa Civil»).
            names = split_institutions(parts[2], await queries.institution_spellings(db, member.committee_id))
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
    except agreements.DeadlineTooLate:
        return texts.t(texts.DEADLINE_TOO_LATE, deadline=day(deadline.due), session_date=day(session.held_on),
                       latest=day(latest_deadline(session.held_on)))
    except agreements.TextTooLong:
        return texts.t(texts.NEW_TEXT_TOO_LONG, length=len(text.strip()), max=MAX_AGREEMENT_TEXT)
    except Refused:
        return texts.NEW_USAGE
    return texts.t(texts.NEW_SAVED, code=agreement.code, session=session_name(session),
                   institutions=", ".join(i.name for i in institutions),
                   deadline=agreement_deadline(agreement, local_today(context.services.clock,
                                                                      member.committee.timezone)))


async def _institutions(context: AppContext, question: Waiting) -> list[Institution]:
    async with context.transaction() as db:
        rows = await queries.institutions_with_focal_points(db, question.committee_id)
    return [institution for institution, _ in rows]


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
    application.add_handler(CommandHandler("nuevo", new_agreement))
    def draft_button(data: object) -> bool:
        return any(kind.matches(data) for kind in (callbacks.DraftSession, callbacks.DraftInstitution,
                                                    callbacks.DraftStep))

    application.add_handler(CallbackQueryHandler(pressed, pattern=draft_button))
    answers.expect(application, NEW, answers.Answer(received_step, lambda _: texts.WAIT_AGAIN_NEW, "/nuevo",
                                                    texts.NEW_CANCELLED))
