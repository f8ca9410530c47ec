"""The injected clock the bot reads instead of the system's, and Lima's wall time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

# Monday 2 March 2026, 09:00 in Lima: five days after the seed acta's session.
START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
LIMA = ZoneInfo("America/Lima")


class FakeClock:
    def __init__(self, now: datetime = START):
        self.current = now

    def now(self) -> datetime:
        return self.current

    def set(self, now: datetime) -> None:
        self.current = now

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def lima(moment: str) -> datetime:
    """'2026-03-09 08:00' in Lima, as the UTC time the bot stores."""
    return datetime.fromisoformat(moment).replace(tzinfo=LIMA).astimezone(timezone.utc)
