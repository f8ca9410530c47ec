"""The planner: for every open assignment and each active contact of its institution, exactly one pending
reminder row, due when the cadence says. Planning twice changes nothing; planning after a change fixes the rows.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, exists, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import audit
from bot.reminders.cadence import REMINDED_STATUSES, Facts, ReminderSettings, Step, next_reminder, snooze_until
from bot.reminders.locking import chunked, lock
from models.entities import (
    ANSWERABLE_KINDS,
    Agreement,
    Assignment,
    Committee,
    Member,
    MessageKind,
    Reminder,
    Role,
    Status,
)

log = logging.getLogger(__name__)

CHUNK = 40  # assignments planned per transaction: keeps each lock short (a report waits behind one)


async def replan_assignment(db: AsyncSession, assignment_id: int, now: datetime) -> None:
    """Bring one assignment's pending reminders in line with its status, deadline, snooze and contacts."""
    await plan(db, [assignment_id], now)


async def replan_agreement(db: AsyncSession, agreement_id: int, now: datetime) -> None:
    """The same for every assignment of an agreement (after /plazo, or when the agreement is cancelled)."""
    await plan(db, list(await db.scalars(select(Assignment.id).where(Assignment.agreement_id == agreement_id))), now)


async def replan_institution(db: AsyncSession, institution_id: int, now: datetime) -> None:
    """The same for every assignment of an institution (after one of its contacts joined or left)."""
    await plan(db, list(await db.scalars(select(Assignment.id).where(Assignment.institution_id == institution_id))),
               now)


async def replan_reminders(db: AsyncSession, reminder_ids: list[int], now: datetime) -> None:
    """Plan these rows' contacts again, just before the rows go: a later step may have passed meanwhile
    (the committee was closed, or Telegram refused), and then only that one should go. Only these rows' own
    contacts: the assignment's other contacts are planned when their rows go. Planning every contact of the
    assignment made each row about to go move ten others on a deadline's day, in the render's transaction
    (bench_soak.py: render parts held SQLite's one connection 110 ms at the median, up to 590 ms)."""
    pairs = (await db.execute(select(Reminder.assignment_id, Reminder.member_id).where(
        Reminder.id.in_(reminder_ids), Reminder.assignment_id.is_not(None)))).all()
    await plan(db, [assignment for assignment, _ in pairs], now, contacts=set(pairs))
    await _say_what_is_true(db, reminder_ids, now)


async def _say_what_is_true(db: AsyncSession, reminder_ids: list[int], now: datetime) -> None:
    """A reminder that goes out later than planned (after hours, or the bot was down) is what it is when it goes:
    a deadline-day one sent the next morning is an overdue one, in its header and for the escalation's count."""
    rows = (await db.execute(
        select(Reminder, Agreement.deadline, Committee.timezone)
        .join(Assignment, Assignment.id == Reminder.assignment_id)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .join(Committee, Committee.id == Agreement.committee_id)
        .where(Reminder.id.in_(reminder_ids), Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
               Reminder.kind.in_([MessageKind.BEFORE_DEADLINE, MessageKind.ON_DEADLINE]),
               Agreement.deadline.is_not(None)).execution_options(populate_existing=True))).all()
    for reminder, deadline, timezone in rows:
        today = now.astimezone(ZoneInfo(timezone)).date()
        if deadline < today:
            reminder.kind = MessageKind.OVERDUE
        elif deadline == today:
            reminder.kind = MessageKind.ON_DEADLINE


async def plan(db: AsyncSession, assignment_ids: list[int], now: datetime, *, stale: bool = False,
               contacts: set[tuple[int, int | None]] | None = None) -> None:
    """Insert, move or cancel pending rows of these assignments so that each contact has the one it should.
    `stale`: the caller found them needing a plan, so the look without a lock is skipped. `contacts`: only these
    (assignment, member) pairs' rows are planned (a pair with no member: its rows are cancelled)."""
    ids = sorted(set(assignment_ids))
    # Most plans change nothing: find that out without taking a lock (on SQLite a lock is a write).
    if not ids or not (stale or await _writes(db, ids, now, contacts)):
        return
    await lock(db, Assignment.id, ids)
    await _apply(db, await _writes(db, ids, now, contacts), now)
    await db.flush()


async def plan_due(sessions: async_sessionmaker[AsyncSession], now: datetime, *, everything: bool = False,
                   people_first: Callable[[], AbstractAsyncContextManager[None]] | None = None) -> int:
    """Plan the assignments whose rows are missing or stale (or all open ones); returns how many were planned.
    Each transaction is in a `people_first()` (the round lets people's updates go first: bot/inbox/worker.py)."""
    turn = people_first or at_once
    async with turn():
        async with sessions() as db:
            ids = await _everything(db) if everything else await _needing_plan(db)
    for batch in chunked(ids, CHUNK):
        try:
            async with turn():
                async with sessions.begin() as db:
                    await plan(db, batch, now, stale=not everything)
        except Exception:
            # One assignment whose plan fails must not keep the others' reminders from being planned.
            log.warning("planning %d assignments together failed; planning them one by one", len(batch),
                        exc_info=True)
            for assignment_id in batch:
                try:
                    async with sessions.begin() as db:
                        await plan(db, [assignment_id], now)
                except Exception:
                    log.exception("assignment %s could not be planned; its reminders wait until it can", assignment_id)
    return len(ids)


def at_once() -> AbstractAsyncContextManager[None]:
    """A turn that waits for nobody (PostgreSQL: people's updates have connections of their own)."""
    return nullcontext()


@dataclass(frozen=True)
class Snoozed:
    until: datetime
    timezone: str


class SnoozeRefused(Exception):
    """`reason`: unknown (not this chat's reminder) or closed (nothing left to remind)."""

    def __init__(self, reason: str, status: Status | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status


async def snooze(db: AsyncSession, *, reminder_id: int, assignment_id: int, chat_id: int, now: datetime,
                 actor: str) -> Snoozed:
    """«Recordar en 3 días» pressed on a reminder: no reminder of this assignment before then."""
    reminder = await db.get(Reminder, reminder_id) if reminder_id else None
    if reminder is None or reminder.assignment_id != assignment_id or reminder.chat_id != chat_id:
        raise SnoozeRefused("unknown")
    assignment, agreement, committee = (await db.execute(
        select(Assignment, Agreement, Committee)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .join(Committee, Committee.id == Agreement.committee_id)
        .where(Assignment.id == assignment_id))).one()
    contact = await db.scalar(select(Member.id).where(
        Member.chat_id == chat_id, Member.role == Role.IMPLEMENTER, Member.active.is_(True),
        Member.institution_id == assignment.institution_id, Member.committee_id == committee.id))
    if contact is None:
        raise SnoozeRefused("unknown")
    if assignment.status not in REMINDED_STATUSES or agreement.cancelled_at is not None:
        raise SnoozeRefused("closed", Status.ANULADO if agreement.cancelled_at else assignment.status)
    until = snooze_until(now, ZoneInfo(committee.timezone), ReminderSettings.of(committee.settings))
    if assignment.snoozed_until is None or assignment.snoozed_until < until:
        assignment.snoozed_until = until
    audit.record(db, at=now, actor=actor, action="reminder_snoozed", entity="assignment", entity_id=assignment.id,
                 committee_id=committee.id, code=agreement.code, reminder_id=reminder_id,
                 until=assignment.snoozed_until.isoformat())
    await plan(db, [assignment.id], now)
    return Snoozed(assignment.snoozed_until, committee.timezone)


@dataclass
class _RowWrite:
    """One write of a plan: cancel rows, move a row, or add one."""

    cancel: list[int] | None = None
    reason: str = ""
    move: tuple[int, dict] | None = None
    add: Reminder | None = None


async def _apply(db: AsyncSession, writes: list[_RowWrite], now: datetime) -> None:
    """A plan's writes in a few statements: the cancellations by reason, every move in one executemany, the new rows
    in one insert. A deadline's day moves every pending row of its assignments (each contact's): one UPDATE a row
    held SQLite's one connection 300–500 ms for 40 assignments of ten contacts each (bench_soak.py)."""
    cancelled: dict[str, list[int]] = defaultdict(list)
    moves = []
    for write in writes:
        if write.cancel:
            cancelled[write.reason] += write.cancel
        if write.move:
            row_id, values = write.move
            moves.append({"row": row_id, **{f"new_{key}": value for key, value in values.items()}})
        if write.add is not None:
            db.add(write.add)
    # Only rows still pending: the dispatcher may have sent one since it was read.
    for reason, ids in cancelled.items():
        for batch in chunked(ids, 500):
            await db.execute(update(Reminder).where(Reminder.id.in_(batch), Reminder.sent_at.is_(None),
                                                    Reminder.cancelled_at.is_(None))
                             .values(cancelled_at=now, error=f"cancelled: {reason}")
                             .execution_options(synchronize_session=False))
    if moves:
        table = Reminder.__table__
        columns = ("due_at", "kind", "chat_id", "payload")
        await db.execute(
            update(table).where(table.c.id == bindparam("row"), table.c.sent_at.is_(None),
                                table.c.cancelled_at.is_(None))
            .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns}), moves)


async def _writes(db: AsyncSession, ids: list[int], now: datetime,
                  only: set[tuple[int, int | None]] | None = None) -> list[_RowWrite]:
    rows = (await db.execute(
        select(Assignment, Agreement, Committee)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .join(Committee, Committee.id == Agreement.committee_id)
        .where(Assignment.id.in_(ids)))).all()
    contacts = await _contacts(db, {(committee.id, a.institution_id) for a, _, committee in rows})
    members = None if only is None else {member for _, member in only}
    done = await _last_done(db, ids, members)
    pending = await _pending(db, ids, members)
    if only is not None:
        pending = {a: [row for row in found if (a, row.member_id) in only] for a, found in pending.items()}
    writes: list[_RowWrite] = []
    for assignment, agreement, committee in rows:
        wanted: dict[int, tuple[Member, Step]] = {}
        if agreement.cancelled_at is None:
            settings, zone = ReminderSettings.of(committee.settings), ZoneInfo(committee.timezone)
            today = now.astimezone(zone).date()
            for member in contacts.get((committee.id, assignment.institution_id), []):
                if only is not None and (assignment.id, member.id) not in only:
                    continue  # another contact: planned when its own row goes
                if member.away_until is not None and member.away_until >= today:
                    continue  # away (/ausente): the institution's other contacts get theirs
                facts = Facts(status=assignment.status, deadline=agreement.deadline,
                              assigned_at=assignment.created_at, last_update_at=assignment.last_update_at,
                              last_done_at=done.get((assignment.id, member.id)), snoozed_until=assignment.snoozed_until)
                step = next_reminder(facts, now, zone, settings)
                if step is not None:
                    wanted[member.id] = (member, step)
        writes += _reconcile(assignment, committee.id, pending.get(assignment.id, []), wanted, now,
                              reason=_why_none(assignment, agreement))
    return writes


def _why_none(assignment: Assignment, agreement: Agreement) -> str:
    if agreement.cancelled_at is not None:
        return "agreement cancelled"
    if assignment.status not in REMINDED_STATUSES:
        return f"status {assignment.status.value}"
    return "contact inactive"


def _reconcile(assignment: Assignment, committee_id: int, rows: list[Reminder],
               wanted: dict[int, tuple[Member, Step]], now: datetime, reason: str) -> list[_RowWrite]:
    writes = []
    by_member: dict[int | None, list[Reminder]] = defaultdict(list)
    for row in rows:
        by_member[row.member_id].append(row)
    for member_id, (keep, *extra) in by_member.items():
        if extra:
            writes.append(_RowWrite(cancel=[r.id for r in extra], reason="duplicate"))
        target = wanted.pop(member_id, None) if member_id is not None else None
        if target is None:
            writes.append(_RowWrite(cancel=[keep.id], reason=reason))
            continue
        member, step = target
        if (keep.due_at, keep.kind, keep.chat_id) != (step.due_at, step.kind, member.chat_id):
            writes.append(_RowWrite(move=(keep.id, {"due_at": step.due_at, "kind": step.kind, "chat_id": member.chat_id,
                                                    "payload": {"step": step.label}})))
    for member, step in wanted.values():
        writes.append(_RowWrite(add=Reminder(
            assignment_id=assignment.id, committee_id=committee_id, member_id=member.id, chat_id=member.chat_id,
            kind=step.kind, payload={"step": step.label}, due_at=step.due_at, attempts=0, created_at=now)))
    return writes


async def _contacts(db: AsyncSession, keys: set[tuple[int, int]]) -> dict[tuple[int, int], list[Member]]:
    if not keys:
        return {}
    members = await db.scalars(select(Member).where(
        Member.role == Role.IMPLEMENTER, Member.active.is_(True),
        Member.committee_id.in_({c for c, _ in keys}), Member.institution_id.in_({i for _, i in keys}))
        .order_by(Member.id))
    found: dict[tuple[int, int], list[Member]] = defaultdict(list)
    for member in members:
        found[(member.committee_id, member.institution_id)].append(member)
    return found


def _of_members(members: set[int | None] | None):
    """Rows of these members only (None among them: rows whose contact is gone), or of all."""
    if members is None:
        return true()
    known = Reminder.member_id.in_([m for m in members if m is not None])
    return or_(known, Reminder.member_id.is_(None)) if None in members else known


async def _last_done(db: AsyncSession, ids: list[int],
                     members: set[int | None] | None = None) -> dict[tuple[int, int], datetime]:
    """When each contact's last reminder went out, or was given up on after trying (the cadence goes on from there)."""
    done_at = func.max(func.coalesce(Reminder.sent_at, Reminder.cancelled_at))
    rows = await db.execute(
        select(Reminder.assignment_id, Reminder.member_id, done_at)
        .where(Reminder.assignment_id.in_(ids), Reminder.kind.in_(ANSWERABLE_KINDS), Reminder.member_id.is_not(None),
               or_(Reminder.sent_at.is_not(None), and_(Reminder.cancelled_at.is_not(None), Reminder.attempts > 0)),
               _of_members(members))
        .group_by(Reminder.assignment_id, Reminder.member_id))
    return {(assignment_id, member_id): at for assignment_id, member_id, at in rows.all()}


async def _pending(db: AsyncSession, ids: list[int],
                   members: set[int | None] | None = None) -> dict[int, list[Reminder]]:
    rows = await db.scalars(select(Reminder).where(
        Reminder.assignment_id.in_(ids), Reminder.kind.in_(ANSWERABLE_KINDS), Reminder.sent_at.is_(None),
        Reminder.cancelled_at.is_(None), _of_members(members)).order_by(Reminder.id))
    found: dict[int, list[Reminder]] = defaultdict(list)
    for row in rows:
        found[row.assignment_id].append(row)
    return found


def _pending_row(*conditions) -> exists:
    return exists().where(Reminder.assignment_id == Assignment.id, Reminder.kind.in_(ANSWERABLE_KINDS),
                          Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None), *conditions)


async def _needing_plan(db: AsyncSession) -> list[int]:
    """Contacts with no pending row (a new agreement or contact, or the last reminder went out), and pending rows
    that should not be there (closed, cancelled, contact gone)."""
    missing = (
        select(Assignment.id)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .join(Member, and_(Member.institution_id == Assignment.institution_id,
                           Member.committee_id == Agreement.committee_id))
        .where(Member.role == Role.IMPLEMENTER, Member.active.is_(True), Assignment.status.in_(REMINDED_STATUSES),
               Agreement.cancelled_at.is_(None), ~_pending_row(Reminder.member_id == Member.id)))
    stale = (
        select(Reminder.assignment_id)
        .join(Assignment, Assignment.id == Reminder.assignment_id)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .outerjoin(Member, Member.id == Reminder.member_id)
        .where(Reminder.kind.in_(ANSWERABLE_KINDS), Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
               or_(Assignment.status.not_in(REMINDED_STATUSES), Agreement.cancelled_at.is_not(None),
                   Member.id.is_(None), Member.active.is_(False), Member.institution_id != Assignment.institution_id)))
    ids = set(await db.scalars(missing.distinct())) | set(await db.scalars(stale.distinct()))
    return sorted(ids)


async def _everything(db: AsyncSession) -> list[int]:
    open_ones = select(Assignment.id).where(Assignment.status.in_(REMINDED_STATUSES))
    with_rows = select(Assignment.id).where(_pending_row())
    return sorted(set(await db.scalars(open_ones)) | set(await db.scalars(with_rows)))
