"""/reservar and /publicar (what the public site leaves out) and /calendario (the deadlines as an .ics file)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import texts
from bot.context import AppContext
from bot.messaging import paced
from bot.public import calendar, flags
from bot.views import shorten
from handlers.common import acting, author, membership, pacer, reply
from models import queries
from models.entities import Role
from models.names import institution_key


async def reserve(update: Update, context: AppContext) -> None:
    """Keep one agreement off the public site: /reservar 2.1."""
    await _reserve(update, context, True)


async def unreserve(update: Update, context: AppContext) -> None:
    """Show a reserved agreement on the public site again: /publicar 2.1."""
    await _reserve(update, context, False)


async def _reserve(update: Update, context: AppContext, reserved: bool) -> None:
    command = "/reservar" if reserved else "/publicar"
    if not context.args:
        await reply(update, context, texts.RESERVE_USAGE if reserved else texts.PUBLISH_USAGE)
        return
    code = context.args[0]
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command=command)
        agreement = await queries.find_agreement(db, member.committee_id, code)
        if agreement is None:
            answer = texts.t(texts.AGREEMENT_NOT_FOUND, code=shorten(code, 20), committee=member.committee.name)
        elif flags.set_reserved(db, agreement, reserved, now=context.now(), actor=author(update).actor):
            answer = texts.t(texts.RESERVED if reserved else texts.UNRESERVED, code=agreement.code)
        else:
            answer = texts.t(texts.RESERVED_ALREADY if reserved else texts.UNRESERVED_ALREADY, code=agreement.code)
    await reply(update, context, answer)


async def send_calendar(update: Update, context: AppContext) -> None:
    """The deadlines as a calendar file: an institution's for its focal point, the committee's for a secretary."""
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY, Role.IMPLEMENTER)
        if member is None:
            name = content = None
        else:
            committee, now = member.committee, context.now()
            mine = None
            if member.role == Role.IMPLEMENTER:
                mine = await queries.implementer_institution_ids(db, update.effective_user.id,
                                                                 update.effective_chat.id)
            dues = await calendar.dues_of(db, committee, now, mine)
            name = committee.name if mine is None else member.institution.name
            title = texts.plain(texts.t(texts.CALENDAR_NAME_INSTITUTION, institution=name, committee=committee.name)
                                if mine is not None else texts.t(texts.CALENDAR_NAME, name=name))
            count = sum(1 for due in dues if due.deadline is not None)
            content = calendar.ics(title, committee.name, dues, now) if count else None
    if member is None:
        await reply(update, context, texts.NOT_MEMBER)
    elif content is None:
        await reply(update, context, texts.t(texts.CALENDAR_EMPTY, name=name))
    else:
        chat_id = update.effective_chat.id
        filename = texts.CALENDAR_FILE.format(name=institution_key(name).replace(" ", "-") or "comite")
        await paced(pacer(context), chat_id, lambda: context.bot.send_document(
            chat_id, document=content, filename=filename,
            caption=texts.t(texts.CALENDAR_CAPTION, name=name, count=count)))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("reservar", reserve))
    application.add_handler(CommandHandler("publicar", unreserve))
    application.add_handler(CommandHandler("calendario", send_calendar))
