"""Progress reports and the secretary's decisions: one append-only StatusUpdate each, in one transaction."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from bot import audit
from bot.messaging import retry_after, send_text
from bot.reminders.alerts import tell_secretaries
from bot.reminders.cadence import NOTICE
from models import queries
from models.entities import (
    Agreement,
    Assignment,
    Committee,
    Evidence,
    Member,
    Reminder,
    Role,
    Session,
    Status,
    StatusUpdate,
)
from models.lifecycle import CLOSED, Action, NotAllowed, transition
from models.rules import agreement_status, code_variants
from models.semaforo import Light, LightSettings, light

MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
NOTICE_DELAY = timedelta(minutes=1)  # reports arriving within a minute reach the secretary in one message
NOTICE_RETRY = timedelta(minutes=2)
NOTICE_ATTEMPTS = 5
OFICIO = re.compile(r"\d")


class ReportRefused(Exception):
    """Why an update was not recorded; `reason` names the rule."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass
class FileRef:
    """A file the person sent, as kept for evidence."""

    kind: str
    file_id: str
    file_unique_id: str
    name: str = ""
    mime_type: str = ""
    size: int | None = None
    sha256: str | None = None
    stored_path: str | None = None


@dataclass
class Decision:
    """The secretary's verify or observe, recorded: who to tell, and whether the agreement is now cumplido."""

    recorded: Recorded
    committee: str
    contacts: list[int]
    agreement_done: bool


@dataclass
class Author:
    user_id: int
    name: str

    @property
    def actor(self) -> str:
        return audit.telegram_actor(self.user_id)


@dataclass
class Recorded:
    update: StatusUpdate
    assignment: Assignment
    previous: Status
    notify_secretary: bool = False
    evidence: list[FileRef] = field(default_factory=list)


def parse_percent(text: str) -> tuple[int | None, str]:
    """'60% Se remitió el oficio' → (60, 'Se remitió el oficio'); a percent over 100 is kept to be refused."""
    found = re.match(r"^\s*(\d{1,4})\s*%\s*", text)
    if not found:
        return None, text.strip()
    return int(found.group(1)), text[found.end():].strip()


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
    note = note.strip()
    if percent is not None and not 0 <= percent <= 100:
        raise ReportRefused("bad_percent")
    if percent is not None and percent < assignment.percent and not note:
        raise ReportRefused("lower_percent_needs_note", last=assignment.percent)
    evidence = list(evidence or [])
    if action == Action.REPORT_DONE:
        earlier = await _evidence_of(db, evidence_update_id, assignment.id) if evidence_update_id else []
        if not evidence and not earlier and not OFICIO.search(note):
            raise ReportRefused("needs_evidence")
        if earlier and not note:
            note = "Evidencia: " + ", ".join(e.name or e.kind for e in earlier)
        percent = 100
    if action in (Action.DIFFICULTY, Action.OBSERVE, Action.CANCEL) and not note:
        raise ReportRefused("needs_note")

    previous = assignment.status
    update = StatusUpdate(assignment_id=assignment.id, author_user_id=author.user_id, author_name=author.name[:200],
                          status=new_status, percent=percent, note=note, created_at=now, dedupe_key=dedupe_key,
                          reminder_id=reminder_id)
    update.evidence = [Evidence(kind=f.kind, file_id=f.file_id, file_unique_id=f.file_unique_id, name=f.name[:255],
                                mime_type=f.mime_type[:255], size=f.size, sha256=f.sha256,
                                stored_path=f.stored_path, created_at=now) for f in evidence]
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
    notify = new_status in (Status.REPORTADO, Status.CON_DIFICULTADES)
    if notify:
        await db.flush()  # the notice needs the update's id
        await queue_notice(db, committee_id=assignment.agreement.committee_id, update_id=update.id, now=now)
    return Recorded(update=update, assignment=assignment, previous=previous, notify_secretary=notify,
                    evidence=evidence)


async def _evidence_of(db: AsyncSession, update_id: int, assignment_id: int) -> list[Evidence]:
    update = await db.get(StatusUpdate, update_id, options=[selectinload(StatusUpdate.evidence)])
    return list(update.evidence) if update and update.assignment_id == assignment_id else []


async def cancel_agreement(db: AsyncSession, *, agreement: Agreement, reason: str, author: Author,
                           now: datetime) -> list[Recorded]:
    """Cancel an agreement: every open assignment becomes anulado, with the reason."""
    if agreement.cancelled_at is not None:
        raise ReportRefused("closed", status=Status.ANULADO)
    if not reason.strip():
        raise ReportRefused("needs_note")
    agreement.cancelled_at, agreement.cancel_reason = now, reason.strip()
    recorded = [await record_update(db, assignment_id=a.id, action=Action.CANCEL, author=author, now=now,
                                    note=reason) for a in agreement.assignments if a.status not in CLOSED]
    audit.record(db, at=now, actor=author.actor, action="agreement_cancelled", entity="agreement",
                 entity_id=agreement.id, committee_id=agreement.committee_id, code=agreement.code, reason=reason)
    return recorded


async def decide(db: AsyncSession, *, assignment_id: int, action: Action, author: Author, now: datetime,
                 reason: str = "") -> Decision:
    """/verificar or /observar on one assignment (ReportRefused when the lifecycle does not allow it)."""
    recorded = await record_update(db, assignment_id=assignment_id, action=action, author=author, now=now,
                                   note=reason)
    agreement = recorded.assignment.agreement
    committee = await db.get(Committee, agreement.committee_id)
    await db.refresh(agreement, ["assignments"])
    done = agreement_status([a.status for a in agreement.assignments]) == Status.CUMPLIDO
    return Decision(recorded, committee.name, await contacts_of(db, recorded.assignment), done)


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
    # Built once per shape, with its values bound at each call: building and keying a statement this size cost
    # SQLAlchemy more than SQLite needs to run it (measured: 0.7 ms of every /avance).
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


async def assignment_for_secretary(db: AsyncSession, assignment_id: int, user_id: int) -> Assignment | None:
    """The assignment, only if this person is a secretary of its committee."""
    assignment = await db.get(Assignment, assignment_id,
                              options=[selectinload(Assignment.agreement), selectinload(Assignment.institution)])
    if assignment is None:
        return None
    secretary = await db.scalar(select(Member.id).where(
        Member.user_id == user_id, Member.role == Role.SECRETARY, Member.active.is_(True),
        Member.committee_id == assignment.agreement.committee_id))
    return assignment if secretary else None


async def reminder_for_reply(db: AsyncSession, chat_id: int, message_id: int) -> Reminder | None:
    """The reminder a person replied to, matched by the message id recorded when it was sent."""
    return await db.scalar(select(Reminder).where(Reminder.chat_id == chat_id, Reminder.message_id == message_id,
                                                  Reminder.assignment_id.is_not(None)))


async def contacts_of(db: AsyncSession, assignment: Assignment) -> list[int]:
    """Chats of the institution's focal points in the assignment's committee."""
    rows = await db.scalars(select(Member.chat_id).where(
        Member.institution_id == assignment.institution_id, Member.role == Role.IMPLEMENTER,
        Member.active.is_(True), Member.committee_id == assignment.agreement.committee_id))
    return sorted(set(rows.all()))


async def queue_notice(db: AsyncSession, *, committee_id: int, update_id: int, now: datetime) -> None:
    """Tell the committee's secretaries about a report; reports within NOTICE_DELAY share one message."""
    await tell_secretaries(db, committee_id, NOTICE, now, due_at=now + NOTICE_DELAY, updates=[update_id])


async def fetch_file(bot, ref: FileRef, storage: Path | None) -> FileRef:
    """Download the file through the Bot API to hash it (and keep a copy when a directory is configured)."""
    if ref.size is not None and ref.size > MAX_FILE_BYTES:
        raise ReportRefused("file_too_big")
    telegram_file = await bot.get_file(ref.file_id)
    content = bytes(await telegram_file.download_as_bytearray())
    if len(content) > MAX_FILE_BYTES:
        raise ReportRefused("file_too_big")
    ref.size = len(content)
    # Hashing and writing 20 MB would hold every other chat's update: off the event loop.
    ref.sha256 = await asyncio.to_thread(lambda: hashlib.sha256(content).hexdigest())
    if storage is not None:
        suffix = Path(ref.name).suffix[:10] if ref.name else ""
        ref.stored_path = str(await asyncio.to_thread(_keep, storage / f"{ref.sha256}{suffix}", content))
    return ref


def _keep(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(content)
    return path


async def send_due_notices(bot, sessions, now: datetime, pacer=None) -> int:
    """Send the secretaries' batched notices that are due; returns how many messages went out."""
    from bot.notices import render_notice

    async with sessions.begin() as db:
        rows = (await db.scalars(select(Reminder).where(
            Reminder.kind == NOTICE, Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
            Reminder.due_at <= now, (Reminder.claimed_until.is_(None)) | (Reminder.claimed_until < now))
            .order_by(Reminder.due_at).limit(50).with_for_update(skip_locked=True))).all()
        for row in rows:
            row.claimed_until, row.attempts = now + timedelta(minutes=5), row.attempts + 1
        claimed = [row.id for row in rows]
    sent = 0
    for reminder_id in claimed:
        async with sessions() as db:
            reminder = await db.get(Reminder, reminder_id)
            text, keyboard = await render_notice(db, reminder)
        message_id, error, retry = None, None, None
        try:
            message = await send_text(bot, reminder.chat_id, text, reply_markup=keyboard, pacer=pacer)
            message_id, sent = message.message_id, sent + 1
        except RetryAfter as limited:
            retry, error = retry_after(limited), str(limited)[:500]
            if pacer is not None:
                pacer.pause(retry.total_seconds())
        except TimedOut as failure:  # in doubt whether it arrived: at most once, like the reminders
            error = str(failure)[:500]
        except NetworkError as failure:  # it did not leave (or Telegram failed): try again
            retry, error = NOTICE_RETRY, str(failure)[:500]
        except TelegramError as failure:
            error = str(failure)[:500]
        async with sessions.begin() as db:
            reminder = await db.get(Reminder, reminder_id)
            if retry is not None and reminder.attempts < NOTICE_ATTEMPTS:
                reminder.claimed_until, reminder.error = now + retry, error
            else:
                reminder.sent_at, reminder.message_id, reminder.error = now, message_id, error
    return sent
