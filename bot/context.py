"""What every handler and job reaches through `context`: settings, clock and one database transaction."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import ApplicationHandlerStop, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.http import AiohttpRequest
from bot.inbox import store as inbox
from models.text import clean_text

log = logging.getLogger(__name__)
# Whether the running task holds a handler's transaction: a Telegram call there would keep the database (SQLite's one
# writer) waiting on a slow chat.
_IN_TRANSACTION: ContextVar[bool] = ContextVar("in_transaction", default=False)
TELEGRAM_IN_TRANSACTION = "Telegram called inside a database transaction: %s"


@dataclass
class Services:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock


class AppContext(CallbackContext[ExtBot, dict, dict, dict]):
    """PTB's context with the bot's services; code holding only the application builds one: AppContext(application)."""

    # The committee this update acts in, named in the first line of the answers to a chat linked to several.
    acting_in: str | None = None

    @property
    def args(self) -> list[str] | None:
        """A command's words as people meant them (models/text.py): a word of invisible characters is none."""
        return self.__dict__.get("_args")

    @args.setter
    def args(self, words: list[str] | None) -> None:
        self.__dict__["_args"] = None if words is None else [word for word in map(clean_text, words) if word]

    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]

    def now(self) -> datetime:
        return self.services.clock.now()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One session and one transaction: committed when the block ends, rolled back on any error. Handling an
        update from the inbox, the first one also marks the update handled, in the same commit; if someone already
        did, the handling stops here, without writing (bot/inbox/)."""
        token = _IN_TRANSACTION.set(True)
        marked = None
        try:
            async with self.services.sessions.begin() as db:
                try:
                    marked = await inbox.mark_in(db)
                except inbox.AlreadyHandled as handled:
                    log.info("update %s was already handled: not handled again", handled.args[0])
                    raise ApplicationHandlerStop from None
                yield db
            if marked is not None:
                marked.marked = True
        finally:
            _IN_TRANSACTION.reset(token)


class OutsideTransactions(AiohttpRequest):
    """The bot's requests to Telegram, each one checked: made while a handler holds its transaction, it is logged as
    an error (the tests fail on it), and still made."""

    async def do_request(self, url: str, method: str, *args, **kwargs) -> tuple[int, bytes]:
        if _IN_TRANSACTION.get():
            log.error(TELEGRAM_IN_TRANSACTION, url.rsplit("/", 1)[-1], stack_info=True)
        return await super().do_request(url, method, *args, **kwargs)
