"""Pacing: never more than Telegram allows, in any sliding window, and a 429 stops the whole bot for its wait.

Each send holds a place in its windows (the whole bot, its chat, and its group if it is one) from before the
request starts until one window length after the answer came back. Telegram receives the request between those
two instants, so no window of that length ever holds more sends than places at Telegram's end either, whatever
the network's delays.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import AsyncIterator, Callable


@dataclass(frozen=True)
class Limits:
    """Telegram's published ceilings; `scaled` shrinks every window (tests and benchmarks in a faster world)."""

    overall: int = 30
    per_chat: int = 1
    per_group: int = 20
    second: float = 1.0
    minute: float = 60.0

    def scaled(self, factor: float) -> Limits:
        return replace(self, second=self.second * factor, minute=self.minute * factor)

    def with_overall(self, overall: int) -> Limits:
        return replace(self, overall=overall)


class _Window:
    """At most `size` places; a place is given back `length` seconds after its holder is done."""

    def __init__(self, size: int, length: float, on_idle: Callable[[], None] | None = None):
        self._places = asyncio.Semaphore(size)
        self._length = length
        self._on_idle = on_idle
        self._users = 0

    @property
    def full(self) -> bool:
        return self._places.locked()

    async def take(self) -> None:
        self._users += 1
        try:
            await self._places.acquire()
        except BaseException:
            self._done()
            raise

    def give_back_later(self) -> None:
        asyncio.get_running_loop().call_later(self._length, self._give_back)

    def _give_back(self) -> None:
        self._places.release()
        self._done()

    def _done(self) -> None:
        self._users -= 1
        if self._users == 0 and self._on_idle is not None:
            self._on_idle()


class Pacer:
    """Shared by everything that sends on the bot's behalf in this process."""

    def __init__(self, limits: Limits = Limits()):
        self.limits = limits
        self._overall = _Window(limits.overall, limits.second)
        self._chats: dict[int, _Window] = {}
        self._groups: dict[int, _Window] = {}
        self._paused_until = 0.0
        self.pauses = 0

    @asynccontextmanager
    async def slot(self, chat_id: int) -> AsyncIterator[None]:
        """Wait until a message to this chat may start; the block is the request."""
        windows = [self._window(self._chats, chat_id, self.limits.per_chat, self.limits.second)]
        if chat_id < 0:  # groups, supergroups and channels have negative ids
            windows.append(self._window(self._groups, chat_id, self.limits.per_group, self.limits.minute))
        # The overall place last: a message waiting for its chat must not hold one of the bot's 30.
        windows.append(self._overall)
        taken: list[_Window] = []
        try:
            for window in windows:
                await window.take()
                taken.append(window)
            await self.unpaused()
            yield
        finally:
            for window in taken:
                window.give_back_later()

    async def unpaused(self) -> None:
        """Return when no 429 pause is running (at once, mostly)."""
        loop = asyncio.get_running_loop()
        while (wait := self._paused_until - loop.time()) > 0:
            await asyncio.sleep(wait)

    def pause(self, retry_after: float) -> None:
        """A 429: nothing leaves, to any chat, for `retry_after` seconds (of this pacer's scale)."""
        self.pauses += 1
        until = asyncio.get_running_loop().time() + retry_after * self.limits.second
        self._paused_until = max(self._paused_until, until)

    @property
    def paused_until(self) -> float:
        """The loop time (time.monotonic) until which nothing leaves."""
        return self._paused_until

    def busy_chats(self) -> set[int]:
        """Chats a message could not start to now (their window is full): not worth claiming rows for."""
        return {chat for chat, window in (*self._chats.items(), *self._groups.items()) if window.full}

    def _window(self, windows: dict[int, _Window], chat_id: int, size: int, length: float) -> _Window:
        window = windows.get(chat_id)
        if window is None:
            window = windows[chat_id] = _Window(size, length, on_idle=lambda: windows.pop(chat_id, None))
        return window
