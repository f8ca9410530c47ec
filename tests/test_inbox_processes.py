"""The inbox with real `acuerdos-bot run` processes against the fake Bot API: two instances on PostgreSQL, the one
receiving killed with kill -9 while updates stream in, and one instance on SQLite killed with 1,000 updates queued.
Every update is handled once, each chat's in order, counted in the database: one status update per /avance (by its
note), and at most one answer per update."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from models.entities import InboxUpdate, StatusUpdate
from tests.benchmarks.bench_progress import avance_updates
from tests.support.bench_committee import NOW, build_committee
from tests.support.database import POSTGRES_URL
from tests.support.processes import start_bot, until

NOTE = re.compile(r"oficio N° (\d+)-2026")


async def recorded(sessions) -> list[tuple[int, int]]:
    """(author, index of the /avance in the stream) of every status update, in the order they were written."""
    async with sessions() as db:
        rows = (await db.execute(select(StatusUpdate.author_user_id, StatusUpdate.note)
                                 .order_by(StatusUpdate.id))).all()
    return [(author, int(NOTE.search(note)[1])) for author, note in rows if NOTE.search(note)]


async def inbox_rows(sessions) -> tuple[int, int]:
    """(rows, handled rows) of the inbox."""
    async with sessions() as db:
        return tuple((await db.execute(select(func.count(), func.count(InboxUpdate.handled_at)))).one())


def check_once_and_in_order(records: list[tuple[int, int]], sent: list[dict]) -> tuple[int, int]:
    """(lost, recorded twice); and each chat's reports were written in the order they were sent."""
    counted = Counter(index for _, index in records)
    lost = sum(1 for payload in sent if payload["update_id"] - 1 not in counted)
    twice = sum(1 for n in counted.values() if n > 1)
    by_chat: dict[int, list[int]] = defaultdict(list)
    for author, index in records:
        by_chat[author].append(index)
    assert all(indexes == sorted(indexes) for indexes in by_chat.values()), "a chat's reports out of order"
    return lost, twice


def answers_per_update(api, sent: list[dict]) -> int:
    """Updates answered more than once (a chat got more answers than it sent reports)."""
    asked = Counter(payload["message"]["chat"]["id"] for payload in sent)
    answered = Counter(call.chat_id for call in api.sent(method="sendMessage"))
    return sum(max(0, answered[chat] - asked[chat]) for chat in asked)


async def stream(api, payloads: list[dict], rate: float) -> None:
    started = time.monotonic()
    for index, payload in enumerate(payloads):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await api.push({key: value for key, value in payload.items() if key != "update_id"})


@pytest.mark.skipif(not POSTGRES_URL, reason="several instances share a PostgreSQL database")
async def test_the_receiver_killed_mid_stream_is_replaced_and_nothing_is_lost_or_handled_twice(
        api, sessions, database_url, tmp_path):
    await build_committee(sessions, 200)
    sent = avance_updates(400, 200)  # 200 chats, two reports each, at 20 a second
    first = await start_bot(api, database_url, tmp_path, NOW)
    await until(lambda: first.receiving, message="the first instance never received")
    second = await start_bot(api, database_url, tmp_path, NOW)
    bots = [first, second]
    try:
        await until(lambda: "Acuerdos bot starting" in second.output, timeout=60)
        streaming = asyncio.create_task(stream(api, sent, rate=20))
        await until(lambda: len(api.sent(method="sendMessage")) >= 100, message="nothing handled")
        assert not second.receiving
        killed_at = time.monotonic()
        first.kill()
        await until(lambda: second.receiving, timeout=30, message="nobody took over")
        await until(lambda: any(at > killed_at for at in api.poll_times), timeout=30)
        takeover = min(at for at in api.poll_times if at > killed_at) - killed_at
        await streaming
        await until(lambda: _all_handled(sessions, len(sent)), timeout=60, message="updates left unhandled")
    finally:
        for bot in bots:
            if bot.process.returncode is None:
                await bot.stop()
    lost, twice = check_once_and_in_order(await recorded(sessions), sent)
    answered_twice = answers_per_update(api, sent)
    print(f"\ntakeover {takeover:.1f} s; lost {lost}; recorded twice {twice}; answered twice {answered_twice}; "
          f"409s {len(api.conflicts)}")
    assert takeover < 30
    assert (lost, twice, answered_twice) == (0, 0, 0)
    assert len(api.conflicts) <= 2, "a storm of 409 Conflict"
    assert await inbox_rows(sessions) == (len(sent), len(sent))


async def _all_handled(sessions, count: int) -> bool:
    return await inbox_rows(sessions) == (count, count)


@pytest.mark.skipif(bool(POSTGRES_URL), reason="one instance on its SQLite file")
async def test_an_instance_killed_with_a_thousand_updates_queued_handles_them_all_once_after_a_restart(
        api, sessions, database_url, tmp_path):
    await build_committee(sessions, 200)
    sent = avance_updates(1000, 200)
    for payload in sent:
        await api.push({key: value for key, value in payload.items() if key != "update_id"})
    bot = await start_bot(api, database_url, tmp_path, NOW)
    try:
        await until(lambda: len(api.sent(method="sendMessage")) >= 50, message="nothing handled")
        bot.kill()
        await bot.process.wait()
        handled_before = len(await recorded(sessions))
        assert handled_before < len(sent)
        api.reopen_polls()
        bot = await start_bot(api, database_url, tmp_path, NOW)
        await until(lambda: _all_handled(sessions, len(sent)), timeout=60, message="updates left unhandled")
    finally:
        if bot.process.returncode is None:
            assert await bot.stop() == 0, bot.output
    lost, twice = check_once_and_in_order(await recorded(sessions), sent)
    answered_twice = answers_per_update(api, sent)
    print(f"\nkilled after {handled_before} handled; lost {lost}; recorded twice {twice}; "
          f"answered twice {answered_twice}")
    assert (lost, twice, answered_twice) == (0, 0, 0)
