"""A stop in the middle of a fan-out of reminders: the real `acuerdos-bot run`, SIGTERM as `docker stop` sends it,
against the fake Bot API answering slowly. The process exits in time, every request Telegram got has its answer
recorded, and after a restart every chat has its reminder exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot import committees
from bot.outbox import store
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.pacing import Limits, Pacer
from bot.reminders.planner import plan_due
from models.entities import CommitteeKind, MessageKind, Reminder
from tests.support.clock import lima
from tests.support.fakebot import TOKEN, FakeBotAPI
from tests.support.reminders import REMINDER_SCALE, many_reminders

ROOT = Path(__file__).resolve().parent.parent
CHATS = list(range(5001, 5201))
# Monday 30 March 2026, 10:00 in Lima: a working hour, whatever the day the tests run.
MONDAY = lima("2026-03-30 10:00")
ANSWER_DELAY = 0.2  # Telegram far away: several requests are in flight at any moment of the fan-out


async def start_bot(api: FakeBotAPI, database_url: str, directory: Path, at, **env: str):
    environment = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
                   "DATABASE_URL": database_url, "LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT), **env}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.clocked_cli", at.isoformat(), "run", cwd=directory, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def stop_bot(process) -> tuple[float, str]:
    """SIGTERM, as `docker stop` sends it: the seconds until the process ended, and what it wrote."""
    asked = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        output = (await asyncio.wait_for(process.communicate(), 30))[0].decode()
    except asyncio.TimeoutError:
        process.kill()
        raise
    return time.monotonic() - asked, output


async def until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def reminders_received(api: FakeBotAPI) -> list:
    return [call for call in api.sent(method="sendMessage") if call.chat_id in CHATS]


async def outbox(sessions) -> list[Reminder]:
    async with sessions() as db:
        return list(await db.scalars(select(Reminder).where(Reminder.kind == MessageKind.ON_DEADLINE)))


async def test_a_stop_during_a_fan_out_loses_nothing_and_sends_nothing_twice(api, sessions, clock, database_url,
                                                                             tmp_path):
    clock.set(MONDAY)
    async with sessions.begin() as db:
        committee = await committees.add_committee(db, name="CORESEC Moquegua", kind=CommitteeKind.CORESEC,
                                                   parent=None, timezone="America/Lima", now=clock.now())
    await many_reminders(sessions, clock, committee.id, CHATS)
    api.slow("sendMessage", ANSWER_DELAY, times=10_000)

    bot = await start_bot(api, database_url, tmp_path, MONDAY)
    await until(lambda: len(reminders_received(api)) >= 30)
    in_flight = [call for call in reminders_received(api) if call.answered_at is None]
    seconds, output = await stop_bot(bot)

    assert bot.returncode == 0, output
    assert seconds < 10, output
    assert "SIGTERM received: stopping" in output
    received = reminders_received(api)
    # The fan-out was cut in the middle, with requests in flight; every request Telegram got was answered, and
    # its answer recorded, before the bot left.
    assert in_flight and 30 <= len(received) < len(CHATS)
    assert all(call.message_id is not None for call in received)
    rows = {row.chat_id: row for row in await outbox(sessions)}
    assert len(rows) == len(CHATS)
    assert {row.chat_id: row.message_id for row in rows.values() if row.sent_at is not None} == \
        {call.chat_id: call.message_id for call in received}
    # Nothing is left claimed or attempted without an answer: the rest waits, free, for the next round.
    unsent = [row for row in rows.values() if row.sent_at is None]
    assert unsent and not [row for row in unsent if row.claimed_by is not None or row.claimed_until is not None]
    assert not [row for row in rows.values() if row.sent_at is not None and row.message_id is None]

    bot = await start_bot(api, database_url, tmp_path, MONDAY + timedelta(minutes=1), ACUERDOS_LOG_FORMAT="json")
    await until(lambda: len(reminders_received(api)) >= len(CHATS))
    await asyncio.sleep(1)  # a round after the last one: nothing more goes
    seconds, output = await stop_bot(bot)

    assert bot.returncode == 0, output
    assert seconds < 10, output
    assert Counter(call.chat_id for call in reminders_received(api)) == Counter(CHATS)
    rows = await outbox(sessions)
    assert sorted(row.chat_id for row in rows if row.message_id is not None) == CHATS
    # The restarted bot wrote its log as JSON lines, and neither run wrote the token.
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any(line["message"].startswith("SIGTERM received") for line in lines)
    assert TOKEN not in output


async def test_a_request_still_unanswered_at_the_deadline_is_left_in_doubt(sessions, clock, committee):
    """Telegram never answers: the stop does not wait for it beyond the deadline. That request's row stays attempted
    (the next start labels it in doubt and never sends it again); rows attempted but not yet requested go back."""
    await many_reminders(sessions, clock, committee.id, CHATS[:20])
    await plan_due(sessions, clock.now(), everything=True)
    requested: list[int] = []
    stop_by: list[float] = []

    async def unanswered(item) -> int:
        requested.append(item.chat_id)
        if not stop_by:  # the stop is asked while the first request is in flight
            stop_by.append(asyncio.get_running_loop().time() + 0.3)
        await asyncio.Event().wait()
        return 0

    dispatcher = Dispatcher(sessions, unanswered, clock, Pacer(Limits().scaled(REMINDER_SCALE)), "here",
                            keep_going=lambda: not stop_by, give_up_at=lambda: stop_by[0] if stop_by else None)
    started = time.monotonic()
    await asyncio.wait_for(dispatcher.run(), 5)

    assert time.monotonic() - started < 2
    rows = {row.chat_id: row for row in await outbox(sessions)}
    attempted = {chat for chat, row in rows.items() if row.sent_at is not None}
    assert requested and attempted == set(requested)
    assert all(rows[chat].attempts == 1 and rows[chat].message_id is None for chat in requested)
    assert all(row.attempts == 0 and row.claimed_by is None and row.claimed_until is None
               for chat, row in rows.items() if chat not in requested)
    clock.advance(minutes=3)
    assert await store.mark_in_doubt(sessions, clock.now()) == len(requested)
    async with sessions() as db:
        assert {row.chat_id for row in await db.scalars(select(Reminder).where(Reminder.error == store.IN_DOUBT))} \
            == set(requested)
