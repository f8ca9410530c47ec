"""Plain-text renderings of domain objects shared by handlers and the command line."""

from __future__ import annotations

from datetime import date

from bot import texts
from models.entities import Agreement, Session


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def session_name(session: Session) -> str:
    return texts.SESSION_NAME.format(kind=session.kind.value, number=session.number, date=day(session.held_on))


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
        return f"{day(due)} (faltan {left} días)"
    if left == 1:
        return f"{day(due)} (mañana)"
    if left == 0:
        return f"{day(due)} (hoy)"
    return f"{day(due)} (vencido hace {-left} día{'s' if left < -1 else ''})"


def agreement_deadline(agreement: Agreement, today: date | None = None) -> str:
    return deadline_text(agreement.deadline, agreement.deadline_next_session, today)


def shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
