"""/acuerdos and /acuerdo: the committee's agreements, ten per page, and one agreement with its history."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import access, keyboards, members, texts
from bot.callbacks import ListPage
from bot.clock import local_today
from bot.context import AppContext
from bot.messaging import Long, file_name
from bot.views import agreement_deadline, day, session_name, shorten, stored_deadline
from handlers.common import Refused, acting, args_text, reply, unknown_institution
from models import queries
from models.entities import Agreement, Institution, Member, Role, Status

PAGE_SIZE = 10
STATUS_WORDS = {texts.STATUS[s.value]: s for s in Status} | {s.value: s for s in Status}


async def list_agreements(update: Update, context: AppContext) -> None:
    """The committee's agreements, ten per page: /acuerdos, /acuerdos PNP, /acuerdos pendiente."""
    words = args_text(update)
    status = STATUS_WORDS.get(words.lower().replace("_", " ")) or STATUS_WORDS.get(words.lower())
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, Role.OBSERVER, command="/acuerdos")
        institution = await queries.find_institution(db, member.committee_id, words) \
            if words and status is None else None
        if words and status is None and institution is None:
            answer, keyboard = await unknown_institution(db, member, words), None
        else:
            page = ListPage(member.committee_id, 1, institution.id if institution else None,
                            status.value if status else None)
            answer, keyboard = await render_page(db, context, member, page, institution)
    await reply(update, context, answer, keyboard)


async def turned_page(update: Update, context: AppContext) -> None:
    """«Anterior» / «Siguiente» on the list."""
    query = update.callback_query
    page = ListPage.parse(query.data)
    async with context.transaction() as db:
        member = await access.member_in(db, update.effective_user.id, update.effective_chat.id, page.committee_id,
                                        Role.SECRETARY, Role.OBSERVER)
        institution = await access.institution_in(db, page.committee_id, page.institution_id) \
            if page.institution_id else None
        if member is None or (page.institution_id and institution is None):
            raise Refused(texts.BUTTON_INVALID)
        answer, keyboard = await render_page(db, context, member, page, institution)
    await query.answer()
    await query.edit_message_text(answer, reply_markup=keyboard)


async def render_page(db: AsyncSession, context: AppContext, member: Member, page: ListPage,
                      institution: Institution | None = None):
    status = Status(page.status) if page.status else None
    rows, total = await queries.agreements_page(db, member.committee_id, institution_id=page.institution_id,
                                                status=status, offset=(page.page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    filters_text = ""
    if institution is not None:
        filters_text += texts.t(texts.AGREEMENTS_FILTER_INSTITUTION, institution=institution.name)
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
        member = await acting(db, update, context, Role.SECRETARY, Role.OBSERVER, command="/acuerdo")
        if (agreement := await queries.find_agreement(db, member.committee_id, context.args[0])) is None:
            answer = texts.t(texts.AGREEMENT_NOT_FOUND, code=shorten(context.args[0], 20),
                             committee=member.committee.name)
        else:
            deadline_history = await queries.audit_trail(db, "agreement", agreement.id, "deadline_changed")
            authors = await members.actors_named(db, member.committee_id, [e.actor for e in deadline_history])
            updates = await queries.history(db, [a.id for a in agreement.assignments])
            today = local_today(context.services.clock, member.committee.timezone)
            filename = file_name(texts.AGREEMENT_FILE, code=agreement.code)
            answer = Long(render_detail(agreement, deadline_history, updates, today, member.committee.timezone,
                                        authors),
                          render_short(agreement, len(updates), today, filename), filename)
    await reply(update, context, answer)


def render_short(agreement: Agreement, updates: int, today, filename: str) -> str:
    """One agreement in one message, when its whole history goes as a file."""
    return "\n".join([texts.t(texts.AGREEMENT_SHORT, code=agreement.code, session=session_name(agreement.session),
                              text=shorten(agreement.text, 300), deadline=agreement_deadline(agreement, today),
                              count=len(agreement.assignments), updates=updates),
                      texts.t(texts.LONG_IN_FILE, filename=filename)])


def render_detail(agreement: Agreement, deadline_history, updates, today, timezone: str,
                  authors: dict[str, str]) -> str:
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
                                   old=stored_deadline(entry.details.get("old")),
                                   new=stored_deadline(entry.details.get("new")), who=authors[entry.actor])
    return text


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(turned_page, pattern=ListPage.matches))
    application.add_handler(CommandHandler("acuerdos", list_agreements))
    application.add_handler(CommandHandler("acuerdo", show_agreement))
