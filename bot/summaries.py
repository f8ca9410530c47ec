"""A committee's summary as data: each agreement's semáforo, the table per institution, changes, the roll-up below."""

from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Iterable, Iterator, NamedTuple, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import tallies
from bot.views import session_name
from models import rollup
from models.entities import Committee, CommitteeKind, Member, Role, Status
from models.lifecycle import CLOSED, WORKING
from models.names import institution_key
from models.rules import agreement_status, code_key
from models.semaforo import Light, LightSettings, Tally, light, worst

WEEK = timedelta(days=7)
LIST_LIMIT = 30  # lines per list in the chat; the report has them all
KIND_ORDER = {kind: index for index, kind in enumerate(CommitteeKind)}
# How many levels of committees below an observer's own one get a line; others are summed into their parent's.
ROLLUP_DEPTH = {CommitteeKind.CONASEC: 1}
ROLLUP_CHUNK = 200  # committees read at once for an observer's roll-up


class AssignmentState(NamedTuple):
    id: int
    institution_id: int
    institution: str
    status: Status
    percent: int
    last_update: datetime | None
    unanswered: int
    light: Light
    overdue: bool


class AgreementState(NamedTuple):
    id: int
    code: str
    text: str
    session: str
    session_on: date
    deadline: date | None  # the date to meet; for "la siguiente sesión", that session's date once registered
    next_session: bool
    registered_at: datetime | None  # read only when recent enough to be news
    cancelled: bool
    assignments: tuple[AssignmentState, ...]
    live: tuple[AssignmentState, ...]  # the ones the semáforo counts: none once the agreement is cancelled
    light: Light | None  # None once cancelled: out of the semáforo
    status: Status

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    @property
    def without_deadline(self) -> bool:
        return self.deadline is None and not self.next_session


class InstitutionLine(NamedTuple):
    """One row of the table per institution."""

    name: str
    open: int
    overdue: int
    reported: int
    done: int
    last_update: datetime | None
    tally: Tally


class Change(NamedTuple):
    at: datetime
    code: str
    institution: str
    status: Status
    percent: int | None
    note: str
    author: str


class Silent(NamedTuple):
    """An institution that did not answer its reminders: (code, unanswered reminders) per agreement."""

    institution: str
    agreements: tuple[tuple[str, int], ...]


class Branch(NamedTuple):
    """A committee below the reader's, with the semáforo of its whole subtree."""

    committee_id: int
    name: str
    kind: CommitteeKind
    depth: int
    below: int
    tally: Tally


class Digest(NamedTuple):
    """A summary's numbers, counted in one pass over its agreements."""

    tally: Tally  # the semáforo of the agreements, each one as its worst responsible
    done: int
    cancelled: int
    institutions: list[InstitutionLine]
    silent: list[Silent]  # who has not answered: open assignments with reminders sent since their last update
    without_deadline: list[AgreementState]


@dataclass
class Summary:
    committee_id: int
    committee: str
    timezone: str
    now: datetime
    since: datetime
    agreements: list[AgreementState]
    changes: list[Change]
    changes_total: int
    branches: list[Branch] = field(default_factory=list)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    @cached_property
    def digest(self) -> Digest:
        tally, done, cancelled, without = Tally(), 0, 0, []
        counts: dict[int, list] = {}  # per institution: name, open, overdue, reported, done, last update, tally
        silent: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for agreement in self.agreements:
            if agreement.light is None:
                cancelled += 1
                continue
            tally.add(agreement.light)
            done += agreement.status == Status.CUMPLIDO
            if agreement.without_deadline and agreement.is_open:
                without.append(agreement)
            for a in agreement.live:
                row = counts.get(a.institution_id)
                if row is None:
                    row = counts[a.institution_id] = [a.institution, 0, 0, 0, 0, None, Tally()]
                waiting = a.status in WORKING
                row[1] += waiting
                row[2] += a.overdue
                row[3] += a.status == Status.REPORTADO
                row[4] += a.status == Status.CUMPLIDO
                if a.last_update is not None and (row[5] is None or a.last_update > row[5]):
                    row[5] = a.last_update
                row[6].add(a.light)
                if waiting and a.unanswered:
                    silent[a.institution].append((agreement.code, a.unanswered))
        return Digest(tally, done, cancelled,
                      [InstitutionLine(*row) for row in sorted(counts.values(), key=lambda row: row[0].casefold())],
                      [Silent(name, tuple(silent[name])) for name in sorted(silent, key=str.casefold)], without)

    @property
    def tally(self) -> Tally:
        return self.digest.tally

    @property
    def done(self) -> int:
        return self.digest.done

    @property
    def cancelled(self) -> int:
        return self.digest.cancelled

    @property
    def institutions(self) -> list[InstitutionLine]:
        return self.digest.institutions

    @property
    def silent(self) -> list[Silent]:
        return self.digest.silent

    @property
    def without_deadline(self) -> list[AgreementState]:
        return self.digest.without_deadline

    @property
    def new_agreements(self) -> list[AgreementState]:
        return [a for a in self.agreements if a.registered_at and self.since < a.registered_at <= self.now]

    @property
    def open_agreements(self) -> list[AgreementState]:
        return [a for a in self.agreements if a.is_open]

    @property
    def overdue(self) -> list[tuple[AgreementState, AssignmentState]]:
        return [(agreement, assignment) for agreement in self.agreements for assignment in agreement.live
                if assignment.overdue]


class _Judge:
    """Turns the rows of `rollup.facts` into agreement states, with the semáforo of each committee's day."""

    def __init__(self, committees: Iterable, now: datetime):
        self.context = {c.id: (ZoneInfo(c.timezone), now.astimezone(ZoneInfo(c.timezone)).date(),
                               LightSettings.of(c.settings)) for c in committees}
        self.sessions: dict[int, str] = {}

    def states(self, facts: rollup.Facts) -> dict[int, list[AgreementState]]:
        """Agreement states by committee."""
        states: dict[int, list[AgreementState]] = defaultdict(list)
        assignments, names, position, count = facts.assignments, facts.institutions, 0, len(facts.assignments)
        as_utc, anulado, awaiting = rollup.as_utc, Status.ANULADO, WORKING
        # Rows are unpacked by position (rollup's AgreementFact / AssignmentFact order): this is the inner loop of
        # every weekly summary, and a Row's attribute lookup costs more than the rest of the work.
        for (agreement_id, committee_id, code, text, deadline, next_session, next_session_on, cancelled,
             registered_at, session_id) in facts.agreements:
            tz, today, settings = self.context[committee_id]
            due = next_session_on if next_session else deadline
            late = due is not None and today > due
            mine, statuses, live, lights = [], [], [], []
            while position < count:
                row = assignments[position]
                if row[0] != agreement_id:
                    break
                position += 1
                _, assignment_id, institution_id, status, percent, updated, silent_since, unanswered = row
                silent_since = as_utc(silent_since)
                silent_on = silent_since.astimezone(tz).date()
                lit = light(status=status, deadline=due, today=today, last_update=silent_on if updated else None,
                            assigned_on=silent_on, unanswered=unanswered, settings=settings,
                            next_session=next_session)
                state = AssignmentState(assignment_id, institution_id, names[institution_id], status, percent,
                                        silent_since if updated else None, unanswered, lit,
                                        late and status in awaiting)
                mine.append(state)
                statuses.append(status)
                if status != anulado and not cancelled:
                    live.append(state)
                    lights.append(lit)
            session = facts.sessions[session_id]
            states[committee_id].append(AgreementState(
                agreement_id, code, text, self.sessions.get(session_id) or self._session_name(session),
                session.held_on, due, next_session, registered_at, cancelled, tuple(mine), tuple(live),
                worst(lights), agreement_status(statuses, cancelled)))
        return states

    def _session_name(self, session: rollup.SessionFact) -> str:
        name = self.sessions[session.session_id] = session_name(session)
        return name


async def agreement_states(db: AsyncSession, committees: Sequence, now: datetime,
                  recent: datetime) -> dict[int, list[AgreementState]]:
    """The agreement states of these committees (anything with id, timezone and settings), in four statements;
    `registered_at` is only read for agreements registered after `recent`."""
    with _without_cycle_collection():
        return _Judge(committees, now).states(await rollup.facts(db, [c.id for c in committees], recent))


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    # A batch allocates a few hundred thousand rows and tuples but no reference cycles: the cyclic collector would
    # only walk them over and over. Reference counting still frees everything.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def build_summaries(db: AsyncSession, committees: Sequence[Committee], now: datetime,
                          since: datetime | None = None) -> list[Summary]:
    """The summaries of several committees at once, in a fixed number of statements (the weekly job's batches).

    The changes are those since each committee's last weekly summary (or the last 7 days), unless `since` is given.
    """
    ids = [c.id for c in committees]
    if since is None:
        last = await rollup.last_summaries(db, ids)
        starts = {committee_id: last.get(committee_id) or now - WEEK for committee_id in ids}
    else:
        starts = dict.fromkeys(ids, since)
    agreements = await agreement_states(db, committees, now, min(starts.values(), default=now))
    changes: dict[int, list] = defaultdict(list)
    by_start: dict[datetime, list[int]] = defaultdict(list)
    for committee_id, start in starts.items():
        by_start[start].append(committee_id)
    # Usually one statement: every committee's last summary went out at the same hour.
    for start, group in by_start.items():
        for row in await rollup.changes(db, group, start, now, LIST_LIMIT):
            changes[row.committee_id].append(row)
    return [Summary(c.id, c.name, c.timezone, now, starts[c.id],
                    sorted(agreements.get(c.id, []), key=lambda a: (a.session_on, _code_order(a.code))),
                    [Change(r.at, r.code, r.institution, r.status, r.percent, r.note, r.author)
                     for r in changes[c.id]],
                    changes[c.id][0].total if changes[c.id] else 0)
            for c in committees]


async def build_summary(db: AsyncSession, committee: Committee, now: datetime, since: datetime | None = None,
                        below: bool = False) -> Summary:
    """The committee's numbers now; with `below`, also the roll-up of the committees below it (an observer's)."""
    summary = (await build_summaries(db, [committee], now, since))[0]
    if below:
        summary.branches = await build_rollup(db, committee, now)
    return summary


@lru_cache(maxsize=4096)
def _code_order(code: str) -> tuple[int, ...]:
    """"2.10" after "2.9": codes repeat across committees ("1", "2.1"), so each is worked out once."""
    return tuple(int(part) for part in code_key(code).split("."))


async def build_rollup(db: AsyncSession, committee: Committee, now: datetime) -> list[Branch]:
    """A line per committee below this one (down to ROLLUP_DEPTH levels), each with its whole subtree's semáforo.

    Uses the counts kept per committee (bot/tallies.py), judging again, in chunks, only those whose data changed.
    """
    tree = await rollup.committees_under(db, committee.id)
    children: dict[int, list] = defaultdict(list)
    for row in tree:
        if row.id != committee.id:
            children[row.parent_id].append(row)
    below = [row for row in tree if row.id != committee.id]
    # The counts kept per committee (bot/tallies.py); only those whose data changed since are judged again.
    counts, _ = await tallies.tallies(db, below, now)
    own: dict[int, Tally] = defaultdict(Tally, {key: tallies.as_tally(value) for key, value in counts.items()})

    def total(node: int) -> tuple[Tally, int]:
        tally, size = own[node], 0
        for child in children[node]:
            child_tally, child_size = total(child.id)
            tally, size = tally + child_tally, size + child_size + 1
        return tally, size

    branches: list[Branch] = []
    depth_limit = ROLLUP_DEPTH.get(committee.kind)

    def visit(node: int, depth: int) -> None:
        for child in sorted(children[node], key=lambda r: (KIND_ORDER[r.kind], r.name.casefold())):
            tally, size = total(child.id)
            branches.append(Branch(child.id, child.name, child.kind, depth, size, tally))
            if depth_limit is None or depth < depth_limit:
                visit(child.id, depth + 1)

    visit(committee.id, 1)
    return branches


async def readable_committee(db: AsyncSession, links: list[Member], name: str) -> tuple[Committee, bool] | None:
    """The committee called `name` if these links let their person read it, and whether as an observer
    (who also gets the committees below it). A secretary reads only their own committee."""
    own = {m.committee_id for m in links if m.role == Role.SECRETARY}
    observed = [m.committee_id for m in links if m.role == Role.OBSERVER]
    scope = [Committee.id.in_(own)] if own else []
    if observed:
        tree = rollup.subtree(*observed)
        scope.append(Committee.id.in_(select(tree.c.id)))
    if not scope:
        return None
    key = institution_key(name)
    rows = (await db.execute(select(Committee.id, Committee.name).where(or_(*scope)))).all()
    found = next((row.id for row in rows if institution_key(row.name) == key), None)
    if found is None:
        return None
    committee = await db.get(Committee, found)
    as_observer = found not in own or any(m.committee_id == found and m.role == Role.OBSERVER for m in links)
    return committee, as_observer
