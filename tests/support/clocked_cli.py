"""`acuerdos-bot` as the operator runs it, with two differences for the tests that run the real process: its clock
starts at a given moment (then runs at the system's pace), so that reminders are due at a working hour whatever
the day the tests run; and its outbox runs a round every second instead of every 30. With ACUERDOS_TEST_PACE_SCALE
set (0.01), Telegram's windows last that share of real time, as in the in-process tests: a thousand answers take
a second, not half a minute at 30 a second.

    python -m tests.support.clocked_cli 2026-03-30T15:00:00+00:00 run
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone

import bot.cli
from bot.outbox import jobs
from bot.outbox.pacing import Pacer


class StartedAt:
    """A clock that says `start` when it is made, and runs on from there."""

    def __init__(self, start: datetime):
        self.offset = start - datetime.now(timezone.utc)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


if __name__ == "__main__":
    clock = StartedAt(datetime.fromisoformat(sys.argv[1]))
    bot.cli.SystemClock = lambda: clock
    jobs.ROUND_SECONDS = 1
    if os.environ.get("ACUERDOS_TEST_PACE_SCALE"):
        scale = float(os.environ["ACUERDOS_TEST_PACE_SCALE"])
        jobs.Pacer = lambda limits: Pacer(limits.scaled(scale))
    sys.exit(bot.cli.main(sys.argv[2:]))
