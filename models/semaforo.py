"""The semáforo: one pure function of an assignment's facts and the committee's thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from models.entities import Status


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


@dataclass(frozen=True)
class LightSettings:
    """Thresholds of DESIGN.md's semáforo; a committee may change them in its settings."""

    yellow_days_before: int = 7
    silent_days: int = 14
    unanswered_for_red: int = 2

    @classmethod
    def of(cls, settings: dict[str, Any] | None) -> LightSettings:
        values = (settings or {}).get("semaforo", {})
        return cls(**{k: int(v) for k, v in values.items() if k in cls.__dataclass_fields__})


def light(*, status: Status, deadline: date | None, today: date, last_update: date | None, assigned_on: date,
          unanswered: int = 0, settings: LightSettings = LightSettings()) -> Light:
    """Green, yellow, red or grey for one assignment (DESIGN.md, "Semáforo")."""
    if status == Status.CUMPLIDO:
        return Light.GREEN
    if status == Status.ANULADO:
        return Light.GREY
    if (deadline is not None and today > deadline) or unanswered >= settings.unanswered_for_red:
        return Light.RED
    if deadline is None and last_update is None and status == Status.PENDIENTE:
        return Light.GREY
    silent_since = last_update or assigned_on
    if (deadline is not None and (deadline - today).days <= settings.yellow_days_before) \
            or status == Status.CON_DIFICULTADES or (today - silent_since).days >= settings.silent_days:
        return Light.YELLOW
    return Light.GREEN


EMOJI = {Light.GREEN: "🟢", Light.YELLOW: "🟡", Light.RED: "🔴", Light.GREY: "⚪"}
