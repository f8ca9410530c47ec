"""Fixtures of the whole suite: a real database (SQLite file or PostgreSQL), an injected clock,
and the real PTB Application talking HTTP to the fake Bot API, driven by people who send and press."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import committees
from bot.app import build_application
from bot.config import LIBRARY_LEVELS, LOG_HANDLER, Settings
from bot.context import TELEGRAM_IN_TRANSACTION
from bot.context import log as context_log
from bot.outbox.jobs import RUNTIME
from bot.outbox.pacing import Limits, Pacer
from models.db import create_engine, session_factory, upgrade
from models.entities import Committee, CommitteeKind
from tests.support.bots import receiving
from tests.support.clock import FakeClock, lima
from tests.support.database import POSTGRES_URL, reset
from tests.support.dialogue import Telegram
from tests.support.fakebot import TOKEN, FakeBotAPI
from tests.support.reminders import REMINDER_SCALE, Rounds
from tests.support.scenarios import FOUR_WEEKS, MONDAYS, play, register_seed_acta

# Property tests draw the same cases on every run: a CI run that lands passes again on the next clone.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.load_profile("repeatable")


@pytest.fixture(autouse=True)
def logging_restored():
    """`configure_logging` (the command line calls it) changes the whole process's logging: undo it after each test."""
    root = logging.getLogger()
    level, libraries = root.level, {name: logging.getLogger(name).level for name in LIBRARY_LEVELS}
    yield
    for handler in [h for h in root.handlers if h.get_name() == LOG_HANDLER]:
        root.removeHandler(handler)
    root.setLevel(level)
    for name, library_level in libraries.items():
        logging.getLogger(name).setLevel(library_level)


@pytest.fixture(autouse=True)
def no_telegram_in_transactions():
    """Every test fails if a handler called Telegram while holding its database transaction (bot/context.py)."""
    caught: list[logging.LogRecord] = []
    watcher = logging.Handler(logging.ERROR)
    watcher.emit = caught.append
    watcher.addFilter(lambda record: record.msg == TELEGRAM_IN_TRANSACTION)
    logger = context_log
    logger.addHandler(watcher)
    yield
    logger.removeHandler(watcher)
    assert not caught, [record.getMessage() for record in caught]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh, empty database for each test: a new SQLite file, or PostgreSQL's public schema emptied."""
    return POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path / 'acuerdos.db'}"


@pytest.fixture
def operator_env(monkeypatch, database_url, tmp_path):
    """The operator's shell: DATABASE_URL on an empty database, in an empty directory."""
    import asyncio

    asyncio.run(reset(database_url))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "AcuerdosTestBot")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


@pytest.fixture
async def engine(database_url: str) -> AsyncEngine:
    await reset(database_url)
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine):
    return session_factory(engine)


@pytest.fixture
async def committee(sessions, clock) -> Committee:
    """CORESEC Moquegua, made by the operator."""
    async with sessions.begin() as db:
        return await committees.add_committee(db, name="CORESEC Moquegua", kind=CommitteeKind.CORESEC, parent=None,
                                              timezone="America/Lima", now=clock.now())


@pytest.fixture
async def api() -> FakeBotAPI:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def telegram(api: FakeBotAPI, sessions, clock, tmp_path: Path) -> Telegram:
    """The real Application, polling the fake Bot API; evidence is kept in the test's own folder."""
    settings = Settings(token=TOKEN, api_base_url=api.base_url, database_url="unused-here",
                        evidence_dir=str(tmp_path / "evidence"))
    application = build_application(settings, sessions, clock, inbox=True)
    async with application:
        # serve() calls post_init between initialize() and start(); do the same.
        await application.post_init(application)
        # Telegram's windows last 1/100 of real time where a test is not about pacing.
        application.bot_data[RUNTIME].pacer = Pacer(Limits().scaled(REMINDER_SCALE))
        await application.start()
        # Rounds of the outbox run when a test asks (tests/support/reminders.py): one fired by the clock of a slow
        # machine would send beside a test's own dispatcher, at another pace.
        application.job_queue.scheduler.pause()
        async with receiving(application):
            yield Telegram(api, application)
            await api.release_polls()
        await application.stop()


@pytest.fixture
async def four_weeks(sessions, clock, committee) -> Committee:
    """CORESEC Moquegua with the seed acta after four weeks of follow-up, on Monday 30 March 2026, 08:00 in Lima."""
    await register_seed_acta(sessions, clock, committee)
    for week in FOUR_WEEKS:
        await play(sessions, clock, committee, week)
    clock.set(lima(MONDAYS[-1]))
    return committee


@pytest.fixture
def rounds(telegram: Telegram, clock: FakeClock) -> Rounds:
    return Rounds(telegram, clock)
