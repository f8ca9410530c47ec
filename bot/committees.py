"""Committees, institutions, invitations and sessions: every change here is audited."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.notices import NOTICE_DELAY
from bot.reminders import replan_institution
from bot.reminders.alerts import tell_secretaries
from models import queries
from models.entities import (
    ANSWERABLE_KINDS,
    Committee,
    CommitteeKind,
    Institution,
    Invitation,
    Member,
    MessageKind,
    Reminder,
    Role,
    Session,
    SessionKind,
    Waiting,
)
from models.names import institution_key
from models.rules import latest_session, session_date_allowed
from models.text import clean_text


class Refused(Exception):
    """A change the rules do not allow; the message is for the operator or the user."""


async def add_committee(db: AsyncSession, *, name: str, kind: CommitteeKind, parent: str | None,
                        timezone: str, now: datetime, actor: str = "cli") -> Committee:
    name = " ".join(clean_text(name).split())
    if not name:
        raise Refused("The committee needs a name.")
    if await queries.committee_by_name(db, name):
        raise Refused(f"A committee named {name!r} already exists.")
    parent_committee = None
    if parent:
        parent_committee = await queries.committee_by_name(db, parent)
        if parent_committee is None:
            raise Refused(f"No committee named {parent!r}: add the parent first.")
    committee = Committee(name=name, kind=kind, parent=parent_committee, timezone=timezone, settings={},
                          created_at=now)
    db.add(committee)
    await db.flush()
    audit.record(db, at=now, actor=actor, action="committee_added", entity="committee", entity_id=committee.id,
                 committee_id=committee.id, name=name, kind=kind.value, parent=parent)
    return committee


# What new_invitation_code makes: 16 random bytes in URL-safe base64, 22 characters.
INVITATION_CODE = re.compile(r"[A-Za-z0-9_-]{22}")


def new_invitation_code() -> str:
    # 16 random bytes, URL-safe: fits Telegram's 64-character start parameter with room to spare.
    return secrets.token_urlsafe(16)


def invitation_code_hash(code: str) -> str:
    """What the database keeps of a code: its SHA-256, so that a copy of the database holds no usable link."""
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class NewInvitation:
    """An invitation just created, with its plain code: the only moment the code exists, to be shown once."""

    invitation: Invitation
    code: str


async def create_invitation(db: AsyncSession, *, committee: Committee, role: Role, institution: Institution | None,
                            now: datetime, days: int, actor: str) -> NewInvitation:
    code = new_invitation_code()
    invitation = Invitation(code_hash=invitation_code_hash(code), committee_id=committee.id, role=role,
                            institution_id=institution.id if institution else None, created_by=actor,
                            created_at=now, expires_at=now + timedelta(days=days))
    db.add(invitation)
    await db.flush()
    audit.record(db, at=now, actor=actor, action="invitation_created", entity="invitation",
                 entity_id=invitation.id, committee_id=committee.id, role=role.value,
                 institution=institution.name if institution else None)
    return NewInvitation(invitation, code)


@dataclass
class Linked:
    member: Member
    committee: Committee
    institution: Institution | None
    already: bool


class InvitationUnknown(Refused):
    pass


class InvitationExpired(Refused):
    def __init__(self, expires_at: datetime):
        super().__init__("expired")
        self.expires_at = expires_at


class InvitationUsed(Refused):
    pass


async def accept_invitation(db: AsyncSession, *, code: str, chat_id: int, user_id: int, is_group: bool,
                            display_name: str, now: datetime) -> Linked:
    """Link a chat with the invitation's committee and role; the code works once and until it expires.
    A new focal point gets its institution's reminders from now on."""
    if not INVITATION_CODE.fullmatch(code):
        raise InvitationUnknown("unknown")
    invitation = await db.scalar(select(Invitation).where(Invitation.code_hash == invitation_code_hash(code))
                                 .with_for_update())
    if invitation is None:
        raise InvitationUnknown("unknown")
    if invitation.used_at is not None:
        raise InvitationUsed("used")
    if invitation.expires_at <= now:
        raise InvitationExpired(invitation.expires_at)
    committee = await db.get(Committee, invitation.committee_id)
    institution = await db.get(Institution, invitation.institution_id) if invitation.institution_id else None
    # Secretaries and observers are people; an institution's link can stand for its whole group chat.
    as_group = is_group and invitation.role == Role.IMPLEMENTER
    existing = await db.scalar(select(Member).where(
        Member.committee_id == committee.id, Member.role == invitation.role,
        Member.institution_id.is_(None) if institution is None else Member.institution_id == institution.id,
        Member.chat_id == chat_id if as_group else Member.user_id == user_id,
        Member.is_group.is_(as_group), Member.active.is_(True)))
    invitation.used_at, invitation.used_by_chat_id = now, chat_id
    member = existing or Member(committee_id=committee.id, role=invitation.role,
                                institution_id=invitation.institution_id, chat_id=chat_id if as_group else user_id,
                                user_id=user_id, is_group=as_group, display_name=display_name[:200], active=True,
                                created_at=now)
    if existing is None:
        db.add(member)
        await db.flush()
        audit.record(db, at=now, actor=audit.telegram_actor(user_id), action="member_linked", entity="member",
                     entity_id=member.id, committee_id=committee.id, role=invitation.role.value,
                     institution=institution.name if institution else None, chat_id=chat_id)
    if invitation.replaces_member_id is not None:
        await _take_over(db, invitation.replaces_member_id, member, now)
    if existing is None or invitation.replaces_member_id is not None:
        if institution is not None:
            await replan_institution(db, institution.id, now)
    return Linked(member=member, committee=committee, institution=institution, already=existing is not None)


async def _take_over(db: AsyncSession, old_id: int, member: Member, now: datetime) -> None:
    """A hand-over (/relevo) accepted: the old contact ends, its pending reminders go to the new one, and the
    secretaries are told."""
    old = await db.get(Member, old_id)
    if old is None or not old.active or old.id == member.id:
        return
    await db.execute(update(Reminder).where(Reminder.member_id == old.id, Reminder.kind.in_(ANSWERABLE_KINDS),
                                            Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None))
                     .values(member_id=member.id, chat_id=member.chat_id).execution_options(synchronize_session=False))
    old.active, old.inactive_since, old.inactive_reason = False, now, f"relevo: {member.display_name}"[:200]
    await db.execute(delete(Waiting).where(Waiting.member_id == old.id).execution_options(synchronize_session=False))
    institution = await db.get(Institution, old.institution_id)
    audit.record(db, at=now, actor=audit.telegram_actor(member.user_id), action="member_handed_over", entity="member",
                 entity_id=old.id, committee_id=old.committee_id, institution=institution.name, to_member=member.id)
    await tell_secretaries(db, old.committee_id, MessageKind.NOTICE, now, due_at=now + NOTICE_DELAY,
                           events=[{"event": "handover", "institution": institution.name, "old": old.display_name,
                                    "new": member.display_name}])


async def add_institution(db: AsyncSession, *, committee: Committee, name: str, now: datetime,
                          actor: str) -> tuple[Institution, bool]:
    """Add an institution, or give back the one already known by that name (second value: created);
    NameWithoutLetters for a name that is not one ("...", "🚓", "de la")."""
    name = " ".join(clean_text(name).split())
    if not institution_key(name):
        raise NameWithoutLetters(name)
    existing = await queries.find_institution(db, committee.id, name)
    if existing is not None:
        return existing, False
    institution = Institution(committee_id=committee.id, name=name, key=institution_key(name), created_at=now)
    db.add(institution)
    await db.flush()
    audit.record(db, at=now, actor=actor, action="institution_added", entity="institution",
                 entity_id=institution.id, committee_id=committee.id, name=name)
    return institution, True


class NameWithoutLetters(Refused):
    """An institution's name needs a letter that is not one of the small words (de, la, y)."""


async def move_chat(db: AsyncSession, *, old: int, new: int, now: datetime) -> None:
    """A group became a supergroup (a new chat id): its links, unsent outbox rows, pending questions and the committee's
    summary group follow it."""
    for column in (Member.chat_id, Waiting.chat_id):
        await db.execute(update(column.class_).where(column == old).values({column.key: new})
                         .execution_options(synchronize_session=False))
    await db.execute(update(Reminder).where(Reminder.chat_id == old, Reminder.sent_at.is_(None))
                     .values(chat_id=new).execution_options(synchronize_session=False))
    await db.execute(update(Committee).where(Committee.group_chat_id == old).values(group_chat_id=new)
                     .execution_options(synchronize_session=False))
    audit.record(db, at=now, actor="telegram", action="chat_migrated", entity="chat", entity_id=None,
                 committee_id=None, old=old, new=new)


class SessionDateOutOfRange(Refused):
    """A session's date before 2000 or more than a year ahead: a typo, not a session."""

    def __init__(self, held_on: date, today: date):
        super().__init__(held_on.isoformat())
        self.held_on, self.latest = held_on, latest_session(today)


async def register_session(db: AsyncSession, *, committee: Committee, kind: SessionKind, number: int,
                           held_on: date, now: datetime, actor: str) -> tuple[Session, bool]:
    today = now.astimezone(ZoneInfo(committee.timezone)).date()
    if not session_date_allowed(held_on, today):
        raise SessionDateOutOfRange(held_on, today)
    existing = await db.scalar(select(Session).where(
        Session.committee_id == committee.id, Session.kind == kind, Session.number == number,
        Session.held_on == held_on))
    if existing is not None:
        return existing, False
    session = Session(committee_id=committee.id, kind=kind, number=number, held_on=held_on, created_at=now)
    db.add(session)
    await db.flush()
    audit.record(db, at=now, actor=actor, action="session_registered", entity="session", entity_id=session.id,
                 committee_id=committee.id, kind=kind.value, number=number, held_on=held_on.isoformat())
    return session, True


ORDINAL_WORDS = {"primera": 1, "segunda": 2, "tercera": 3, "cuarta": 4, "quinta": 5, "sexta": 6, "septima": 7,
                 "séptima": 7, "octava": 8, "novena": 9, "decima": 10, "décima": 10}


def parse_day(text: str, today: date) -> date | None:
    """A session's date as secretaries write it: 25/02/2026, 25-02-2026, 2026-02-25, hoy, ayer."""
    text = text.strip().lower()
    if text == "hoy":
        return today
    if text == "ayer":
        return today - timedelta(days=1)
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_session_args(words: list[str], today: date) -> tuple[SessionKind, int, date] | None:
    """`ordinaria 1 25/02/2026` (any order; the date may be left out for today). SessionDateOutOfRange for a date
    before 2000 or more than a year after today."""
    kind = number = held_on = None
    for word in words:
        lowered = word.lower().strip(".,")
        if lowered in ("ordinaria", "ord"):
            kind = SessionKind.ORDINARIA
        elif lowered in ("extraordinaria", "extra"):
            kind = SessionKind.EXTRAORDINARIA
        elif lowered.lstrip("n°º#").isdecimal() and number is None:  # not "²": int() cannot read it
            number = int(lowered.lstrip("n°º#"))
        elif lowered in ORDINAL_WORDS:
            number = ORDINAL_WORDS[lowered]
        elif lowered in ("sesion", "sesión", "n°", "nº", "no"):
            continue
        elif (parsed := parse_day(lowered, today)) is not None:
            held_on = parsed
        else:
            return None
    if kind is None or number is None or not 1 <= number <= 999:
        return None
    if held_on is not None and not session_date_allowed(held_on, today):
        raise SessionDateOutOfRange(held_on, today)
    return kind, number, held_on or today
