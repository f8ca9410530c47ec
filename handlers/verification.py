"""The secretary's side of the chat: /verificar, /observar, /anular, the notice's buttons and the reason asked after
↩️ Observar (the batched notices themselves go through the outbox, bot/notices.py)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import access, callbacks, decisions, texts, waiting
from bot.context import AppContext
from bot.progress import ReportRefused
from bot.views import shorten
from handlers import answers
from handlers.common import Refused, acting, args_text, author, names_of, refusal, reply, said, tell
from models import queries
from models.entities import Assignment, Role, Status, Waiting, WaitKind
from models.lifecycle import Action
from models.names import institution_key

log = logging.getLogger(__name__)


async def verify(update: Update, context: AppContext) -> None:
    """/verificar 2.1 PNP: the reported completion is accepted."""
    await _secretary_decision(update, context, Action.VERIFY, "/verificar", texts.VERIFY_USAGE, needs_reason=False)


async def observe(update: Update, context: AppContext) -> None:
    """/observar 2.1 PNP <motivo>: the reported completion goes back to the institution, with the reason."""
    await _secretary_decision(update, context, Action.OBSERVE, "/observar", texts.OBSERVE_USAGE, needs_reason=True)


async def _secretary_decision(update: Update, context: AppContext, action: Action, command: str, usage: str,
                              needs_reason: bool) -> None:
    words = args_text(update).split()
    if len(words) < 2:
        await reply(update, context, usage)
        return
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command=command)
        agreement = await queries.find_agreement(db, member.committee_id, words[0])
        if agreement is None:
            raise Refused(texts.t(texts.AGREEMENT_NOT_FOUND, code=shorten(words[0], 20),
                                  committee=member.committee.name))
        assignment, reason = await _assignment_named(db, agreement, words[1:])
    if assignment is None:
        known = ", ".join(a.institution.name for a in agreement.assignments)
        await reply(update, context, texts.t(texts.ASSIGNMENT_NOT_FOUND, code=agreement.code,
                                             institution=" ".join(words[1:3]), known=known))
        return
    if needs_reason and not reason:
        await reply(update, context, usage)
        return
    await _decide(update, context, assignment.id, action, reason)


async def _assignment_named(db: AsyncSession, agreement, words: list[str]) -> tuple[Assignment | None, str]:
    """The agreement's assignment whose institution is named by the first words; the rest is the reason."""
    for length in range(len(words), 0, -1):
        if not institution_key(words[length - 1]):
            continue  # "Warmi Ñan El oficio…": a trailing filler word begins the reason, not the name
        institution = await queries.find_institution(db, agreement.committee_id, " ".join(words[:length]))
        if institution is not None:
            match = next((a for a in agreement.assignments if a.institution_id == institution.id), None)
            if match is not None:
                return match, " ".join(words[length:])
    return None, ""


async def cancel(update: Update, context: AppContext) -> None:
    """/anular 2.1 <motivo>: cancel an agreement for every responsible, with the reason."""
    words = args_text(update).split(maxsplit=1)
    if len(words) < 2:
        await reply(update, context, texts.CANCEL_USAGE)
        return
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/anular")
        if (agreement := await queries.find_agreement(db, member.committee_id, words[0])) is None:
            answer, contacts = texts.t(texts.AGREEMENT_NOT_FOUND, code=shorten(words[0], 20),
                                       committee=member.committee.name), []
        else:
            try:
                recorded = await decisions.cancel_agreement(db, agreement=agreement, reason=words[1],
                                                            author=author(update), now=context.now())
            except ReportRefused as refused:
                answer, contacts = refusal(refused, dict(code=agreement.code, institution="—")), []
            else:
                contacts = []
                for item in recorded:
                    contacts += await decisions.contacts_of(db, item.assignment)
                answer = texts.t(texts.CANCELLED_AGREEMENT, code=agreement.code, count=len(recorded),
                                 reason=words[1])
                told = texts.t(texts.TOLD_CANCELLED, committee=member.committee.name, code=agreement.code,
                               reason=words[1])
    await reply(update, context, answer)
    if contacts:
        await tell(context, sorted(set(contacts)), told)


async def pressed_decision(update: Update, context: AppContext) -> None:
    """✅ Verificar / ↩️ Observar on the secretary's notice."""
    query = update.callback_query
    button = callbacks.Verify.parse(query.data) or callbacks.Observe.parse(query.data)
    async with context.transaction() as db:
        assignment = await access.assignment_for_secretary(db, button.assignment_id, update.effective_user.id)
    if assignment is None:
        await query.answer(texts.plain(texts.t(texts.NOT_SECRETARY, command="/verificar")), show_alert=True)
        return
    if assignment.status != Status.REPORTADO:
        await query.answer(texts.plain(texts.t(texts.NOT_ALLOWED_NOW, code=assignment.agreement.code,
                                               institution=assignment.institution.name,
                                               status=texts.STATUS[assignment.status.value])), show_alert=True)
        return
    await query.answer()
    if isinstance(button, callbacks.Verify):
        await _decide(update, context, assignment.id, Action.VERIFY)
        return
    async with context.transaction() as db:
        member = await waiting.link_for(db, update.effective_user.id, update.effective_chat.id, Role.SECRETARY,
                                        assignment.agreement.committee_id)
    if member is None:  # a secretary pressing in a group that is not theirs: the commands work in their own chat
        await reply(update, context, texts.t(texts.NOT_SECRETARY, command="/observar"))
        return
    names = dict(code=assignment.agreement.code, institution=assignment.institution.name)
    await answers.ask(update, context, WaitKind.REASON, committee_id=member.committee_id, member_id=member.id,
                      about=dict(assignment_id=assignment.id, **names), text=texts.t(texts.ASK_REASON, **names))


async def received_reason(update: Update, context: AppContext, question: Waiting) -> bool:
    """The reason the secretary typed after ↩️ Observar: the report goes back to the institution with it."""
    message, assignment_id = update.effective_message, question.about["assignment_id"]
    async with context.transaction() as db:  # still a secretary of that committee when the answer comes
        allowed = await decisions.assignment_for_secretary(db, assignment_id, update.effective_user.id)
        if allowed is None:
            await waiting.answered(db, question)
    if allowed is None:
        await reply(update, context, texts.t(texts.NOT_SECRETARY, command="/observar"))
        return True
    await _decide(update, context, assignment_id, Action.OBSERVE, said(message),
                  question=question)
    return True


def _observe_again(question: Waiting) -> str:
    return texts.t(texts.WAIT_AGAIN_REASON, code=question.about["code"], institution=question.about["institution"])


async def _decide(update: Update, context: AppContext, assignment_id: int, action: Action,
                  reason: str = "", question: Waiting | None = None) -> decisions.Decision | None:
    """Verify or observe, from the command, the notice's buttons or the reason asked for: record (answering the
    question in the same transaction), answer, tell the institution."""
    try:
        async with context.transaction() as db:
            decision = await decisions.record_decision(db, assignment_id=assignment_id, action=action,
                                                       author=author(update), now=context.now(), reason=reason)
            if question is not None:
                await waiting.answered(db, question)
    except ReportRefused as refused:
        fixable = question is not None and refused.reason == "needs_note"
        if question is not None and not fixable:  # nothing the person can fix by writing again
            async with context.transaction() as db:
                await waiting.answered(db, question)
        await (answers.insist if fixable else reply)(update, context,
                                                     refusal(refused, await names_of(context, assignment_id)))
        return None
    a = decision.recorded.assignment
    names = dict(code=a.agreement.code, institution=a.institution.name)
    if action == Action.VERIFY:
        done = texts.t(texts.AGREEMENT_DONE, code=a.agreement.code) if decision.agreement_done else ""
        await reply(update, context, texts.t(texts.VERIFIED, **names) + done)
        told = texts.t(texts.TOLD_VERIFIED, committee=decision.committee, code=a.agreement.code)
    else:
        await reply(update, context, texts.t(texts.OBSERVED, **names))
        told = texts.t(texts.TOLD_OBSERVED, committee=decision.committee, code=a.agreement.code, reason=reason)
    await tell(context, decision.contacts, told)
    return decision


def register(application: Application) -> None:
    application.add_handler(CommandHandler("verificar", verify))
    application.add_handler(CommandHandler("observar", observe))
    application.add_handler(CommandHandler("anular", cancel))
    application.add_handler(CallbackQueryHandler(
        pressed_decision, pattern=lambda data: callbacks.Verify.matches(data) or callbacks.Observe.matches(data)))
    answers.expect(application, WaitKind.REASON, answers.Answer(received_reason, _observe_again, "/observar"))
