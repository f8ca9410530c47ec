"""`acuerdos-bot run`, as the README starts it, against the fake Bot API: it migrates, polls and answers."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from sqlalchemy import text

from alembic.script import ScriptDirectory

from models.db import alembic_config, create_engine
from tests.support.database import reset
from tests.support.fakebot import TOKEN


async def test_the_bot_runs_from_the_command_line(api, database_url, tmp_path):
    await reset(database_url)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
           "DATABASE_URL": database_url, "LOG_LEVEL": "INFO"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        user = {"id": 42, "is_bot": False, "first_name": "Ana"}
        update_id = await api.push({"message": {
            "message_id": 1, "date": 0, "chat": {"id": 42, "type": "private", "first_name": "Ana"}, "from": user,
            "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}})
        await api.wait_delivered(update_id, timeout=60)
        for _ in range(100):
            if api.sent(42, "sendMessage"):
                break
            await asyncio.sleep(0.1)
        assert "enlace de invitación" in api.sent(42, "sendMessage")[0].text
        assert api.sent(method="setMyCommands")
    finally:
        await api.release_polls()
        process.send_signal(signal.SIGINT)
        output = (await asyncio.wait_for(process.communicate(), 30))[0].decode()
    assert process.returncode == 0, output
    assert TOKEN not in output
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert await connection.scalar(text("SELECT version_num FROM alembic_version")) == head
        if engine.dialect.name == "sqlite":
            assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
    await engine.dispose()
