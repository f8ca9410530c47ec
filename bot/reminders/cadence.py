"""When the next reminder of an assignment is due: the cadence and the committee's working hours.

Pure functions of the facts, the time and the committee's settings; nothing here knows the database or
Telegram. Times go in and out as aware UTC datetimes; days are counted in the committee's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from bot.deadlines import is_working_day
from models.entities import MessageKind, Status
from models.lifecycle import WORKING

# An institution that reported completion waits for the secretary's verification: reminding it would be nagging.
REMINDED_STATUSES = WORKING


@dataclass(frozen=True)
class ReminderSettings:
    """A committee's cadence and working hours; `Committee.settings["reminders"]` overrides any of them."""

    opens: time = time(8)
    closes: time = time(18)
    days_before: tuple[int, ...] = (7, 2)
    overdue_every: int = 3
    silent_every: int = 14
    escalate_after: int = 2
    snooze_days: int = 3

    @classmethod
    def of(cls, settings: dict[str, Any] | None) -> ReminderSettings:
        """The defaults, with every well-formed value of the committee's settings; a bad value keeps its default."""
        values = (settings or {}).get("reminders") or {}
        chosen: dict[str, Any] = {}
        for key in ("opens", "closes"):
            if isinstance(values.get(key), str):
                try:
                    chosen[key] = time.fromisoformat(values[key])
                except ValueError:
                    pass
        days = values.get("days_before")
        if isinstance(days, list) and all(isinstance(d, int) and 0 < d <= 60 for d in days):
            chosen["days_before"] = tuple(sorted(set(days), reverse=True))
        for key in ("overdue_every", "silent_every", "escalate_after", "snooze_days"):
            if isinstance(values.get(key), int) and 1 <= values[key] <= 90:
                chosen[key] = values[key]
        candidate = replace(cls(), **chosen)
        if candidate.opens >= candidate.closes:
            candidate = replace(candidate, opens=cls.opens, closes=cls.closes)
        return candidate


@dataclass(frozen=True)
class Facts:
    """What the cadence of one assignment, for one contact, depends on."""

    status: Status
    deadline: date | None
    assigned_at: datetime
    last_update_at: datetime | None = None
    # When the last reminder to this contact went out (or was given up on): the cadence goes on from there.
    last_done_at: datetime | None = None
    snoozed_until: datetime | None = None


@dataclass(frozen=True)
class Step:
    """One reminder of the cadence: when, which kind, and its name in the cadence ("D-7", "D", "D+3", "+14")."""

    due_at: datetime
    kind: str
    label: str


def is_open(at: datetime, tz: ZoneInfo, settings: ReminderSettings) -> bool:
    """Whether the committee is at work at this moment: a working day, between opening and closing."""
    local = at.astimezone(tz)
    return is_working_day(local.date()) and settings.opens <= local.time() < settings.closes


def opening(day: date, tz: ZoneInfo, settings: ReminderSettings) -> datetime:
    return datetime.combine(day, settings.opens, tzinfo=tz).astimezone(timezone.utc)


def working_moment(at: datetime, tz: ZoneInfo, settings: ReminderSettings) -> datetime:
    """`at` itself if the committee is at work then; otherwise the moment it next opens."""
    local = at.astimezone(tz)
    day = local.date()
    if is_working_day(day) and local.time() < settings.closes:
        return at if local.time() >= settings.opens else opening(day, tz, settings)
    return opening(working_day_on_or_after(day + timedelta(days=1)), tz, settings)


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def snooze_until(now: datetime, tz: ZoneInfo, settings: ReminderSettings) -> datetime:
    """"Recordar en 3 días": the same time three days on, or the next working moment after it."""
    return working_moment(now + timedelta(days=settings.snooze_days), tz, settings)


def next_reminder(facts: Facts, now: datetime, tz: ZoneInfo, settings: ReminderSettings) -> Step | None:
    """The one reminder this contact should get next, or None when the assignment needs none.

    With a deadline D: D-7, D-2 and D at opening time, moved to the working day before when they fall on a
    weekend or holiday (a warning must not come late); then every `overdue_every` days after the last reminder
    or update, moved to the next working day. Without one: `silent_every` days after the last update or reminder.
    A step due before the last reminder or answer is not owed; steps missed while the bot was down collapse
    into the latest. A snooze not yet followed by a reminder replaces every step before its end with one reminder
    at its end.
    """
    if facts.status not in REMINDED_STATUSES:
        return None
    try:
        steps = _steps(facts, tz, settings)
    except OverflowError:  # a deadline at the calendar's end (stored before deadlines had a range): nothing to send
        return None
    # A step already reminded, or overtaken by the institution's own answer, is not owed any more.
    said = [m for m in (facts.last_done_at, facts.last_update_at) if m is not None]
    if said:
        steps = [step for step in steps if step.due_at > max(said)]
    snoozed = facts.snoozed_until
    owed = snoozed is not None and (facts.last_done_at is None or snoozed > facts.last_done_at)
    horizon = max(now, snoozed) if owed else now
    passed = [step for step in steps if step.due_at <= horizon]
    step = passed[-1] if passed else steps[0]
    return replace(step, due_at=snoozed) if owed else step


def _steps(facts: Facts, tz: ZoneInfo, settings: ReminderSettings) -> list[Step]:
    def local(moment: datetime) -> date:
        return moment.astimezone(tz).date()

    if facts.deadline is None:
        last = max(m for m in (facts.assigned_at, facts.last_update_at, facts.last_done_at) if m is not None)
        day = working_day_on_or_after(local(last) + timedelta(days=settings.silent_every))
        return [Step(opening(day, tz, settings), MessageKind.NO_DEADLINE, f"+{settings.silent_every}")]
    deadline = facts.deadline
    steps = [Step(opening(working_day_on_or_before(deadline - timedelta(days=n)), tz, settings),
                  MessageKind.BEFORE_DEADLINE, f"D-{n}") for n in settings.days_before]
    steps.append(Step(opening(working_day_on_or_before(deadline), tz, settings), MessageKind.ON_DEADLINE, "D"))
    since = max([deadline] + [local(m) for m in (facts.last_done_at, facts.last_update_at) if m is not None])
    overdue_day = working_day_on_or_after(since + timedelta(days=settings.overdue_every))
    steps.append(Step(opening(overdue_day, tz, settings), MessageKind.OVERDUE, f"D+{(overdue_day - deadline).days}"))
    # Two steps moved onto the same day are one reminder: the later step says more.
    unique: dict[datetime, Step] = {}
    for step in steps:
        unique[step.due_at] = step
    return sorted(unique.values(), key=lambda step: step.due_at)
