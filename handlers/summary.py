"""/resumen, /reporte and /semaforo: the committee's summary, the follow-up report and the semáforo chart."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import exports, informe, summaries, summary_render, texts
from bot.context import AppContext
from bot.messaging import paced
from bot.views import day, shorten
from handlers.common import acting, args_text, pacer, reply
from models import queries
from models.entities import Committee, Role

READERS = (Role.SECRETARY, Role.OBSERVER)


async def _target(db: AsyncSession, update: Update, context: AppContext,
                  command: str) -> tuple[Committee, bool] | str:
    """The committee asked about (the speaker's own, or one named that they may read) and whether it is read as
    an observer, with the committees below it; or the answer that refuses."""
    name = args_text(update)
    if not name:
        member = await acting(db, update, context, *READERS, command=command)
        return member.committee, member.role == Role.OBSERVER
    links = [m for m in await queries.memberships(db, update.effective_user.id, update.effective_chat.id)
             if m.role in READERS]
    if not links:
        return texts.t(texts.NOT_READER, command=command)
    found = await summaries.readable_committee(db, links, name)
    if found is None:
        return texts.t(texts.COMMITTEE_NOT_VISIBLE, name=shorten(name, 60), command=command,
                       example=links[0].committee.name)
    return found


async def show_summary(update: Update, context: AppContext) -> None:
    """The committee's summary now, the same as the weekly one: /resumen, or /resumen CODISEC Ilo for an observer."""
    async with context.transaction() as db:
        target = await _target(db, update, context, "/resumen")
        if isinstance(target, str):
            answer = target
        else:
            committee, as_observer = target
            summary = await summaries.build_summary(db, committee, context.now(), below=as_observer)
            answer = summary_render.render(summary)
    await reply(update, context, answer)


async def send_report(update: Update, context: AppContext) -> None:
    """The "Informe de seguimiento de acuerdos" for the next session, as an .xlsx and a .pdf: /reporte."""
    report = await _built(update, context, "/reporte", informe.build_report)
    if report is None:
        return
    # Drawing a 500-agreement report takes a moment: off the event loop.
    workbook = await asyncio.to_thread(exports.xlsx, report)
    document = await asyncio.to_thread(exports.pdf, report)
    chat_id = update.effective_chat.id
    caption = texts.t(texts.REPORT_CAPTION, committee=report.summary.committee, date=day(report.summary.today))
    await paced(pacer(context), chat_id, lambda: context.bot.send_document(
        chat_id, document=workbook, filename=exports.filename(report, "xlsx"), caption=caption))
    await paced(pacer(context), chat_id, lambda: context.bot.send_document(
        chat_id, document=document, filename=exports.filename(report, "pdf")))


async def send_chart(update: Update, context: AppContext) -> None:
    """The semáforo per institution as a picture: /semaforo."""
    summary = await _built(update, context, "/semaforo", summaries.build_summary)
    if summary is None:
        return
    picture = await asyncio.to_thread(exports.chart_png, summary)
    tally = summary.tally
    await paced(pacer(context), update.effective_chat.id, lambda: context.bot.send_photo(
        update.effective_chat.id, photo=picture, filename=exports.chart_filename(summary),
        caption=texts.t(texts.SEMAFORO_CAPTION, committee=summary.committee, date=day(summary.today),
                        green=tally.green, yellow=tally.yellow, red=tally.red, grey=tally.grey)))


async def _built(update: Update, context: AppContext, command: str, build):
    """`build(db, committee, now)` for the speaker's committee; None, after answering why, when there is nothing
    to draw (not theirs to read, or no agreements yet)."""
    async with context.transaction() as db:
        target = await _target(db, update, context, command)
        built = None if isinstance(target, str) else await build(db, target[0], context.now())
    if built is None:
        await reply(update, context, target)
        return None
    summary = built.summary if isinstance(built, informe.Report) else built
    if not summary.agreements:
        await reply(update, context, texts.t(texts.SUMMARY_EMPTY, committee=summary.committee))
        return None
    return built


def register(application: Application) -> None:
    application.add_handler(CommandHandler("resumen", show_summary))
    application.add_handler(CommandHandler("reporte", send_report))
    application.add_handler(CommandHandler("semaforo", send_chart))
