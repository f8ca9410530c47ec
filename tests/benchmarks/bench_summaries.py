"""Time the weekly summaries at national scale: python tests/benchmarks/bench_summaries.py [--postgres URL]

Builds the national data once (tests/benchmarks/national_data.py, in a child process so that its memory does not
count here), then computes and renders every committee's weekly summary as the job does, one session each; then
sends them all through the outbox's dispatcher to a Telegram that answers at once (the rows it adds are deleted
after). Goals: all 2,100 in ≤ 10 s both ways, one in ≤ 50 ms, the same number of SQL statements for any size and in
every batch of 50 committees, peak RSS ≤ 256 MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import delete, event, func, select  # noqa: E402

from bot.outbox.dispatcher import Dispatcher  # noqa: E402
from bot.outbox.kinds import POLICIES  # noqa: E402
from bot.outbox.pacing import Limits, Pacer  # noqa: E402
from bot.summaries import build_summaries, build_summary  # noqa: E402
from bot.summary_plan import BATCH  # noqa: E402
from bot.summary_render import render  # noqa: E402
from models.db import create_engine, session_factory  # noqa: E402
from models.entities import Agreement, Committee, CommitteeKind, Member, MessageKind, Reminder, Role  # noqa: E402
from tests.benchmarks.national_data import NOW, sqlite_url  # noqa: E402
from tests.support.clock import FakeClock  # noqa: E402

REPEAT = 21


async def bench(url: str) -> None:
    engine = create_engine(url)
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    sessions = session_factory(engine)
    async with sessions() as db:
        committees = list((await db.scalars(select(Committee).order_by(Committee.id))).all())
        sizes = dict((await db.execute(select(Agreement.committee_id, func.count())
                                       .group_by(Agreement.committee_id))).all())
    followed = sorted((c for c in committees if sizes.get(c.id)), key=lambda c: sizes[c.id])

    async def summary(committee: Committee, below: bool = False) -> str:
        async with sessions() as db:
            return render(await build_summary(db, committee, NOW, below=below))

    await summary(followed[0])  # the first run compiles the statements
    passes = []
    for _ in range(2):  # the first pass reads the database from disk; the second as a running bot would
        statements.clear()
        started, cpu = time.perf_counter(), time.process_time()
        for first in range(0, len(followed), BATCH):
            async with sessions() as db:
                for each in await build_summaries(db, followed[first:first + BATCH], NOW):
                    render(each)
        passes.append((time.perf_counter() - started, time.process_time() - cpu))
    batch_statements = len(statements) / -(-len(followed) // BATCH)

    typical, largest, smallest = followed[len(followed) // 2], followed[-1], followed[0]
    one = {}
    for committee in (typical, largest):
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            await summary(committee)
            times.append(time.perf_counter() - started)
        one[committee.id] = statistics.median(times)
    counted = {}
    for committee in (smallest, typical, largest):
        statements.clear()
        await summary(committee)
        counted[committee.id] = len(statements)

    rollups = {}
    for committee in (next(c for c in committees if c.kind == CommitteeKind.CONASEC),
                      next(c for c in committees if c.kind == CommitteeKind.CORESEC)):
        statements.clear()
        started = time.perf_counter()
        text = await summary(committee, below=True)
        rollups[committee.name] = (time.perf_counter() - started, len(statements), len(text))
    outbox = await through_the_outbox(sessions, followed, statements)
    await engine.dispose()

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {engine.dialect.name}; {len(followed):,} committees with {sum(sizes.values()):,} agreements")
    print(f"all {len(followed):,} weekly summaries (compute + render, {BATCH} committees per batch as the job "
          f"does; goal ≤ 10 s): " + ", then ".join(f"{wall:.2f} s ({cpu:.2f} s of CPU)" for wall, cpu in passes)
          + f"; {batch_statements:.0f} SQL statements per batch")
    print(f"one summary, median of {REPEAT}: {one[typical.id] * 1000:.1f} ms for a typical committee "
          f"({sizes[typical.id]} agreements), {one[largest.id] * 1000:.1f} ms for the largest "
          f"({sizes[largest.id]} agreements) (goal ≤ 50 ms)")
    print("SQL statements per summary: " + ", ".join(f"{counted[c.id]} for {sizes[c.id]} agreements"
                                                    for c in (smallest, typical, largest)))
    for name, (seconds, count, length) in rollups.items():
        print(f"observer's summary with the roll-up below {name}: {seconds * 1000:.0f} ms, {count} statements, "
              f"{length:,} characters")
    seconds, sent, renders, render_statements, all_statements = outbox
    print(f"all {sent:,} through the outbox's dispatcher, Telegram answering at once (goal ≤ 10 s): {seconds:.2f} s; "
          f"{len(renders)} render batches of {min(renders)}–{max(renders)} committees; SQL statements per render "
          f"batch: {min(render_statements)}–{max(render_statements)}; {all_statements:,} statements in all "
          f"(claims, attempts, confirmations)")
    print(f"peak RSS: {peak:.0f} MiB (goal ≤ 256 MiB)")


async def through_the_outbox(sessions, followed: list[Committee], statements: list[str]):
    """A summary row due now for every committee's secretary, sent by the dispatcher as the bot would, except that
    Telegram takes each message at once; the rows are deleted afterwards, so the cached database stays as it was."""
    async with sessions.begin() as db:
        chats = dict((await db.execute(select(Member.committee_id, Member.chat_id).where(
            Member.role == Role.SECRETARY, Member.committee_id.in_([c.id for c in followed])))).all())
        first = (await db.scalar(select(func.max(Reminder.id)))) + 1
        db.add_all(Reminder(committee_id=c.id, chat_id=chats[c.id], kind=MessageKind.SUMMARY, due_at=NOW, attempts=0,
                            payload={"weekday": 0, "hour": 8}, created_at=NOW) for c in followed)
    policy = POLICIES[MessageKind.SUMMARY]
    renders: list[int] = []
    render_statements: list[int] = []

    async def render(db, rows, now):
        before = len(statements)
        rendered = await policy.render(db, rows, now)
        renders.append(len({row.committee_id for row in rows}))
        render_statements.append(len(statements) - before)
        return rendered

    message_ids = iter(range(1, 10**9))

    async def send(item) -> int:
        return next(message_ids)

    # Windows of 1/10,000 of a second: the pacer still runs, but never makes anyone wait.
    pacer = Pacer(Limits(overall=10_000).scaled(1e-4))
    dispatcher = Dispatcher(sessions, send, FakeClock(NOW), pacer, "bench",
                            policies={MessageKind.SUMMARY: replace(policy, render=render)})
    try:
        statements.clear()
        started = time.perf_counter()
        result = await dispatcher.run()
        seconds = time.perf_counter() - started
        return seconds, result.sent, renders, render_statements, len(statements)
    finally:
        async with sessions.begin() as db:
            await db.execute(delete(Reminder).where(Reminder.id >= first))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", metavar="URL",
                        help="e.g. postgresql+asyncpg://acuerdos:acuerdos@127.0.0.1:5432/acuerdos_bench")
    args = parser.parse_args()
    generator = [sys.executable, str(Path(__file__).with_name("national_data.py"))]
    subprocess.run(generator + (["--postgres", args.postgres] if args.postgres else []), check=True)
    asyncio.run(bench(args.postgres or sqlite_url()))


if __name__ == "__main__":
    main()
