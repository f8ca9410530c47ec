"""A focal point's attention: an absence (/ausente hasta 15/01) and a hand-over to a colleague (/relevo).

While a contact is away the planner gives it no reminders; the institution's other active contacts get theirs as
always, and when there is none the secretaries are told that nobody will receive them. The day after the absence
ends the planner sees the date passed and the contact's reminders come back."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.committees import NewInvitation, Refused, create_invitation
from bot.deadlines import parse_deadline
from bot.notices import NOTICE_DELAY
from bot.reminders import replan_institution
from bot.reminders.alerts import tell_secretaries
from bot.views import day
from models.entities import Member, MessageKind, Role

MAX_AWAY_DAYS = 90  # an absence longer than this is a hand-over (/relevo), not an absence
END_WORDS = ("fin", "ya volvi", "volvi")


class AbsenceRefused(Refused):
    """reason: usage (no date read), past (before today), far (more than MAX_AWAY_DAYS ahead)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_absence(text: str, today: date) -> date | None:
    """«hasta 15/01» → the last day away; «fin» → None (back now). Read like a deadline, counted from today."""
    words = " ".join(text.split()).casefold()
    if words in END_WORDS:
        return None
    words = words.removeprefix("hasta el ").removeprefix("hasta ")
    found = parse_deadline(words, today) if words else None
    if found is None or found.due is None:
        raise AbsenceRefused("usage")
    if found.due < today:
        raise AbsenceRefused("past")
    if found.due > today + timedelta(days=MAX_AWAY_DAYS):
        raise AbsenceRefused("far")
    return found.due


async def set_away(db: AsyncSession, members: list[Member], until: date | None, *, today: date, now: datetime,
                   actor: str) -> list[str]:
    """Mark these focal-point links away until that day (None: back now), plan their institutions again; returns
    the institutions left with nobody to receive their reminders (the secretaries are told)."""
    alone = []
    for member in members:
        member.away_until = until
        audit.record(db, at=now, actor=actor, action="member_away" if until else "member_back", entity="member",
                     entity_id=member.id, committee_id=member.committee_id, until=until.isoformat() if until else None)
        await replan_institution(db, member.institution_id, now)
        if until is None:
            continue
        others = await db.scalar(select(Member.id).where(
            Member.committee_id == member.committee_id, Member.institution_id == member.institution_id,
            Member.role == Role.IMPLEMENTER, Member.active.is_(True), Member.id != member.id,
            or_(Member.away_until.is_(None), Member.away_until < today)).limit(1))
        if others is None:
            alone.append(member.institution.name)
            await tell_secretaries(db, member.committee_id, MessageKind.NOTICE, now, due_at=now + NOTICE_DELAY,
                                   events=[{"event": "away_alone", "institution": member.institution.name,
                                            "contact": member.display_name, "until": day(until)}])
    return alone


async def hand_over(db: AsyncSession, *, member: Member, now: datetime, days: int, actor: str) -> NewInvitation:
    """A single-use link for the colleague who takes this focal point's place (bot/committees.py::accept_invitation
    does the rest when it is opened)."""
    made = await create_invitation(db, committee=member.committee, role=Role.IMPLEMENTER,
                                   institution=member.institution, now=now, days=days, actor=actor)
    made.invitation.replaces_member_id = member.id
    return made
