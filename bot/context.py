"""What every handler and job reaches through `context`: settings, clock and one database transaction."""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings


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
    def services(self) -> Services:
        return self.application.bot_data["services"]

    def now(self) -> datetime:
        return self.services.clock.now()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One session and one transaction: committed when the block ends, rolled back on any error."""
        async with self.services.sessions.begin() as db:
            yield db
