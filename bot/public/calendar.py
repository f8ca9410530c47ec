"""Calendars of deadlines (.ics) that Google Calendar or Outlook can subscribe to: one all-day event per open
agreement with a date to meet, for a committee or for one of its institutions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable

from icalendar import Calendar, Event

from bot import texts
from bot.views import shorten
from models.lifecycle import CLOSED

PRODUCT = "-//Acuerdos//Semaforo de acuerdos//ES"


class Due:
    """What an event needs: the agreement's id, code, session, text, deadline, status and its institutions."""

    __slots__ = ("id", "code", "session", "text", "deadline", "status", "institutions")

    def __init__(self, id: int, code: str, session: str, text: str, deadline: date | None, status,
                 institutions: Iterable[str]):
        self.id, self.code, self.session, self.text = id, code, session, text
        self.deadline, self.status, self.institutions = deadline, status, tuple(institutions)


def ics(name: str, committee: str, agreements: Iterable[Due], now: datetime) -> bytes:
    """The calendar called `name`: an event on each open agreement's deadline (none without a date)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "America/Lima")
    for a in agreements:
        if a.deadline is None or a.status in CLOSED:
            continue
        event = Event()
        event.add("uid", f"acuerdo-{a.id}@acuerdos")
        event.add("dtstamp", now)
        event.add("dtstart", a.deadline)
        event.add("dtend", a.deadline + timedelta(days=1))
        event.add("summary", texts.plain(texts.t(texts.CALENDAR_EVENT, code=a.code, committee=committee)))
        event.add("description", texts.plain(texts.t(texts.CALENDAR_EVENT_ABOUT, session=a.session,
                                                     text=shorten(a.text, 500),
                                                     institutions=", ".join(a.institutions))))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
