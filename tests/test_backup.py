"""`acuerdos-bot db backup FILE`: a consistent copy of SQLite while the bot takes reports; pg_dump for PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3

import pytest
from sqlalchemy import func, select

from bot import backup
from bot.cli import main
from models.db import create_engine, session_factory, upgrade
from models.entities import Assignment, AuditEntry, StatusUpdate
from tests.support.database import POSTGRES_URL
from tests.support.progress import committee_with_agreement


def update_ids(path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT id FROM status_update ORDER BY id")]


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's online backup")
async def test_a_backup_taken_while_reports_arrive_restores_a_consistent_database(telegram, sessions, clock, committee,
                                                                                  database_url, tmp_path):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    people = [carlos, lucia]
    for name in ("Ana", "Luis"):  # two more of the PNP's focal points, each in a chat of their own
        await rosa.send("/invitar PNP")
        person = telegram.person(name)
        await person.send(f"/start {rosa.last().split('start=')[1].split()[0]}")
        people.append(person)
    source = tmp_path / "acuerdos.db"
    copy = tmp_path / "copias" / "acuerdos-respaldo.db"

    async def reports(rounds: int) -> None:
        for n in range(rounds):
            # Every chat at once: the bot handles them side by side, each in its own transaction.
            await telegram.deliver(*(p.typed(f"/avance 2.1 {n % 100}% Avance {n} de {p.first_name}") for p in people))

    await reports(3)
    before = update_ids(source)
    taking = asyncio.create_task(asyncio.to_thread(backup.backup, database_url, copy))
    while not taking.done():  # reports keep coming while the copy is taken
        await reports(1)
    await taking
    await reports(2)
    after = update_ids(source)

    # Restored as the README says (the bot stopped, the copy put in the database's place), then opened by the bot.
    restored = tmp_path / "restaurada" / "acuerdos.db"
    restored.parent.mkdir()
    shutil.copyfile(copy, restored)
    engine = create_engine(f"sqlite+aiosqlite:///{restored}")
    try:
        await upgrade(engine)  # already the newest schema: nothing to do
        async with session_factory(engine)() as db:
            copied = list((await db.scalars(select(StatusUpdate.id).order_by(StatusUpdate.id))).all())
            orphans = await db.scalar(select(func.count(StatusUpdate.id)).outerjoin(
                Assignment, Assignment.id == StatusUpdate.assignment_id).where(Assignment.id.is_(None)))
            audited = await db.scalar(select(func.count(AuditEntry.id))
                                      .where(AuditEntry.action == "assignment_progress"))
    finally:
        await engine.dispose()
    # The copy is the source at one moment: every update written before it began, and then a prefix of the rest.
    assert len(before) >= 12 and copied[:len(before)] == before and copied == after[:len(copied)]
    assert len(after) > len(copied) and orphans == 0
    assert audited == len(copied)  # each update with its audit entry: no transaction copied in half


def test_the_command_writes_the_copy_and_names_pg_dump_for_postgresql(operator_env, database_url, tmp_path, capsys,
                                                                       monkeypatch):
    if not POSTGRES_URL:
        assert main(["committee", "add", "CORESEC Moquegua", "--kind", "CORESEC"]) == 0
        assert main(["db", "backup", "respaldo.db"]) == 0
        assert "Wrote respaldo.db" in capsys.readouterr().out
        with sqlite3.connect(tmp_path / "respaldo.db") as db:
            assert db.execute("SELECT name FROM committee").fetchall() == [("CORESEC Moquegua",)]
            assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, nothing beside it

    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://acuerdos:secreto@db:5432/acuerdos?ssl=require")
    assert main(["db", "backup", "/copias/acuerdos 2026.dump"]) == 1
    said = capsys.readouterr().err
    assert "pg_dump --format=custom '--file=/copias/acuerdos 2026.dump' " \
           "'postgresql://acuerdos@db:5432/acuerdos?ssl=require'" in said
    assert "secreto" not in said
