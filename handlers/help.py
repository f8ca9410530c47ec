"""/ayuda and /help: the command table, grouped by role, in Spanish or English."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot import texts
from bot.commands import COMMANDS, EVERYONE
from bot.context import AppContext
from handlers.common import reply
from models.entities import Role

ROLE_ORDER = (Role.SECRETARY.value, Role.OBSERVER.value, Role.IMPLEMENTER.value, EVERYONE)


def help_text(english: bool) -> str:
    header, role_names = (texts.HELP_HEADER_EN, texts.HELP_ROLE_EN) if english else (texts.HELP_HEADER, texts.HELP_ROLE)
    lines = [header]
    for role in ROLE_ORDER:
        commands = [c for c in COMMANDS if role in c.roles]
        if not commands:
            continue
        lines.append(texts.t(texts.HELP_ROLE_LINE, role=role_names[role]))
        for command in commands:
            example = texts.t(texts.HELP_EXAMPLE, example=command.example) if command.example else ""
            description = command.en if english else command.es
            lines.append(texts.t(texts.HELP_COMMAND, name=command.name, description=description, example=example))
    return "\n".join(lines)


async def ayuda(update: Update, context: AppContext) -> None:
    """The commands, in Spanish."""
    await reply(update, context, help_text(english=False))


async def help_en(update: Update, context: AppContext) -> None:
    """The commands, in English."""
    await reply(update, context, help_text(english=True))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("ayuda", ayuda))
    application.add_handler(CommandHandler("help", help_en))
