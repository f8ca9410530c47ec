"""A committee's settings as the secretary changes them with /config: read words, write Committee.settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, texts
from bot.reminders.cadence import ReminderSettings
from bot.reminders.planner import plan
from bot.summary_plan import Schedule
from models.entities import Agreement, Assignment, Committee
from models.semaforo import LightSettings

NUMBER_SETTINGS = {
    # word the secretary types: (section, key, lowest, highest)
    "vencido": ("reminders", "overdue_every", 1, 30),
    "sinplazo": ("reminders", "silent_every", 1, 90),
    "escalar": ("reminders", "escalate_after", 1, 10),
    "amarillo": ("semaforo", "yellow_days_before", 0, 60),
    "silencio": ("semaforo", "silent_days", 1, 90),
    "sinrespuesta": ("semaforo", "unanswered_for_red", 1, 10),
}
DAY_NAMES = {**{name: index for index, name in enumerate(texts.WEEKDAYS)}, "miercoles": 2, "sabado": 5}


class BadSetting(Exception):
    """What the secretary typed is not a setting; the message says which part."""


@dataclass(frozen=True)
class SettingChange:
    section: str
    values: dict[str, Any]


def parse(words: list[str]) -> SettingChange:
    """`horario 08:00-18:00`, `antes 7,2`, `vencido 3`, `amarillo 7`, `resumen lunes 8`, … into a change."""
    if not words:
        raise BadSetting("empty")
    name, rest = words[0].lower().replace("_", "").replace("-", ""), " ".join(words[1:]).strip()
    if name == "horario":
        found = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?", rest)
        if not found:
            raise BadSetting(name)
        opens, closes = _time(found.group(1), found.group(2)), _time(found.group(3), found.group(4))
        if opens is None or closes is None or opens >= closes:
            raise BadSetting(name)
        return SettingChange("reminders", {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")})
    if name == "antes":
        days = [int(d) for d in re.findall(r"\d+", rest)]
        if not days or not re.fullmatch(r"[\d,\sy]+", rest) or any(not 1 <= d <= 60 for d in days):
            raise BadSetting(name)
        return SettingChange("reminders", {"days_before": sorted(set(days), reverse=True)})
    if name in NUMBER_SETTINGS:
        section, key, lowest, highest = NUMBER_SETTINGS[name]
        if not rest.isdigit() or not lowest <= int(rest) <= highest:
            raise BadSetting(name)
        return SettingChange(section, {key: int(rest)})
    if name == "resumen":
        parts = rest.lower().split()
        if len(parts) != 2 or parts[0] not in DAY_NAMES or not parts[1].split(":")[0].isdigit():
            raise BadSetting(name)
        hour = int(parts[1].split(":")[0])
        if not 0 <= hour <= 23:
            raise BadSetting(name)
        return SettingChange("summary", {"weekday": DAY_NAMES[parts[0]], "hour": hour})
    raise BadSetting("unknown")


def _time(hours: str, minutes: str | None) -> time | None:
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        return None


async def apply(db: AsyncSession, committee: Committee, change: SettingChange, *, now: datetime, actor: str) -> None:
    """Write the change, audit it, and bring the committee's reminders in line with it."""
    settings = dict(committee.settings or {})
    old = dict(settings.get(change.section) or {})
    settings[change.section] = {**old, **change.values}
    committee.settings = settings
    audit.record(db, at=now, actor=actor, action="settings_changed", entity="committee", entity_id=committee.id,
                 committee_id=committee.id, section=change.section, old={k: old.get(k) for k in change.values},
                 new=change.values)
    if change.section == "reminders":
        await db.flush()
        ids = await db.scalars(select(Assignment.id).join(Agreement).where(Agreement.committee_id == committee.id))
        await plan(db, list(ids), now)


async def set_group(db: AsyncSession, committee: Committee, chat_id: int | None, *, now: datetime, actor: str) -> None:
    """The committee's group chat, which also gets the weekly summary (None: only the secretaries)."""
    settings = dict(committee.settings or {})
    settings["summary"] = {**(settings.get("summary") or {}), "to_group": chat_id is not None}
    audit.record(db, at=now, actor=actor, action="group_changed", entity="committee", entity_id=committee.id,
                 committee_id=committee.id, old=committee.group_chat_id, new=chat_id)
    committee.settings, committee.group_chat_id = settings, chat_id or committee.group_chat_id


def describe(committee: Committee) -> dict[str, str]:
    """The values /config shows, in the words it accepts."""
    reminders = ReminderSettings.of(committee.settings)
    light = LightSettings.of(committee.settings)
    summary = Schedule.of(committee.settings)
    return {
        "horario": f"{reminders.opens:%H:%M}-{reminders.closes:%H:%M}",
        "antes": ",".join(str(d) for d in reminders.days_before),
        "vencido": str(reminders.overdue_every),
        "sinplazo": str(reminders.silent_every),
        "escalar": str(reminders.escalate_after),
        "amarillo": str(light.yellow_days_before),
        "silencio": str(light.silent_days),
        "sinrespuesta": str(light.unanswered_for_red),
        "resumen": f"{texts.WEEKDAYS[summary.weekday]} {summary.hour:02d}:00",
        "grupo": texts.CONFIG_YES if summary.to_group and committee.group_chat_id else texts.CONFIG_NO,
        "publico": texts.CONFIG_YES if committee.published else texts.CONFIG_NO,
    }
