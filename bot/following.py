"""Following an agreement: an observer or a secretary who sent /seguir 2.1 is told, in one message a minute like the
secretaries' notices, whenever one of its responsibles reports; /dejar 2.1 ends it."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import audit, texts
from bot.notices import NOTICE_DELAY
from bot.outbox.message import Outgoing
from bot.reminders.locking import lock
from bot.views import shorten
from models import queries
from models.entities import (
    Agreement,
    Assignment,
    Committee,
    Following,
    Member,
    MessageKind,
    Reminder,
    Role,
    StatusUpdate,
)

FOLLOWERS = (Role.SECRETARY, Role.OBSERVER)


async def agreements_named(db: AsyncSession, links: list[Member], code: str) -> list[tuple[Member, Agreement]]:
    """The agreement with this code in each committee where the chat is a secretary or an observer (the most recent
    session that has it), with the link that lets the chat follow it."""
    found: dict[int, tuple[Member, Agreement]] = {}
    for member in links:
        if member.role in FOLLOWERS and member.committee_id not in found:
            agreement = await queries.find_agreement(db, member.committee_id, code)
            if agreement is not None:
                found[member.committee_id] = (member, agreement)
    return list(found.values())


async def follow(db: AsyncSession, member: Member, agreement: Agreement, now: datetime, actor: str) -> bool:
    """Start following; False when this link already followed it."""
    if await db.scalar(select(Following.id).where(Following.member_id == member.id,
                                                  Following.agreement_id == agreement.id)):
        return False
    db.add(Following(member_id=member.id, agreement_id=agreement.id, created_at=now))
    audit.record(db, at=now, actor=actor, action="agreement_followed", entity="agreement", entity_id=agreement.id,
                 committee_id=agreement.committee_id, code=agreement.code, member=member.id)
    return True


async def unfollow(db: AsyncSession, member: Member, agreement: Agreement, now: datetime, actor: str) -> bool:
    """Stop following; False when this link did not follow it."""
    result = await db.execute(delete(Following).where(Following.member_id == member.id,
                                                      Following.agreement_id == agreement.id))
    if not result.rowcount:
        return False
    audit.record(db, at=now, actor=actor, action="agreement_unfollowed", entity="agreement", entity_id=agreement.id,
                 committee_id=agreement.committee_id, code=agreement.code, member=member.id)
    return True


async def queue_followers(db: AsyncSession, *, agreement_id: int, committee_id: int, update_id: int,
                          now: datetime) -> None:
    """Add this report to each follower's pending notice, or start one due in a minute (one per chat)."""
    followers = (await db.scalars(select(Member).join(Following, Following.member_id == Member.id).where(
        Following.agreement_id == agreement_id, Member.active.is_(True), Member.role.in_(FOLLOWERS))
        .order_by(Member.id))).all()
    if not followers:
        return
    await lock(db, Member.id, [m.id for m in followers])
    for follower in {m.chat_id: m for m in followers}.values():
        pending = await db.scalar(select(Reminder).where(
            Reminder.kind == MessageKind.FOLLOWING, Reminder.chat_id == follower.chat_id,
            Reminder.committee_id == committee_id, Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
            Reminder.claimed_until.is_(None)).order_by(Reminder.id).limit(1).with_for_update())
        if pending is None:
            db.add(Reminder(committee_id=committee_id, member_id=follower.id, chat_id=follower.chat_id,
                            kind=MessageKind.FOLLOWING, payload={"updates": [update_id]}, due_at=now + NOTICE_DELAY,
                            attempts=0, created_at=now))
        elif update_id not in pending.payload.get("updates", []):
            pending.payload = {"updates": [*pending.payload.get("updates", []), update_id]}
    await db.flush()


async def render_following(db: AsyncSession, rows: Sequence[Reminder], now: datetime) -> list[Outgoing]:
    """«👁 Novedades de los acuerdos que sigues — CORESEC Moquegua», a line per report."""
    outgoing = []
    for row in rows:
        committee = await db.get(Committee, row.committee_id)
        zone = ZoneInfo(committee.timezone)
        updates = (await db.scalars(select(StatusUpdate).where(StatusUpdate.id.in_(row.payload.get("updates", [])))
                                    .order_by(StatusUpdate.created_at, StatusUpdate.id))).all()
        lines = [texts.t(texts.FOLLOWING_HEADER, committee=committee.name)]
        for update in updates:
            assignment = await db.get(Assignment, update.assignment_id, options=[
                selectinload(Assignment.agreement), selectinload(Assignment.institution)])
            lines.append(texts.t(
                texts.FOLLOWING_LINE, code=assignment.agreement.code, institution=assignment.institution.name,
                status=texts.STATUS[update.status.value], percent=f" {update.percent}%" if update.percent else "",
                who=update.author_name, when=update.created_at.astimezone(zone).strftime("%d/%m %H:%M"),
                note=f" — «{shorten(update.note, 120)}»" if update.note else ""))
        text = "\n".join(lines) if updates else None
        outgoing.append(Outgoing(row.id, row.chat_id, row.kind, text))
    return outgoing
