"""The entities of docs/design.md's "Words" table, as SQLAlchemy 2 typed models."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.text import CleanString, CleanText


def _enum(cls: type[StrEnum], name: str) -> Enum:
    # Stored as plain strings with a CHECK: the same on SQLite and PostgreSQL, and cheap to extend.
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=24,
                values_callable=lambda members: [m.value for m in members])


class CommitteeKind(StrEnum):
    CONASEC = "CONASEC"
    CORESEC = "CORESEC"
    COPROSEC = "COPROSEC"
    CODISEC = "CODISEC"


class Role(StrEnum):
    SECRETARY = "secretary"
    IMPLEMENTER = "implementer"
    OBSERVER = "observer"


class SessionKind(StrEnum):
    ORDINARIA = "ordinaria"
    EXTRAORDINARIA = "extraordinaria"


class Status(StrEnum):
    PENDIENTE = "pendiente"
    EN_PROCESO = "en_proceso"
    CON_DIFICULTADES = "con_dificultades"
    REPORTADO = "reportado"
    OBSERVADO = "observado"
    CUMPLIDO = "cumplido"
    ANULADO = "anulado"


class MessageKind(StrEnum):
    """What a row of the outbox (`Reminder`) carries; stored as its value."""

    BEFORE_DEADLINE = "before_deadline"
    ON_DEADLINE = "on_deadline"
    OVERDUE = "overdue"
    NO_DEADLINE = "no_deadline"
    ESCALATION = "escalation"
    DELIVERY = "delivery_problem"
    NOTICE = "notice"
    SUMMARY = "summary"
    FOLLOWING = "following"  # a follower's batched notice of reports on the agreements they follow


class WaitKind(StrEnum):
    """What the bot asked a person in a chat and waits for them to answer (`Waiting`); stored as its value."""

    NOTE = "note"  # a comment after ⏳
    DIFFICULTY = "difficulty"  # what blocks it, after ⚠️
    EVIDENCE = "evidence"  # a file or an oficio's number, after ✅
    REASON = "reason"  # why a reported completion is observed, after ↩️ Observar
    CHOICE = "choice"  # which assignment an /avance was about (answered by a button)
    NEW_AGREEMENT = "new_agreement"  # a step of /nuevo
    IMPORT = "import"  # an acta, its session, or the confirmation of its preview


# Reminders an institution can answer; the other kinds go to the committee's secretaries.
ANSWERABLE_KINDS = (MessageKind.BEFORE_DEADLINE, MessageKind.ON_DEADLINE, MessageKind.OVERDUE, MessageKind.NO_DEADLINE)


class Committee(Base):
    __tablename__ = "committee"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(CleanString(200), unique=True)
    kind: Mapped[CommitteeKind] = mapped_column(_enum(CommitteeKind, "committee_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64), default="America/Lima")
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # On the public site only once its secretary says so (/config publico si).
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    parent: Mapped[Committee | None] = relationship(remote_side="Committee.id")


class Institution(Base):
    __tablename__ = "institution"
    __table_args__ = (UniqueConstraint("committee_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    name: Mapped[str] = mapped_column(CleanString(200))
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    aliases: Mapped[list[InstitutionAlias]] = relationship(
        back_populates="institution", cascade="all, delete-orphan")


class InstitutionAlias(Base):
    """Another spelling of an institution's name ("Secretaria Técnica del CORESEC")."""

    __tablename__ = "institution_alias"
    __table_args__ = (UniqueConstraint("committee_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"))
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    alias: Mapped[str] = mapped_column(CleanString(200))
    key: Mapped[str] = mapped_column(String(200))

    institution: Mapped[Institution] = relationship(back_populates="aliases")


class Member(Base):
    """A chat linked to a committee with a role; an implementer's link also names its institution.

    A private chat stands for one person; a group chat (an institution's group) stands for everyone in it.
    """

    __tablename__ = "member"
    __table_args__ = (Index("ix_member_committee_role", "committee_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"))
    role: Mapped[Role] = mapped_column(_enum(Role, "member_role"))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    display_name: Mapped[str] = mapped_column(CleanString(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inactive_reason: Mapped[str | None] = mapped_column(CleanString(200))
    # A focal point away (/ausente) until this day, included, in the committee's time zone.
    away_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    committee: Mapped[Committee] = relationship()
    institution: Mapped[Institution | None] = relationship()


class Invitation(Base):
    """A single-use, expiring code behind a t.me/<bot>?start=<code> link; only the code's SHA-256 is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "invitation_role"))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # A hand-over (/relevo): the focal point whose place the one who opens it takes.
    replaces_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))

    committee: Mapped[Committee] = relationship()
    institution: Mapped[Institution | None] = relationship()


class Session(Base):
    """A committee session (sesión ordinaria / extraordinaria)."""

    __tablename__ = "session"
    __table_args__ = (UniqueConstraint("committee_id", "kind", "number", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    kind: Mapped[SessionKind] = mapped_column(_enum(SessionKind, "session_kind"))
    number: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    committee: Mapped[Committee] = relationship()


class Agreement(Base):
    """An acuerdo: codes ("2.1") are unique within a session, and repeat across sessions."""

    __tablename__ = "agreement"
    __table_args__ = (UniqueConstraint("session_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    problem: Mapped[str] = mapped_column(CleanText, default="")
    text: Mapped[str] = mapped_column(CleanText)
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_next_session: Mapped[bool] = mapped_column(Boolean, default=False)
    followup_institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(CleanText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Kept off the public site even when its committee is published (/reservar 2.1).
    reserved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    session: Mapped[Session] = relationship()
    followup_institution: Mapped[Institution | None] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="Assignment.id")


class Assignment(Base):
    """One agreement × one responsible institution, with its own status and reminders."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("agreement_id", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    status: Mapped[Status] = mapped_column(_enum(Status, "assignment_status"), default=Status.PENDIENTE)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    agreement: Mapped[Agreement] = relationship(back_populates="assignments")
    institution: Mapped[Institution] = relationship()


class StatusUpdate(Base):
    """An avance: append-only, never edited."""

    __tablename__ = "status_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    # The same button pressed twice, or the same message delivered twice, records one update.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminder.id"))
    author_user_id: Mapped[int | None] = mapped_column(BigInteger)
    author_name: Mapped[str] = mapped_column(CleanString(200), default="")
    status: Mapped[Status] = mapped_column(_enum(Status, "update_status"))
    percent: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(CleanText, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    evidence: Mapped[list[Evidence]] = relationship(order_by="Evidence.id")


class Evidence(Base):
    """A Telegram file kept by file_id, with what is needed to prove it was not swapped."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    status_update_id: Mapped[int] = mapped_column(ForeignKey("status_update.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(CleanString(255), default="")
    mime_type: Mapped[str] = mapped_column(String(255), default="")
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    stored_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reminder(Base):
    """A row of the reminder outbox: planned, claimed with a lease, sent once."""

    __tablename__ = "reminder"
    # The second index gives each committee's last sending without reading the rows (models/tallies.py).
    __table_args__ = (Index("ix_reminder_due", "sent_at", "due_at"),
                      Index("ix_reminder_committee_sent", "committee_id", "sent_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"), index=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReminderCard(Base):
    """A reminder of a digest shown again on its own (its button pressed): a reply to it answers that reminder."""

    __tablename__ = "reminder_card"
    __table_args__ = (Index("ix_reminder_card_message", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminder.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Following(Base):
    """An observer or a secretary who follows one agreement (/seguir): told when any of its responsibles reports."""

    __tablename__ = "following"
    __table_args__ = (UniqueConstraint("member_id", "agreement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who changed what, when: written in the same transaction as the change."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committee.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CommitteeTally(Base):
    """A committee's own semáforo counts as of its data's fingerprint (models/tallies.py): the national roll-up
    reads these instead of judging 100,000 agreements; a row whose fingerprint no longer holds is judged again."""

    __tablename__ = "committee_tally"

    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(100))
    green: Mapped[int] = mapped_column(Integer, default=0)
    yellow: Mapped[int] = mapped_column(Integer, default=0)
    red: Mapped[int] = mapped_column(Integer, default=0)
    grey: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)


class Waiting(Base):
    """The one question the bot waits for a person to answer in a chat: asked once Telegram took it, answered in
    the same transaction as what the answer writes, refused after it expires or once the link that allowed it
    is gone."""

    __tablename__ = "waiting"
    __table_args__ = (UniqueConstraint("chat_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[WaitKind] = mapped_column(_enum(WaitKind, "wait_kind"))
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id"), index=True)
    # The link that allowed the question; it must still hold, unchanged, when the answer comes.
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    about: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # ids, names and draft values
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # the question, as Telegram took it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboxUpdate(Base):
    """An update as Telegram sent it, stored before Telegram is told it arrived, then handled from here, once:
    bot/inbox/ says how."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_waiting", "handled_at", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # the chat its handling waits for (the person's if none)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
