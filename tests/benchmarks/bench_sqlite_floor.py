"""Benchmark: what one `/avance` costs in the database alone, and the floor under it on SQLite.

    python tests/benchmarks/bench_sqlite_floor.py [--reports 2000]

Prints, per call: `SELECT 1` through SQLAlchemy's AsyncSession and through aiosqlite directly (one thread round
trip), an empty transaction, the report's transaction as the handler runs it (find the assignment, duplicate check,
status update, assignment, audit entry, commit) without Telegram, and the same statements run by the sqlite3 module
directly on the same file. Together with bench_progress.py it says how much of a report is the database, and how
much of that is SQLite itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aiosqlite  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from bot import progress  # noqa: E402
from bot.progress import Author  # noqa: E402
from models.db import create_engine, session_factory, upgrade  # noqa: E402
from models.lifecycle import Action  # noqa: E402
from tests.support.bench_committee import AGREEMENTS_PER_INSTITUTION, INSTITUTIONS, NOW, build_committee  # noqa: E402

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

        reported = await per_call(report, args.reports)
        lookup = await lookup_statement(engine, sessions)
        await engine.dispose()
        direct = await per_call(sqlite_report(path, *lookup), args.reports)

        async with aiosqlite.connect(path) as raw:
            async def raw_select(_):
                await raw.execute_fetchall("SELECT 1")

            raw_select_one = await per_call(raw_select, args.reports)

    print(f"SELECT 1, SQLAlchemy AsyncSession over aiosqlite: {orm_select:6.3f} ms")
    print(f"SELECT 1, aiosqlite alone (one thread round trip): {raw_select_one:6.3f} ms")
    print(f"begin + SELECT 1 + commit, AsyncSession:           {transaction:6.3f} ms")
    print(f"one /avance transaction, no Telegram:              {reported:6.3f} ms")
    print(f"the same statements, sqlite3 module directly:      {direct:6.3f} ms")


async def lookup_statement(engine, sessions) -> tuple[str, tuple]:
    """The SQL and parameters SQLAlchemy sends to find one person's assignment 1.1."""
    seen = []

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    async with sessions() as db:
        await progress.implementer_assignments(db, 10_000, 10_000, code="1.1")
    event.remove(engine.sync_engine, "before_cursor_execute", capture)
    return seen[-1]


def sqlite_report(path: str, lookup_sql: str, lookup_parameters: tuple):
    """The report's statements, with sqlite3 in this thread: what SQLite itself needs."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous=NORMAL")
    at = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")

    async def report(index):
        key = f"direct:{index}"
        connection.execute("BEGIN")
        connection.execute(lookup_sql, lookup_parameters).fetchall()
        assignment_id, person, code = 1, 0, "1.1"  # the first agreement registered, Persona 0's
        connection.execute("SELECT id FROM status_update WHERE dedupe_key = ?", (key,)).fetchall()
        connection.execute("INSERT INTO status_update (assignment_id, dedupe_key, author_user_id, author_name, status, "
                           "percent, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (assignment_id, key, 10_000 + person, "Persona", "en_proceso", 50, f"Oficio N° {index}", at))
        connection.execute("UPDATE assignment SET status = ?, percent = ?, last_update_at = ? WHERE id = ?",
                           ("en_proceso", 50, at, assignment_id))
        connection.execute("INSERT INTO audit_entry (committee_id, at, actor, action, entity, entity_id, details) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", (1, at, "telegram:1", "assignment_progress", "assignment",
                                                            assignment_id, json.dumps({"code": code, "percent": 50})))
        connection.execute("COMMIT")

    return report


if __name__ == "__main__":
    asyncio.run(main())
