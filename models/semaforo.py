"""The semáforo: one pure function of an assignment's facts and the committee's thresholds, and its roll-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Iterable

from models.entities import Status


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


# Worst first: a roll-up shows the worst light among its parts.
SEVERITY = (Light.RED, Light.YELLOW, Light.GREY, Light.GREEN)


@dataclass(frozen=True)
class LightSettings:
    """Thresholds of the semáforo (docs/design.md); a committee may change them in its settings."""

    yellow_days_before: int = 7
    silent_days: int = 14
    unanswered_for_red: int = 2

    @classmethod
    def of(cls, settings: dict[str, Any] | None) -> LightSettings:
        """The committee's thresholds; one that makes no sense keeps its default."""
        values = (settings or {}).get("semaforo", {})
        return cls(**{name: number for name, value in values.items()
                      if name in _LEAST and (number := _whole(value, _LEAST[name])) is not None})


# A yellow light only on the deadline's day (0) makes sense; no silence or no reminder (0) does not.
_LEAST = {"yellow_days_before": 0, "silent_days": 1, "unanswered_for_red": 1}


def _whole(value: Any, least: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= least else None


def light(*, status: Status, deadline: date | None, today: date, last_update: date | None, assigned_on: date,
          unanswered: int = 0, settings: LightSettings = LightSettings(), next_session: bool = False) -> Light:
    """Green, yellow, red or grey for one assignment (docs/design.md, "The semáforo").

    `deadline` is the date to meet; for "la siguiente sesión" it is that session's date once it is registered,
    and `next_session` says the agreement has such a deadline even while its date is unknown.
    """
    # A reported completion waits on the secretary's verification, not on the institution.
    if status in (Status.CUMPLIDO, Status.REPORTADO):
        return Light.GREEN
    if status == Status.ANULADO:
        return Light.GREY
    if (deadline is not None and today > deadline) or unanswered >= settings.unanswered_for_red:
        return Light.RED
    if deadline is None and not next_session and last_update is None and status == Status.PENDIENTE:
        return Light.GREY
    silent_since = last_update or assigned_on
    if (deadline is not None and (deadline - today).days <= settings.yellow_days_before) \
            or status == Status.CON_DIFICULTADES or (today - silent_since).days >= settings.silent_days:
        return Light.YELLOW
    return Light.GREEN


def worst(lights: Iterable[Light]) -> Light | None:
    """The roll-up of an agreement (over its assignments), an institution or a committee; None for nothing."""
    present = set(lights)
    for candidate in SEVERITY:
        if candidate in present:
            return candidate
    return None


@dataclass
class Tally:
    """How many of each light: what a summary shows for an institution or a committee."""

    green: int = 0
    yellow: int = 0
    red: int = 0
    grey: int = 0

    @classmethod
    def of(cls, lights: Iterable[Light]) -> Tally:
        tally = cls()
        for each in lights:
            tally.add(each)
        return tally

    def add(self, each: Light, count: int = 1) -> None:
        name = _FIELD[each]
        setattr(self, name, getattr(self, name) + count)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.green + other.green, self.yellow + other.yellow, self.red + other.red,
                     self.grey + other.grey)

    def __getitem__(self, each: Light) -> int:
        return getattr(self, _FIELD[each])

    @property
    def total(self) -> int:
        return self.green + self.yellow + self.red + self.grey

    @property
    def light(self) -> Light | None:
        return next((each for each in SEVERITY if self[each]), None)


# Tally's field for each light, without Enum's slow `.value` in the summaries' inner loops.
_FIELD = {each: each.value for each in Light}
EMOJI = {Light.GREEN: "🟢", Light.YELLOW: "🟡", Light.RED: "🔴", Light.GREY: "⚪"}
# The one mapping of lights to words, for the chat, the Informe (.xlsx and PDF) and the public site: the colour is
# never the only carrier of meaning.
WORD = {Light.RED: "Crítico", Light.YELLOW: "En riesgo", Light.GREEN: "Al día", Light.GREY: "Sin plazo"}


class Why(StrEnum):
    """Why a responsibility has its light: shown beside the light's word (bot/texts.py::LIGHT_REASON)."""

    DONE = "done"
    REPORTED = "reported"
    OVERDUE = "overdue"
    UNANSWERED = "unanswered"
    NO_DEADLINE = "no_deadline"
    DUE_SOON = "due_soon"
    DIFFICULTIES = "difficulties"
    SILENT = "silent"
    ON_TRACK = "on_track"


def reason(*, status: Status, deadline: date | None, today: date, last_update: date | None, assigned_on: date,
           unanswered: int = 0, settings: LightSettings = LightSettings(),
           next_session: bool = False) -> tuple[Why, int]:
    """The rule of `light` that decided, with its number (days overdue or left, reminders, days of silence);
    the same order of rules as `light`."""
    if status == Status.CUMPLIDO:
        return Why.DONE, 0
    if status == Status.REPORTADO:
        return Why.REPORTED, 0
    if deadline is not None and today > deadline:
        return Why.OVERDUE, (today - deadline).days
    if unanswered >= settings.unanswered_for_red:
        return Why.UNANSWERED, unanswered
    if deadline is None and not next_session and last_update is None and status == Status.PENDIENTE:
        return Why.NO_DEADLINE, 0
    if deadline is not None and (deadline - today).days <= settings.yellow_days_before:
        return Why.DUE_SOON, (deadline - today).days
    if status == Status.CON_DIFICULTADES:
        return Why.DIFFICULTIES, 0
    silent = (today - (last_update or assigned_on)).days
    if silent >= settings.silent_days:
        return Why.SILENT, silent
    return Why.ON_TRACK, 0
