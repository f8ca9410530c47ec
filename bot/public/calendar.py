"""Calendars of deadlines (.ics) that Google Calendar or Outlook can subscribe to: one all-day event per open
agreement with a date to meet, for a committee or for one of its institutions.

Each event is drawn once and its bytes reused in every calendar that lists it (the committee's and each
institution's): drawing is what costs, at 100,000 agreements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from bot import summaries, texts
from bot.views import shorten
from models.entities import Committee
from models.lifecycle import CLOSED

PRODUCT = "-//Acuerdos//Semaforo de acuerdos//ES"
ABOUT_LIMIT = 300  # characters of the agreement's text in an event's description


class Due:
    """What an event needs: the agreement's id, code, session, text, deadline, status and its institutions."""

    __slots__ = ("id", "code", "session", "text", "deadline", "status", "institutions")

    def __init__(self, id: int, code: str, session: str, text: str, deadline: date | None, status,
                 institutions: Iterable[str]):
        self.id, self.code, self.session, self.text = id, code, session, text
        self.deadline, self.status, self.institutions = deadline, status, tuple(institutions)

    @property
    def listed(self) -> bool:
        return self.deadline is not None and self.status not in CLOSED


def event(a: Due, committee: str, now: datetime) -> bytes:
    """One agreement's VEVENT, as the bytes a calendar holds: the lines written here, since icalendar's own drawing
    of an event costs about 2 ms (200 s for the country's agreements); the calendar around them is icalendar's."""
    summary = texts.plain(texts.t(texts.CALENDAR_EVENT, code=a.code, committee=committee))
    about = texts.plain(texts.t(texts.CALENDAR_EVENT_ABOUT, session=a.session, text=shorten(a.text, ABOUT_LIMIT),
                                institutions=", ".join(a.institutions)))
    lines = ("BEGIN:VEVENT", f"UID:acuerdo-{a.id}@acuerdos", f"DTSTAMP:{now.astimezone(UTC):%Y%m%dT%H%M%SZ}",
             f"DTSTART;VALUE=DATE:{a.deadline:%Y%m%d}", f"DTEND;VALUE=DATE:{a.deadline + timedelta(days=1):%Y%m%d}",
             f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(about)}", "TRANSP:TRANSPARENT",
             "END:VEVENT")
    return b"".join(_fold(line.encode()) for line in lines)


def _escape(text: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and line breaks escaped."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: bytes) -> bytes:
    """RFC 5545: lines of at most 75 octets, continued after CRLF and a space, never inside a UTF-8 character."""
    parts, limit = [], 75
    while len(line) > limit:
        cut = limit
        while cut and (line[cut] & 0xC0) == 0x80:  # a continuation byte: cut before its character
            cut -= 1
        parts.append(line[:cut])
        line, limit = line[cut:], 74  # the space that continues a line counts
    parts.append(line)
    return b"\r\n ".join(parts) + b"\r\n"


def assemble(name: str, events: Iterable[bytes]) -> bytes:
    """A calendar called `name` holding these events: the lines icalendar draws for it, written here (its drawing
    costs a millisecond a calendar, and the country has 20,000)."""
    head = (_fold(line.encode()) for line in ("BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT}",
                                                "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{name}",
                                                "X-WR-TIMEZONE:America/Lima"))
    return b"".join(head) + b"".join(events) + b"END:VCALENDAR\r\n"


async def dues_of(db: AsyncSession, committee: Committee, now: datetime,
                  institutions: set[int] | None = None) -> list[Due]:
    """The committee's open agreements (`/calendario` for a secretary); with `institutions`, only those some of them
    still has to meet, each naming only those institutions (a focal point's calendar)."""
    summary = await summaries.build_summary(db, committee, now, since=now)
    return [Due(a.id, a.code, a.session, a.text, a.deadline, a.status,
                [s.institution for s in a.live if institutions is None or s.institution_id in institutions])
            for a in summary.agreements
            if a.is_open and (institutions is None
                              or any(s.institution_id in institutions and s.status not in CLOSED for s in a.live))]


def ics(name: str, committee: str, agreements: Iterable[Due], now: datetime) -> bytes:
    """The calendar called `name`: an event on each open agreement's deadline (none without a date)."""
    return assemble(name, (event(a, committee, now) for a in agreements if a.listed))
