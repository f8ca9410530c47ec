"""Read queries, always scoped to a committee."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload, selectinload

from models.entities import (
    ANSWERABLE_KINDS,
    Agreement,
    AuditEntry,
    Assignment,
    Committee,
    Institution,
    InstitutionAlias,
    Member,
    MessageKind,
    Reminder,
    Role,
    Session,
    Status,
    StatusUpdate,
)
from models.names import institution_key
from models.rules import code_variants
from models.text import clean_text


def speaks_for(user_id: int, chat_id: int):
    """A person's own links count wherever they write; a group's links only inside that group."""
    return or_(and_(Member.user_id == user_id, Member.is_group.is_(False)),
               and_(Member.chat_id == chat_id, Member.is_group.is_(True)))


async def memberships(db: AsyncSession, user_id: int, chat_id: int) -> list[Member]:
    """Active links of whoever writes in this chat, newest first."""
    query = (
        select(Member)
        .where(Member.active.is_(True), speaks_for(user_id, chat_id))
        .options(joinedload(Member.committee), joinedload(Member.institution))
        .order_by(Member.created_at.desc(), Member.id.desc())
    )
    return list((await db.scalars(query)).all())


async def implementer_institution_ids(db: AsyncSession, user_id: int, chat_id: int) -> set[int]:
    """The institutions this chat speaks for as their focal point."""
    rows = await db.scalars(select(Member.institution_id).where(
        Member.active.is_(True), Member.role == Role.IMPLEMENTER, Member.institution_id.is_not(None),
        speaks_for(user_id, chat_id)))
    return set(rows.all())


async def committee_by_name(db: AsyncSession, name: str) -> Committee | None:
    """The committee with this name, ignoring case and spacing (compared here: SQLite's lower() leaves Ñ alone)."""
    wanted = " ".join(clean_text(name).split()).casefold()
    names = await db.execute(select(Committee.id, Committee.name))
    found = next((id_ for id_, existing in names.all()
                  if " ".join(clean_text(existing).split()).casefold() == wanted), None)
    return await db.get(Committee, found) if found is not None else None


async def find_institution(db: AsyncSession, committee_id: int, name: str) -> Institution | None:
    """The committee's institution with this name or one of its aliases, ignoring case, accents and fillers."""
    key = institution_key(name)
    if not key:  # "...", "de la": no name, so no institution
        return None
    found = await db.scalar(select(Institution).where(Institution.committee_id == committee_id,
                                                      Institution.key == key))
    if found is None:
        found = await db.scalar(
            select(Institution).join(InstitutionAlias)
            .where(InstitutionAlias.committee_id == committee_id, InstitutionAlias.key == key))
    return found


async def institution_spellings(db: AsyncSession, committee_id: int) -> list[str]:
    """Every name the committee's institutions are known by: their names and the spellings learnt on import."""
    names = await db.scalars(select(Institution.name).where(Institution.committee_id == committee_id))
    aliases = await db.scalars(select(InstitutionAlias.alias).where(InstitutionAlias.committee_id == committee_id))
    return sorted({*names.all(), *aliases.all()})


async def institutions_with_focal_points(db: AsyncSession, committee_id: int) -> list[tuple[Institution, int]]:
    focal = (select(func.count(Member.id))
             .where(Member.institution_id == Institution.id, Member.active.is_(True),
                    Member.role == Role.IMPLEMENTER)
             .correlate(Institution).scalar_subquery())
    rows = await db.execute(select(Institution, focal).where(Institution.committee_id == committee_id)
                            .order_by(func.lower(Institution.name)))
    return [(institution, count) for institution, count in rows.all()]


async def recent_sessions(db: AsyncSession, committee_id: int, limit: int = 5) -> list[Session]:
    query = (select(Session).where(Session.committee_id == committee_id)
             .order_by(Session.held_on.desc(), Session.id.desc()).limit(limit))
    return list((await db.scalars(query)).all())


async def find_agreement(db: AsyncSession, committee_id: int, code: str,
                         session_id: int | None = None) -> Agreement | None:
    """The agreement with this code, from the given session or else the most recent session that has it."""
    query = (select(Agreement).join(Session)
             .where(Agreement.committee_id == committee_id, Agreement.code.in_(code_variants(code)))
             .options(selectinload(Agreement.session),
                      selectinload(Agreement.assignments).selectinload(Assignment.institution),
                      selectinload(Agreement.followup_institution))
             .order_by(Session.held_on.desc(), Session.id.desc()).limit(1))
    if session_id is not None:
        query = query.where(Agreement.session_id == session_id)
    return await db.scalar(query)


async def agreements_page(db: AsyncSession, committee_id: int, *, institution_id: int | None = None,
                          status: Status | None = None, offset: int = 0,
                          limit: int = 10) -> tuple[list[Agreement], int]:
    """One page of the committee's agreements, newest session first, and how many match in all."""
    query = select(Agreement).join(Session).where(Agreement.committee_id == committee_id)
    if institution_id is not None or status is not None:
        matching = select(Assignment.agreement_id)
        if institution_id is not None:
            matching = matching.where(Assignment.institution_id == institution_id)
        if status is not None:
            matching = matching.where(Assignment.status == status)
        query = query.where(Agreement.id.in_(matching))
    total = await db.scalar(select(func.count()).select_from(query.subquery()))
    rows = await db.scalars(
        query.options(selectinload(Agreement.session),
                      selectinload(Agreement.assignments).selectinload(Assignment.institution))
        .order_by(Session.held_on.desc(), Session.id.desc(), Agreement.id)
        .offset(offset).limit(limit))
    return list(rows.all()), total or 0


async def audit_trail(db: AsyncSession, entity: str, entity_id: int, action: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list((await db.scalars(query.order_by(AuditEntry.at, AuditEntry.id))).all())


async def all_committees(db: AsyncSession) -> list[Committee]:
    query = select(Committee).options(selectinload(Committee.parent)).order_by(Committee.kind, Committee.name)
    return list((await db.scalars(query)).all())


# What goes to the secretaries (or the committee's group) is nobody's answer to owe.
TO_SECRETARIES = tuple(kind for kind in MessageKind if kind not in ANSWERABLE_KINDS)


def unanswered_counts(*where):
    """Per assignment: the reminders sent since its last status update (none answered them), as (assignment_id,
    count) rows; `where` narrows the reminders (by assignment, or by committee)."""
    # One step of the cadence goes to each of the institution's contacts: it counts once.
    return (select(Reminder.assignment_id, func.count(Reminder.due_at.distinct()).label("count"))
            .join(Assignment, Assignment.id == Reminder.assignment_id)
            .where(*where, Reminder.sent_at.is_not(None), Reminder.kind.not_in(TO_SECRETARIES),
                   or_(Assignment.last_update_at.is_(None), Reminder.sent_at > Assignment.last_update_at))
            .group_by(Reminder.assignment_id))


async def unanswered_reminders(db: AsyncSession, assignment_ids: list[int]) -> dict[int, int]:
    """Reminders sent to each assignment since its last status update."""
    if not assignment_ids:
        return {}
    rows = await db.execute(unanswered_counts(Reminder.assignment_id.in_(assignment_ids)))
    return {assignment_id: count for assignment_id, count in rows.all()}


async def next_session_dates(db: AsyncSession, agreement_ids: list[int]) -> dict[int, date]:
    """For agreements due "la siguiente sesión": the date of the first session held after their own, where one is
    registered."""
    if not agreement_ids:
        return {}
    own, later = aliased(Session), aliased(Session)
    rows = await db.execute(
        select(Agreement.id, func.min(later.held_on))
        .join(own, own.id == Agreement.session_id)
        .join(later, and_(later.committee_id == Agreement.committee_id, later.held_on > own.held_on))
        .where(Agreement.id.in_(agreement_ids)).group_by(Agreement.id))
    return dict(rows.all())


async def history(db: AsyncSession, assignment_ids: list[int]) -> list[StatusUpdate]:
    """Every update of these assignments, with its evidence, oldest first."""
    if not assignment_ids:
        return []
    query = (select(StatusUpdate).where(StatusUpdate.assignment_id.in_(assignment_ids))
             .options(selectinload(StatusUpdate.evidence)).order_by(StatusUpdate.created_at, StatusUpdate.id))
    return list((await db.scalars(query)).all())
