"""Which database the tests use, and how a PostgreSQL one is emptied between tests and benchmark runs."""

from __future__ import annotations

import os

from sqlalchemy import text

from models.db import create_engine

POSTGRES_URL = os.environ.get("ACUERDOS_TEST_DATABASE_URL")


async def reset(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
