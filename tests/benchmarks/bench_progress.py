"""Benchmark: 5,000 `/avance` updates from 500 people through the real Application on SQLite, against a no-op
handler that parses the same arguments and gives the same kind of answer, both talking HTTP to the fake Bot API in
the same run.

    python tests/benchmarks/bench_progress.py [--updates 5000] [--people 500] [--rate 50] [--chats 8] [--profile]
                                              [--postgres URL]

Each Application takes the updates twice: one after another through `process_update` (what one update costs), and
all at once in its update queue while it runs, as getUpdates leaves them (what the running bot sustains, chats side
by side). The real one takes them a third time as the bot does since the inbox (bot/inbox/): stored in batches of
100, one transaction each as the receiver stores a getUpdates answer, and handled from the database (goal: within
10% of the queue's figure). Prints updates/s of both handlers and their ratio (goal ≥ 0.40), then p50/p95 handling
latency with updates offered to the running bot at --rate per second (goal p95 ≤ 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import html
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from telegram import Update  # noqa: E402
from telegram.ext import CommandHandler, TypeHandler  # noqa: E402

from bot import texts  # noqa: E402
from bot.app import application_builder, build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.inbox import store as inbox  # noqa: E402
from bot.inbox.worker import start_worker  # noqa: E402
from bot.outbox.jobs import RUNTIME  # noqa: E402
from bot.outbox.pacing import Limits, Pacer  # noqa: E402
from bot.progress import parse_percent  # noqa: E402
from bot.reminders.planner import plan_due  # noqa: E402
from models.db import create_engine, session_factory, upgrade  # noqa: E402
from tests.benchmarks.national_data import ensure_database  # noqa: E402
from tests.support.bench_committee import (  # noqa: E402
    AGREEMENTS_PER_INSTITUTION,
    INSTITUTIONS,
    NOW,
    build_committee,
)
from tests.support.database import reset  # noqa: E402
from tests.support.fakebot import TOKEN, FakeBotAPI  # noqa: E402


class FixedClock:
    def now(self) -> datetime:
        return NOW


def avance_updates(count: int, people: int, start: int = 0) -> list[dict]:
    """Each person reports on their institution's agreements with a rising percent; every message is new."""
    updates = []
    for index in range(start, start + count):
        person = index % people
        turn = index // people
        institution = person % INSTITUTIONS
        code = f"{institution + 1}.{turn % AGREEMENTS_PER_INSTITUTION + 1}"
        text = f"/avance {code} {min(100, 10 + turn)}% Se remitió el oficio N° {index}-2026"
        user = {"id": 10_000 + person, "is_bot": False, "first_name": f"Persona {person}"}
        updates.append({"update_id": index + 1, "message": {
            "message_id": index + 1, "date": int(NOW.timestamp()), "from": user, "text": text,
            "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
            "entities": [{"type": "bot_command", "offset": 0, "length": len("/avance")}]}})
    return updates


async def noop_avance(update: Update, context) -> None:
    """The baseline: parse the same arguments and answer as /avance does, with nothing recorded."""
    code, rest = context.args[0], " ".join(context.args[1:])
    percent, _note = parse_percent(rest)
    await context.bot.send_message(update.effective_chat.id, texts.t(
        texts.PROGRESS_SAVED, code=html.escape(code), institution="Institución", status="en proceso",
        percent=f" · {percent}%" if percent else ""))


def noop_application(settings: Settings):
    """An Application set up as the bot's (HTML answers, chats side by side) with only the no-op handler."""
    application = application_builder(settings).build()
    application.add_handler(CommandHandler("avance", noop_avance))
    return application


async def one_by_one(application, payloads: list[dict]) -> float:
    """Updates a second when each is handled after the previous one finished."""
    started = time.perf_counter()
    for payload in payloads:
        await application.process_update(Update.de_json(payload, application.bot))
    return len(payloads) / (time.perf_counter() - started)


async def all_at_once(application, payloads: list[dict]) -> float:
    """Updates a second when they are all waiting in the running Application's queue, as getUpdates leaves them."""
    started = time.perf_counter()
    for payload in payloads:
        application.update_queue.put_nowait(Update.de_json(payload, application.bot))
    await application.update_queue.join()
    return len(payloads) / (time.perf_counter() - started)


async def through_the_inbox(application, payloads: list[dict], batch: int = 100) -> float:
    """Updates a second when they arrive as getUpdates answers (`batch` at a time), each answer stored in one
    transaction, and are handled from the inbox."""
    worker = start_worker(application)
    sessions = application.bot_data["services"].sessions
    started = time.perf_counter()
    for first in range(0, len(payloads), batch):
        await inbox.store(sessions, payloads[first:first + batch])
        worker.wake()
    await worker.idle()
    seconds = time.perf_counter() - started
    await worker.stop()
    return len(payloads) / seconds


async def latencies(application, payloads: list[dict], rate: float) -> list[float]:
    """Offer updates to the running Application at `rate` per second: from each one's arrival in the queue to
    the moment its handlers finished."""
    arrived: dict[int, float] = {}
    finished: dict[int, float] = {}

    async def done(update: Update, _context) -> None:
        finished[update.update_id] = time.perf_counter()

    # A handler in a later group runs once the update's own handler has finished.
    stopwatch = TypeHandler(Update, done)
    application.add_handler(stopwatch, group=99)
    start = time.perf_counter()
    for index, payload in enumerate(payloads):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        arrived[payload["update_id"]] = time.perf_counter()
        application.update_queue.put_nowait(Update.de_json(payload, application.bot))
    await application.update_queue.join()
    application.remove_handler(stopwatch, group=99)
    return [finished[u] - arrived[u] for u in arrived]


def settle(api: FakeBotAPI) -> None:
    """Each measured phase starts alike: what the fake API kept of the last one is dropped and collected."""
    api.forget()
    gc.collect()


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--chats", type=int, default=Settings.concurrent_chats,
                        help="chats served side by side (ACUERDOS_CONCURRENT_CHATS)")
    parser.add_argument("--profile", action="store_true", help="profile the real handler, one by one")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database (emptied first) instead "
                        "of SQLite, e.g. postgresql+asyncpg://acuerdos:acuerdos@127.0.0.1:5432/acuerdos_bench")
    args = parser.parse_args()

    api = FakeBotAPI()
    await api.start()
    with tempfile.TemporaryDirectory() as folder:
        engine = await empty_database(args.postgres or f"sqlite+aiosqlite:///{folder}/bench.db")
        await upgrade(engine)
        sessions = session_factory(engine)
        await build_committee(sessions, args.people)
        # The reminders' rows exist, as after the first round of a running bot.
        await plan_due(sessions, NOW, everything=True)
        settings = Settings(token=TOKEN, api_base_url=api.base_url, concurrent_chats=args.chats)
        real = build_application(settings, sessions, FixedClock(), inbox=True)
        noop = noop_application(settings)

        first = avance_updates(args.updates, args.people)
        second = avance_updates(args.updates, args.people, start=args.updates)
        third = avance_updates(args.updates, args.people, start=2 * args.updates)
        offered = avance_updates(min(args.updates, 1000), args.people, start=3 * args.updates)
        async with real, noop:
            await real.post_init(real)  # as run_polling() does: the reminders' and summaries' jobs are scheduled
            # Answers pass the pacer with the reminders; several hundred a second is above Telegram's 30 for the whole
            # bot, so the pacer keeps its rules in a world 100x faster: this measures the bot, not Telegram's budget.
            real.bot_data[RUNTIME].pacer = Pacer(Limits().scaled(0.01))
            settle(api)
            noop_single = await one_by_one(noop, first)
            settle(api)
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            real_single = await one_by_one(real, first)
            if args.profile:
                profiler.disable()
                profiler.dump_stats("bench_progress.prof")
            await real.start()
            await noop.start()
            settle(api)
            noop_running = await all_at_once(noop, second)
            settle(api)
            real_running = await all_at_once(real, second)
            settle(api)
            real_inbox = await through_the_inbox(real, third)
            settle(api)
            measured = await latencies(real, offered, args.rate)
            await noop.stop()
            await real.stop()
        recorded = await count_updates(sessions)
        await engine.dispose()
    await api.stop()

    print(f"updates: {args.updates} /avance from {args.people} people, twice, the real ones thrice "
          f"({engine.dialect.name})")
    print(f"{'':44}{'no-op':>10}{'real':>10}{'ratio':>8}   (goal ≥ 0.40)")
    print(f"{'one after another (process_update)':44}{noop_single:8.1f}/s{real_single:8.1f}/s"
          f"{real_single / noop_single:8.2f}")
    print(f"{f'all at once, {args.chats} chats side by side (queue)':44}{noop_running:8.1f}/s{real_running:8.1f}/s"
          f"{real_running / noop_running:8.2f}")
    print(f"{'the same through the inbox (batches of 100)':44}{'':10}{real_inbox:8.1f}/s"
          f"{real_inbox / noop_running:8.2f}   (queue → inbox: {real_inbox / real_running - 1:+.0%}; goal ≥ -10%)")
    print(f"latency at {args.rate:.0f}/s offered to the running bot ({len(measured)} updates): "
          f"p50 {percentile(measured, 50) * 1000:.1f} ms, p95 {percentile(measured, 95) * 1000:.1f} ms "
          f"(goal p95 ≤ 50 ms)")
    print(f"status updates recorded: {recorded} (expected {3 * args.updates + len(offered)})")


async def empty_database(url: str):
    """An engine on an empty database: a new SQLite file, or the PostgreSQL database with its schema dropped."""
    if url.startswith("postgresql"):
        await ensure_database(url)
        await reset(url)
    return create_engine(url)


async def count_updates(sessions) -> int:
    from sqlalchemy import func, select

    from models.entities import StatusUpdate

    async with sessions() as db:
        return await db.scalar(select(func.count()).select_from(StatusUpdate))


if __name__ == "__main__":
    asyncio.run(main())
