"""/config: the committee's working hours, reminder cadence, semáforo thresholds and weekly summary."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import Application, CommandHandler

from bot import committee_settings, texts
from bot.committee_settings import BadSetting
from bot.context import AppContext
from bot.public import flags
from handlers.common import acting, author, reply
from models.entities import Role


async def settings_command(update: Update, context: AppContext) -> None:
    """Show the settings, or change one: /config horario 08:00-17:00."""
    words = context.args
    async with context.transaction() as db:
        member = await acting(db, update, context, Role.SECRETARY, command="/config")
        if not words:
            answer = _show(member.committee)
        elif words[0].lower() == "grupo":
            answer = await _group(db, update, context, member.committee, words[1:])
        elif words[0].lower() in ("publico", "público"):
            answer = _public(db, update, context, member.committee, words[1:])
        else:
            try:
                change = committee_settings.parse(words)
            except BadSetting:
                answer = texts.t(texts.CONFIG_BAD, text=" ".join(words)[:60])
            else:
                await committee_settings.apply(db, member.committee, change, now=context.now(),
                                               actor=author(update).actor)
                answer = texts.t(texts.CONFIG_SAVED, setting=words[0].lower(), value=" ".join(words[1:]))
    await reply(update, context, answer)


def _show(committee) -> str:
    return texts.t(texts.CONFIG_SHOW, committee=committee.name, timezone=committee.timezone,
                   **committee_settings.describe(committee))


async def _group(db, update: Update, context: AppContext, committee, rest: list[str]) -> str:
    off = bool(rest) and rest[0].lower() in ("no", "ninguno", "quitar")
    if not off and update.effective_chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return texts.CONFIG_GROUP_HERE
    await committee_settings.set_group(db, committee, None if off else update.effective_chat.id, now=context.now(),
                                       actor=author(update).actor)
    return texts.t(texts.CONFIG_GROUP_OFF if off else texts.CONFIG_GROUP_SET, committee=committee.name)


def _public(db, update: Update, context: AppContext, committee, rest: list[str]) -> str:
    choice = rest[0].lower() if len(rest) == 1 else ""
    if choice not in ("si", "sí", "no"):
        return texts.CONFIG_PUBLIC_BAD
    published = choice != "no"
    flags.set_published(db, committee, published, now=context.now(), actor=author(update).actor)
    return texts.t(texts.CONFIG_PUBLIC_ON if published else texts.CONFIG_PUBLIC_OFF, committee=committee.name)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("config", settings_command))
