"""/importar: a whole acta, sent as a file or pasted, previewed, then registered in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import callbacks, importer, keyboards, texts
from bot.acta import ActaError, ParsedActa
from bot.clock import local_today
from bot.context import AppContext
from bot.importer import ImportPlan, SessionKey, Source
from bot.views import shorten
from handlers.common import Awaiting, args_text, author, membership, refuse_not_secretary, reply
from models.entities import Member, Role

PENDING = "import_pending"
ACTA, SESSION, CONFIRM = "acta", "session", "confirm"
# A forgotten /importar must not take the secretary's messages for ever.
WAIT = timedelta(minutes=30)


@dataclass
class Pending:
    """An import in progress for one person in one chat."""

    chat_id: int
    committee_id: int
    until: datetime
    step: str = ACTA
    source: Source | None = None  # kept to read the acta again with its session, or to add the rest of a paste
    parsed: ParsedActa | None = None
    session: SessionKey | None = None
    decisions: tuple = ()
    preview: int = 0  # the preview whose buttons still work


async def start(update: Update, context: AppContext) -> None:
    """Ask for the acta, or read it at once when it was pasted right after the command."""
    async with context.transaction() as db:
        member = await membership(db, update, context, Role.SECRETARY)
    if member is None:
        await refuse_not_secretary(update, context, "/importar")
        return
    pending = Pending(update.effective_chat.id, member.committee_id, context.now() + WAIT)
    context.user_data[PENDING] = pending
    if pasted := args_text(update):
        await _read(update, context, pending, Source(None, pasted))
    else:
        await reply(update, context, texts.IMPORT_ASK)


async def received_file(update: Update, context: AppContext) -> None:
    """The acta as a file, refused over 20 MB before it is downloaded."""
    pending, document = context.user_data[PENDING], update.effective_message.document
    try:
        importer.check_size(document.file_size)
        data = await (await context.bot.get_file(document.file_id)).download_as_bytearray()
    except ActaError as error:
        await _refuse(update, context, pending, error)
        return
    await _read(update, context, pending, Source(document.file_name or "acta", bytes(data)))


async def received_text(update: Update, context: AppContext) -> None:
    """Pasted rows of the acta (a long paste arrives in several messages), or the session it is from."""
    pending, text = context.user_data[PENDING], update.effective_message.text
    if pending.step == SESSION and not importer.has_title_row(text):
        await _received_session(update, context, pending, text)
        return
    source = importer.pasted(pending.source, text)
    if pending.step == CONFIRM and source.pieces == 1 and not importer.has_title_row(text):
        await reply(update, context, texts.IMPORT_USE_BUTTONS)
        return
    await _read(update, context, pending, source, pending.session if source.pieces > 1 else None)


async def _received_session(update: Update, context: AppContext, pending: Pending, text: str) -> None:
    async with context.transaction() as db:
        member = await _secretary(db, update, context, pending)
    if member is None:
        await _stop(update, context)
        return
    session = importer.session_key(text, local_today(context.services.clock, member.committee.timezone))
    if session is None:
        await reply(update, context, texts.t(texts.IMPORT_BAD_SESSION, text=shorten(text, 40)))
        return
    await _read(update, context, pending, pending.source, session)


async def pressed(update: Update, context: AppContext) -> None:
    """«Confirmar» registers the acta as planned again now, in one transaction; «Cancelar» forgets it."""
    query = update.callback_query
    button = callbacks.ImportAnswer.parse(query.data)
    action, preview = button.action, button.preview
    pending = context.user_data.get(PENDING)
    if not pending or pending.step != CONFIRM or pending.preview != preview \
            or pending.chat_id != update.effective_chat.id:
        await query.answer(texts.plain(texts.IMPORT_EXPIRED), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    if action == "x":
        context.user_data.pop(PENDING)
        await reply(update, context, texts.IMPORT_CANCELLED)
        return
    result = None
    async with context.transaction() as db:
        member = await _secretary(db, update, context, pending)
        plan = member and await importer.plan_import(db, member.committee, pending.parsed, pending.session)
        if plan and plan.decisions() == pending.decisions:
            result = await importer.apply_import(db, member.committee, plan, context.now(), author(update).actor)
    if plan is None:
        await _stop(update, context)
    elif result is None:
        pending.preview += 1
        await _show(update, context, pending, plan, texts.IMPORT_CHANGED + "\n\n")
    else:
        context.user_data.pop(PENDING)
        await reply(update, context, importer.render_result(result))


async def cancelled(update: Update, context: AppContext) -> None:
    """/cancelar while an import waits: forget it, and stop there."""
    context.user_data.pop(PENDING, None)
    await reply(update, context, texts.IMPORT_CANCELLED)
    raise ApplicationHandlerStop


async def _read(update: Update, context: AppContext, pending: Pending, source: Source,
                session: SessionKey | None = None) -> None:
    pending.preview += 1
    pending.until = context.now() + WAIT
    try:
        parsed = importer.read(source, session)
    except ActaError as error:
        await _refuse(update, context, pending, error, source)
        return
    async with context.transaction() as db:
        member = await _secretary(db, update, context, pending)
        plan = member and await importer.plan_import(db, member.committee, parsed, session)
    if plan is None:
        await _stop(update, context)
        return
    pending.source = source
    if plan.session is None:
        pending.step = SESSION
        await reply(update, context, texts.IMPORT_ASK_SESSION)
        return
    await _show(update, context, pending, plan)


async def _show(update: Update, context: AppContext, pending: Pending, plan: ImportPlan, intro: str = "") -> None:
    pending.step, pending.parsed, pending.session = CONFIRM, plan.parsed, plan.session
    pending.decisions = plan.decisions()
    if pending.source and pending.source.filename:
        pending.source = None  # only a paste goes on in the next message; the file's bytes are not needed
    text = intro + importer.render_preview(plan)
    if plan.can_register:
        await reply(update, context, text + texts.IMPORT_CONFIRM_QUESTION, keyboards.confirm_import(pending.preview))
    else:
        await reply(update, context, text)


async def _refuse(update: Update, context: AppContext, pending: Pending, error: ActaError,
                  source: Source | None = None) -> None:
    pending.step = ACTA
    # The first part of a long paste may fail alone; the rest may follow.
    pending.source = source if source and source.filename is None else None
    await reply(update, context, texts.t(texts.IMPORT_REFUSED, reason=str(error)))


async def _secretary(db: AsyncSession, update: Update, context: AppContext, pending: Pending) -> Member | None:
    member = await membership(db, update, context, Role.SECRETARY)
    return member if member and member.committee_id == pending.committee_id else None


async def _stop(update: Update, context: AppContext) -> None:
    context.user_data.pop(PENDING, None)
    await refuse_not_secretary(update, context, "/importar")


def register(application: Application) -> None:
    def waits(user_data: dict, message: Message) -> bool:
        pending = user_data.get(PENDING)
        return bool(pending and pending.chat_id == message.chat.id
                    and pending.until > AppContext(application).services.clock.now())

    importing = Awaiting(application, "importing", waits)
    application.add_handler(CommandHandler("importar", start))
    application.add_handler(MessageHandler(filters.Document.ALL & importing, received_file))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & importing, received_text))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.ImportAnswer.matches))
    # Group -1 runs before /nuevo's and the reports' /cancelar, which would leave the import waiting.
    application.add_handler(CommandHandler("cancelar", cancelled, filters=importing), group=-1)
