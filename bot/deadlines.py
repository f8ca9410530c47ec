"""Deadlines written in Spanish ("en dos semanas", "30 de abril") and Peru's working days."""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
from dateparser.date import DateDataParser


@dataclass(frozen=True)
class Deadline:
    due: date | None  # None only when next_session is True
    next_session: bool = False
    words: str = ""  # the words the deadline came from


_PERU_HOLIDAYS = holidays.country_holidays("PE")

# Limited to Spanish because dateparser is slow when it has to guess the language; the leap-year
# base lets "29 de febrero" through before the real year is chosen.
_DATE_PARSER = DateDataParser(
    languages=["es"],
    settings={
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "RELATIVE_BASE": datetime(2000, 1, 1),
    },
)

_NUMBER_WORDS = {
    "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13,
    "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
    "diecinueve": 19, "veinte": 20, "veintiun": 21, "veintiuno": 21, "veintiuna": 21,
    "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30, "cuarenta": 40,
    "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90, "cien": 100,
}
_TENS = "treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa"
_UNITS = "uno|una|un|dos|tres|cuatro|cinco|seis|siete|ocho|nueve"
_WORDS = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_NUMBER = rf"(?P<number>\d{{1,3}}|(?:{_TENS})\s+y\s+(?:{_UNITS})|{_WORDS})(?:\s*\([^)]{{1,20}}\))?"
_UNIT = (
    r"(?P<unit>horas?|dias?\s+(?:habiles|utiles)|dias?(?:\s+(?:calendario|naturales))?"
    r"|semanas?|mes(?:es)?|anos?)"
)
_RELATIVE_LEAD = (
    r"(?P<lead>dentro\s+(?:de\s+)?(?:l[ao]s\s+)?"
    r"|(?:en\s+)?(?:un\s+)?plazo\s+(?:maximo\s+|no\s+mayor\s+)?(?:de\s+)?(?:l[ao]s\s+)?"
    r"|en\s+(?:l[ao]s\s+)?(?:proxim[ao]s\s+|siguientes\s+)?)"
)
_RELATIVE = re.compile(rf"\b{_RELATIVE_LEAD}?{_NUMBER}\s+{_UNIT}\b")

_MONTH = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
    r"|noviembre|diciembre|ene|feb|mar|abr|may|jun|jul|ago|sept|sep|set|oct|nov|dic)\.?"
)
_DATE_TEXT = (
    rf"(?P<date>\d{{1,2}}(?:\s+de)?\s+{_MONTH}(?:\s+(?:de|del)?\s*\d{{4}})?"
    r"|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?|\d{1,2}\.\d{1,2}\.\d{4})"
)
_ABSOLUTE_LEAD = (
    r"(?P<lead>(?:hasta|antes\s+del?|para|a\s+mas\s+tardar|plazo(?:\s+maximo)?|fecha\s+limite)"
    r"\s*:?\s*(?:el\s+)?(?:(?:dia|lunes|martes|miercoles|jueves|viernes|sabado|domingo)\s+)?)"
)
_ABSOLUTE = re.compile(rf"\b{_ABSOLUTE_LEAD}?{_DATE_TEXT}(?!\d)")
_YEAR_WRITTEN = re.compile(r"\d{4}|\d[/-]\d{1,2}[/-]\d{2}$")
_WEEKDAY_NAMES = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
# "hoy", "mañana", "pasado mañana", "el viernes", "el próximo lunes": counted from the session, as /sesion reads them
# from today. A weekday is the next one after the session's day.
_DAY_WORD = re.compile(
    r"\b(?P<lead>(?:hasta|para|antes\s+del?|a\s+mas\s+tardar)\s+)?(?:(?:el|este|esta)\s+)?(?:proximo\s+)?"
    rf"(?P<day>pasado\s+manana|manana|hoy|{'|'.join(_WEEKDAY_NAMES)})\b(?!\s+\d)"
)
_DAY_OFFSETS = {"hoy": 0, "manana": 1, "pasado manana": 2}
_NEXT_SESSION = re.compile(r"\b(?:(?:en|para|hasta)\s+)?(?:la\s+)?(?:siguiente|proxima)\s+sesion\b")

# Words around a deadline typed on its own that do not change it ("hasta el", "en un plazo de").
_HARMLESS = frozenset(
    "en dentro de del la las los el un plazo maximo no mayor hasta antes para a al mas tardar "
    "fecha limite dia lunes martes miercoles jueves viernes sabado domingo".split()
)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a national holiday in Peru."""
    return day.weekday() < 5 and day not in _PERU_HOLIDAYS


def add_working_days(start: date, n: int) -> date:
    """The day n working days after start (before it when n is negative), start not counted."""
    step = timedelta(days=1 if n >= 0 else -1)
    day = start
    for _ in range(abs(n)):
        day += step
        while not is_working_day(day):
            day += step
    return day


def parse_deadline(text: str, session_date: date) -> Deadline | None:
    """Read a deadline typed by a secretary, relative to the session date; None if unreadable."""
    folded = _fold(text)
    if next_session := _NEXT_SESSION.search(folded):
        return _deadline(text, next_session, session_date)
    for pattern in (_RELATIVE, _ABSOLUTE, _DAY_WORD):
        for match in pattern.finditer(folded):
            rest = folded[: match.start()] + " " + folded[match.end():]
            if set(re.findall(r"\w+", rest)) <= _HARMLESS:
                return _deadline(text, match, session_date)
    return None


def find_deadline_in_text(text: str, session_date: date) -> Deadline | None:
    """The first deadline an agreement's text names, such as "hasta el 30 de abril"."""
    folded = _fold(text)
    matches = [
        match
        for pattern in (_NEXT_SESSION, _RELATIVE, _ABSOLUTE, _DAY_WORD)
        for match in pattern.finditer(folded)
        # A bare number or date is not a deadline ("Ley N.º 30364", "menores de 5 años").
        if pattern is _NEXT_SESSION or match.group("lead")
    ]
    for match in sorted(matches, key=lambda m: m.start()):
        deadline = _deadline(text, match, session_date)
        if deadline is not None:
            return deadline
    return None


def parse_date(text: str) -> date | None:
    """The first full date (day, month and year) written in the text, e.g. "Fecha: 25/02/2026"."""
    for match in _ABSOLUTE.finditer(_fold(text)):
        if _YEAR_WRITTEN.search(match.group("date")):
            return _calendar_date(match.group("date"), date.min)
    return None


def _deadline(text: str, match: re.Match[str], session_date: date) -> Deadline | None:
    words = text[match.start(): match.end()].strip()
    groups = match.groupdict()
    try:
        if "date" in groups:
            due = _calendar_date(groups["date"], session_date)
        elif "day" in groups:
            due = _named_day(" ".join(groups["day"].split()), session_date)
        elif "unit" in groups:
            due = _relative_date(_number(groups["number"]), groups["unit"], session_date)
        else:
            return Deadline(None, next_session=True, words=words)
    except (OverflowError, ValueError):  # "en 99999 años": past the calendar, no deadline anyone can meet
        return None
    return Deadline(due, words=words) if due else None


def _named_day(word: str, start: date) -> date:
    if word in _DAY_OFFSETS:
        return start + timedelta(days=_DAY_OFFSETS[word])
    ahead = (_WEEKDAY_NAMES.index(word) - start.weekday()) % 7
    return start + timedelta(days=ahead or 7)


def _relative_date(n: int, unit: str, start: date) -> date:
    if unit.startswith("hora"):
        return start + timedelta(days=math.ceil(n / 24))
    if unit.endswith(("habiles", "utiles")):
        return add_working_days(start, n)
    if unit.startswith("dia"):
        return start + timedelta(days=n)
    if unit.startswith("semana"):
        return start + timedelta(weeks=n)
    return _add_months(start, n if unit.startswith("mes") else 12 * n)


def _calendar_date(words: str, not_before: date) -> date | None:
    parsed = _DATE_PARSER.get_date_data(words).date_obj
    if parsed is None:
        return None
    if _YEAR_WRITTEN.search(words):
        return parsed.date()
    # Without a year it is the next such day on or after the session ("30 de abril").
    for year in range(not_before.year, not_before.year + 8):
        try:
            candidate = date(year, parsed.month, parsed.day)
        except ValueError:
            continue
        if candidate >= not_before:
            return candidate
    return None


def _add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _number(words: str) -> int:
    if words.isdigit():
        return int(words)
    return sum(_NUMBER_WORDS[word] for word in words.split() if word != "y")


def _fold(text: str) -> str:
    """Lowercase without accents, one character for each of text's so match spans map back."""
    return "".join(unicodedata.normalize("NFD", char)[0].lower()[0] for char in text)
