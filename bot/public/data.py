"""What the public site shows of a committee, read from the database: only published committees, never a reserved
agreement, and of the rest no person, chat, note, evidence or reason text."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timezone
from functools import cache
from typing import NamedTuple, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Select, String, bindparam, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot import summaries
from bot.summaries import AgreementState
from models.entities import Agreement, Assignment, Committee, CommitteeKind, Status, StatusUpdate
from models.lifecycle import WORKING
from models.semaforo import LightSettings, Tally, Why, reason

STATUS = {status.value: status for status in Status}  # a lookup: Status(value) costs more, a million times


class CommitteeRow(NamedTuple):
    id: int
    name: str
    kind: CommitteeKind
    parent_id: int | None
    timezone: str
    settings: dict
    published: bool


class Step(NamedTuple):
    """One change of status in an assignment's public history: a date and the status it reached."""

    on: date
    status: Status


class Responsible(NamedTuple):
    institution_id: int
    institution: str
    status: Status
    percent: int
    last_update: date | None
    light: str | None  # None once cancelled
    why: Why
    why_number: int
    history: tuple[Step, ...]


class PublicAgreement(NamedTuple):
    id: int
    code: str
    session: str
    session_on: date
    text: str
    deadline: date | None
    next_session: bool
    status: Status
    percent: int
    last_update: date | None
    light: str | None  # None once cancelled: out of the semáforo
    responsibles: tuple[Responsible, ...]


class InstitutionRow(NamedTuple):
    id: int
    name: str
    open: int
    overdue: int
    done: int
    done_on_time: int
    with_deadline: int
    tally: Tally


class CommitteeData(NamedTuple):
    """Everything a committee's page, its CSV files and its calendars hold."""

    committee: CommitteeRow
    cutoff: datetime  # the moment the data were read
    today: date
    agreements: list[PublicAgreement]
    institutions: list[InstitutionRow]
    tally: Tally  # its own agreements, each as its worst responsible, reserved ones left out
    done: int
    reserved: int  # how many agreements are reserved (a number, nothing of them)
    cancelled: int


async def committees(db: AsyncSession) -> list[CommitteeRow]:
    query = select(Committee.id, Committee.name, Committee.kind, Committee.parent_id, Committee.timezone,
                   Committee.settings, Committee.published).order_by(Committee.id)
    return [CommitteeRow(*row) for row in (await db.execute(query)).all()]


async def read(db: AsyncSession, rows: Sequence[CommitteeRow], now: datetime) -> list[CommitteeData]:
    """The public data of these committees: a fixed number of statements for the lot."""
    states = await summaries.agreement_states(db, rows, now, now)
    reserved_query, assigned_query, history_query = _statements()
    values = {"committee_ids": [row.id for row in rows]}
    connection = await db.connection()  # Core rows: the ORM's row handling costs more than the reading
    reserved = set((await connection.execute(reserved_query, values)).scalars())
    assigned = dict((await connection.execute(assigned_query, values)).all())
    history: dict[int, list[tuple[datetime, Status]]] = defaultdict(list)
    for assignment_id, at, status in (await connection.execute(history_query, values)).all():
        history[assignment_id].append((at, STATUS[status]))
    return [_committee(row, states.get(row.id, []), reserved, assigned, history, now) for row in rows]


@cache
def _statements() -> tuple[Select, Select, Select]:
    """Built once. The history keeps only the updates that changed an assignment's status (what a page shows): the
    database drops the rest, a million rows at national scale. Timestamps come as the driver gives them
    (`_day`), like rollup.facts'."""
    committee_ids = bindparam("committee_ids", expanding=True)
    moment = DateTime(timezone=True)
    reserved = select(Agreement.id).where(Agreement.committee_id.in_(committee_ids), Agreement.reserved.is_(True))
    assigned = (select(Assignment.id, type_coerce(Assignment.created_at, moment)).join(Agreement)
                .where(Agreement.committee_id.in_(committee_ids)))
    before = func.lag(StatusUpdate.status).over(partition_by=StatusUpdate.assignment_id,
                                                order_by=(StatusUpdate.created_at, StatusUpdate.id))
    updates = (select(StatusUpdate.assignment_id, type_coerce(StatusUpdate.created_at, moment).label("at"),
                      type_coerce(StatusUpdate.status, String).label("status"), StatusUpdate.id,
                      type_coerce(before, String).label("before"))
               .join(Assignment, Assignment.id == StatusUpdate.assignment_id).join(Agreement)
               .where(Agreement.committee_id.in_(committee_ids), Agreement.reserved.is_(False))
               .subquery("updates"))
    history = (select(updates.c.assignment_id, updates.c.at, updates.c.status)
               .where(or_(updates.c.before.is_(None), updates.c.before != updates.c.status))
               .order_by(updates.c.assignment_id, updates.c.at, updates.c.id))
    return reserved, assigned, history


def _committee(row: CommitteeRow, states: list[AgreementState], reserved: set[int], assigned: dict,
               history: dict, now: datetime) -> CommitteeData:
    tz = ZoneInfo(row.timezone)
    today = now.astimezone(tz).date()
    settings = LightSettings.of(row.settings)
    agreements, institutions, tally = [], {}, Tally()
    done = cancelled = hidden = 0
    for state in sorted(states, key=lambda a: (a.session_on, summaries._code_order(a.code))):
        if state.id in reserved:
            hidden += 1
            continue
        if state.light is None:
            cancelled += 1
        else:
            tally.add(state.light)
            done += state.status == Status.CUMPLIDO
        responsibles = []
        for a in state.assignments:
            local = a.last_update.astimezone(tz).date() if a.last_update else None
            # The day it was assigned counts only while the institution never reported.
            assigned_on = local or (_day(assigned[a.id], tz) if assigned.get(a.id) else today)
            why, number = reason(status=a.status, deadline=state.deadline, today=today, last_update=local,
                                 assigned_on=assigned_on, unanswered=a.unanswered, settings=settings,
                                 next_session=state.next_session)
            live = a in state.live
            responsibles.append(Responsible(a.institution_id, a.institution, a.status, a.percent, local,
                                            a.light.value if live else None, why, number,
                                            _steps(history.get(a.id, ()), tz)))
            if live:
                _count(institutions, a, state, _completed_on(responsibles[-1].history))
        percents = [a.percent for a in state.live] or [0]
        updates = [r.last_update for r in responsibles if r.last_update]
        agreements.append(PublicAgreement(
            state.id, state.code, state.session, state.session_on, state.text, state.deadline, state.next_session,
            state.status, round(sum(percents) / len(percents)), max(updates) if updates else None,
            state.light.value if state.light else None, tuple(responsibles)))
    lines = [InstitutionRow(key, *values) for key, values in institutions.items()]
    lines.sort(key=lambda line: line.name.casefold())
    return CommitteeData(row, now, today, agreements, lines, tally, done, hidden, cancelled)


def _count(institutions: dict, a, state: AgreementState, completed_on: date | None) -> None:
    line = institutions.get(a.institution_id)
    if line is None:
        line = institutions[a.institution_id] = [a.institution, 0, 0, 0, 0, 0, Tally()]
    line[1] += a.status in WORKING
    line[2] += a.overdue
    if a.status == Status.CUMPLIDO:
        line[3] += 1
        line[4] += state.deadline is not None and completed_on is not None and completed_on <= state.deadline
    line[5] += state.deadline is not None
    line[6].add(a.light)


def _completed_on(steps: tuple[Step, ...]) -> date | None:
    """The day the institution reported the completion the secretary then verified (or the verification's, when
    it never reported one): what "on time" is judged by."""
    for index in range(len(steps) - 1, -1, -1):
        if steps[index].status == Status.CUMPLIDO:
            earlier = steps[index - 1] if index else None
            return earlier.on if earlier and earlier.status == Status.REPORTADO else steps[index].on
    return None


def _steps(updates, tz: ZoneInfo) -> tuple[Step, ...]:
    """The changes of status (the query keeps only those), each with its day: no note, no author."""
    return tuple(Step(_day(at, tz), status) for at, status in updates)


def _day(at: datetime, tz: ZoneInfo) -> date:
    """A stored moment's day in the committee's zone, as the driver gives it: SQLite's naive UTC or PostgreSQL's
    aware (rollup.as_utc's check, without its cost on a million values)."""
    return (at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at).astimezone(tz).date()
