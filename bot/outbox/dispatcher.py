"""The dispatcher: claims the due rows of every kind (those that wait for working hours only while their committee
is at work), renders them as their kind says, sends each through the pacer, and records what Telegram answered.
One instance per round; on PostgreSQL several processes share the rows."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import AsyncIterator, Awaitable, Callable, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError, TimedOut

from bot.clock import Clock
from bot.messaging import retry_after, split_message
from bot.outbox import store
from bot.outbox.kinds import POLICIES, Policy
from bot.outbox.message import Outgoing
from bot.outbox.pacing import Pacer
from bot.reminders.cadence import ReminderSettings, is_open
from bot.reminders.locking import chunked
from models.entities import Committee, Reminder

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # a claimed row nobody attempted goes back to the pool after this
ATTEMPT_LEASE = timedelta(minutes=2)  # longer than any request; after it, an unconfirmed attempt is in doubt
RENDER_ROWS = 40  # claimed rows replanned and rendered in one transaction at most (a chat's digest is never split)
MAX_RATE_LIMITED = 5  # 429s in a row for one message before it waits like any other failure
# The database itself failing (a lost connection, SQLite busy) is not a row's fault.
UNREACHABLE = (OperationalError, InterfaceError)

Send = Callable[[Outgoing], Awaitable[int]]
Observe = Callable[[str, str], None]  # (kind, result): one message came to a result of RoundResult
# One of the bot's own transactions on SQLite, after the people's updates in hand (bot/inbox/worker.py: bots_turn).
Turn = Callable[[], AbstractAsyncContextManager[None]]
K = TypeVar("K")
R = TypeVar("R")


def telegram_send(bot: Bot, read_timeout: float | None = None) -> Send:
    """The one way the outbox reaches Telegram: one message (of at most 4,096 characters); returns its id."""
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
    in_doubt: int = 0
    set_aside: int = 0  # rows whose rendering failed: cancelled with the error, and the round went on


class Dispatcher:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], send: Send, clock: Clock, pacer: Pacer,
                 worker: str, *, capacity: int = 100, keep_going: Callable[[], bool] = lambda: True,
                 give_up_at: Callable[[], float | None] = lambda: None, policies: dict[str, Policy] = POLICIES,
                 observe: Observe = lambda kind, result: None, people_first: Turn | None = None):
        self.sessions = sessions
        self.policies = policies
        self._batch = max((policy.batch or 1 for policy in policies.values()), default=1)
        self.send = send
        self.clock = clock
        self.pacer = pacer
        self.worker = worker
        self.capacity = capacity
        self.keep_going = keep_going
        # Once stopping, the loop time after which requests still unanswered are dropped (None: wait for them all).
        self.give_up_at = give_up_at
        self.observe = observe
        self.result = RoundResult()
        self._attempting: set[int] = set()
        self._requested: set[int] = set()  # attempted rows whose request left: only their answer can say
        self._unsent: list[int] = []  # claimed, never attempted: given back when the run ends
        self._dropped: list[str] = []  # kinds of the rows the render's `prepare` moved later or cancelled
        self._companions: dict[int, tuple[int, ...]] = {}  # a digest's row → the other rows it stands for
        self._digests = {kind: policy.digest_after for kind, policy in policies.items() if policy.digest_after}
        # SQLite has one writer: our own writers take turns here instead of sleeping on each other's locks.
        self._one_writer = sessions.kw["bind"].dialect.name == "sqlite"
        self._turn = asyncio.Lock()
        self._people_first = people_first or nullcontext
        self._mark = _Together(self._mark_all)
        self._confirm = _Together(self._confirm_all)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        if self._one_writer:
            # SQLite's one connection: the people's updates in hand go first (an answer waits behind each write).
            async with self._turn:
                async with self._people_first():
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
                    deadline = self.give_up_at()
                    if pipeline and deadline is not None and asyncio.get_running_loop().time() >= deadline:
                        log.warning("stopping: %d message(s) sent but not answered yet are left in doubt",
                                    len({item.reminder_id for item in pipeline.values()} & self._requested))
                        break
                elif len(pipeline) <= self.capacity // 2:
                    now = self.clock.now()
                    lanes = store.Lanes.of(self.policies, [cid for cid, zone, settings in committees
                                                           if is_open(now, zone, settings)])
                    # One message per chat in the pipeline, and none for chats whose window is full.
                    skip = {item.chat_id for item in pipeline.values()} | self.pacer.busy_chats()
                    free = self.capacity - len(pipeline)
                    # Whole batches, for the kinds rendered together (the summaries' 50 committees).
                    limit = free - free % self._batch if free >= self._batch else free
                    async with self._writing():
                        claimed = await store.claim(self.sessions, now=now, worker=self.worker, lanes=lanes,
                                                    limit=limit, lease=LEASE, skip_chats=skip)
                        ids = claimed.ids
                        if ids:
                            ids += await self._gather(ids, now, lanes)
                    if ids:
                        # A hundred chats' digests are a thousand rows to replan and render: in parts, each its own
                        # transaction, so that the people's reports are not held up behind one long write.
                        for part in await self._parts(ids):
                            async with self._writing():
                                items = await self._render(part, now)
                            for item in items:
                                self._companions[item.reminder_id] = item.companions
                                pipeline[asyncio.create_task(self._deliver(item))] = item
                        continue
                    # Another instance took the rows this one chose: the rest may be free once it commits.
                    if not pipeline and not claimed.contended and not await store.any_due(
                            self.sessions, now=now, lanes=lanes, chats=skip):
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
                        self._unsent += item.rows
                    self._collect(task)
        finally:
            for task in pipeline:
                task.cancel()
            await asyncio.gather(*pipeline, return_exceptions=True)
            self._unsent += [row for item in pipeline.values() if item.reminder_id not in self._attempting
                             for row in item.rows]
            unrequested = [row for item in pipeline.values() if item.reminder_id in self._attempting - self._requested
                           for row in item.rows]
            async with self._writing():
                await store.undo_attempts(self.sessions, unrequested, worker=self.worker)
                await store.release(self.sessions, self._unsent, worker=self.worker)
        return self.result

    async def _parts(self, ids: list[int]) -> list[list[int]]:
        """The claimed rows in parts of about RENDER_ROWS, a chat's rows always in the same part (its digest)."""
        if len(ids) <= RENDER_ROWS:
            return [ids]
        async with self.sessions() as db:
            chats = dict((await db.execute(select(Reminder.id, Reminder.chat_id).where(Reminder.id.in_(ids)))).all())
        by_chat: dict[int | None, list[int]] = {}
        for row in ids:
            by_chat.setdefault(chats.get(row), []).append(row)
        parts: list[list[int]] = [[]]
        for rows in by_chat.values():
            if parts[-1] and len(parts[-1]) + len(rows) > RENDER_ROWS:
                parts.append([])
            parts[-1] += rows
        return parts

    async def _gather(self, ids: list[int], now: datetime, lanes: store.Lanes) -> list[int]:
        """Claim, with the rows just claimed, the rest of what their chats have due of a digest's kinds, for the
        chats with more than a message's worth (each kind's `digest_after`)."""
        more: list[int] = []
        for over in set(self._digests.values()):
            kinds = tuple(kind for kind, after in self._digests.items() if after == over)
            more += await store.gather(self.sessions, ids, now=now, worker=self.worker, lease=LEASE, lanes=lanes,
                                       kinds=kinds, more_than=over)
        return more

    async def _render(self, ids: list[int], now: datetime) -> list[Outgoing]:
        """The claimed rows as their kinds render them, in one transaction; if that fails, each row in its own, and
        a row that fails alone is set aside. A database that cannot be reached sets nothing aside: the rows keep
        their lease and go in a later round."""
        try:
            async with self.sessions.begin() as db:
                self._dropped = []
                items = await self._render_in(db, ids, now)
            self._skipped(self._dropped)
            return items
        except UNREACHABLE:
            raise
        except Exception:
            log.warning("rendering %d claimed rows together failed; rendering them one by one", len(ids),
                        exc_info=True)
        items = []
        async with self.sessions() as db:
            chats = dict((await db.execute(select(Reminder.id, Reminder.chat_id).where(Reminder.id.in_(ids)))).all())
        alone: dict[int, list[Outgoing]] = {}
        for reminder_id in ids:
            try:
                async with self.sessions.begin() as db:
                    self._dropped = []
                    alone[reminder_id] = await self._render_in(db, [reminder_id], now)
                self._skipped(self._dropped)
            except UNREACHABLE:
                raise
            except Exception as error:
                log.error("outbox row %s set aside: rendering it failed", reminder_id, exc_info=error)
                kind = await store.record_set_aside(self.sessions, reminder_id, error=error, now=now)
                self._count(kind or "unknown", "set_aside")
        # A digest's rows that render alone go together again: a bad row must not split a digest into messages.
        by_chat: dict[int, list[int]] = {}
        for reminder_id, rendered in alone.items():
            if rendered:
                by_chat.setdefault(chats.get(reminder_id), []).append(reminder_id)
        for group in by_chat.values():
            if len(group) > 1:
                try:
                    async with self.sessions.begin() as db:
                        self._dropped = []
                        items += await self._render_in(db, group, now)
                    self._skipped(self._dropped)
                    continue
                except UNREACHABLE:
                    raise
                except Exception:
                    log.warning("rendering %d rows of one chat together failed again", len(group), exc_info=True)
            items += [item for reminder_id in group for item in alone[reminder_id]]
        return items

    async def _render_in(self, db: AsyncSession, ids: list[int], now: datetime) -> list[Outgoing]:
        by_policy: dict[int, tuple[Policy, list[int]]] = {}
        for reminder_id, kind in (await db.execute(select(Reminder.id, Reminder.kind).where(Reminder.id.in_(ids))
                                                   .order_by(Reminder.due_at, Reminder.id))).all():
            policy = self.policies[kind]
            by_policy.setdefault(id(policy), (policy, []))[1].append(reminder_id)
        items = []
        for policy, policy_ids in by_policy.values():
            if policy.prepare is not None:
                await policy.prepare(db, policy_ids, now)
            for batch in chunked(policy_ids, policy.batch or len(policy_ids)):
                # Read after `prepare`: a row it moved later or cancelled is not sent now, and goes back to the pool
                # (it would otherwise hold a place in the pipeline and in the pacer for nothing).
                rows = (await db.scalars(select(Reminder).where(Reminder.id.in_(batch))
                                         .order_by(Reminder.due_at, Reminder.id)
                                         .execution_options(populate_existing=True))).all()
                due = [row for row in rows if row.sent_at is None and row.cancelled_at is None and row.due_at <= now]
                if len(due) < len(rows):
                    await store.release_in(db, [row.id for row in rows if row not in due], worker=self.worker)
                    self._dropped += [row.kind for row in rows if row not in due]
                items += await policy.render(db, due, now)
        return items

    async def _deliver(self, item: Outgoing) -> None:
        if item.text is None:
            async with self._writing():
                for row in item.rows:
                    await store.record_nothing_to_say(self.sessions, row, reason=item.silence, now=self.clock.now())
            return
        pieces = split_message(item.text)  # a reminder is always one; a summary may be several
        attempt, message_id = 0, 0
        for index, piece in enumerate(pieces):
            part = replace(item, text=piece, keyboard=item.keyboard if index == len(pieces) - 1 else None)
            for _ in range(MAX_RATE_LIMITED):
                async with self.pacer.slot(item.chat_id) as place:
                    if index == 0:
                        if not self.keep_going():
                            place.unused()
                            self._unsent += item.rows
                            return
                        # From here on the row is not given back on stop: the attempt may already be recorded.
                        self._attempting.add(item.reminder_id)
                        attempt = await self._mark(item.reminder_id)
                        if attempt is None:
                            place.unused()
                            self._count(item.kind, "skipped")
                            return
                    # A 429 may have come in while the attempt was being recorded.
                    await self.pacer.unpaused()
                    if index == 0 and not self.keep_going():
                        # The bot is stopping and this request has not left: it goes back as if never attempted.
                        place.unused()
                        async with self._writing():
                            await store.undo_attempts(self.sessions, list(item.rows), worker=self.worker)
                        self._attempting.discard(item.reminder_id)
                        return
                    if index == 0:
                        self._requested.add(item.reminder_id)
                    failure: TelegramError | None = None
                    try:
                        message_id = await self.send(part)
                    except RetryAfter as limited:
                        self.pacer.pause(retry_after(limited).total_seconds())
                        failure = limited
                    except TelegramError as error:
                        failure = error
                if failure is None:
                    break
                async with self._writing():
                    if not isinstance(failure, RetryAfter):
                        await self._failed(item, attempt, failure)
                        return
                    self._count(item.kind, "rate_limited")
                    if index == 0:
                        await store.record_not_sent(self.sessions, item.reminder_id, error=str(failure),
                                                    not_before=None, count_attempt=False)
                        await store.follow_lead(self.sessions, item.reminder_id, item.companions)
                if index == 0:
                    self._attempting.discard(item.reminder_id)
                    self._requested.discard(item.reminder_id)
                # A later piece goes again by itself: the ones before it arrived.
            else:
                async with self._writing():
                    if index == 0:
                        await store.record_not_sent(self.sessions, item.reminder_id,
                                                    error="rate limited again and again",
                                                    not_before=self.clock.now() + self._policy(item).retry_delays[0])
                        await store.follow_lead(self.sessions, item.reminder_id, item.companions)
                    else:
                        await self._failed(item, attempt, failure)
                return
        await self._confirm((item.reminder_id, message_id))
        self._count(item.kind, "sent")

    async def _mark_all(self, ids: list[int]) -> dict[int, int]:
        async with self._writing():
            return await store.mark_attempts(self.sessions, ids, worker=self.worker, now=self.clock.now(),
                                              lease=ATTEMPT_LEASE, companions=self._companions)

    async def _confirm_all(self, sent: list[tuple[int, int]]) -> dict:
        async with self._writing():
            await store.record_sent(self.sessions, sent, now=self.clock.now(), companions=self._companions)
        return {}

    def _skipped(self, kinds: list[str]) -> None:
        for kind in kinds:
            self._count(kind, "skipped")

    def _count(self, kind: str, result: str) -> None:
        setattr(self.result, result, getattr(self.result, result) + 1)
        self.observe(kind, result)

    def _policy(self, item: Outgoing) -> Policy:
        return self.policies[item.kind]

    async def _failed(self, item: Outgoing, attempt: int, error: TelegramError) -> None:
        await self._failed_row(item, attempt, error)
        await store.follow_lead(self.sessions, item.reminder_id, item.companions)

    async def _failed_row(self, item: Outgoing, attempt: int, error: TelegramError) -> None:
        now, policy = self.clock.now(), self._policy(item)
        if isinstance(error, ChatMigrated):
            await store.record_chat_moved(self.sessions, item.reminder_id, new_chat_id=error.new_chat_id)
        elif isinstance(error, Forbidden) or (isinstance(error, BadRequest)
                                              and "chat not found" in error.message.lower()):
            self._count(item.kind, "gone")
            log.info("chat %s is gone (%s): its contact is now inactive", item.chat_id, error.message)
            await store.record_chat_gone(self.sessions, item.reminder_id, error=error.message, now=now)
        elif isinstance(error, BadRequest):
            # Telegram refused the message itself: sending it again would fail the same way.
            self._count(item.kind, "given_up")
            log.error("%s %s refused by Telegram: %s", item.kind, item.reminder_id, error.message)
            await store.record_given_up(self.sessions, item.reminder_id, error=error.message, now=now)
        elif isinstance(error, TimedOut) and not policy.retry_timeouts:
            self._count(item.kind, "in_doubt")
            log.warning("%s %s timed out; it may have arrived, so it is not sent again", item.kind, item.reminder_id)
            await store.record_timed_out(self.sessions, item.reminder_id)
        elif attempt >= policy.max_attempts:
            self._count(item.kind, "given_up")
            log.warning("%s %s not delivered after %d attempts: %s", item.kind, item.reminder_id, attempt,
                        error.message)
            await store.record_given_up(self.sessions, item.reminder_id, error=error.message, now=now)
        else:
            self._count(item.kind, "retried")
            await store.record_not_sent(self.sessions, item.reminder_id,
                                        error=f"{type(error).__name__}: {error.message}",
                                        not_before=now + policy.retry_delays[attempt - 1])

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
        committees = []
        for cid, zone, settings in rows:
            try:
                committees.append((cid, ZoneInfo(zone), ReminderSettings.of(settings)))
            except Exception:  # its rows that wait for working hours wait; every other committee's go
                log.exception("committee %s has no usable time zone (%r): nothing of it waiting for working hours "
                              "is sent", cid, zone)
        return committees


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
