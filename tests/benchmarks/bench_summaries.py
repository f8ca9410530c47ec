"""Time the weekly summaries at national scale: python tests/benchmarks/bench_summaries.py [--postgres URL]

Builds the national data once (tests/benchmarks/national_data.py, in a child process so that its memory does not
count here), then computes and renders every committee's weekly summary as the job does, one session each.
Goals: all 2,100 in ≤ 10 s, one in ≤ 50 ms, the same number of SQL statements for any size, peak RSS ≤ 256 MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event, func, select  # noqa: E402

from bot.summaries import build_summaries, build_summary  # noqa: E402
from bot.summary_plan import BATCH  # noqa: E402
from bot.summary_render import render  # noqa: E402
from models.db import create_engine, session_factory  # noqa: E402
from models.entities import Agreement, Committee, CommitteeKind  # noqa: E402
from tests.benchmarks.national_data import NOW, sqlite_url  # noqa: E402

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
    print(f"peak RSS: {peak:.0f} MiB (goal ≤ 256 MiB)")


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
