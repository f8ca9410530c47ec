"""Who is linked to a committee, and how a link ends: revoked by a secretary (or the operator), or left by the chat.

Ending a link is one transaction: the member becomes inactive with the reason, the change is audited, and its
institution's reminders are planned again at once, so that its pending ones are cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot import audit, texts
from bot.committees import Refused
from bot.reminders import replan_institution
from bot.reminders.locking import lock
from bot.views import day
from models.entities import Committee, Institution, Member, Reminder, Role, Waiting


class MemberRefused(Refused):
    """Why a link cannot be ended; `reason`: unknown (not a link of these committees, or not this chat's), gone
    (no longer active), last_secretary, not_allowed (a group's link, and the person may not take the group out)."""

    def __init__(self, reason: str, message: str, member: Member | None = None):
        super().__init__(message)
        self.reason = reason
        # Names, not the member: the transaction that refused is rolled back, and its objects with it.
        self.name = member.display_name if member else ""
        self.committee = member.committee.name if member else ""


@dataclass
class Roster:
    """A committee's active links by role; every institution is listed, with no members when it has no focal point."""

    committee: Committee
    secretaries: list[Member]
    focal_points: list[tuple[Institution, list[Member]]]
    observers: list[Member]

    @property
    def count(self) -> int:
        return len(self.secretaries) + sum(len(m) for _, m in self.focal_points) + len(self.observers)


@dataclass
class Ended:
    """A link that was just ended, and what the chats should be told."""

    member: Member
    committee: Committee
    role: texts.Html
    alone: bool  # its institution has no active focal point left
    last_secretary: bool  # the committee has no active secretary left (only the operator can do that)
    secretaries: list[int]  # chats of the committee's active secretaries
    roles_left: set[str]  # the roles the member's chat still has, for its command menu


async def roster(db: AsyncSession, committee: Committee) -> Roster:
    members = (await db.scalars(select(Member).where(Member.committee_id == committee.id, Member.active.is_(True))
                                .order_by(Member.created_at, Member.id))).all()
    institutions = (await db.scalars(select(Institution).where(Institution.committee_id == committee.id)
                                     .order_by(func.lower(Institution.name), Institution.id))).all()
    focal: dict[int, list[Member]] = {institution.id: [] for institution in institutions}
    for member in members:
        if member.role == Role.IMPLEMENTER and member.institution_id in focal:
            focal[member.institution_id].append(member)
    return Roster(committee, [m for m in members if m.role == Role.SECRETARY],
                  [(institution, focal[institution.id]) for institution in institutions],
                  [m for m in members if m.role == Role.OBSERVER])


def render_roster(found: Roster, *, footer: bool = True) -> texts.Html:
    """/miembros, and `acuerdos-bot members` in plain text (without the footer)."""
    zone = ZoneInfo(found.committee.timezone)

    def lines_of(members: list[Member]) -> list[str]:
        return [texts.t(texts.MEMBERS_LINE, number=m.id, name=m.display_name or "—",
                        group=texts.MEMBERS_GROUP if m.is_group else "",
                        since=day(m.created_at.astimezone(zone).date())) for m in members] or [texts.MEMBERS_NONE]

    lines = [texts.t(texts.MEMBERS_HEADER, committee=found.committee.name, count=found.count),
             texts.MEMBERS_SECRETARIES, *lines_of(found.secretaries), texts.MEMBERS_FOCAL_POINTS]
    for institution, members in found.focal_points:
        if members:
            lines += [texts.t(texts.MEMBERS_INSTITUTION, institution=institution.name), *lines_of(members)]
        else:
            lines.append(texts.t(texts.MEMBERS_NO_FOCAL_POINT, institution=institution.name))
    if not found.focal_points:
        lines.append(texts.MEMBERS_NONE)
    lines += [texts.MEMBERS_OBSERVERS, *lines_of(found.observers)]
    example = next((m.id for _, members in found.focal_points for m in members), None)
    if footer:
        lines.append(texts.t(texts.MEMBERS_FOOTER, number=example or 12))
    return texts.Html("\n".join(lines))


def role_of(member: Member) -> texts.Html:
    """«Secretaría Técnica», «observador», «punto focal de PNP» (the member is loaded with its institution)."""
    return texts.t(texts.MEMBER_ROLE[member.role.value],
                   institution=member.institution.name if member.institution else "")


async def actors_named(db: AsyncSession, committee_id: int, actors: list[str]) -> dict[str, str]:
    """How the committee's chats know the authors of audit entries: «Rosa (Secretaría Técnica)» for
    "telegram:1001"; the command line is «el operador»; an author the committee never linked keeps «alguien»."""
    ids = {int(actor.split(":", 1)[1]) for actor in actors
           if actor.startswith("telegram:") and actor.split(":", 1)[1].isdigit()}
    found = (await db.scalars(select(Member).where(Member.committee_id == committee_id, Member.user_id.in_(ids))
                              .options(joinedload(Member.institution)).order_by(Member.active, Member.id))).all()
    people = {audit.telegram_actor(m.user_id): texts.plain(texts.t(texts.AUTHOR_NAMED, name=m.display_name,
                                                                   role=role_of(m))) for m in found}
    return {actor: people.get(actor, texts.AUTHOR_OPERATOR if actor == "cli" else texts.AUTHOR_UNKNOWN)
            for actor in actors}


async def secretary_of(db: AsyncSession, user_id: int) -> set[int]:
    """The committees this person is an active secretary of."""
    return set(await db.scalars(select(Member.committee_id).where(
        Member.user_id == user_id, Member.role == Role.SECRETARY, Member.active.is_(True))))


async def leavable(db: AsyncSession, *, user_id: int, chat_id: int, in_group: bool) -> list[Member]:
    """The links /salir offers: in a private chat the person's own, in a group the group's, oldest first."""
    return list((await db.scalars(select(Member).where(Member.active.is_(True), *_leavable(user_id, chat_id, in_group))
                                  .options(joinedload(Member.committee), joinedload(Member.institution))
                                  .order_by(Member.created_at, Member.id))).all())


def _leavable(user_id: int, chat_id: int, in_group: bool) -> tuple:
    if in_group:
        return Member.chat_id == chat_id, Member.is_group.is_(True)
    return Member.user_id == user_id, Member.is_group.is_(False)


async def revocable(db: AsyncSession, member_id: int, committee_ids: set[int], *,
                    allow_last_secretary: bool = False) -> Member:
    """The active member with this id in one of these committees (MemberRefused otherwise)."""
    member = await _load(db, member_id)
    if member is None or member.committee_id not in committee_ids:
        raise MemberRefused("unknown", f"No member {member_id} in this committee (see: acuerdos-bot members).")
    if not member.active:
        raise MemberRefused("gone", f"Member {member_id} ({member.display_name}) is no longer active.", member)
    if not allow_last_secretary and await is_last_secretary(db, member):
        raise MemberRefused("last_secretary", f"{member.display_name} is the committee's last active secretary.",
                            member)
    return member


async def leaving(db: AsyncSession, member_id: int, *, user_id: int, chat_id: int, in_group: bool,
                  chat_admin: bool) -> Member:
    """The link this chat may leave (MemberRefused otherwise): a group's only by a chat administrator or by the
    person who opened its invitation there (`Member.user_id`)."""
    member = await _load(db, member_id)
    mine = member is not None and (
        (member.is_group and member.chat_id == chat_id) if in_group else
        (not member.is_group and member.user_id == user_id))
    if not mine:
        raise MemberRefused("unknown", f"Member {member_id} is not this chat's.")
    if not member.active:
        raise MemberRefused("gone", f"Member {member_id} is no longer active.", member)
    if in_group and not (chat_admin or member.user_id == user_id):
        raise MemberRefused("not_allowed", "Only a chat administrator or who linked the group may take it out.",
                            member)
    if await is_last_secretary(db, member):
        raise MemberRefused("last_secretary", "The committee's last active secretary cannot leave.", member)
    return member


async def is_last_secretary(db: AsyncSession, member: Member) -> bool:
    if member.role != Role.SECRETARY:
        return False
    others = await db.scalar(select(func.count(Member.id)).where(
        Member.committee_id == member.committee_id, Member.role == Role.SECRETARY, Member.active.is_(True),
        Member.user_id != member.user_id))
    return not others


async def revoke(db: AsyncSession, *, member_id: int, committee_ids: set[int], by: str, actor: str, now: datetime,
                 allow_last_secretary: bool = False) -> Ended:
    """A secretary of the member's committee (or the operator, who may take out the last secretary) ends a link."""
    await _lock(db, member_id)
    member = await revocable(db, member_id, committee_ids, allow_last_secretary=allow_last_secretary)
    return await _end(db, member, now=now, actor=actor, action="member_revoked", reason=f"revocado por {by}")


async def leave(db: AsyncSession, *, member_id: int, user_id: int, chat_id: int, in_group: bool, chat_admin: bool,
                by: str, now: datetime) -> Ended:
    """A chat ends its own link (/salir)."""
    await _lock(db, member_id)
    member = await leaving(db, member_id, user_id=user_id, chat_id=chat_id, in_group=in_group, chat_admin=chat_admin)
    return await _end(db, member, now=now, actor=audit.telegram_actor(user_id), action="member_left",
                      reason=f"salió del comité ({by})")


async def _lock(db: AsyncSession, member_id: int) -> None:
    # The member and its committee's secretaries: two secretaries taking each other out at once must leave one.
    committee_id = await db.scalar(select(Member.committee_id).where(Member.id == member_id))
    if committee_id is None:
        return
    secretaries = await db.scalars(select(Member.id).where(
        Member.committee_id == committee_id, Member.role == Role.SECRETARY, Member.active.is_(True)))
    await lock(db, Member.id, sorted({member_id, *secretaries}))


async def _load(db: AsyncSession, member_id: int) -> Member | None:
    return await db.get(Member, member_id, options=[joinedload(Member.committee), joinedload(Member.institution)],
                        populate_existing=True)


async def _end(db: AsyncSession, member: Member, *, now: datetime, actor: str, action: str, reason: str) -> Ended:
    last_secretary = await is_last_secretary(db, member)
    member.active, member.inactive_since, member.inactive_reason = False, now, reason[:200]
    audit.record(db, at=now, actor=actor, action=action, entity="member", entity_id=member.id,
                 committee_id=member.committee_id, role=member.role.value,
                 institution=member.institution.name if member.institution else None, chat_id=member.chat_id,
                 reason=reason[:200])
    alone = False
    if member.role == Role.IMPLEMENTER and member.institution_id is not None:
        await replan_institution(db, member.institution_id, now)
        alone = not await db.scalar(select(func.count(Member.id)).where(
            Member.committee_id == member.committee_id, Member.institution_id == member.institution_id,
            Member.role == Role.IMPLEMENTER, Member.active.is_(True)))
    # The questions the bot asked through this link stop now (they would be refused when answered anyway).
    await db.execute(delete(Waiting).where(Waiting.member_id == member.id).execution_options(
        synchronize_session=False))
    # What the planner does not plan (the secretaries' notices, alerts and summaries) is cancelled here.
    await db.execute(update(Reminder).where(Reminder.member_id == member.id, Reminder.sent_at.is_(None),
                                            Reminder.cancelled_at.is_(None))
                     .values(cancelled_at=now, error=f"cancelled: {action}")
                     .execution_options(synchronize_session=False))
    secretaries = sorted(set(await db.scalars(select(Member.chat_id).where(
        Member.committee_id == member.committee_id, Member.role == Role.SECRETARY, Member.active.is_(True)))))
    roles_left = set(await db.scalars(select(Member.role).where(Member.chat_id == member.chat_id,
                                                                Member.active.is_(True))))
    return Ended(member, member.committee, role_of(member), alone, last_secretary, secretaries,
                 {role.value for role in roles_left})
