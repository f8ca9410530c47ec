"""A running bot on the fake Bot API, as tests/conftest.py's `telegram` fixture builds it, for tests that stop the
bot and start another on the same database (a restart)."""

from __future__ import annotations

import tempfile
from contextlib import asynccontextmanager
from typing import AsyncIterator

from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.inbox.receiver import Receiver
from bot.inbox.worker import start_worker
from bot.outbox.jobs import RUNTIME
from bot.outbox.pacing import Limits, Pacer
from tests.support.dialogue import Person, Telegram
from tests.support.fakebot import TOKEN, FakeBotAPI
from tests.support.reminders import REMINDER_SCALE


@asynccontextmanager
async def running_bot(api: FakeBotAPI, sessions, clock) -> AsyncIterator[Telegram]:
    """A new Application polling `api` until the block ends; it keeps nothing of any bot before it but the database."""
    api.reopen_polls()
    settings = Settings(token=TOKEN, api_base_url=api.base_url, database_url="unused-here",
                        evidence_dir=tempfile.mkdtemp(prefix="acuerdos-evidence-"))
    application = build_application(settings, sessions, clock, inbox=True)
    async with application:
        await application.post_init(application)
        application.bot_data[RUNTIME].pacer = Pacer(Limits().scaled(REMINDER_SCALE))
        await application.start()
        try:
            async with receiving(application):
                yield Telegram(api, application)
                await api.release_polls()
        finally:
            await application.stop()


@asynccontextmanager
async def receiving(application: Application) -> AsyncIterator[None]:
    """Updates through the inbox, as `acuerdos-bot run` takes them (bot/inbox/runner.py): the receiver polls the
    fake Bot API and stores, the worker handles from the database."""
    worker = start_worker(application)
    receiver = Receiver(application, worker.wake, worker)
    receiver.start()
    try:
        yield
    finally:
        await receiver.stop()
        await worker.stop()


def same_person(person: Person, telegram: Telegram) -> Person:
    """The same person (same Telegram id and name), talking to another running bot."""
    return Person(telegram, person.id, person.first_name)
