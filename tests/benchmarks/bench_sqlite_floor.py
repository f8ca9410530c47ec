"""Benchmark: what one `/avance` costs in the database alone, and the floor under it on SQLite.

    python tests/benchmarks/bench_sqlite_floor.py [--reports 2000]

Prints, per call: `SELECT 1` through SQLAlchemy's AsyncSession and through aiosqlite directly (one thread round
trip), an empty transaction, and the report's transaction as the handler runs it (find and lock the assignment,
duplicate check, status update, assignment, audit entry, the reminders' plan, commit) without Telegram. Together with
bench_progress.py it says how much of a report is the database and how much of that is the driver's round trips.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiosqlite  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot import progress  # noqa: E402
from bot.progress import Author  # noqa: E402
from bot.reminders.planner import replan_assignment  # noqa: E402
from models.db import create_engine, session_factory, upgrade  # noqa: E402
from models.lifecycle import Action  # noqa: E402
from tests.benchmarks.bench_progress import AGREEMENTS_PER_INSTITUTION, INSTITUTIONS, NOW, build_committee  # noqa: E402

PEOPLE = 500


async def per_call(function, count: int) -> float:
    """Milliseconds per awaited call, after a warm-up (every call gets its own index)."""
    warm_up = 200
    for index in range(warm_up):
        await function(index)
    started = time.perf_counter()
    for index in range(warm_up, warm_up + count):
        await function(index)
    return (time.perf_counter() - started) / count * 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/floor.db"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        sessions = session_factory(engine)
        await build_committee(sessions, PEOPLE)

        async with sessions() as db:
            async def select_one(_):
                await db.scalar(text("SELECT 1"))

            orm_select = await per_call(select_one, args.reports)
            await db.rollback()

        async def empty_transaction(_):
            async with sessions.begin() as db:
                await db.scalar(text("SELECT 1"))

        transaction = await per_call(empty_transaction, args.reports)

        async def report(index):
            person = index % PEOPLE
            code = f"{person % INSTITUTIONS + 1}.{index // PEOPLE % AGREEMENTS_PER_INSTITUTION + 1}"
            async with sessions.begin() as db:
                found = await progress.implementer_assignments(db, 10_000 + person, 10_000 + person, code=code,
                                                               lock=True)
                await progress.record_update(db, assignment_id=found[0], action=Action.PROGRESS,
                                             author=Author(user_id=10_000 + person, name="Persona"), now=NOW,
                                             note=f"Oficio N° {index}", percent=min(100, 10 + index // PEOPLE),
                                             dedupe_key=f"floor:{index}")
                await replan_assignment(db, found[0].id, NOW)  # what the handler's after_change does

        reported = await per_call(report, args.reports)
        await engine.dispose()

        async with aiosqlite.connect(path) as raw:
            async def raw_select(_):
                await raw.execute_fetchall("SELECT 1")

            raw_select_one = await per_call(raw_select, args.reports)

    print(f"SELECT 1, SQLAlchemy AsyncSession over aiosqlite: {orm_select:6.3f} ms")
    print(f"SELECT 1, aiosqlite alone (one thread round trip): {raw_select_one:6.3f} ms")
    print(f"begin + SELECT 1 + commit, AsyncSession:           {transaction:6.3f} ms")
    print(f"one /avance transaction, no Telegram:              {reported:6.3f} ms")


if __name__ == "__main__":
    asyncio.run(main())
