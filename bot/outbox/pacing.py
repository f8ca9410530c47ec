"""Pacing: never more than Telegram allows, in any sliding window, and a 429 stops the whole bot for its wait.

Each send holds a place in its windows (the whole bot, its chat, and its group if it is one) from before the
request starts until one window length after the answer came back. Telegram receives the request between those
two instants, so no window of that length ever holds more sends than places at Telegram's end either, whatever
the network's delays. A place taken and not used for a request (the row was answered meanwhile) comes back at once.

Answers (someone waits for them) go ahead of the messages the bot sends on its own, and while people are writing a
few of the bot's places are kept free for them: otherwise a fan-out takes every place the answers leave, and each
answer waits for the next place to come back (a third of a second, measured by the soak benchmark; the pacer alone
is measured by bench_pacer.py).
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from math import ceil
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

    def reserve(self, answers: int, writing: bool) -> int:
        """The bot's places kept free for answers while `answers` were sent in the last second: half that rate and
        at least two, so that an answer rarely finds none (bench_pacer.py: at 20 answers a second, a quarter left
        one in twenty waiting 145 ms or more, a half 37 ms), never more than a third of the places (the outbox keeps
        the rest of what the answers leave). None unless someone wrote in the last minute (`writing`): a fan-out at
        night gets all 30."""
        return min(self.overall // 3, max(2, ceil(answers / 2))) if writing else 0


class _Window:
    """At most `size` places; a place is given back `length` seconds after its holder is done. Waiters get places in
    the order they came, except that those who take one `first` (an answer someone waits for) go ahead of the rest,
    and the rest leave `reserve()` places free for them."""

    def __init__(self, size: int, length: float, on_idle: Callable[[], None] | None = None,
                 reserve: Callable[[], int] = lambda: 0):
        self._free = size
        self._first: deque[asyncio.Future] = deque()
        self._rest: deque[asyncio.Future] = deque()
        self._length = length
        self._on_idle = on_idle
        self._reserve = reserve
        self._users = 0
        self._looking = False  # a look at the waiters is planned (the reserve may have shrunk meanwhile)

    @property
    def full(self) -> bool:
        return self._free == 0 or bool(self._first or self._rest)

    async def take(self, first: bool = False) -> None:
        self._users += 1
        if not self._first and (self._free > 0 if first else not self._rest and self._free > self._reserve()):
            self._free -= 1
            return
        place = asyncio.get_running_loop().create_future()
        (self._first if first else self._rest).append(place)
        if not first:
            self._look_later()
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

    def give_back(self) -> None:
        """The place was not used for a request: it comes back at once."""
        self._give_back()

    def _give_back(self) -> None:
        self._hand_on()
        self._done()

    def _hand_on(self) -> None:
        if self._wake(self._first) or (self._free >= self._reserve() and self._wake(self._rest)):
            return
        self._free += 1

    @staticmethod
    def _wake(waiting: deque[asyncio.Future]) -> bool:
        while waiting:
            place = waiting.popleft()
            if not place.done():
                place.set_result(None)
                return True
        return False

    def _look_later(self) -> None:
        """Places kept free for answers nobody came to take go to the rest once the reserve shrank: looked at each
        window length while the rest wait (otherwise only a place coming back would wake them)."""
        if not self._looking:
            self._looking = True
            asyncio.get_running_loop().call_later(self._length, self._look)

    def _look(self) -> None:
        self._looking = False
        while self._rest and not self._first and self._free > self._reserve():
            if self._wake(self._rest):
                self._free -= 1
        if self._rest:
            self._look_later()

    def _done(self) -> None:
        self._users -= 1
        if self._users == 0 and self._on_idle is not None:
            self._on_idle()


class Place:
    """A message's places in the pacer's windows, while its request is made."""

    used = True

    def unused(self) -> None:
        """Nothing was sent in the end: the places come back at once instead of a window length later."""
        self.used = False


RATE_SECONDS = 5  # the answers' rate that sets the reserve is at least their average over this many seconds


class Pacer:
    """Shared by everything that sends on the bot's behalf in this process."""

    def __init__(self, limits: Limits = Limits()):
        self.limits = limits
        self._answers: deque[float] = deque()  # when the answers of the last RATE_SECONDS took their place
        self._last_answer = float("-inf")
        self._overall = _Window(limits.overall, limits.second, reserve=self._reserve)
        self._chats: dict[int, _Window] = {}
        self._groups: dict[int, _Window] = {}
        self._paused_until = 0.0
        self.pauses = 0

    @asynccontextmanager
    async def slot(self, chat_id: int, *, first: bool = False) -> AsyncIterator[Place]:
        """Wait until a message to this chat may start; the block is the request. `first`: an answer someone waits
        for, which goes ahead of the messages the bot sends on its own (they would otherwise make it wait seconds
        behind a fan-out). A block that sends nothing says `place.unused()`, and its places come back at once."""
        windows: list[Callable[[], _Window]] = []
        if chat_id < 0:  # groups, supergroups and channels have negative ids
            # The group's minute first: a message waiting for it must not hold one of the bot's 30 places.
            windows.append(lambda: self._window(self._groups, chat_id, self.limits.per_group, self.limits.minute))
        # The chat's second after the bot's place: an outbox message queued for a place does not hold its chat,
        # so an answer to that chat does not wait behind it. Everyone takes the windows in this order: no deadlock.
        # Each window is looked up as it is taken: a chat's window left idle meanwhile is gone from the map, and one
        # kept from before would be a second window for the same chat.
        windows += [lambda: self._overall,
                    lambda: self._window(self._chats, chat_id, self.limits.per_chat, self.limits.second)]
        taken: list[_Window] = []
        place = Place()
        try:
            for look_up in windows:
                window = look_up()
                await window.take(first)
                taken.append(window)
            if first:
                self._last_answer = asyncio.get_running_loop().time()
                self._answers.append(self._last_answer)
            await self.unpaused()
            yield place
        finally:
            for window in taken:
                if place.used:
                    window.give_back_later()
                else:
                    window.give_back()

    def _reserve(self) -> int:
        """From the answers' rate: the last second's, or the last RATE_SECONDS' average if higher. With the last
        second alone, a moment's pause in the answers (the database busy) shrank the reserve, the outbox took the
        places, and the answers that came next in a burst found none (bench_soak.py: p95 waits of 280 ms)."""
        now = asyncio.get_running_loop().time()
        while self._answers and self._answers[0] < now - RATE_SECONDS * self.limits.second:
            self._answers.popleft()
        last_second = 0
        for at in reversed(self._answers):
            if at < now - self.limits.second:
                break
            last_second += 1
        rate = max(last_second, ceil(len(self._answers) / RATE_SECONDS))
        return self.limits.reserve(rate, writing=now - self._last_answer < self.limits.minute)

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
