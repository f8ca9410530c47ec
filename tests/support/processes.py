"""Real `acuerdos-bot run` processes (tests/support/clocked_cli.py) against the fake Bot API, whose output is read
line by line while they run, so that a test can tell which one receives and kill it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tests.support.fakebot import TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
RECEIVING = "this instance receives the updates"


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task | None = None

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def receiving(self) -> bool:
        return any(RECEIVING in line for line in self.lines)

    def kill(self) -> None:
        """kill -9: no stop in order, no connection closed politely."""
        self.process.send_signal(signal.SIGKILL)

    async def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as `docker stop` sends it; returns the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except asyncio.TimeoutError:
            self.process.kill()
            raise
        if self.reader is not None:
            await self.reader
        return self.process.returncode


async def start_bot(api: FakeBotAPI, database_url: str, directory: Path, at: datetime, **env: str) -> BotProcess:
    environment = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url,
                   "DATABASE_URL": database_url, "LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT),
                   "ACUERDOS_TEST_PACE_SCALE": "0.01", **env}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.clocked_cli", at.isoformat(), "run", cwd=directory, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    bot = BotProcess(process)

    async def read() -> None:
        async for line in process.stdout:
            bot.lines.append(line.decode(errors="replace").rstrip())

    bot.reader = asyncio.create_task(read())
    return bot


async def until(condition, timeout: float = 60, message: str = "timed out") -> None:
    deadline = time.monotonic() + timeout
    while not await _holds(condition):
        assert time.monotonic() < deadline, message
        await asyncio.sleep(0.1)


async def _holds(condition) -> bool:
    result = condition()
    if asyncio.iscoroutine(result):
        result = await result
    return bool(result)
