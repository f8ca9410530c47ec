"""Soak benchmark: the running bot against the fake Bot API for minutes of mixed load, as in production.

    python tests/benchmarks/bench_soak.py [--minutes 10] [--rate 20] [--people 500] [--committees 50]
                                          [--postgres URL]

One process, the bot as `acuerdos-bot run` runs it (getUpdates, every update stored in the inbox and handled from
it, the outbox's job every 30 s), the pacer with Telegram's real limits, and a fake Bot API that hands the reports
to getUpdates and answers 429 to any send beyond the limits. For --minutes, `/avance`
reports arrive from --people chats at --rate a second; meanwhile the reminders' fan-out to those chats falls due at
the start (D-7 of every agreement) and again at half time (D, the deadline), and the weekly summaries of every
committee once, at a quarter of the run. The bot's clock is a working morning in Lima, moved on by those jumps and
by the real time.

Prints, as each minute ends: the reports answered so far, those not answered yet, the outbox's messages sent in the
minute, and the RSS after a garbage collection. Then, by the minute the reports arrived in, their p50/p95 to be
recorded (from their arrival at the fake Bot API to the answer asking for its place in the pacer: the transaction is
committed by then), to be answered (the handler done, the answer sent) and the time answers waited in the pacer
(answers go ahead of the outbox's messages there, with Telegram's limits kept for both). At the end: RSS at start
(after a warm-up) and end, overall p95, reports recorded against sent, the outbox's rows by state, requests per row
(duplicates: a row delivered twice; lost: a row due and neither sent nor troubled after a final drain),
and the 429s. Goals: no RSS growth beyond noise, answers' p95 ≤ 50 ms, no message lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import gc
import os
import sys
import tempfile
import time
from collections import Counter
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import AsyncIterator

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import TypeHandler  # noqa: E402

import bot.outbox.jobs as outbox_jobs  # noqa: E402
from bot import agreements, committees  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.deadlines import Deadline  # noqa: E402
from bot.inbox.runner import serve  # noqa: E402
from bot.inbox.worker import worker_of  # noqa: E402
from bot.outbox import store  # noqa: E402
from bot.outbox.jobs import RUNTIME, run_round  # noqa: E402
from bot.outbox.pacing import Limits, Pacer, Place  # noqa: E402
from models.db import session_factory, upgrade  # noqa: E402
from models.entities import CommitteeKind, Member, Reminder, Role, SessionKind, StatusUpdate  # noqa: E402
from tests.benchmarks.bench_progress import avance_updates, empty_database, percentile  # noqa: E402
from tests.support.bench_committee import AGREEMENTS_PER_INSTITUTION, NOW, build_committee  # noqa: E402
from tests.support.clock import lima  # noqa: E402
from tests.support.fakebot import TOKEN, FakeBotAPI  # noqa: E402

# The agreements' deadline is 30 April 2026 (bench_committee): D-7 and D fall on Thursdays, and the weekly summaries
# go on Mondays at 08:00, Lima time. Every jump lands on a working morning. The second fan-out is the deadline's
# reminders (planned from the start), not D-2's: those are planned only once D-7's went, and a D-7 reminder sent
# after the jump would stand for it.
FIRST_FAN_OUT = lima("2026-04-23 09:00")
SUMMARIES_DUE = lima("2026-04-27 09:00")
SECOND_FAN_OUT = lima("2026-04-30 09:00")
WARM_UP = 250
# The update being handled, for the pacer to tell an answer from an outbox message.
ANSWERING: contextvars.ContextVar[int | None] = contextvars.ContextVar("answering", default=None)


class RunningClock:
    """A working morning that moves on with real time; `jump` starts it again at another moment."""

    def __init__(self, start: datetime):
        self.jump(start)

    def jump(self, to: datetime) -> None:
        self._base, self._since = to, time.monotonic()

    def now(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._since)


class TimedPacer(Pacer):
    """The bot's pacer with Telegram's real limits, noting when an answer asked for its place and when it got it."""

    def __init__(self, limits: Limits):
        super().__init__(limits)
        self.answers: dict[int, tuple[float, float]] = {}  # update_id → (asked, got)

    @asynccontextmanager
    async def slot(self, chat_id: int, *, first: bool = False) -> AsyncIterator[Place]:
        update_id, asked = ANSWERING.get(), time.perf_counter()
        async with super().slot(chat_id, first=first) as place:
            if update_id is not None:
                self.answers.setdefault(update_id, (asked, time.perf_counter()))
            yield place


class OutboxRequests:
    """What the outbox asked of Telegram, row by row: how many requests, and the message ids Telegram gave back."""

    def __init__(self):
        self.requests: Counter[int] = Counter()
        self.delivered: dict[int, list[int]] = {}
        self.pieces: dict[int, Counter[str]] = {}  # a long summary goes in several pieces, each once

    def wrap(self, telegram_send):
        def send_recorded(bot, read_timeout=None):
            send = telegram_send(bot, read_timeout)

            async def send_one(item) -> int:
                self.requests[item.reminder_id] += 1
                message_id = await send(item)
                self.delivered.setdefault(item.reminder_id, []).append(message_id)
                self.pieces.setdefault(item.reminder_id, Counter())[item.text] += 1
                return message_id

            return send_one

        return send_recorded


def reports(count: int, people: int, start: int = 0) -> list[dict]:
    """bench_progress's reports, on the first half of each institution's agreements only: a report moves its own
    assignment's reminders later, so the fan-outs go to the other half (the same chats)."""
    payloads = avance_updates(count, people, start)
    for payload in payloads:
        message = payload["message"]
        command, code, rest = message["text"].split(" ", 2)
        institution, number = code.split(".")
        half = AGREEMENTS_PER_INSTITUTION // 2
        message["text"] = f"{command} {institution}.{(int(number) - 1) % half + 1} {rest}"
    return payloads


def rss_mib() -> float:
    """Resident memory now, after a full garbage collection."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def add_summarized_committees(sessions, count: int) -> None:
    """`count` small committees (one institution, three agreements, a secretary each), and a secretary for the
    benchmark's committee: the weekly summaries' recipients."""
    async with sessions.begin() as db:
        for n in range(count):
            committee = await committees.add_committee(db, name=f"CODISEC Resumen {n}", kind=CommitteeKind.CODISEC,
                                                       parent=None, timezone="America/Lima", now=NOW)
            session, _ = await committees.register_session(db, committee=committee, kind=SessionKind.ORDINARIA,
                                                           number=1, held_on=date(2026, 2, 25), now=NOW, actor="bench")
            institution, _ = await committees.add_institution(db, committee=committee, name="Municipalidad",
                                                              now=NOW, actor="bench")
            for a in range(3):
                await agreements.register_agreement(
                    db, committee=committee, session=session, code=f"1.{a + 1}", text=f"Acuerdo {a}",
                    institutions=[institution], deadline=Deadline(date(2026, 4, 30)), now=NOW, actor="bench")
            db.add(secretary(committee.id, 50_000 + n))
        first = await db.scalar(select(func.min(Member.committee_id)))
        db.add(secretary(first, 49_999))


def secretary(committee_id: int, chat_id: int) -> Member:
    return Member(committee_id=committee_id, role=Role.SECRETARY, institution_id=None, chat_id=chat_id,
                  user_id=chat_id, is_group=False, display_name=f"Secretaría {chat_id}", active=True, created_at=NOW)


async def due_left(sessions, now: datetime) -> int:
    async with sessions() as db:
        return sum(count for _, state, count in await store.overview(db, now) if state == "due")


class Minute:
    """One window of the run: what the reports took, and what the outbox sent."""

    def __init__(self):
        self.recorded: list[float] = []
        self.answered: list[float] = []
        self.waited: list[float] = []


async def offer(application, api: FakeBotAPI, pacer: TimedPacer, payloads: list[dict], rate: float,
                minutes: list[Minute], window: float, events: list[tuple[float, callable]],
                arrived: dict[int, float] | None = None) -> None:
    """Offer the reports at `rate` a second to the fake Bot API, which hands them to the bot's getUpdates as
    Telegram would; from each one's arrival there: recorded (its answer asks for a place in the pacer), answered (its
    handlers done); `events` run at their second of the run. `arrived` holds the reports not answered yet."""
    arrived = {} if arrived is None else arrived
    pending: list[asyncio.Task] = []

    async def begin(update: Update, _context) -> None:
        ANSWERING.set(update.update_id)

    async def done(update: Update, _context) -> None:
        finished = time.perf_counter()
        start = arrived.pop(update.update_id, None)
        if start is None:
            return
        minute = minutes[min(len(minutes) - 1, int((start - began) / window))]
        minute.answered.append(finished - start)
        asked_got = pacer.answers.pop(update.update_id, None)
        if asked_got:
            minute.recorded.append(asked_got[0] - start)
            minute.waited.append(asked_got[1] - asked_got[0])

    # A handler in an earlier group runs before the update's own, in the same task; a later one once it finished.
    starter, stopwatch = TypeHandler(Update, begin), TypeHandler(Update, done)
    application.add_handler(starter, group=-99)
    application.add_handler(stopwatch, group=99)
    events = sorted(events, key=lambda e: e[0])
    began = time.perf_counter()
    for index, payload in enumerate(payloads):
        while events and began + events[0][0] <= time.perf_counter():
            pending.append(asyncio.ensure_future(events.pop(0)[1]()))
        delay = began + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        offered = time.perf_counter()
        update_id = await api.push({key: value for key, value in payload.items() if key != "update_id"})
        arrived[update_id] = offered
    while arrived:
        await asyncio.sleep(0.05)
    await asyncio.gather(*pending)
    application.remove_handler(starter, group=-99)
    application.remove_handler(stopwatch, group=99)


@asynccontextmanager
async def serving(application, pacer: TimedPacer) -> AsyncIterator[None]:
    """The bot as `acuerdos-bot run` runs it (bot/inbox/runner.py: getUpdates, the inbox, its worker, the outbox's
    job), with the timed pacer in place of its own."""
    post_init, stop = application.post_init, asyncio.Event()

    async def with_timed_pacer(app) -> None:
        await post_init(app)
        app.bot_data[RUNTIME].pacer = pacer

    application.post_init = with_timed_pacer
    running = asyncio.ensure_future(serve(application, stop))
    while worker_of(application) is None and not running.done():
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        stop.set()
        await running


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20, help="reports a second")
    parser.add_argument("--people", type=int, default=500, help="chats sending them (focal points)")
    parser.add_argument("--committees", type=int, default=50, help="small committees with a weekly summary")
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database (emptied first)")
    args = parser.parse_args()

    api = FakeBotAPI(enforce_limits=True)
    await api.start()
    requests = OutboxRequests()
    outbox_jobs.telegram_send = requests.wrap(outbox_jobs.telegram_send)
    clock = RunningClock(FIRST_FAN_OUT - timedelta(days=1))
    with tempfile.TemporaryDirectory() as folder:
        engine = await empty_database(args.postgres or f"sqlite+aiosqlite:///{folder}/soak.db")
        await upgrade(engine)
        sessions = session_factory(engine)
        await build_committee(sessions, args.people)
        await add_summarized_committees(sessions, args.committees)
        settings = Settings(token=TOKEN, api_base_url=api.base_url)
        application = build_application(settings, sessions, clock)
        pacer = TimedPacer(Limits().with_overall(settings.send_rate))
        async with serving(application, pacer):
            # The day before: reminders and summaries planned, nothing due yet; then a warm-up not counted.
            await run_round(application)
            warm = [Minute()]
            await offer(application, api, pacer, reports(WARM_UP, args.people, start=10**6), args.rate, warm,
                        10**6, [])
            outbox_before = len(requests.delivered)
            api.forget()
            rss_start = rss_mib()
            objects_start = len(gc.get_objects())
            accepted: set[int] = set()

            def keep_accepted() -> None:
                """What the fake received is kept as message ids; its own records are dropped, so they do not
                count as the bot's memory."""
                accepted.update(c.message_id for c in api.calls if c.message_id is not None)
                api.forget()

            seconds = args.minutes * 60
            window = 60.0
            minutes = [Minute() for _ in range(max(1, int(-(-seconds // window))))]
            waiting: dict[int, float] = {}  # reports offered and not answered yet

            async def watch() -> None:
                """Each minute, as it goes: reports answered so far, updates waiting, the outbox's messages, RSS."""
                started, sent_before = time.perf_counter(), 0
                for n in range(len(minutes)):
                    await asyncio.sleep(max(0.0, started + (n + 1) * window - time.perf_counter()))
                    keep_accepted()
                    sent = sum(map(len, requests.delivered.values()))
                    answered = sum(len(m.answered) for m in minutes)
                    print(f"{n + 1:>6} {answered:>16} {len(waiting):>17} {sent - sent_before:>12} "
                          f"{rss_mib():>8.1f}", flush=True)
                    sent_before = sent

            async def jump(to: datetime) -> None:
                clock.jump(to)

            clock.jump(FIRST_FAN_OUT)
            print(f"soak: {args.minutes:g} min, /avance from {args.people} chats at {args.rate:g}/s, fan-outs at 0 "
                  f"and {seconds / 2:.0f} s, summaries at {seconds / 4:.0f} s; load average "
                  f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}; RSS after warm-up {rss_start:.1f} MiB",
                  flush=True)
            print(f"{'minute':>6} {'answered so far':>16} {'reports waiting':>17} {'outbox sent':>12} "
                  f"{'RSS MiB':>8}", flush=True)
            watcher = asyncio.ensure_future(watch())
            total = int(seconds * args.rate)
            await offer(application, api, pacer, reports(total, args.people), args.rate, minutes, window,
                        [(seconds / 4, lambda: jump(SUMMARIES_DUE)), (seconds / 2, lambda: jump(SECOND_FAN_OUT))],
                        waiting)
            await watcher
            rss_end = rss_mib()
            objects_end = len(gc.get_objects())
            # The final drain: rounds until nothing more is sent and nothing is due (a row rate limited again and
            # again waits a minute before it goes again).
            drained = time.perf_counter()
            while time.perf_counter() - drained < 1800:
                result = await run_round(application)
                if result is not None and not result.sent and not await due_left(sessions, clock.now()):
                    break
                await asyncio.sleep(1)
            drained = time.perf_counter() - drained
            keep_accepted()
        async with sessions() as db:
            recorded = await db.scalar(select(func.count()).select_from(StatusUpdate))
            states = await store.overview(db, clock.now())
            sent_rows = dict((await db.execute(select(Reminder.id, Reminder.message_id)
                                                .where(Reminder.message_id.is_not(None)))).all())
        await engine.dispose()
    await api.stop()

    print_minutes(minutes)
    answered = [v for m in minutes for v in m.answered]
    recorded_times = [v for m in minutes for v in m.recorded]
    waited = [v for m in minutes for v in m.waited]
    by_state = Counter()
    for kind, state, count in states:
        by_state[state] += count
    duplicates = sum(1 for pieces in requests.pieces.values() if max(pieces.values()) > 1)
    unconfirmed = [row for row, message_id in sent_rows.items() if message_id not in accepted]
    lost = by_state["due"] + len(unconfirmed)
    troubled = by_state["in doubt"] + by_state["given up"] + by_state["set aside"] + by_state["sending"]
    print(f"RSS: {rss_start:.1f} MiB at start (after {WARM_UP} reports of warm-up), {rss_end:.1f} MiB at the end "
          f"({rss_end - rss_start:+.1f} MiB); objects the garbage collector tracks: {objects_start} at start, "
          f"{objects_end} at the end ({objects_end - objects_start:+d}, the benchmark's own records included)")
    print(f"reports: {len(answered)} answered of {total} sent; status updates recorded: {recorded} "
          f"(expected {total + WARM_UP})")
    print(f"overall: recorded p50 {ms(recorded_times, 50)}, p95 {ms(recorded_times, 95)} ms; answered p50 "
          f"{ms(answered, 50)}, p95 {ms(answered, 95)} ms (goal ≤ 50 ms); "
          f"waiting for the pacer p95 {ms(waited, 95)} ms, max {max(waited, default=0) * 1000:.0f} ms")
    print("outbox rows by state: " + ", ".join(f"{kind} {state} {count}" for kind, state, count in states))
    print(f"outbox: {len(sent_rows)} rows sent ({outbox_before} before the run), {sum(requests.requests.values())} "
          f"requests for {len(requests.requests)} rows, {sum(map(len, requests.delivered.values()))} accepted; "
          f"duplicates {duplicates}, lost {lost} (due and unsent {by_state['due']}, recorded sent but never received "
          f"{len(unconfirmed)}), troubled {troubled}; 429s {api.too_many}; final drain {drained:.1f} s "
          f"(requests beyond rows are a long summary's pieces)")


def ms(values: list[float], p: int) -> str:
    return f"{percentile(values, p) * 1000:.1f}" if len(values) > 1 else "-"


def print_minutes(minutes: list[Minute]) -> None:
    """The reports by the minute they arrived in, once all are answered (ms)."""
    print(f"{'arrived in minute':>17} {'reports':>8} {'recorded p50 / p95':>19} {'answered p50 / p95':>19} "
          f"{'pacer wait p95':>15}")
    for n, m in enumerate(minutes):
        print(f"{n + 1:>17} {len(m.answered):>8} {ms(m.recorded, 50):>9} / {ms(m.recorded, 95):>7} "
              f"{ms(m.answered, 50):>9} / {ms(m.answered, 95):>7} {ms(m.waited, 95):>15}")


if __name__ == "__main__":
    asyncio.run(main())
