"""What the reminders tell a committee's secretaries: overdue assignments nobody answers (escalation) and
contacts or reminders Telegram would not take (delivery problems). Each is one batched message per secretary.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reminders.cadence import REMINDED_STATUSES, ReminderSettings, working_moment
from bot.reminders.locking import lock
from models.entities import Agreement, Assignment, Committee, Member, MessageKind, Reminder, Role

log = logging.getLogger(__name__)

# Problems found within this time reach the secretary in one message.
DELIVERY_DELAY = timedelta(minutes=2)


@dataclass(frozen=True)
class Unanswered:
    assignment_id: int
    committee_id: int
    reminders: int
    since: datetime  # the institution's last word (or the assignment's start): the streak began then


async def escalate_due(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Alert the secretaries of every assignment with enough unanswered overdue reminders, once per silence."""
    async with sessions() as db:
        found = await unanswered_overdue(db)
    by_committee: dict[int, list[Unanswered]] = defaultdict(list)
    for item in found:
        by_committee[item.committee_id].append(item)
    alerted = 0
    for committee_id, items in by_committee.items():
        try:
            alerted += await _escalate(sessions, committee_id, items, now)
        except Exception:  # one committee's failure must not keep the others' secretaries uninformed
            log.exception("escalating committee %s failed", committee_id)
    return alerted


async def _escalate(sessions: async_sessionmaker[AsyncSession], committee_id: int, items: list[Unanswered],
                    now: datetime) -> int:
    async with sessions.begin() as db:
        committee = await db.get(Committee, committee_id)
        settings = ReminderSettings.of(committee.settings)
        items = [i for i in items if i.reminders >= settings.escalate_after]
        # Most rounds find every silence already escalated: find that out without a lock (on SQLite, a write).
        if not items or not await _not_escalated(db, committee_id, items):
            return 0
        # Two instances escalating at once would each alert: one at a time per committee, then look again.
        await lock(db, Committee.id, [committee_id])
        new = await _not_escalated(db, committee_id, items)
        if new:
            await tell_secretaries(db, committee.id, MessageKind.ESCALATION, now, due_at=_due(committee, now),
                                   assignments=new)
        return len(new)


async def _not_escalated(db: AsyncSession, committee_id: int, items: list[Unanswered]) -> list[int]:
    """The assignments among these whose present silence the secretaries have not been told about yet."""
    earlier = await _escalations(db, committee_id, min(i.since for i in items))
    return [i.assignment_id for i in items
            if not any(created > i.since and i.assignment_id in ids for created, ids in earlier)]


async def unanswered_overdue(db: AsyncSession, assignment_ids: list[int] | None = None) -> list[Unanswered]:
    """Open assignments with the number of overdue reminders (distinct steps) sent since the institution's last word."""
    steps = func.count(Reminder.due_at.distinct())
    query = (
        select(Reminder.assignment_id, Agreement.committee_id, steps, Assignment.last_update_at, Assignment.created_at)
        .join(Assignment, Assignment.id == Reminder.assignment_id)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .where(Reminder.kind == MessageKind.OVERDUE, Reminder.sent_at.is_not(None),
               Assignment.status.in_(REMINDED_STATUSES), Agreement.cancelled_at.is_(None),
               or_(Assignment.last_update_at.is_(None), Reminder.sent_at > Assignment.last_update_at))
        .group_by(Reminder.assignment_id, Agreement.committee_id, Assignment.last_update_at, Assignment.created_at))
    if assignment_ids is not None:
        query = query.where(Reminder.assignment_id.in_(assignment_ids))
    return [Unanswered(a, c, n, last or created) for a, c, n, last, created in (await db.execute(query)).all()]


async def report_delivery_problem(db: AsyncSession, committee_id: int, now: datetime, **problem: Any) -> None:
    """Queue one line for the secretaries' next delivery-problem message (sent DELIVERY_DELAY from now)."""
    committee = await db.get(Committee, committee_id)
    await tell_secretaries(db, committee.id, MessageKind.DELIVERY, now, due_at=_due(committee, now + DELIVERY_DELAY),
                           problems=[problem])


async def tell_secretaries(db: AsyncSession, committee_id: int, kind: str, now: datetime, *, due_at: datetime,
                           **payload: list) -> None:
    """Add to each active secretary's pending message of this kind, or start one; lists in the payload grow."""
    secretaries = (await db.scalars(select(Member).where(
        Member.committee_id == committee_id, Member.role == Role.SECRETARY, Member.active.is_(True))
        .order_by(Member.id))).all()
    if not secretaries:
        log.warning("committee %s has no active secretary to tell about %s", committee_id, kind)
    # Two senders failing at once would each find no pending message and start one: take turns.
    await lock(db, Member.id, [m.id for m in secretaries])
    for secretary in {m.chat_id: m for m in secretaries}.values():
        # Not one being sent right now (claimed): what is added to it would never be read.
        pending = await db.scalar(select(Reminder).where(
            Reminder.kind == kind, Reminder.chat_id == secretary.chat_id, Reminder.committee_id == committee_id,
            Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None), Reminder.claimed_until.is_(None))
            .order_by(Reminder.id).limit(1).with_for_update())
        if pending is None:
            db.add(Reminder(committee_id=committee_id, member_id=secretary.id, chat_id=secretary.chat_id, kind=kind,
                            payload=payload, due_at=due_at, attempts=0, created_at=now))
        else:
            pending.payload = {key: [*pending.payload.get(key, []),
                                     *[v for v in values if v not in pending.payload.get(key, [])]]
                               for key, values in payload.items()}
    await db.flush()


def _due(committee: Committee, at: datetime) -> datetime:
    return working_moment(at, ZoneInfo(committee.timezone), ReminderSettings.of(committee.settings))


async def _escalations(db: AsyncSession, committee_id: int, since: datetime) -> list[tuple[datetime, set[int]]]:
    rows = await db.execute(select(Reminder.created_at, Reminder.payload).where(
        Reminder.committee_id == committee_id, Reminder.kind == MessageKind.ESCALATION, Reminder.created_at > since))
    return [(created, set(payload.get("assignments", []))) for created, payload in rows.all()]
