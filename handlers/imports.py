"""/importar: a whole acta, sent as a file or pasted, previewed, then registered in one transaction.

Each step is a question the bot waits for (bot/waiting.py): the acta, its session when it does not say, then
«Confirmar» under the preview. What the step needs is kept with the question: a paste's text, a file's Telegram
id (read again only when the session comes later), the acta as read and a digest of the preview's decisions.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import callbacks, importer, keyboards, texts, waiting
from bot.acta import ActaError
from bot.clock import local_today
from bot.context import AppContext
from bot.importer import ImportPlan, SessionKey, Source
from bot.messaging import Long
from bot.views import shorten
from handlers import answers
from handlers.common import acting, args_text, author, refuse_not_secretary, reply
from models.entities import Member, Role, Waiting, WaitKind

ACTA, SESSION, CONFIRM = "acta", "session", "confirm"
IMPORT = WaitKind.IMPORT


async def start(update: Update, context: AppContext) -> None:
    """Ask for the acta, or read it at once when it was pasted right after the command."""
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/importar")
    link = dict(committee_id=member.committee_id, member_id=member.id)
    if pasted := args_text(update):
        await _read(update, context, link, {"preview": 0}, Source(None, pasted))
    else:
        await answers.ask(update, context, IMPORT, **link, about={"step": ACTA, "preview": 0}, text=texts.IMPORT_ASK)


async def received(update: Update, context: AppContext, question: Waiting) -> bool:
    """A message while an import waits: the acta as a file, or pasted text (the acta, or its session)."""
    message = update.effective_message
    if message.document:
        await received_file(update, context, question)
    elif message.text:
        await received_text(update, context, question, message.text)
    else:
        return False  # a photo or a voice note is no acta: the other handlers take it, as before
    return True


async def received_file(update: Update, context: AppContext, question: Waiting) -> None:
    """The acta as a file, refused over 20 MB before it is downloaded."""
    document = update.effective_message.document
    try:
        importer.check_size(document.file_size)
        data = await _download(context, document.file_id)
    except ActaError as error:
        await _refuse(update, context, question, error)
        return
    await _read(update, context, _link(question), question.about, Source(document.file_name or "acta", bytes(data)),
                file_id=document.file_id)


async def received_text(update: Update, context: AppContext, question: Waiting, text: str) -> None:
    """Pasted rows of the acta (a long paste arrives in several messages), or the session it is from."""
    about = question.about
    if about["step"] == SESSION and not importer.has_title_row(text):
        await _received_session(update, context, question, text)
        return
    source = importer.pasted(_source(about.get("source")), text)
    if about["step"] == CONFIRM and source.pieces == 1 and not importer.has_title_row(text):
        await reply(update, context, texts.IMPORT_USE_BUTTONS)
        return
    session = importer.session_restored(about.get("session")) if source.pieces > 1 else None
    await _read(update, context, _link(question), about, source, session)


async def _download(context: AppContext, file_id: str) -> bytearray:
    """A file's bytes; ActaError when Telegram says it is over 20 MB (a file sent without its size)."""
    try:
        return await (await context.bot.get_file(file_id)).download_as_bytearray()
    except BadRequest as error:
        if "file is too big" in error.message.lower():
            raise importer.too_big_to_download() from error
        raise


async def _received_session(update: Update, context: AppContext, question: Waiting, text: str) -> None:
    async with context.transaction() as db:
        member = await _secretary(db, update, question.committee_id)
    if member is None:
        await _stop(update, context)
        return
    session = importer.session_key(text, local_today(context.services.clock, member.committee.timezone))
    if session is None:
        await answers.insist(update, context, texts.t(texts.IMPORT_BAD_SESSION, text=shorten(text, 40)))
        return
    kept = question.about["source"]
    source = _source(kept)
    if kept.get("file_id"):  # the file is read again, its deadlines counted from the session's date
        try:
            data = await (await context.bot.get_file(kept["file_id"])).download_as_bytearray()
        except TelegramError:
            await _refuse(update, context, question, ActaError(texts.plain(texts.WAIT_AGAIN_IMPORT)))
            return
        source = Source(kept["filename"], bytes(data))
    await _read(update, context, _link(question), question.about, source, session, file_id=kept.get("file_id"))


async def pressed(update: Update, context: AppContext) -> None:
    """«Confirmar» registers the acta as planned again now, in one transaction; «Cancelar» forgets it."""
    query = update.callback_query
    button = callbacks.ImportAnswer.parse(query.data)
    action, preview = button.action, button.preview
    question = await answers.current(update, context, IMPORT)
    if question is None or question.about["step"] != CONFIRM or question.about["preview"] != preview:
        await query.answer(texts.plain(texts.IMPORT_EXPIRED), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    if action == "x":
        async with context.transaction() as db:
            await waiting.answered(db, question)
        await reply(update, context, texts.IMPORT_CANCELLED)
        return
    about, result = question.about, None
    parsed, session = importer.restored(about["parsed"]), importer.session_restored(about["session"])
    async with context.transaction() as db:
        member = await _secretary(db, update, question.committee_id)
        plan = member and await importer.plan_import(
            db, member.committee, parsed, session, local_today(context.services.clock, member.committee.timezone))
        if plan and importer.decisions_digest(plan.decisions()) == about["decisions"]:
            result = await importer.apply_import(db, member.committee, plan, context.now(), author(update).actor)
            await waiting.answered(db, question)
    if plan is None:
        await _stop(update, context)
    elif result is None:
        await _show(update, context, _link(question), dict(about, preview=preview + 1), plan,
                    texts.IMPORT_CHANGED + "\n\n")
    else:
        await reply(update, context, Long(importer.render_result(result),
                                          importer.render_result_short(result, texts.IMPORT_RESULT_FILE),
                                          texts.IMPORT_RESULT_FILE))


async def _read(update: Update, context: AppContext, link: dict, about: dict, source: Source,
                session: SessionKey | None = None, file_id: str | None = None) -> None:
    about = dict(about, preview=about["preview"] + 1)
    try:
        parsed = await importer.read_aside(source, session)
    except ActaError as error:
        await _refuse(update, context, None, error, source, link=link, about=about)
        return
    async with context.transaction() as db:
        member = await _secretary(db, update, link["committee_id"])
        plan = member and await importer.plan_import(
            db, member.committee, parsed, session, local_today(context.services.clock, member.committee.timezone))
    if plan is None:
        await _stop(update, context)
        return
    about["source"] = _kept_source(source, file_id)
    if plan.session is None:
        await answers.ask(update, context, IMPORT, **link, about=dict(about, step=SESSION),
                          text=texts.IMPORT_ASK_SESSION)
        return
    await _show(update, context, link, about, plan)


async def _show(update: Update, context: AppContext, link: dict, about: dict, plan: ImportPlan,
                intro: str = "") -> None:
    about = dict(about, step=CONFIRM, **importer.kept(plan.parsed, plan.session, plan.decisions()))
    if about.get("source") and about["source"]["filename"]:
        about["source"] = None  # only a paste goes on in the next message; the file is not needed again
    # A long preview is one short message with Confirmar and the whole as a file (bot/messaging.py).
    question = texts.IMPORT_CONFIRM_QUESTION if plan.can_register else ""
    whole = await asyncio.to_thread(importer.render_preview, plan)  # 2,000 agreements: not on the event loop
    text = Long(intro + whole + question,
                intro + importer.render_preview_short(plan, texts.IMPORT_PREVIEW_FILE) + question,
                texts.IMPORT_PREVIEW_FILE)
    if plan.can_register:
        await answers.ask(update, context, IMPORT, **link, about=about, text=text,
                          keyboard=keyboards.confirm_import(about["preview"]), typed=False)
    else:  # still waiting: the secretary may send the acta again, corrected
        await answers.ask(update, context, IMPORT, **link, about=about, text=text)


async def _refuse(update: Update, context: AppContext, question: Waiting | None, error: ActaError,
                  source: Source | None = None, *, link: dict | None = None, about: dict | None = None) -> None:
    about = dict(about if about is not None else question.about, step=ACTA)
    # The first part of a long paste may fail alone; the rest may follow.
    about["source"] = _kept_source(source, None) if source and source.filename is None else None
    await answers.ask(update, context, IMPORT, **(link or _link(question)), about=about,
                      text=texts.t(texts.IMPORT_REFUSED, reason=str(error)))


def _link(question: Waiting) -> dict:
    return dict(committee_id=question.committee_id, member_id=question.member_id)


def _kept_source(source: Source, file_id: str | None) -> dict:
    if source.filename is None:
        return {"filename": None, "text": source.data, "pieces": source.pieces}
    return {"filename": source.filename, "file_id": file_id}


def _source(kept: dict | None) -> Source | None:
    if not kept:
        return None
    return Source(None, kept["text"], kept["pieces"]) if kept["filename"] is None else Source(kept["filename"], b"")


async def _secretary(db, update: Update, committee_id: int) -> Member | None:
    return await waiting.link_for(db, update.effective_user.id, update.effective_chat.id, Role.SECRETARY,
                                  committee_id)


async def _stop(update: Update, context: AppContext) -> None:
    async with context.transaction() as db:
        await waiting.drop(db, update.effective_chat.id, update.effective_user.id)
    await refuse_not_secretary(update, context, "/importar")


def register(application: Application) -> None:
    application.add_handler(CommandHandler("importar", start))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.ImportAnswer.matches))
    answers.expect(application, IMPORT, answers.Answer(received, lambda _: texts.WAIT_AGAIN_IMPORT, "/importar",
                                                       texts.IMPORT_CANCELLED))
