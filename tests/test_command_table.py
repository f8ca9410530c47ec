"""The bot answers exactly the commands of the one command table: none missing from the menu, none without a handler."""

from __future__ import annotations

from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from bot.app import build_application
from bot.commands import COMMANDS
from bot.config import Settings
from tests.support.fakebot import TOKEN


def commands_of(handlers: list[BaseHandler]) -> set[str]:
    """Every command a CommandHandler answers, inside conversations too (entry points, states, fallbacks)."""
    found: set[str] = set()
    for handler in handlers:
        if isinstance(handler, CommandHandler):
            found |= set(handler.commands)
        elif isinstance(handler, ConversationHandler):
            states = [inner for state in handler.states.values() for inner in state]
            found |= commands_of([*handler.entry_points, *states, *handler.fallbacks])
    return found


def test_registered_commands_are_the_command_table(sessions, clock):
    settings = Settings(token=TOKEN, database_url="unused-here")
    application = build_application(settings, sessions, clock)

    registered = commands_of([handler for group in application.handlers.values() for handler in group])

    table = {command.name for command in COMMANDS}
    assert (registered - table, table - registered) == (set(), set())
