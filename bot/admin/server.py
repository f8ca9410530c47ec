"""The admin HTTP server: /healthz, /readyz and /metrics for the operator's tools, on the bot's own event loop, only
when ACUERDOS_ADMIN_PORT is set, on 127.0.0.1 unless ACUERDOS_ADMIN_HOST says otherwise.

It is tornado's, the server python-telegram-bot itself runs for the webhook: it comes with PTB's webhooks extra,
serves on the running loop beside polling or the webhook, and installs no signal handler of its own.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from telegram.error import TelegramError
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.web import Application as Routes
from tornado.web import RequestHandler

from bot.admin.metrics import metrics_of
from bot.config import Settings
from bot.context import AppContext
from bot.outbox import store
from bot.outbox.jobs import ROUND_SECONDS, RUNTIME

log = logging.getLogger(__name__)

ADMIN = "admin"  # the running AdminServer, in bot_data
DATABASE_TIMEOUT = 2.0  # seconds for the database to answer a probe or a scrape
TELEGRAM_TIMEOUT = 5.0
RECENT_ROUNDS = 3  # the outbox's round is alive if it finished (or recorded a message) within this many rounds
TELEGRAM_TRUSTED = 60.0  # seconds a getMe answer stands for Telegram; a failed one is asked again sooner
TELEGRAM_RETRIED = 10.0
GAUGES_TRUSTED = 10.0  # seconds the outbox's gauges are served from memory: a scrape storm reads the database once
# A bare SELECT 1 would answer from a SQLite file deleted under the bot (it is created again, empty).
PROBE = text("SELECT 1 FROM alembic_version")


def webhook_port_problem(settings: Settings, webhook_port: int | None) -> str | None:
    """The admin server never listens on the public webhook's port."""
    if settings.admin_port is not None and settings.admin_port == webhook_port:
        return (f"ACUERDOS_ADMIN_PORT {settings.admin_port} is the webhook's port (--port): the admin server must not "
                f"be public; give it another port (example: 8081).")
    return None


class AdminServer:
    def __init__(self, application: Application, host: str, port: int):
        self.application = application
        self.host, self.port = host, port
        self._http: HTTPServer | None = None
        self._started_at: datetime | None = None
        self._telegram_lock = asyncio.Lock()
        self._telegram_asked_at: float | None = None
        self._telegram_problem: str | None = None
        self._gauges_lock = asyncio.Lock()
        self._gauges_read_at: float | None = None

    @property
    def _context(self) -> AppContext:
        return AppContext(self.application)

    async def start(self) -> None:
        routes = Routes([("/healthz", _Health), ("/readyz", _Ready, {"admin": self}),
                         ("/metrics", _Metrics, {"admin": self})],
                        log_function=lambda handler: None)  # a probe every few seconds is not news
        self._http = HTTPServer(routes)
        self._http.listen(self.port, address=self.host)
        self._started_at = self._context.now()
        # The application answered getMe when it was initialised, just before.
        self._telegram_asked_at = asyncio.get_running_loop().time()
        log.info("admin server listening on %s:%d (/healthz, /readyz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        if self._http is not None:
            self._http.stop()
            await self._http.close_all_connections()
            self._http = None

    async def problems(self) -> dict[str, str]:
        """What keeps the bot from being ready, by check (database, outbox, telegram); empty when it is."""
        found = {}
        for name, check in (("database", self._database), ("outbox", self._outbox), ("telegram", self._telegram)):
            problem = await check()
            if problem:
                found[name] = problem
        return found

    async def _database(self) -> str | None:
        try:
            async with self._context.services.sessions() as db:
                await asyncio.wait_for(db.execute(PROBE), DATABASE_TIMEOUT)
        except TimeoutError:
            return f"no answer within {DATABASE_TIMEOUT:g} s"
        except Exception as error:
            return f"{type(error).__name__}"
        return None

    async def _outbox(self) -> str | None:
        runtime = self.application.bot_data.get(RUNTIME)
        if runtime is None:
            return "not started"
        now = self._context.now()
        latest = max(moment for moment in (self._started_at, runtime.last_round_at, runtime.last_result_at)
                     if moment is not None)
        age = (now - latest).total_seconds()
        if age > RECENT_ROUNDS * ROUND_SECONDS:
            return f"no round finished for {age:.0f} s"
        return None

    async def _telegram(self) -> str | None:
        async with self._telegram_lock:
            loop = asyncio.get_running_loop()
            trusted = TELEGRAM_RETRIED if self._telegram_problem else TELEGRAM_TRUSTED
            if self._telegram_asked_at is None or loop.time() - self._telegram_asked_at >= trusted:
                try:
                    await asyncio.wait_for(self.application.bot.get_me(), TELEGRAM_TIMEOUT)
                    self._telegram_problem = None
                except TimeoutError:
                    self._telegram_problem = f"getMe: no answer within {TELEGRAM_TIMEOUT:g} s"
                except TelegramError as error:
                    self._telegram_problem = f"getMe: {type(error).__name__}"
                self._telegram_asked_at = loop.time()
            return self._telegram_problem

    async def metrics(self) -> bytes:
        async with self._gauges_lock:
            loop = asyncio.get_running_loop()
            if self._gauges_read_at is None or loop.time() - self._gauges_read_at >= GAUGES_TRUSTED:
                await self._read_gauges()
                self._gauges_read_at = loop.time()
        return generate_latest(metrics_of(self.application).registry)

    async def _read_gauges(self) -> None:
        metrics, now = metrics_of(self.application), self._context.now()
        try:
            async with self._context.services.sessions() as db:
                seen = await asyncio.wait_for(store.watch(db, now), DATABASE_TIMEOUT)
        except Exception as error:
            log.warning("/metrics: the outbox's gauges were not read (%s); they keep their values",
                        type(error).__name__)
            metrics.database_up.set(0)
            return
        metrics.database_up.set(1)
        metrics.oldest_due.set(max(0.0, (now - seen.oldest_due).total_seconds()) if seen.oldest_due else 0)
        metrics.rows.labels("set_aside").set(seen.set_aside)
        metrics.rows.labels("in_doubt").set(seen.in_doubt)


class _Health(RequestHandler):
    def get(self) -> None:
        self.write({"status": "alive"})


class _Ready(RequestHandler):
    def initialize(self, admin: AdminServer) -> None:
        self.admin = admin

    async def get(self) -> None:
        problems = await self.admin.problems()
        self.set_status(503 if problems else 200)
        self.write({"status": "not ready", "failed": problems} if problems else {"status": "ready"})


class _Metrics(RequestHandler):
    def initialize(self, admin: AdminServer) -> None:
        self.admin = admin

    async def get(self) -> None:
        body = await self.admin.metrics()
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.write(body)


async def start_admin(application: Application) -> None:
    """Serve the admin endpoints when ACUERDOS_ADMIN_PORT is set; a port that cannot be taken stops the start."""
    settings = AppContext(application).services.settings
    if settings.admin_port is None:
        return
    server = AdminServer(application, settings.admin_host, settings.admin_port)
    await server.start()
    application.bot_data[ADMIN] = server


async def stop_admin(application: Application) -> None:
    server = application.bot_data.pop(ADMIN, None)
    if server is not None:
        await server.stop()
