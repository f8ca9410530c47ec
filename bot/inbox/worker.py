"""Handling from the inbox, on every instance: a chat's waiting rows are claimed together and handled one after
another with `application.process_update` (through the ChatOrderProcessor, for its metrics and log), at most
`concurrent_chats` chats side by side (and as many claimed ahead). Leases are in real time and renewed while rows
are in hand; a dead instance's rows are taken over once their lease runs out."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import deque
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import AsyncIterator
from uuid import uuid4

from telegram import Update
from telegram.ext import Application

from bot.context import AppContext
from bot.inbox import store

log = logging.getLogger(__name__)

INBOX = "inbox"  # the running Worker, in bot_data
LEASE = timedelta(seconds=20)
RENEW_SECONDS = 5.0
IDLE_SECONDS = 0.5  # how often an idle instance looks for rows another instance received
# Rows of one chat claimed together: one, so that a backlog is handled in the order it came, chats interleaved. A
# chat's run of rows handled back to back waits for Telegram's one message a second per chat at every answer, while
# it holds one of the places: with 20, bench_progress.py's backlog went 25–33% slower than through PTB's queue.
PER_CHAT = 1
PURGE_SECONDS = 3600.0
STOP_WAIT = 5.0  # once a stop is asked, the updates being handled get this long to finish
# How long the bot's own work (the outbox's round) waits, before each of its transactions on SQLite's one connection,
# for the people's updates received here to be handled: a round's transaction taken between an update's storing,
# claim and handling made it wait behind each (bench_soak.py, three minutes: answers' p95 443 → 140 ms).
PEOPLE_FIRST = 0.25
# While people write (an update handled in the last PEOPLE_WRITING seconds), the bot's own transactions on SQLite's
# one connection take at most this share of its time: after holding it for a while, the round waits three times as
# long (MAX_OWED at most) before its next one. Without it, a faster round took the time from the answers
# (bench_soak.py: the outbox sent 142–189 messages a minute while people wrote, and answers' p95 went above 400 ms).
BOT_SHARE = 0.25
PEOPLE_WRITING = 1.0
MAX_OWED = 1.0


class Worker:
    def __init__(self, application: Application):
        self.application = application
        self.sessions = AppContext(application).services.sessions
        self.chats = AppContext(application).services.settings.concurrent_chats
        self.name = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._in_hand: dict[int, asyncio.Task] = {}
        self._ready: deque[tuple[int, list[store.Row]]] = deque()  # chats claimed, waiting for a free place
        self._claimed: dict[int, list[int]] = {}  # chat → its claimed rows not handled yet
        self._stopping = False
        # Whether a claim may find rows: new ones were stored, or the last claim left some (a chat in hand, more
        # chats than places). Otherwise a chat's end or a wake costs no look at the database.
        self._more = True
        self._stored = 0  # wakes from the receiver so far: one that comes during a claim is not missed
        self._unhandled = 0  # updates stored here and not handled yet
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._last_handled = float("-inf")  # loop time of the last update handled here
        self._owed_until = 0.0  # loop time before which the bot's own work lets the people have the connection
        self._loop_task: asyncio.Task | None = None
        self.handled = 0

    def wake(self, stored: int = 0, claimed: store.Claimed | None = None) -> None:
        """`stored` new rows were stored here: look at once. `claimed`: those of them (or older ones) the receiver
        claimed for this worker in the same transaction (`store_and_claim`), ready to be handled."""
        self._stored += 1
        taken = 0
        for chat, rows in (claimed or {}).items():
            self._claimed[chat] = [row.update_id for row in rows]
            self._ready.append((chat, rows))
            taken += len(rows)
        if claimed is None or claimed.left or taken < stored:
            self._more = True
        self._unhandled += stored
        if self._unhandled:
            self._quiet.clear()
        self._wake.set()

    async def store_and_claim(self, payloads: list[dict]) -> None:
        """A getUpdates answer, stored and claimed for this worker in one transaction, as many chats as there are
        free places (the chats in hand or claimed are left: their rows wait their turn). On SQLite's one connection
        an update then takes two turns, not three (stored, claimed, handled: the soak measured 4 ms of the
        connection a claim)."""
        free = self.chats - len(self._in_hand) - len(self._ready)
        new, claimed = await store.store_and_claim(
            self.sessions, payloads, worker=self.name, chats=max(0, free), per_chat=PER_CHAT, lease=LEASE,
            skip_chats=set(self._in_hand) | set(self._claimed))
        self.wake(new, claimed)

    async def people_first(self, at_most: float = PEOPLE_FIRST) -> None:
        """Return once the bot's own work has waited its share (`bots_turn`) and the updates stored here are handled,
        or after `at_most` seconds: the bot's own work waits here before each transaction on SQLite's one
        connection, so that people's updates do not queue behind it."""
        if self._stopping:
            return  # the bot's last writes (the outbox recording what it sent) wait for nobody
        owed = self._owed_until - asyncio.get_running_loop().time()
        if owed > 0:
            await asyncio.sleep(min(owed, MAX_OWED))
        if not self._quiet.is_set():
            try:
                await asyncio.wait_for(self._quiet.wait(), at_most)
            except TimeoutError:
                pass

    @asynccontextmanager
    async def bots_turn(self, at_most: float = PEOPLE_FIRST) -> AsyncIterator[None]:
        """One transaction (or a few) of the bot's own work on SQLite's one connection: after `people_first`, and
        counted, so that while people write the next one waits until this one is BOT_SHARE of the time."""
        await self.people_first(at_most)
        loop = asyncio.get_running_loop()
        began = loop.time()
        try:
            yield
        finally:
            ended = loop.time()
            if self._unhandled or ended - self._last_handled < PEOPLE_WRITING:
                self._owed_until = ended + (ended - began) * (1 / BOT_SHARE - 1)

    def handled_one(self) -> None:
        """An update was handled (on PostgreSQL it may be one another instance stored: the count stays at zero)."""
        self._last_handled = asyncio.get_running_loop().time()
        self._unhandled = max(0, self._unhandled - 1)
        if not self._unhandled:
            self._quiet.set()

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="inbox")

    async def stop(self) -> None:
        """Claim nothing more, let the updates being handled finish (STOP_WAIT at most), give the rest back."""
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            await asyncio.gather(self._loop_task, return_exceptions=True)
        if self._in_hand:
            _, late = await asyncio.wait(list(self._in_hand.values()), timeout=STOP_WAIT)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        left = [u for rows in self._claimed.values() for u in rows]
        # Nothing more is handled here: the bot's own work, finishing, waits for nobody.
        self._unhandled = 0
        self._quiet.set()
        self._owed_until = 0.0
        if left:
            await store.release(self.sessions, left, worker=self.name)

    async def idle(self) -> None:
        """Wait until nothing is in hand and nothing waits in the inbox (the tests' and benchmarks' drain)."""
        while True:
            if not self._in_hand and not self._ready:
                async with self.sessions() as db:
                    if not await store.waiting_count(db):
                        return
            await asyncio.sleep(0.01)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        renewed = purged = loop.time()
        purged -= PURGE_SECONDS  # the first purge comes soon after a start
        while not self._stopping:
            self._wake.clear()
            claimed = False
            try:
                if self._more and len(self._in_hand) < self.chats and not self._ready:
                    # A place is free: claim as many chats as there are places, the others wait here, held, so
                    # that a backlog costs one claim per `chats` chats rather than one per chat.
                    stored = self._stored
                    taken = await store.claim(self.sessions, worker=self.name, chats=self.chats, per_chat=PER_CHAT,
                                              lease=LEASE, skip_chats=self._in_hand)
                    self._more = taken.left or self._stored != stored
                    for chat, rows in taken.items():
                        self._claimed[chat] = [row.update_id for row in rows]
                        self._ready.append((chat, rows))
                    claimed = bool(taken)
                while self._ready and len(self._in_hand) < self.chats:
                    chat, rows = self._ready.popleft()
                    self._in_hand[chat] = asyncio.create_task(self._handle_chat(chat, rows))
                if self._in_hand and loop.time() - renewed >= RENEW_SECONDS:
                    await store.renew(self.sessions, worker=self.name, lease=LEASE)
                    renewed = loop.time()
                if loop.time() - purged >= PURGE_SECONDS:
                    purged = loop.time()
                    deleted = await store.purge(self.sessions)
                    if deleted:
                        log.info("inbox: %d handled update(s) older than %s deleted", deleted, store.KEEP_HANDLED)
            except Exception:
                log.exception("inbox: claiming failed; trying again")
                claimed = False
            if claimed and self._more and len(self._in_hand) < self.chats and not self._ready:
                continue  # more chats may be waiting
            try:
                await asyncio.wait_for(self._wake.wait(), IDLE_SECONDS)
            except TimeoutError:
                self._more = True  # another instance may have stored rows, or a dead one's lease ran out

    async def _handle_chat(self, chat: int, rows: list[store.Row]) -> None:
        try:
            for row in rows:
                if self._stopping:
                    return
                await self._handle(row)
                self._claimed[chat].remove(row.update_id)
        except Exception:
            log.exception("inbox: chat %s failed; its rows go back", chat)
            self._more = True
            try:
                await store.release(self.sessions, self._claimed.pop(chat, []), worker=self.name)
            except Exception:
                log.exception("inbox: chat %s's rows could not be given back; their lease will run out", chat)
        finally:
            del self._in_hand[chat]
            if not self._claimed.get(chat):
                self._claimed.pop(chat, None)
            self._wake.set()

    async def _handle(self, row: store.Row) -> None:
        handling = store.Handling(row.update_id)
        token = store.CURRENT.set(handling)
        error = None
        try:
            update = Update.de_json(row.payload, self.application.bot)
            processor = self.application.update_processor
            await processor.process_update(update, self.application.process_update(update))
        except Exception as failure:  # the handlers' own errors went to the error handler; this is the rest
            log.exception("inbox: update %s could not be handled", row.update_id)
            error = f"{type(failure).__name__}: {failure}"
        finally:
            handling.done = True
            store.CURRENT.reset(token)
        try:
            if not handling.marked:
                await store.mark_handled(self.sessions, row.update_id, error=error)
        finally:
            self.handled_one()
        self.handled += 1


def start_worker(application: Application) -> Worker:
    worker = Worker(application)
    application.bot_data[INBOX] = worker
    worker.start()
    return worker


def worker_of(application: Application) -> Worker | None:
    return application.bot_data.get(INBOX)
