"""How the bot takes its updates: different chats at the same time, one chat's updates one after another.

Handling updates one by one (PTB's default) makes every chat wait for every other chat's requests to Telegram:
with a round trip of 100–300 ms from Peru, one reply in a handler caps the whole bot at a few updates a second,
just when a Monday's reminders bring answers from hundreds of institutions. One chat's updates still go in order,
because a conversation's next step (/nuevo, the note after ⏳) must see what the previous one left.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.admin.metrics import command_of

log = logging.getLogger(__name__)


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class ChatOrderProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` updates at once, at most one per chat, each chat's in arrival order."""

    def __init__(self, max_concurrent_updates: int,
                 observe: Callable[[object, float], None] | None = None):
        super().__init__(max_concurrent_updates)
        self._turns: dict[int, _Turn] = {}
        self._observe = observe  # (update, seconds its handling took): the admin server's metrics

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        coroutine = self._timed(update, coroutine)
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        turn = self._turns.setdefault(key, _Turn())
        turn.users += 1
        try:
            # asyncio.Lock wakes its waiters first come, first served: the chat's updates keep their order.
            async with turn.lock:
                await coroutine
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[key]

    async def _timed(self, update: object, coroutine: Awaitable[Any]) -> None:
        """The handling only: the wait for the chat's previous update is not counted."""
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            seconds = time.perf_counter() - started
            handled(update, seconds)
            if self._observe is not None:
                self._observe(update, seconds)

    async def initialize(self) -> None:
        """Nothing to set up: the turns live as long as their chat has updates in hand."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (the person's, for updates without a chat); None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


def handled(update: object, seconds: float) -> None:
    """One line per update handled: its id, chat, kind, command (as the metrics name it: one of the command table's,
    or "other") and time taken; the JSON log carries them as fields. Never what was written."""
    if not isinstance(update, Update):
        return
    kind = next((str(name) for name in Update.ALL_TYPES if getattr(update, name, None) is not None), None)
    command = command_of(update)
    fields = {"update_id": update.update_id, "chat_id": chat_key(update), "kind": kind, "command": command,
              "ms": round(seconds * 1000)}
    log.info("update %s of chat %s (%s) handled in %d ms", update.update_id, fields["chat_id"], command,
             fields["ms"], extra=fields)
