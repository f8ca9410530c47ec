"""Pacing: never more than Telegram allows, in any sliding window, and a 429 stops the whole bot for its wait.

Each send holds a place in its windows (the whole bot, its chat, and its group if it is one) from before the
request starts until one window length after the answer came back. Telegram receives the request between those
two instants, so no window of that length ever holds more sends than places at Telegram's end either, whatever
the network's delays.
"""

from __future__ import annotations

import asyncio
from collections import deque
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
    """At most `size` places; a place is given back `length` seconds after its holder is done. Waiters get places in
    the order they came, except that those who take one `first` (an answer someone waits for) go ahead of the rest."""

    def __init__(self, size: int, length: float, on_idle: Callable[[], None] | None = None):
        self._free = size
        self._first: deque[asyncio.Future] = deque()
        self._rest: deque[asyncio.Future] = deque()
        self._length = length
        self._on_idle = on_idle
        self._users = 0

    @property
    def full(self) -> bool:
        return self._free == 0 or bool(self._first or self._rest)

    async def take(self, first: bool = False) -> None:
        self._users += 1
        if self._free > 0 and not (self._first or self._rest):
            self._free -= 1
            return
        place = asyncio.get_running_loop().create_future()
        (self._first if first else self._rest).append(place)
        try:
            await place
        except BaseException:
            if place.done() and not place.cancelled():
                self._hand_on()  # the place came with the cancellation: the next waiter gets it
            elif place in (waiting := self._first if first else self._rest):
                waiting.remove(place)
            self._done()
            raise

    def give_back_later(self) -> None:
        asyncio.get_running_loop().call_later(self._length, self._give_back)

    def _give_back(self) -> None:
        self._hand_on()
        self._done()

    def _hand_on(self) -> None:
        for waiting in (self._first, self._rest):
            while waiting:
                place = waiting.popleft()
                if not place.done():
                    place.set_result(None)
                    return
        self._free += 1

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
    async def slot(self, chat_id: int, *, first: bool = False) -> AsyncIterator[None]:
        """Wait until a message to this chat may start; the block is the request. `first`: an answer someone waits
        for, which goes ahead of the messages the bot sends on its own (they would otherwise make it wait seconds
        behind a fan-out)."""
        windows = []
        if chat_id < 0:  # groups, supergroups and channels have negative ids
            # The group's minute first: a message waiting for it must not hold one of the bot's 30 places.
            windows.append(self._window(self._groups, chat_id, self.limits.per_group, self.limits.minute))
        # The chat's second after the bot's place: an outbox message queued for a place does not hold its chat,
        # so an answer to that chat does not wait behind it. Everyone takes the windows in this order: no deadlock.
        windows += [self._overall, self._window(self._chats, chat_id, self.limits.per_chat, self.limits.second)]
        taken: list[_Window] = []
        try:
            for window in windows:
                await window.take(first)
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
