"""A link handed out before invitation codes were hashed still opens after the upgrade, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot import committees
from models.base import UTCDateTime
from models.db import create_engine, upgrade
from tests.support.clock import START
from tests.support.database import reset

# A code as the bot made them before (16 random bytes, URL-safe), stored as it was: in plain text.
OLD_CODE = "Ab3dE5gH7jK9mN1pQ3sT5v"

COMMITTEE = sa.table("committee", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("kind", sa.String), sa.column("timezone", sa.String), sa.column("settings", sa.JSON),
                     sa.column("created_at", UTCDateTime))
INVITATION_AT_0002 = sa.table("invitation", sa.column("code", sa.String), sa.column("committee_id", sa.Integer),
                              sa.column("role", sa.String), sa.column("created_by", sa.String),
                              sa.column("created_at", UTCDateTime), sa.column("expires_at", UTCDateTime))


@pytest.fixture
async def engine(database_url: str):
    """A database made at revision 0002, holding one plain code, then upgraded as the bot does on start."""
    await reset(database_url)
    engine = create_engine(database_url)
    await upgrade(engine, "0002")
    async with engine.begin() as connection:
        committee_id = (await connection.execute(COMMITTEE.insert().values(
            name="CORESEC Moquegua", kind="CORESEC", timezone="America/Lima", settings={}, created_at=START)
            .returning(COMMITTEE.c.id))).scalar_one()
        await connection.execute(INVITATION_AT_0002.insert().values(
            code=OLD_CODE, committee_id=committee_id, role="secretary", created_by="cli", created_at=START,
            expires_at=START + timedelta(days=7)))
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def test_a_code_stored_before_the_upgrade_links_after_it(telegram, engine):
    async with engine.connect() as connection:
        stored = (await connection.execute(sa.text("SELECT code_hash FROM invitation"))).scalars().all()
    assert stored == [committees.invitation_code_hash(OLD_CODE)]

    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {OLD_CODE}")
    assert "Secretaría Técnica</b> de <b>CORESEC Moquegua" in rosa.last()
    ana = telegram.person("Ana")
    await ana.send(f"/start {OLD_CODE}")
    assert "ya fue usada" in ana.last()
