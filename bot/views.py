"""Plain-text renderings of domain objects shared by handlers and the command line."""

from __future__ import annotations

from datetime import date

from bot import texts
from models.entities import Agreement, Session


def day(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"  # strftime writes the year 1 as "1"


def session_name(session: Session) -> str:
    return texts.plain(texts.t(texts.SESSION_NAME, kind=session.kind.value, number=session.number,
                               date=day(session.held_on)))


def deadline_text(due: date | None, next_session: bool, today: date | None = None) -> str:
    """"30/04/2026 (faltan 12 días)", "la siguiente sesión" or "sin plazo"."""
    if next_session:
        return texts.NEXT_SESSION
    if due is None:
        return texts.NO_DEADLINE
    if today is None:
        return day(due)
    left = (due - today).days
    if left > 1:
        template = texts.DEADLINE_DAYS_LEFT
    elif left == 1:
        template = texts.DEADLINE_TOMORROW
    elif left == 0:
        template = texts.DEADLINE_TODAY
    else:
        template = texts.DEADLINE_OVERDUE_DAY if left == -1 else texts.DEADLINE_OVERDUE_DAYS
    return texts.plain(texts.t(template, date=day(due), days=abs(left)))


def agreement_deadline(agreement: Agreement, today: date | None = None) -> str:
    return deadline_text(agreement.deadline, agreement.deadline_next_session, today)


def stored_deadline(value: str | None) -> str:
    """A deadline as the audit trail keeps it: "next_session", an ISO date, or None for none."""
    if value == "next_session":
        return texts.NEXT_SESSION
    return day(date.fromisoformat(value)) if value else texts.NO_DEADLINE


def shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
