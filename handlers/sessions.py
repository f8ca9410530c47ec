"""/sesion: register a session of the committee."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import committees, texts
from bot.clock import local_today
from bot.context import AppContext
from bot.views import day, session_name
from handlers.common import acting, author, reply
from models.entities import Role


async def register_session(update: Update, context: AppContext) -> None:
    """Register a session: /sesion ordinaria 1 25/02/2026."""
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/sesion")
        try:
            parsed = committees.parse_session_args(context.args,
                                                   local_today(context.services.clock, member.committee.timezone))
            if parsed is None:
                answer = texts.SESSION_USAGE
            else:
                kind, number, held_on = parsed
                session, created = await committees.register_session(
                    db, committee=member.committee, kind=kind, number=number, held_on=held_on, now=context.now(),
                    actor=author(update).actor)
                template = texts.SESSION_REGISTERED if created else texts.SESSION_EXISTS
                answer = texts.t(template, session=session_name(session), committee=member.committee.name)
        except committees.SessionDateOutOfRange as refused:
            answer = texts.t(texts.SESSION_DATE_OUT_OF_RANGE, date=day(refused.held_on), latest=day(refused.latest))
    await reply(update, context, answer)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("sesion", register_session))
