"""The dispatcher's reads and writes of the outbox, each in its own short transaction.

A row goes: pending → claimed (a lease: claimed_by, claimed_until) → attempted (sent_at written and committed
*before* the request) → confirmed (message_id) | back to pending for a retry (sent_at cleared, claimed_until =
not before) | cancelled (error says why; "set aside: …" when rendering it failed). A row left attempted without
a message_id by a crash is never sent again: docs/design.md, "Delivery", says why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import audit
from bot.reminders.alerts import report_delivery_problem
from bot.reminders.locking import is_postgres
from models.entities import ANSWERABLE_KINDS, Agreement, Assignment, Committee, Institution, Member, Reminder, Role

log = logging.getLogger(__name__)

IN_DOUBT = "in doubt: the bot stopped during the request; not sent again"
TIMED_OUT = "in doubt: the request timed out; not sent again"
SET_ASIDE = "set aside: "


@dataclass(frozen=True)
class Lanes:
    """Which kinds go only while their committee is at work, which at any hour, and the committees at work now."""

    working_hours: tuple[str, ...]
    any_hour: tuple[str, ...]
    at_work: list[int]

    @classmethod
    def of(cls, policies: Mapping[str, Any], at_work: list[int]) -> Lanes:
        return cls(tuple(kind for kind, policy in policies.items() if policy.working_hours),
                   tuple(kind for kind, policy in policies.items() if not policy.working_hours), at_work)

    def rows(self):
        return or_(Reminder.kind.in_(self.any_hour),
                   and_(Reminder.kind.in_(self.working_hours), Reminder.committee_id.in_(self.at_work)))

    @property
    def empty(self) -> bool:
        return not self.any_hour and not (self.working_hours and self.at_work)


def _claimable(now: datetime):
    return and_(Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
                Reminder.due_at <= now, or_(Reminder.claimed_until.is_(None), Reminder.claimed_until <= now))


@dataclass(frozen=True)
class Claim:
    ids: list[int]
    contended: bool = False  # another instance locked rows this one chose: more may be waiting once it commits


async def claim(sessions: async_sessionmaker[AsyncSession], *, now: datetime, worker: str, limit: int,
                lease: timedelta, lanes: Lanes, skip_chats: set[int]) -> Claim:
    """Take up to `limit` due rows of these committees for `lease`, at most one per chat: each chat's first, the
    earliest due first and, among rows due together, the chats with most waiting (a group chat's 20 a minute make
    its queue the slowest to empty, so it must not be left for the end). Rows of `skip_chats` stay for later."""
    if lanes.empty or limit <= 0:
        return Claim([])
    contended = False
    async with sessions.begin() as db:
        # A chat another instance is sending to right now waits for it: its per-chat limit is not ours to see.
        elsewhere = select(Reminder.chat_id).where(
            Reminder.claimed_until > now, Reminder.claimed_by != worker, Reminder.sent_at.is_(None),
            Reminder.cancelled_at.is_(None))
        waiting = (
            select(Reminder.id, Reminder.due_at,
                   func.row_number().over(partition_by=Reminder.chat_id, order_by=(Reminder.due_at, Reminder.id))
                   .label("place"),
                   func.count().over(partition_by=Reminder.chat_id).label("queue"))
            .where(_claimable(now), lanes.rows(), Reminder.chat_id.not_in(elsewhere),
                   *([Reminder.chat_id.not_in(skip_chats)] if skip_chats else []))
            .subquery())
        ids = list(await db.scalars(select(waiting.c.id).where(waiting.c.place == 1)
                                    .order_by(waiting.c.due_at, waiting.c.queue.desc(), waiting.c.id).limit(limit)))
        if ids and is_postgres(db):
            # Window functions cannot lock: lock the chosen rows now, skipping those another instance just took.
            chosen = len(ids)
            ids = list(await db.scalars(select(Reminder.id).where(Reminder.id.in_(ids), _claimable(now))
                                        .with_for_update(skip_locked=True)))
            contended = len(ids) < chosen
        if ids:
            await db.execute(update(Reminder).where(Reminder.id.in_(ids))
                             .values(claimed_by=worker, claimed_until=now + lease)
                             .execution_options(synchronize_session=False))
    return Claim(ids, contended)


async def gather(sessions: async_sessionmaker[AsyncSession], ids: list[int], *, now: datetime, worker: str,
                 lease: timedelta, lanes: Lanes, kinds: tuple[str, ...], more_than: int) -> list[int]:
    """The other due rows of these kinds for the chats of the claimed rows `ids`, claimed too, when a chat has more
    than `more_than` due in all: they go with the claimed one, as one digest."""
    if not ids or not kinds:
        return []
    async with sessions.begin() as db:
        leads = select(Reminder.chat_id).where(Reminder.id.in_(ids), Reminder.kind.in_(kinds))
        due = and_(_claimable(now), lanes.rows(), Reminder.kind.in_(kinds), Reminder.chat_id.in_(leads))
        crowded = select(Reminder.chat_id).where(due).group_by(Reminder.chat_id).having(func.count() >= more_than)
        query = select(Reminder.id).where(due, Reminder.chat_id.in_(crowded)).order_by(Reminder.id)
        if is_postgres(db):
            query = query.with_for_update(skip_locked=True)
        more = list(await db.scalars(query))
        if more:
            await db.execute(update(Reminder).where(Reminder.id.in_(more))
                             .values(claimed_by=worker, claimed_until=now + lease)
                             .execution_options(synchronize_session=False))
    return more


async def any_due(sessions: async_sessionmaker[AsyncSession], *, now: datetime, lanes: Lanes,
                  chats: set[int]) -> bool:
    """Whether rows of these chats are waiting (so a round must not end yet)."""
    if lanes.empty or not chats:
        return False
    async with sessions() as db:
        return await db.scalar(select(Reminder.id).where(
            _claimable(now), lanes.rows(), Reminder.chat_id.in_(chats)).limit(1)) is not None


async def mark_attempts(sessions: async_sessionmaker[AsyncSession], ids: list[int], *, worker: str, now: datetime,
                        lease: timedelta, companions: Mapping[int, Sequence[int]] | None = None) -> dict[int, int]:
    """Record that these requests are about to leave: {row: attempt number} for the rows still ours to send (not
    cancelled, not moved later by the planner, not taken over by another instance after our lease ran out). The
    rows a digest stands for (`companions` of a row) are recorded with it, in the same commit."""
    def attempt(rows: list[int]):
        return (update(Reminder)
                .where(Reminder.id.in_(rows), Reminder.claimed_by == worker, Reminder.sent_at.is_(None),
                       Reminder.cancelled_at.is_(None), Reminder.due_at <= now)
                .values(sent_at=now, attempts=Reminder.attempts + 1, claimed_until=now + lease, error=None)
                .returning(Reminder.id, Reminder.attempts).execution_options(synchronize_session=False))

    async with sessions.begin() as db:
        marked = dict((await db.execute(attempt(ids))).all())
        more = [row for lead in marked for row in (companions or {}).get(lead, ())]
        if more:
            await db.execute(attempt(more))
        # A digest that does not go (its row was answered or moved later meanwhile), and the rows of one that goes
        # that were: back to the pool at once, not after the lease.
        left = [row for lead in ids if lead not in marked for row in (companions or {}).get(lead, ())]
        if left or more:
            await release_in(db, left + more, worker=worker)
        return marked


async def record_sent(sessions: async_sessionmaker[AsyncSession], sent: list[tuple[int, int]], *,
                      now: datetime, companions: Mapping[int, Sequence[int]] | None = None) -> None:
    """Telegram took these (row, message id): confirmed, with the id a reply to the message will carry."""
    async with sessions.begin() as db:
        await db.execute(update(Reminder), [{"id": row, "message_id": message_id, "sent_at": now,
                                             "claimed_until": None, "error": None} for row, message_id in sent])
        # A digest's rows: the ones recorded as attempted with it carry its message id too.
        for row, message_id in sent:
            if companions and companions.get(row):
                await db.execute(update(Reminder).where(Reminder.id.in_(companions[row]), Reminder.sent_at.is_not(None),
                                                        Reminder.message_id.is_(None), Reminder.cancelled_at.is_(None))
                                 .values(message_id=message_id, sent_at=now, claimed_until=None, error=None)
                                 .execution_options(synchronize_session=False))


async def follow_lead(sessions: async_sessionmaker[AsyncSession], lead_id: int, companions: Sequence[int]) -> None:
    """The rows a digest stands for share the fate of the row it went as, once Telegram did not take it: pending
    again (and when), cancelled (given up, chat gone), or left in doubt."""
    if not companions:
        return
    async with sessions.begin() as db:
        lead = (await db.execute(select(Reminder.sent_at, Reminder.cancelled_at, Reminder.error, Reminder.claimed_by,
                                        Reminder.claimed_until, Reminder.chat_id).where(Reminder.id == lead_id))).one()
        if lead.sent_at is not None:  # in doubt: not sent again, like the row it went as
            values = dict(error=lead.error, claimed_until=lead.claimed_until)
        elif lead.cancelled_at is not None:
            values = dict(sent_at=None, cancelled_at=lead.cancelled_at, error=lead.error, claimed_by=None,
                          claimed_until=None)
        else:
            values = dict(sent_at=None, attempts=Reminder.attempts - 1, claimed_by=lead.claimed_by,
                          claimed_until=lead.claimed_until, chat_id=lead.chat_id, error=lead.error)
        await db.execute(update(Reminder).where(Reminder.id.in_(companions), Reminder.sent_at.is_not(None),
                                                Reminder.message_id.is_(None)).values(**values)
                         .execution_options(synchronize_session=False))


async def record_not_sent(sessions: async_sessionmaker[AsyncSession], reminder_id: int, *, error: str,
                          not_before: datetime | None, count_attempt: bool = True) -> None:
    """Telegram did not take it: pending again, for anyone, from `not_before` (None: at once, still ours)."""
    values = {"sent_at": None, "error": error[:500]}
    if not count_attempt:
        values["attempts"] = Reminder.attempts - 1
    if not_before is not None:
        values.update(claimed_by=None, claimed_until=not_before)
    async with sessions.begin() as db:
        await db.execute(update(Reminder).where(Reminder.id == reminder_id).values(**values))


async def record_given_up(sessions: async_sessionmaker[AsyncSession], reminder_id: int, *, error: str,
                          now: datetime) -> None:
    """No more attempts: cancelled with the reason, and the secretaries told (if it was an institution's)."""
    async with sessions.begin() as db:
        row = await db.get(Reminder, reminder_id)
        row.sent_at, row.cancelled_at, row.error = None, now, f"gave up after {row.attempts} attempts: {error}"[:500]
        if row.kind in ANSWERABLE_KINDS and row.assignment_id is not None:
            code, institution = (await db.execute(
                select(Agreement.code, Institution.name).join(Assignment, Assignment.agreement_id == Agreement.id)
                .join(Institution, Institution.id == Assignment.institution_id)
                .where(Assignment.id == row.assignment_id))).one()
            member = await db.get(Member, row.member_id) if row.member_id else None
            await report_delivery_problem(db, row.committee_id, now, problem="failed", reminder=row.id, code=code,
                                          institution=institution, contact=member.display_name if member else "",
                                          attempts=row.attempts)


async def record_chat_gone(sessions: async_sessionmaker[AsyncSession], reminder_id: int, *, error: str,
                           now: datetime) -> None:
    """The chat blocked the bot or no longer exists: the contact goes inactive, its reminders stop, secretaries told."""
    async with sessions.begin() as db:
        row = await db.get(Reminder, reminder_id)
        row.sent_at, row.cancelled_at, row.error = None, now, error[:500]
        member = await db.get(Member, row.member_id) if row.member_id else None
        if member is None or not member.active:
            return
        member.active, member.inactive_since, member.inactive_reason = False, now, error[:200]
        await db.execute(update(Reminder).where(Reminder.member_id == member.id, Reminder.sent_at.is_(None),
                                                Reminder.cancelled_at.is_(None))
                         .values(cancelled_at=now, error="cancelled: contact inactive")
                         .execution_options(synchronize_session=False))
        audit.record(db, at=now, actor="bot", action="member_deactivated", entity="member", entity_id=member.id,
                     committee_id=member.committee_id, chat_id=member.chat_id, reason=error[:200])
        if member.role == Role.IMPLEMENTER and member.institution_id is not None:
            institution = await db.get(Institution, member.institution_id)
            others = await db.scalar(select(Member.id).where(
                Member.institution_id == member.institution_id, Member.committee_id == member.committee_id,
                Member.role == Role.IMPLEMENTER, Member.active.is_(True)).limit(1))
            await report_delivery_problem(db, member.committee_id, now, problem="blocked", member=member.id,
                                          institution=institution.name, contact=member.display_name,
                                          alone=others is None)
        else:
            log.warning("secretary chat %s of committee %s is gone: %s", member.chat_id, member.committee_id, error)


async def record_chat_moved(sessions: async_sessionmaker[AsyncSession], reminder_id: int, *, new_chat_id: int) -> None:
    """A group became a supergroup: the contact and its pending rows follow it, and this row goes again at once."""
    async with sessions.begin() as db:
        row = await db.get(Reminder, reminder_id)
        old = row.chat_id
        await db.execute(update(Member).where(Member.chat_id == old).values(chat_id=new_chat_id)
                         .execution_options(synchronize_session=False))
        await db.execute(update(Committee).where(Committee.group_chat_id == old).values(group_chat_id=new_chat_id)
                         .execution_options(synchronize_session=False))
        await db.execute(update(Reminder).where(Reminder.chat_id == old, Reminder.sent_at.is_(None))
                         .values(chat_id=new_chat_id).execution_options(synchronize_session=False))
        await db.execute(update(Reminder).where(Reminder.id == reminder_id)
                         .values(sent_at=None, attempts=Reminder.attempts - 1, claimed_by=None, claimed_until=None)
                         .execution_options(synchronize_session=False))


async def record_nothing_to_say(sessions: async_sessionmaker[AsyncSession], reminder_id: int, *, reason: str,
                                now: datetime) -> None:
    async with sessions.begin() as db:
        await db.execute(update(Reminder).where(Reminder.id == reminder_id, Reminder.sent_at.is_(None))
                         .values(cancelled_at=now, error=f"cancelled: {reason}"[:500]))


async def record_set_aside(sessions: async_sessionmaker[AsyncSession], reminder_id: int, *, error: BaseException,
                           now: datetime) -> str | None:
    """Rendering or planning this row failed: it is cancelled with the error, so that it stops no round. Returns
    its kind."""
    async with sessions.begin() as db:
        return await db.scalar(update(Reminder).where(Reminder.id == reminder_id, Reminder.sent_at.is_(None))
                               .values(cancelled_at=now, claimed_by=None, claimed_until=None,
                                       error=f"{SET_ASIDE}{type(error).__name__}: {error}"[:500])
                               .returning(Reminder.kind).execution_options(synchronize_session=False))


async def record_timed_out(sessions: async_sessionmaker[AsyncSession], reminder_id: int) -> None:
    """The request timed out and the kind is sent at most once: attempted, never confirmed, not sent again."""
    async with sessions.begin() as db:
        await db.execute(update(Reminder).where(Reminder.id == reminder_id)
                         .values(error=TIMED_OUT, claimed_until=None).execution_options(synchronize_session=False))


async def release(sessions: async_sessionmaker[AsyncSession], ids: list[int], *, worker: str) -> None:
    """Give back rows claimed but never attempted (the bot is stopping), so nobody waits for the lease."""
    if ids:
        async with sessions.begin() as db:
            await release_in(db, ids, worker=worker)


async def release_in(db: AsyncSession, ids: list[int], *, worker: str) -> None:
    """`release`, inside the caller's transaction."""
    await db.execute(update(Reminder).where(Reminder.id.in_(ids), Reminder.claimed_by == worker,
                                            Reminder.sent_at.is_(None))
                     .values(claimed_by=None, claimed_until=None).execution_options(synchronize_session=False))


async def undo_attempts(sessions: async_sessionmaker[AsyncSession], ids: list[int], *, worker: str) -> None:
    """Rows whose attempt was recorded but whose request never left (the bot stopped first): pending again, for
    anyone, as if never attempted."""
    if ids:
        async with sessions.begin() as db:
            await db.execute(update(Reminder).where(Reminder.id.in_(ids), Reminder.claimed_by == worker,
                                                    Reminder.sent_at.is_not(None), Reminder.message_id.is_(None))
                             .values(sent_at=None, attempts=Reminder.attempts - 1, claimed_by=None,
                                     claimed_until=None, error=None)
                             .execution_options(synchronize_session=False))


async def mark_in_doubt(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Label the rows a crash left attempted but unconfirmed; they stay sent (at most once)."""
    abandoned = and_(Reminder.sent_at.is_not(None), Reminder.message_id.is_(None),
                     Reminder.error.is_(None), Reminder.claimed_until < now)
    async with sessions() as db:
        if await db.scalar(select(Reminder.id).where(abandoned).limit(1)) is None:
            return 0
    async with sessions.begin() as db:
        result = await db.execute(update(Reminder).where(abandoned).values(error=IN_DOUBT, claimed_until=None)
                                  .execution_options(synchronize_session=False))
    log.warning("%d message(s) were being sent when the bot stopped; not sent again", result.rowcount)
    return result.rowcount


def _state(now: datetime):
    pending = and_(Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None))
    return case(
        (Reminder.message_id.is_not(None), "sent"),
        (and_(Reminder.sent_at.is_not(None), Reminder.error.like("in doubt%")), "in doubt"),
        (Reminder.sent_at.is_not(None), "sending"),
        (Reminder.error.like(f"{SET_ASIDE}%"), "set aside"),
        (Reminder.error.like("gave up%"), "given up"),
        (Reminder.cancelled_at.is_not(None), "cancelled"),
        (and_(pending, Reminder.due_at <= now), "due"),
        else_="planned")


async def overview(db: AsyncSession, now: datetime, committee_id: int | None = None) -> list[tuple[str, str, int]]:
    """How many rows of each kind are in each state (due, planned, sending, sent, in doubt, set aside, given up,
    cancelled): what an operator looks at first."""
    state = _state(now).label("state")
    query = select(Reminder.kind, state, func.count()).group_by(Reminder.kind, state).order_by(Reminder.kind, state)
    if committee_id is not None:
        query = query.where(Reminder.committee_id == committee_id)
    return [tuple(row) for row in (await db.execute(query)).all()]


async def troubles(db: AsyncSession, now: datetime, limit: int, committee_id: int | None = None) -> list:
    """The latest rows set aside, in doubt or given up, with their error. Columns: id, kind, committee, chat_id,
    due_at, state, error."""
    state = _state(now).label("state")
    query = (select(Reminder.id, Reminder.kind, Committee.name.label("committee"), Reminder.chat_id, Reminder.due_at,
                    state, Reminder.error)
             .join(Committee, Committee.id == Reminder.committee_id)
             .where(state.in_(["set aside", "in doubt", "given up"]))
             .order_by(Reminder.id.desc()).limit(limit))
    if committee_id is not None:
        query = query.where(Reminder.committee_id == committee_id)
    return list((await db.execute(query)).all())


@dataclass(frozen=True)
class Watch:
    """What the admin server's /metrics shows of the outbox."""

    oldest_due: datetime | None  # the due_at of the oldest row due and free to be sent
    set_aside: int
    in_doubt: int


async def watch(db: AsyncSession, now: datetime) -> Watch:
    oldest = await db.scalar(select(func.min(Reminder.due_at)).where(_claimable(now)))
    set_aside, in_doubt = (await db.execute(select(
        func.count().filter(Reminder.error.like(f"{SET_ASIDE}%")),
        func.count().filter(Reminder.sent_at.is_not(None), Reminder.error.like("in doubt%"))))).one()
    return Watch(oldest, set_aside, in_doubt)
