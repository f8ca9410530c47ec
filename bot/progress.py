"""An institution's progress reports, and the one way every status update is recorded: append-only, audited, in the
caller's transaction, checked against the lifecycle (the secretary's decisions, bot/decisions.py, use it too)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload

from bot import audit, texts
from bot.evidence import FileRef, evidence_of, evidence_rows
from bot.following import queue_followers
from bot.notices import queue_notice
from models import queries
from models.entities import (
    Agreement,
    Assignment,
    Committee,
    Member,
    Reminder,
    ReminderCard,
    Role,
    Session,
    Status,
    StatusUpdate,
)
from models.lifecycle import CLOSED, Action, NotAllowed, transition
from models.rules import code_variants
from models.semaforo import Light, LightSettings, light
from models.text import clean_text

OFICIO = re.compile(r"\d")  # a note with a number (an oficio's) stands as evidence of completion


class ReportRefused(Exception):
    """Why an update was not recorded; `reason` names the rule."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass
class Author:
    """The person behind a report or a decision, as the update and the audit trail name them."""

    user_id: int
    name: str

    @property
    def actor(self) -> str:
        return audit.telegram_actor(self.user_id)


@dataclass
class Recorded:
    """One update written: the assignment as it is now, its status before, and the evidence kept."""

    update: StatusUpdate
    assignment: Assignment
    previous: Status
    evidence: list[FileRef] = field(default_factory=list)


BAD_PERCENT = -1  # a percent written, but not a whole number from 0 to 100: refused, never taken as a note


def parse_percent(text: str) -> tuple[int | None, str]:
    """'60% Se remitió el oficio' → (60, 'Se remitió el oficio'). What looks like a percent but is not a whole
    number ("-1%", "60,5%", "1e3%", "99999%", "²%") gives BAD_PERCENT, to be refused with an example."""
    found = re.match(r"^\s*([-+]?[\w.,]*?\w)\s*%\s*", text)
    if not found:
        return None, text.strip()
    written = found.group(1)
    value = int(written) if re.fullmatch(r"[0-9]{1,3}", written) else BAD_PERCENT
    return value, text[found.end():].strip()


async def record_update(db: AsyncSession, *, assignment_id: int | Assignment, action: Action, author: Author,
                        now: datetime,
                        note: str = "", percent: int | None = None, evidence: list[FileRef] | None = None,
                        evidence_update_id: int | None = None, dedupe_key: str | None = None,
                        reminder_id: int | None = None) -> Recorded:
    """Apply one action to one assignment: checks the lifecycle and the rules, writes the update and the audit.

    Pass the Assignment itself when this transaction already loaded it with its agreement and institution,
    locked (implementer_assignments(lock=True)); pass its id otherwise."""
    if dedupe_key and await db.scalar(select(StatusUpdate.id).where(StatusUpdate.dedupe_key == dedupe_key)):
        raise ReportRefused("duplicate")
    if isinstance(assignment_id, Assignment):
        assignment = assignment_id
    else:
        assignment = await db.scalar(
            select(Assignment).where(Assignment.id == assignment_id).with_for_update(of=Assignment)
            .options(joinedload(Assignment.agreement), joinedload(Assignment.institution)))
    if assignment is None:
        raise ReportRefused("unknown")
    if assignment.status in CLOSED:
        raise ReportRefused("closed", status=assignment.status)
    try:
        new_status = transition(assignment.status, action)
    except NotAllowed:
        raise ReportRefused("not_allowed", status=assignment.status) from None
    note = clean_text(note).strip()  # a note of invisible characters is no note
    if percent is not None and not 0 <= percent <= 100:
        raise ReportRefused("bad_percent")
    if percent is not None and percent < assignment.percent and not note:
        raise ReportRefused("lower_percent_needs_note", last=assignment.percent)
    evidence = list(evidence or [])
    if action == Action.REPORT_DONE:
        earlier = await evidence_of(db, evidence_update_id, assignment.id) if evidence_update_id else []
        if not evidence and not earlier and not OFICIO.search(note):
            raise ReportRefused("needs_evidence")
        if earlier and not note:
            note = texts.plain(texts.t(texts.EVIDENCE_NOTE, files=", ".join(e.name or e.kind for e in earlier)))
        percent = 100
    if action in (Action.DIFFICULTY, Action.OBSERVE, Action.CANCEL) and not note:
        raise ReportRefused("needs_note")

    previous = assignment.status
    update = StatusUpdate(assignment_id=assignment.id, author_user_id=author.user_id, author_name=author.name[:200],
                          status=new_status, percent=percent, note=note, created_at=now, dedupe_key=dedupe_key,
                          reminder_id=reminder_id)
    update.evidence = evidence_rows(evidence, now)
    db.add(update)
    assignment.status = new_status
    if percent is not None:
        assignment.percent = percent
    if action not in (Action.VERIFY, Action.OBSERVE, Action.CANCEL):
        # Only the institution's own word counts as an answer to its reminders.
        assignment.last_update_at = now
    audit.record(db, at=now, actor=author.actor, action=f"assignment_{action.value}", entity="assignment",
                 entity_id=assignment.id, committee_id=assignment.agreement.committee_id,
                 code=assignment.agreement.code, institution=assignment.institution.name, old=previous.value,
                 new=new_status.value, percent=percent, note=note, evidence=[f.name or f.kind for f in evidence])
    if new_status in (Status.REPORTADO, Status.CON_DIFICULTADES):
        await db.flush()  # the notice needs the update's id
        await queue_notice(db, committee_id=assignment.agreement.committee_id, update_id=update.id, now=now)
    if action not in (Action.VERIFY, Action.OBSERVE, Action.CANCEL):
        await db.flush()
        await queue_followers(db, agreement_id=assignment.agreement_id, committee_id=assignment.agreement.committee_id,
                              update_id=update.id, now=now)
    return Recorded(update=update, assignment=assignment, previous=previous, evidence=evidence)


async def own_update(db: AsyncSession, update_id: int, user_id: int, chat_id: int) -> StatusUpdate | None:
    """A status update, only if this chat speaks for its assignment's institution."""
    earlier = await db.get(StatusUpdate, update_id)
    if earlier is None or await assignment_for_implementer(db, earlier.assignment_id, user_id, chat_id) is None:
        return None
    return earlier


async def implementer_assignments(db: AsyncSession, user_id: int, chat_id: int, *, code: str | None = None,
                                  assignment_id: int | None = None, open_only: bool = True,
                                  lock: bool = False) -> list[Assignment]:
    """The assignments of every institution this chat speaks for, oldest deadline first (locked if asked)."""
    query = _implementer_query(open_only, code is not None, assignment_id is not None, lock)
    values = {"user_id": user_id, "chat_id": chat_id}
    if code is not None:
        values["codes"] = sorted(code_variants(code))
    if assignment_id is not None:
        values["assignment_id"] = assignment_id
    return list((await db.scalars(query, values)).unique().all())


@functools.cache
def _implementer_query(open_only: bool, by_code: bool, by_id: bool, lock: bool) -> Select:
    # Built once per shape, with its values bound at each call: building and keying a statement this size costs
    # SQLAlchemy more than SQLite needs to run it (docs/performance.md).
    speaks_for = select(Member.institution_id).where(
        Member.active.is_(True), Member.role == Role.IMPLEMENTER,
        queries.speaks_for(bindparam("user_id"), bindparam("chat_id")))
    query = (select(Assignment).join(Assignment.agreement).join(Agreement.session).join(Assignment.institution)
             .where(Assignment.institution_id.in_(speaks_for), Agreement.cancelled_at.is_(None))
             .options(contains_eager(Assignment.agreement).contains_eager(Agreement.session),
                      contains_eager(Assignment.institution))
             .order_by(Agreement.deadline.is_(None), Agreement.deadline, Session.held_on, Agreement.id))
    if open_only:
        query = query.where(Assignment.status.not_in(CLOSED))
    if by_code:
        query = query.where(Agreement.code.in_(bindparam("codes", expanding=True)))
    if by_id:
        query = query.where(Assignment.id == bindparam("assignment_id"))
    if lock:
        query = query.with_for_update(of=Assignment)
    return query


async def lights_now(db: AsyncSession, assignments: list[Assignment], committees: dict[int, Committee],
                     now: datetime) -> dict[int, Light]:
    """The semáforo of each of these open assignments (loaded with their agreements), as the summaries judge it."""
    unanswered = await queries.unanswered_reminders(db, [a.id for a in assignments])
    next_on = await queries.next_session_dates(
        db, [a.agreement_id for a in assignments if a.agreement.deadline_next_session])
    lights = {}
    for a in assignments:
        committee = committees[a.agreement.committee_id]
        zone = ZoneInfo(committee.timezone)
        next_session = a.agreement.deadline_next_session
        lights[a.id] = light(
            status=a.status, deadline=next_on.get(a.agreement_id) if next_session else a.agreement.deadline,
            today=now.astimezone(zone).date(), assigned_on=a.created_at.astimezone(zone).date(),
            last_update=a.last_update_at.astimezone(zone).date() if a.last_update_at else None,
            unanswered=unanswered.get(a.id, 0), settings=LightSettings.of(committee.settings),
            next_session=next_session)
    return lights


async def assignment_for_implementer(db: AsyncSession, assignment_id: int, user_id: int,
                                     chat_id: int) -> Assignment | None:
    """The assignment, only if this chat speaks for its institution (open or closed)."""
    mine = await implementer_assignments(db, user_id, chat_id, assignment_id=assignment_id, open_only=False)
    return mine[0] if mine else None


async def reminders_for_reply(db: AsyncSession, chat_id: int, message_id: int) -> list[Reminder]:
    """The reminders a person replied to, matched by the message id recorded when it was sent: one for a reminder
    or a digest's card, every one a digest stands for."""
    rows = list(await db.scalars(select(Reminder).where(
        Reminder.chat_id == chat_id, Reminder.message_id == message_id, Reminder.assignment_id.is_not(None))
        .order_by(Reminder.id)))
    if rows:
        return rows
    card = await db.scalar(select(Reminder).join(ReminderCard, ReminderCard.reminder_id == Reminder.id).where(
        ReminderCard.chat_id == chat_id, ReminderCard.message_id == message_id).limit(1))
    return [card] if card is not None else []
