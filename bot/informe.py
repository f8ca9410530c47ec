"""The Informe de seguimiento de acuerdos: the summary and the avances since the last session, for bot/exports.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.summaries import Summary, build_summary
from models import rollup
from models.entities import Committee, Status


@dataclass(frozen=True)
class UpdateLine:
    """One avance, as the report's "Avances" sheet lists it."""

    at: datetime
    code: str
    session_number: int
    institution: str
    status: Status
    percent: int | None
    note: str
    author: str
    evidence: int


@dataclass
class Report:
    """The "Informe de seguimiento de acuerdos" for the next session: from the last session held until now."""

    summary: Summary
    period_start: date
    updates: list[UpdateLine]


async def build_report(db: AsyncSession, committee: Committee, now: datetime) -> Report:
    summary = await build_summary(db, committee, now)
    held = [a.session_on for a in summary.agreements if a.session_on <= summary.today]
    start = max(held, default=summary.today)
    rows = await rollup.updates(db, committee.id, _local_midnight(start, committee.timezone), now)
    return Report(summary, start, [UpdateLine(*row) for row in rows])


def _local_midnight(value: date, tz: str) -> datetime:
    return datetime.combine(value, time(), ZoneInfo(tz))
