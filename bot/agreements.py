"""Registering agreements and changing their deadlines, each change audited in the same transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.committees import Refused
from bot.deadlines import Deadline, parse_deadline
from bot.reminders import replan_agreement
from models.entities import Agreement, Assignment, Committee, Institution, Session, Status
from models.rules import MAX_AGREEMENT_TEXT, clean_code, code_key, latest_deadline
from models.text import clean_text


class CodeExists(Refused):
    pass


class DeadlineBeforeSession(Refused):
    pass


class DeadlineTooLate(Refused):
    """More than ten years after the session: a typo (31/12/9999), not a plan."""


class TextTooLong(Refused):
    pass


def check_deadline(deadline: Deadline | None, session: Session) -> None:
    """Where a deadline is used: from the session's day to ten years after it."""
    if deadline is not None and deadline.due is not None and deadline.due < session.held_on:
        raise DeadlineBeforeSession(deadline.due.isoformat())
    if deadline is not None and deadline.due is not None and deadline.due > latest_deadline(session.held_on):
        raise DeadlineTooLate(deadline.due.isoformat())


async def register_agreement(db: AsyncSession, *, committee: Committee, session: Session, code: str, text: str,
                             institutions: list[Institution], deadline: Deadline | None, now: datetime,
                             actor: str, problem: str = "",
                             followup: Institution | None = None) -> Agreement:
    """One agreement with one pending assignment per responsible institution."""
    cleaned = clean_code(code)
    if cleaned is None:
        raise Refused(f"bad code {code!r}")
    text, problem = clean_text(text), clean_text(problem)  # measured as it will be stored
    if len(text.strip()) > MAX_AGREEMENT_TEXT:
        raise TextTooLong(len(text.strip()))
    if not text.strip():
        raise Refused("bad text")
    if not institutions:
        raise Refused("no institutions")
    # Only the session's codes: loading its whole agreements made importing a long acta quadratic.
    codes = await db.scalars(select(Agreement.code).where(Agreement.session_id == session.id))
    if code_key(cleaned) in {code_key(existing) for existing in codes}:
        raise CodeExists(cleaned)
    check_deadline(deadline, session)
    agreement = Agreement(
        committee_id=committee.id, session_id=session.id, code=cleaned, problem=problem.strip(),
        text=text.strip(), deadline=deadline.due if deadline else None,
        deadline_next_session=bool(deadline and deadline.next_session),
        followup_institution_id=followup.id if followup else None, created_at=now,
        assignments=[Assignment(institution_id=i.id, status=Status.PENDIENTE, percent=0, created_at=now)
                     for i in _unique(institutions)])
    db.add(agreement)
    await db.flush()
    audit.record(db, at=now, actor=actor, action="agreement_registered", entity="agreement",
                 entity_id=agreement.id, committee_id=committee.id, code=cleaned, session_id=session.id,
                 institutions=[i.name for i in _unique(institutions)],
                 deadline=_deadline_value(agreement.deadline, agreement.deadline_next_session))
    return agreement


async def set_deadline(db: AsyncSession, *, agreement: Agreement, deadline: Deadline | None, now: datetime,
                       actor: str) -> tuple[str | None, str | None]:
    """Set or change the deadline, and plan its reminders again; the old and new values stay in the audit trail.
    Returns (old, new)."""
    check_deadline(deadline, agreement.session)
    old = _deadline_value(agreement.deadline, agreement.deadline_next_session)
    agreement.deadline = deadline.due if deadline else None
    agreement.deadline_next_session = bool(deadline and deadline.next_session)
    new = _deadline_value(agreement.deadline, agreement.deadline_next_session)
    if old != new:
        audit.record(db, at=now, actor=actor, action="deadline_changed", entity="agreement",
                     entity_id=agreement.id, committee_id=agreement.committee_id, code=agreement.code,
                     old=old, new=new)
        await replan_agreement(db, agreement.id, now)
    return old, new


def _deadline_value(due: date | None, next_session: bool) -> str | None:
    return "next_session" if next_session else (due.isoformat() if due else None)


def _unique(institutions: list[Institution]) -> list[Institution]:
    seen: dict[int, Institution] = {}
    for institution in institutions:
        seen.setdefault(institution.id, institution)
    return list(seen.values())


NO_DEADLINE_WORDS = frozenset({"sin plazo", "sin fecha", "ninguno", "ninguna", "no", "-", "no tiene"})


class UnreadableDeadline(Refused):
    pass


def read_deadline(text: str, session_date: date) -> Deadline | None:
    """The deadline a secretary typed, None for "sin plazo"; UnreadableDeadline if it makes no sense."""
    if " ".join(text.lower().split()).strip(".") in NO_DEADLINE_WORDS:
        return None
    deadline = parse_deadline(text, session_date)
    if deadline is None:
        raise UnreadableDeadline(text)
    return deadline
