"""The dispatcher: claims the due rows of committees that are at work, sends each through the pacer, and records
what Telegram answered. One instance per process; on PostgreSQL several processes share the rows."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import AsyncIterator, Awaitable, Callable, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.clock import Clock
from bot.messaging import retry_after
from bot.reminders import outbox
from bot.reminders.cadence import ReminderSettings, is_open
from bot.reminders.pacing import Pacer
from bot.reminders.planner import replan_reminders
from bot.reminders.render import Outgoing, render
from models.entities import Committee

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # a claimed row nobody attempted goes back to the pool after this
ATTEMPT_LEASE = timedelta(minutes=2)  # longer than any request; after it, an unconfirmed attempt is in doubt
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
MAX_RATE_LIMITED = 5  # 429s in a row for one message before it waits like any other failure

Send = Callable[[Outgoing], Awaitable[int]]
K = TypeVar("K")
R = TypeVar("R")


def telegram_send(bot: Bot, read_timeout: float | None = None) -> Send:
    """Send one outbox message with the bot; returns Telegram's message id."""
    timeouts = {"read_timeout": read_timeout} if read_timeout is not None else {}

    async def send(item: Outgoing) -> int:
        message = await bot.send_message(item.chat_id, item.text, parse_mode=ParseMode.HTML,
                                         reply_markup=item.keyboard, **timeouts)
        return message.message_id

    return send


@dataclass
class RoundResult:
    """What one round of sending did, message by message."""

    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    gone: int = 0
    given_up: int = 0
    skipped: int = 0


class Dispatcher:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], send: Send, clock: Clock, pacer: Pacer,
                 worker: str, *, capacity: int = 60, keep_going: Callable[[], bool] = lambda: True):
        self.sessions = sessions
        self.send = send
        self.clock = clock
        self.pacer = pacer
        self.worker = worker
        self.capacity = capacity
        self.keep_going = keep_going
        self.result = RoundResult()
        self._attempting: set[int] = set()
        self._unsent: list[int] = []  # claimed, never attempted: given back when the run ends
        # SQLite has one writer: our own writers take turns here instead of sleeping on each other's locks.
        self._one_writer = sessions.kw["bind"].dialect.name == "sqlite"
        self._turn = asyncio.Lock()
        self._mark = _Together(self._mark_all)
        self._confirm = _Together(self._confirm_all)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        if self._one_writer:
            async with self._turn:
                yield
        else:
            yield

    async def run(self) -> RoundResult:
        """Send everything that is due now, then return; rows waiting for a retry stay for a later round."""
        committees = await self._committees()
        pipeline: dict[asyncio.Task, Outgoing] = {}
        tick = self.pacer.limits.second / 4
        try:
            while True:
                stopping = not self.keep_going()
                if stopping:
                    for task, item in pipeline.items():
                        if item.reminder_id not in self._attempting:
                            task.cancel()
                elif len(pipeline) <= self.capacity // 2:
                    now = self.clock.now()
                    working = [cid for cid, zone, settings in committees if is_open(now, zone, settings)]
                    # One message per chat in the pipeline, and none for chats whose window is full.
                    skip = {item.chat_id for item in pipeline.values()} | self.pacer.busy_chats()
                    async with self._writing():
                        claimed = await outbox.claim(self.sessions, now=now, worker=self.worker, committees=working,
                                                     limit=self.capacity - len(pipeline), lease=LEASE,
                                                     skip_chats=skip)
                        ids = claimed.ids
                        if ids:
                            async with self.sessions.begin() as db:
                                await replan_reminders(db, ids, now)
                                items = await render(db, ids, now)
                    if ids:
                        for item in items:
                            pipeline[asyncio.create_task(self._deliver(item))] = item
                        continue
                    # Another instance took the rows this one chose: the rest may be free once it commits.
                    if not pipeline and not claimed.contended and not await outbox.any_due(
                            self.sessions, now=now, committees=working, chats=skip):
                        break
                if not pipeline:
                    if stopping:
                        break
                    await asyncio.sleep(tick)
                    continue
                done, _ = await asyncio.wait(pipeline, timeout=tick, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    item = pipeline.pop(task)
                    if task.cancelled() and item.reminder_id not in self._attempting:
                        self._unsent.append(item.reminder_id)
                    self._collect(task)
        finally:
            for task in pipeline:
                task.cancel()
            await asyncio.gather(*pipeline, return_exceptions=True)
            self._unsent += [item.reminder_id for item in pipeline.values() if item.reminder_id not in self._attempting]
            async with self._writing():
                await outbox.release(self.sessions, self._unsent, worker=self.worker)
        return self.result

    async def _deliver(self, item: Outgoing) -> None:
        if item.text is None:
            async with self._writing():
                await outbox.record_nothing_to_say(self.sessions, item.reminder_id, now=self.clock.now())
            return
        for _ in range(MAX_RATE_LIMITED):
            async with self.pacer.slot(item.chat_id):
                if not self.keep_going():
                    self._unsent.append(item.reminder_id)
                    return
                # From here on the row is not given back on stop: the attempt may already be recorded.
                self._attempting.add(item.reminder_id)
                attempt = await self._mark(item.reminder_id)
                if attempt is None:
                    self.result.skipped += 1
                    return
                # A 429 may have come in while the attempt was being recorded.
                await self.pacer.unpaused()
                failure: TelegramError | None = None
                try:
                    message_id = await self.send(item)
                except RetryAfter as limited:
                    self.pacer.pause(retry_after(limited).total_seconds())
                    failure = limited
                except TelegramError as error:
                    failure = error
            if failure is None:
                await self._confirm((item.reminder_id, message_id))
                self.result.sent += 1
                return
            async with self._writing():
                if not isinstance(failure, RetryAfter):
                    await self._failed(item, attempt, failure)
                    return
                self.result.rate_limited += 1
                await outbox.record_not_sent(self.sessions, item.reminder_id, error=str(failure), not_before=None,
                                             count_attempt=False)
            self._attempting.discard(item.reminder_id)
        async with self._writing():
            await outbox.record_not_sent(self.sessions, item.reminder_id, error="rate limited again and again",
                                         not_before=self.clock.now() + RETRY_DELAYS[0])

    async def _mark_all(self, ids: list[int]) -> dict[int, int]:
        async with self._writing():
            return await outbox.mark_attempts(self.sessions, ids, worker=self.worker, now=self.clock.now(),
                                              lease=ATTEMPT_LEASE)

    async def _confirm_all(self, sent: list[tuple[int, int]]) -> dict:
        async with self._writing():
            await outbox.record_sent(self.sessions, sent, now=self.clock.now())
        return {}

    async def _failed(self, item: Outgoing, attempt: int, error: TelegramError) -> None:
        now = self.clock.now()
        if isinstance(error, ChatMigrated):
            await outbox.record_chat_moved(self.sessions, item.reminder_id, new_chat_id=error.new_chat_id)
        elif isinstance(error, Forbidden) or (isinstance(error, BadRequest)
                                              and "chat not found" in error.message.lower()):
            self.result.gone += 1
            log.info("chat %s is gone (%s): its contact is now inactive", item.chat_id, error.message)
            await outbox.record_chat_gone(self.sessions, item.reminder_id, error=error.message, now=now)
        elif isinstance(error, BadRequest):
            # Telegram refused the message itself: sending it again would fail the same way.
            self.result.given_up += 1
            log.error("reminder %s refused by Telegram: %s", item.reminder_id, error.message)
            await outbox.record_given_up(self.sessions, item.reminder_id, error=error.message, now=now)
        elif attempt >= MAX_ATTEMPTS:
            self.result.given_up += 1
            log.warning("reminder %s not delivered after %d attempts: %s", item.reminder_id, attempt, error.message)
            await outbox.record_given_up(self.sessions, item.reminder_id, error=error.message, now=now)
        else:
            self.result.retried += 1
            await outbox.record_not_sent(self.sessions, item.reminder_id,
                                         error=f"{type(error).__name__}: {error.message}",
                                         not_before=now + RETRY_DELAYS[attempt - 1])

    def _collect(self, task: asyncio.Task) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, Exception):
            # The row keeps its lease and goes again after it: nothing is lost, and a bug must not stop the round.
            log.error("sending a reminder failed", exc_info=error)
        elif error is not None:
            raise error

    async def _committees(self) -> list[tuple[int, ZoneInfo, ReminderSettings]]:
        async with self.sessions() as db:
            rows = (await db.execute(select(Committee.id, Committee.timezone, Committee.settings))).all()
        return [(cid, ZoneInfo(zone), ReminderSettings.of(settings)) for cid, zone, settings in rows]


class _Together(Generic[K, R]):
    """Calls made at the same moment share one transaction (a group commit): 30 messages a second would otherwise
    be 60 commits a second, and SQLite has one writer."""

    def __init__(self, run: Callable[[list[K]], Awaitable[dict[K, R]]]):
        self._run = run
        self._waiting: list[tuple[K, asyncio.Future]] = []
        self._flushing: asyncio.Task | None = None

    async def __call__(self, key: K) -> R | None:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((key, future))
        if self._flushing is None:
            self._flushing = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._waiting:
                await asyncio.sleep(0)  # whoever is ready in this turn of the loop joins
                batch, self._waiting = self._waiting, []
                try:
                    results = await self._run([key for key, _ in batch])
                except BaseException as error:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    if isinstance(error, Exception):
                        continue
                    raise
                for key, future in batch:
                    if not future.done():
                        future.set_result(results.get(key))
        finally:
            self._flushing = None
