"""Invitation codes are kept as their SHA-256: the link works once, and a copy of the database opens nothing."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import event, select

from bot import committees
from bot.cli import main
from models.base import Base
from models.entities import Invitation, Member
from tests.support.scenarios import invitation_code


def link_code(text: str) -> str:
    found = re.search(r"start=([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


async def everything_stored(sessions) -> str:
    """Every value of every table, as one text to search."""
    async with sessions() as db:
        rows = [row for table in Base.metadata.sorted_tables for row in (await db.execute(select(table))).all()]
    return "\n".join(repr(tuple(row)) for row in rows)


async def test_the_database_keeps_only_the_hash_of_each_code(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    secretary_code = await invitation_code(sessions, clock, "CORESEC Moquegua")
    await rosa.send(f"/start {secretary_code}")
    await rosa.send("/instituciones agregar PNP")
    await rosa.send("/invitar PNP")
    pnp_code = link_code(rosa.last())
    assert len(pnp_code) == 22

    stored = await everything_stored(sessions)
    assert secretary_code not in stored and pnp_code not in stored
    async with sessions() as db:
        hashes = set(await db.scalars(select(Invitation.code_hash)))
    assert hashes == {committees.invitation_code_hash(secretary_code), committees.invitation_code_hash(pnp_code)}

    carlos = telegram.person("Carlos")
    await carlos.send(f"/start {pnp_code}")
    assert "punto focal de <b>PNP</b>" in carlos.last()
    assert pnp_code not in await everything_stored(sessions)


async def test_a_code_opens_once_and_its_hash_opens_nothing(telegram, sessions, clock, committee):
    code = await invitation_code(sessions, clock, "CORESEC Moquegua")
    async with sessions() as db:
        stored_hash = await db.scalar(select(Invitation.code_hash))

    someone = telegram.person("Pedro")
    await someone.send(f"/start {stored_hash}")
    assert "no existe" in someone.last()

    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {code}")
    assert "Secretaría Técnica" in rosa.last()
    await rosa.send(f"/start {code}")
    assert "ya fue usada" in rosa.last()
    await someone.send(f"/start {code}")
    assert "ya fue usada" in someone.last()
    async with sessions() as db:
        assert len((await db.scalars(select(Member))).all()) == 1


async def test_a_code_that_is_not_well_formed_is_refused_before_any_query(telegram, engine, clock, committee):
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_: statements.append(statement))
    someone = telegram.person("Pedro")
    for wrong in ("NoExisteEsteCodigo", "x" * 200, "AbC123…", "Ab3dE5gH7jK9mN1pQ3sT5v'--"):
        await someone.send(f"/start {wrong}")
        assert "no existe" in someone.last() and "start=AbC123" in someone.last()
    assert not [s for s in statements if "invitation" in s]

    await someone.send("/start Ab3dE5gH7jK9mN1pQ3sT5v")
    assert "no existe" in someone.last()
    assert [s for s in statements if "invitation" in s]


def test_the_operator_gets_the_only_copy_of_the_code(operator_env, capsys, database_url):
    assert main(["committee", "add", "CORESEC Moquegua", "--kind", "coresec"]) == 0
    capsys.readouterr()
    assert main(["invite", "--committee", "CORESEC Moquegua", "--role", "secretary"]) == 0
    code = capsys.readouterr().out.strip().split("start=")[1]

    if database_url.startswith("sqlite"):
        database = Path(database_url.split("///", 1)[1])
        files = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
        assert code.encode() not in files
        assert committees.invitation_code_hash(code).encode() in files
