"""Receiving in polling mode: one loop asks Telegram for updates, stores each answer in the inbox in one
transaction, and only then asks for the next ones (the offset that confirms them). On PostgreSQL exactly one
instance receives: the one holding a session-level advisory lock on a connection of its own; the others try again
every LOCK_RETRY_SECONDS, so when the receiver dies (its connection closes, the lock goes) another takes over."""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.context import AppContext
from bot.inbox import store
from bot.inbox.worker import Worker

log = logging.getLogger(__name__)

# The advisory lock's key: any number the database's other users do not take ("acuerdos" in ASCII, folded).
RECEIVER_LOCK = 0x616375657264
LOCK_RETRY_SECONDS = 5.0
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open when nothing comes
MAX_BACK_OFF = 30.0
READ_TIMEOUT = 5.0  # beyond the long poll's POLL_TIMEOUT, as PTB's own get_updates waits for the answer

# The receiver asks for getUpdates' JSON on purpose (`_get_updates`): PTB suggests its own method, which builds objects.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)


class Receiver:
    def __init__(self, application: Application, on_stored: Callable[[int], None], worker: Worker | None = None):
        self.application = application
        self.sessions = AppContext(application).services.sessions
        self.on_stored = on_stored
        # On SQLite (one instance) the worker's chats are claimed as they are stored: one turn less on the connection.
        self.worker = worker if self.engine.dialect.name == "sqlite" else None
        self.offset: int | None = None
        self.receiving = False  # this instance holds the right to poll (always, on SQLite)
        self._lock_connection: AsyncConnection | None = None
        self._task: asyncio.Task | None = None

    @property
    def engine(self) -> AsyncEngine:
        return self.sessions.kw["bind"]

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="inbox receiver")

    async def stop(self) -> None:
        """Stop asking at once: a getUpdates in flight is dropped, and Telegram gives its updates again."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._let_go()

    async def _run(self) -> None:
        failures = 0
        conflicts = 0
        while True:
            if not await self._may_receive():
                await asyncio.sleep(LOCK_RETRY_SECONDS)
                continue
            try:
                payloads, last = await self._get_updates()
            except Conflict as conflict:
                conflicts += 1
                if conflicts == 1:
                    log.warning("getUpdates: %s (another bot polls with this token); trying again, slower", conflict)
                await asyncio.sleep(min(MAX_BACK_OFF, 2.0 ** conflicts))
                continue
            except InvalidToken:
                log.error("getUpdates: Telegram refused the token; the bot stops receiving")
                raise
            except TelegramError as error:
                failures += 1
                log.warning("getUpdates failed (%s); trying again", error)
                await asyncio.sleep(min(MAX_BACK_OFF, 2.0 ** min(failures, 5)))
                continue
            if conflicts:
                log.info("getUpdates: no conflict any more")
            failures = conflicts = 0
            if last is None:
                continue
            try:
                if payloads:  # (none when every item was dropped: confirmed all the same, never to come back)
                    await self._store(payloads)
            except Exception:
                # Not confirmed: Telegram gives them again with the next getUpdates.
                log.exception("inbox: %d update(s) could not be stored; asking again", len(payloads))
                await asyncio.sleep(1)
                continue
            self.offset = last + 1

    async def _store(self, payloads: list[dict[str, Any]]) -> None:
        if self.worker is not None:
            await self.worker.store_and_claim(payloads)
        else:
            self.on_stored(await store.store(self.sessions, payloads))

    async def _get_updates(self) -> tuple[list[dict[str, Any]], int | None]:
        """The updates as Telegram sent them (JSON, stored as is), and the last update_id (None: nothing came).
        PTB's get_updates would build its objects here, to be turned back into JSON for the inbox and built again
        by the worker: about 0.8 ms of the event loop an update (bench_soak.py). An item without an update_id (a
        whole number that fits the inbox's column) is dropped with a warning: it could never be stored, and would
        stop the receiver at every try."""
        asking: dict[str, Any] = {"timeout": POLL_TIMEOUT, "allowed_updates": list(Update.ALL_TYPES)}
        if self.offset is not None:
            asking["offset"] = self.offset
        answer = await self.application.bot.do_api_request("getUpdates", api_kwargs=asking,
                                                           read_timeout=POLL_TIMEOUT + READ_TIMEOUT)
        payloads, last = [], None
        for item in answer if isinstance(answer, list) else []:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id < 2 ** 63:
                log.warning("getUpdates: an item without an update_id was dropped")
                continue
            payloads.append(item)
            last = update_id if last is None else max(last, update_id)
        return payloads, last

    async def _may_receive(self) -> bool:
        """On PostgreSQL, hold the receiver's advisory lock (and check the connection still lives); on SQLite the one
        instance receives."""
        if self.engine.dialect.name != "postgresql":
            if not self.receiving:
                self.receiving = await self._polling_mode()
            return self.receiving
        try:
            if self._lock_connection is None:
                connection = await self.engine.connect()
                # Autocommit: the lock is the session's, and no transaction stays open for hours.
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                self._lock_connection = connection
            if self.receiving:
                await self._lock_connection.execute(text("SELECT 1"))
                return True
            got = await self._lock_connection.scalar(text("SELECT pg_try_advisory_lock(:key)"),
                                                     {"key": RECEIVER_LOCK})
        except Exception as error:
            log.warning("inbox: the receiver's lock connection failed (%s); trying again", type(error).__name__)
            await self._let_go()
            return False
        if got:
            self.offset = None  # Telegram knows what was confirmed; what is stored already is dropped
            self.receiving = await self._polling_mode()
            if not self.receiving:
                await self._let_go()
        return self.receiving

    async def _polling_mode(self) -> bool:
        """getUpdates answers 409 while a webhook is set: remove it (updates waiting are kept)."""
        try:
            await self.application.bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as error:
            log.warning("deleteWebhook failed (%s); trying again", error)
            return False
        log.info("inbox: this instance receives the updates (polling)")
        return True

    async def _let_go(self) -> None:
        if self.receiving and self._lock_connection is not None:
            log.info("inbox: this instance stops receiving")
        self.receiving = False
        if self._lock_connection is not None:
            connection, self._lock_connection = self._lock_connection, None
            try:
                # Closed for real, not given back to the pool: the session ends and its advisory lock with it.
                await connection.invalidate()
                await connection.close()
            except Exception:
                log.debug("inbox: closing the lock connection failed", exc_info=True)
