"""The secretary's decisions on what institutions report: verify, observe, cancel an agreement. Each plans the
reminders again in its own transaction (an observed report brings them back, a verified one ends them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import audit
from bot.progress import Author, Recorded, ReportRefused, record_update
from bot.reminders import replan_agreement, replan_assignment
from models.entities import Agreement, Assignment, Committee, Member, Role, Status
from models.lifecycle import CLOSED, Action
from models.rules import agreement_status


@dataclass
class Decision:
    """The secretary's verify or observe, recorded: who to tell, and whether the agreement is now cumplido."""

    recorded: Recorded
    committee: str
    contacts: list[int]
    agreement_done: bool


async def record_decision(db: AsyncSession, *, assignment_id: int, action: Action, author: Author, now: datetime,
                          reason: str = "") -> Decision:
    """Verify or observe one assignment (ReportRefused when the lifecycle does not allow it)."""
    recorded = await record_update(db, assignment_id=assignment_id, action=action, author=author, now=now,
                                   note=reason)
    await replan_assignment(db, recorded.assignment.id, now)
    agreement = recorded.assignment.agreement
    committee = await db.get(Committee, agreement.committee_id)
    await db.refresh(agreement, ["assignments"])
    done = agreement_status([a.status for a in agreement.assignments]) == Status.CUMPLIDO
    return Decision(recorded, committee.name, await contacts_of(db, recorded.assignment), done)


async def cancel_agreement(db: AsyncSession, *, agreement: Agreement, reason: str, author: Author,
                           now: datetime) -> list[Recorded]:
    """Cancel an agreement: every open assignment becomes anulado, with the reason, and is no longer reminded."""
    if agreement.cancelled_at is not None:
        raise ReportRefused("closed", status=Status.ANULADO)
    if not reason.strip():
        raise ReportRefused("needs_note")
    agreement.cancelled_at, agreement.cancel_reason = now, reason.strip()
    recorded = [await record_update(db, assignment_id=a.id, action=Action.CANCEL, author=author, now=now,
                                    note=reason) for a in agreement.assignments if a.status not in CLOSED]
    audit.record(db, at=now, actor=author.actor, action="agreement_cancelled", entity="agreement",
                 entity_id=agreement.id, committee_id=agreement.committee_id, code=agreement.code, reason=reason)
    await replan_agreement(db, agreement.id, now)
    return recorded


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


async def contacts_of(db: AsyncSession, assignment: Assignment) -> list[int]:
    """Chats of the institution's focal points in the assignment's committee."""
    rows = await db.scalars(select(Member.chat_id).where(
        Member.institution_id == assignment.institution_id, Member.role == Role.IMPLEMENTER,
        Member.active.is_(True), Member.committee_id == assignment.agreement.committee_id))
    return sorted(set(rows.all()))
