"""Domain rules that need neither Telegram nor the database."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from models.entities import Status

CODE_PATTERN = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3}){0,3}$")
MAX_AGREEMENT_TEXT = 3000
MAX_NAME = 120
EARLIEST_SESSION = date(2000, 1, 1)
DEADLINE_YEARS = 10  # a deadline is at most this many years after its session


def latest_session(today: date) -> date:
    """Sessions are registered up to a year ahead (one planned, not a typo in the year)."""
    return today + timedelta(days=365)


def latest_deadline(session_date: date) -> date:
    try:
        return session_date.replace(year=session_date.year + DEADLINE_YEARS)
    except ValueError:  # 29 February
        return session_date.replace(year=session_date.year + DEADLINE_YEARS, day=28)


def session_date_allowed(day: date, today: date) -> bool:
    return EARLIEST_SESSION <= day <= latest_session(today)


def deadline_allowed(due: date, session_date: date) -> bool:
    return session_date <= due <= latest_deadline(session_date)


def clean_code(code: str) -> str | None:
    """An agreement code as the secretary wrote it, without a trailing dot; None if it is not one."""
    # NFKC: a full-width "４.１" is "4.1", as the person meant and as the others will type it.
    code = unicodedata.normalize("NFKC", code).strip().rstrip(".")
    return code if CODE_PATTERN.match(code) else None


def code_key(code: str) -> str:
    """The same agreement whether written "01" or "1", "2.1." or "2.1"; a text that is no code is only itself."""
    cleaned = clean_code(code)
    if cleaned is None:
        return code.strip()
    return ".".join(str(int(part)) for part in cleaned.split("."))


def code_variants(code: str) -> set[str]:
    """Every way the same code may have been written ("1" → "1", "01", "001"), to find it with an index; none
    for a text that is not a code (then no agreement has it)."""
    cleaned = clean_code(code)
    if cleaned is None:
        return set()
    variants = {""}
    for part in code_key(cleaned).split("."):
        spellings = {part.zfill(width) for width in range(len(part), 4)}
        variants = {f"{v}.{p}" if v else p for v in variants for p in spellings}
    return variants


def agreement_status(statuses: list[Status], cancelled: bool = False) -> Status:
    """Roll an agreement's status up from its assignments: cumplido only when every one is."""
    if cancelled:
        return Status.ANULADO
    live = [s for s in statuses if s != Status.ANULADO]
    if not live:
        return Status.ANULADO if statuses else Status.PENDIENTE
    if all(s == Status.CUMPLIDO for s in live):
        return Status.CUMPLIDO
    for status in (Status.CON_DIFICULTADES, Status.OBSERVADO, Status.REPORTADO, Status.EN_PROCESO):
        if status in live:
            return status
    return Status.PENDIENTE
