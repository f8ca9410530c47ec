"""The rows summaries and reports are computed from: a fixed number of statements, however many agreements.

Nothing here loads objects one by one.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, partial
from typing import NamedTuple

from sqlalchemy import CTE, DateTime, Select, bindparam, case, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.entities import (
    Agreement,
    Assignment,
    Committee,
    Evidence,
    Institution,
    MessageKind,
    Reminder,
    Session,
    SessionKind,
    Status,
    StatusUpdate,
)
from models.base import UTCDateTime
from models.queries import unanswered_counts

def subtree(*roots: int) -> CTE:
    """The ids of these committees and of every committee below them (recursive)."""
    tree = select(Committee.id).where(Committee.id.in_(roots)).cte("tree", recursive=True)
    return tree.union_all(select(Committee.id).where(Committee.parent_id == tree.c.id))


async def committees_under(db: AsyncSession, *roots: int) -> list:
    """These committees and all below them: rows of id, name, kind, parent_id, timezone, settings."""
    tree = subtree(*roots)
    query = (select(Committee.id, Committee.name, Committee.kind, Committee.parent_id, Committee.timezone,
                    Committee.settings)
             .where(Committee.id.in_(select(tree.c.id))).order_by(Committee.id))
    return list((await db.execute(query)).all())


class AgreementFact(NamedTuple):
    """What a summary or a report needs of one agreement."""

    agreement_id: int
    committee_id: int
    code: str
    text: str
    deadline: date | None
    next_session: bool
    next_session_on: date | None  # the first session held after the agreement's own, once registered
    cancelled: bool
    registered_at: datetime | None  # only when registered after `recent`: older ones need no decoding
    session_id: int


class SessionFact(NamedTuple):
    session_id: int
    kind: SessionKind
    number: int
    held_on: date


class AssignmentFact(NamedTuple):
    """What the semáforo needs of one assignment."""

    agreement_id: int
    assignment_id: int
    institution_id: int
    status: Status
    percent: int
    updated: bool
    silent_since: datetime  # the last update, or else when the institution was assigned
    unanswered: int


class Facts(NamedTuple):
    agreements: list  # rows of AgreementFact, ordered by committee and agreement
    assignments: list  # rows of AssignmentFact, in the same order
    institutions: dict[int, str]  # names by id
    sessions: dict[int, SessionFact]


async def facts(db: AsyncSession, committee_ids: list[int], recent: datetime) -> Facts:
    """Everything the semáforo, a summary and a report need of these committees' agreements: four statements.

    Agreements, assignments, sessions and names come apart because decoding a value costs more than reading it:
    one row per assignment carrying its agreement's, session's and institution's columns would decode them again
    for every responsible. `AssignmentFact.silent_since` comes as the driver gives it: pass it through
    `as_utc` (a TypeDecorator's hook on each of 250,000 values costs more than the rest of the row).
    """
    agreements, assignments, names, sessions = _fact_statements()
    connection = await db.connection()  # Core results: these columns need none of the ORM's row handling
    values = {"committee_ids": committee_ids, "recent": recent}
    return Facts((await connection.execute(agreements, values)).all(),
                 (await connection.execute(assignments, values)).all(),
                 dict((await connection.execute(names, values)).all()),
                 {row[0]: SessionFact(*row) for row in (await connection.execute(sessions, values)).all()})


as_utc = partial(UTCDateTime().process_result_value, dialect=None)


@cache
def _fact_statements() -> tuple[Select, Select, Select, Select]:
    """Built once: building them costs milliseconds, and the weekly job runs them for every batch."""
    committee_ids = bindparam("committee_ids", expanding=True)
    later = aliased(Session)
    # "La siguiente sesión" is met at the first session held after the agreement's own.
    next_session_on = case((Agreement.deadline_next_session.is_(True),
                            select(func.min(later.held_on))
                            .where(later.committee_id == Agreement.committee_id, later.held_on > Session.held_on)
                            .correlate(Agreement, Session).scalar_subquery()))
    agreement_columns = {
        "agreement_id": Agreement.id, "committee_id": Agreement.committee_id, "code": Agreement.code,
        "text": Agreement.text, "deadline": Agreement.deadline, "next_session": Agreement.deadline_next_session,
        "next_session_on": next_session_on, "cancelled": Agreement.cancelled_at.is_not(None),
        "registered_at": case((Agreement.created_at > bindparam("recent"), Agreement.created_at)),
        "session_id": Agreement.session_id,
    }
    agreements = (select(*(agreement_columns[name].label(name) for name in AgreementFact._fields))
                  .join(Session, Session.id == Agreement.session_id)
                  .where(Agreement.committee_id.in_(committee_ids))
                  .order_by(Agreement.committee_id, Agreement.id))
    unanswered = unanswered_counts(Reminder.committee_id.in_(committee_ids)).subquery("unanswered")
    assignment_columns = {
        "agreement_id": Assignment.agreement_id, "assignment_id": Assignment.id,
        "institution_id": Assignment.institution_id, "status": Assignment.status, "percent": Assignment.percent,
        "updated": Assignment.last_update_at.is_not(None),
        "silent_since": type_coerce(func.coalesce(Assignment.last_update_at, Assignment.created_at),
                                    DateTime(timezone=True)),
        "unanswered": func.coalesce(unanswered.c.count, 0),
    }
    assignments = (select(*(assignment_columns[name].label(name) for name in AssignmentFact._fields))
                   .join(Agreement, Agreement.id == Assignment.agreement_id)
                   .outerjoin(unanswered, unanswered.c.assignment_id == Assignment.id)
                   .where(Agreement.committee_id.in_(committee_ids))
                   .order_by(Agreement.committee_id, Agreement.id, Assignment.id))
    names = select(Institution.id, Institution.name).where(Institution.committee_id.in_(committee_ids))
    sessions = (select(Session.id, Session.kind, Session.number, Session.held_on)
                .where(Session.committee_id.in_(committee_ids)))
    return agreements, assignments, names, sessions


async def changes(db: AsyncSession, committee_ids: list[int], since: datetime, until: datetime,
                  limit: int) -> list:
    """Per committee, its newest `limit` status updates of the period (oldest first) and how many there were.

    Columns: committee_id, at, code, institution, status, percent, note, author, total.
    """
    values = {"committee_ids": committee_ids, "since": since, "until": until, "limit": limit}
    return list((await db.execute(_changes_statement(), values)).all())


@cache
def _changes_statement() -> Select:
    since = bindparam("since", type_=UTCDateTime())
    ranked = (
        select(Agreement.committee_id, StatusUpdate.created_at.label("at"), Agreement.code,
               Institution.name.label("institution"), StatusUpdate.status, StatusUpdate.percent, StatusUpdate.note,
               StatusUpdate.author_name.label("author"),
               func.row_number().over(partition_by=Agreement.committee_id,
                                      order_by=(StatusUpdate.created_at.desc(), StatusUpdate.id.desc()))
               .label("newest"),
               func.count().over(partition_by=Agreement.committee_id).label("total"))
        .join(Assignment, Assignment.id == StatusUpdate.assignment_id)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .join(Institution, Institution.id == Assignment.institution_id)
        .where(Agreement.committee_id.in_(bindparam("committee_ids", expanding=True)), StatusUpdate.created_at > since,
               StatusUpdate.created_at <= bindparam("until", type_=UTCDateTime()))
        .subquery("ranked"))
    return (select(*(column for column in ranked.c if column.name != "newest"))
            .where(ranked.c.newest <= bindparam("limit")).order_by(ranked.c.committee_id, ranked.c.newest.desc()))


async def updates(db: AsyncSession, committee_id: int, since: datetime, until: datetime) -> list:
    """Every status update of the period, oldest first, for a report.

    Columns: at, code, session_number, institution, status, percent, note, author, evidence.
    """
    evidence = (select(func.count(Evidence.id)).where(Evidence.status_update_id == StatusUpdate.id)
                .correlate(StatusUpdate).scalar_subquery())
    query = (
        select(StatusUpdate.created_at.label("at"), Agreement.code, Session.number.label("session_number"),
               Institution.name.label("institution"), StatusUpdate.status, StatusUpdate.percent,
               StatusUpdate.note, StatusUpdate.author_name.label("author"), evidence.label("evidence"))
        .join(Assignment, Assignment.id == StatusUpdate.assignment_id)
        .join(Agreement, Agreement.id == Assignment.agreement_id)
        .join(Session, Session.id == Agreement.session_id)
        .join(Institution, Institution.id == Assignment.institution_id)
        .where(Agreement.committee_id == committee_id, StatusUpdate.created_at > since,
               StatusUpdate.created_at <= until)
        .order_by(StatusUpdate.created_at, StatusUpdate.id)
    )
    return list((await db.execute(query)).all())


async def last_summaries(db: AsyncSession, committee_ids: list[int]) -> dict[int, datetime]:
    """When each committee's last weekly summary went out."""
    query = (select(Reminder.committee_id, func.max(Reminder.sent_at))
             .where(Reminder.committee_id.in_(committee_ids), Reminder.kind == MessageKind.SUMMARY,
                    Reminder.sent_at.is_not(None))
             .group_by(Reminder.committee_id))
    return dict((await db.execute(query)).all())
