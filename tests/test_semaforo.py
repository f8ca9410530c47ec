"""The semáforo rule, case by case and at every boundary, and its roll-ups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.entities import Status
from models.semaforo import Light, LightSettings, Tally, light, worst

TODAY = date(2026, 3, 30)
ASSIGNED = TODAY - timedelta(days=5)
P, E, D, R, O, C, A = (Status.PENDIENTE, Status.EN_PROCESO, Status.CON_DIFICULTADES, Status.REPORTADO,
                       Status.OBSERVADO, Status.CUMPLIDO, Status.ANULADO)
G, Y, RED, GREY = Light.GREEN, Light.YELLOW, Light.RED, Light.GREY


def days(n: int | None) -> date | None:
    return None if n is None else TODAY + timedelta(days=n)


# status, deadline (days from today), last update (days from today), unanswered, next session, light
CASES = {
    "cumplido, even after its deadline": (C, -30, -40, 0, False, G),
    "reportado waits on the secretary, even after its deadline": (R, -3, -20, 3, False, G),
    "anulado is out of the semáforo": (A, -3, None, 0, False, GREY),
    "deadline yesterday": (E, -1, 0, 0, False, RED),
    "deadline today is not yet passed": (E, 0, 0, 0, False, Y),
    "deadline in exactly 7 days": (E, 7, 0, 0, False, Y),
    "deadline in 8 days": (E, 8, 0, 0, False, G),
    "deadline passed, never reported": (P, -1, None, 0, False, RED),
    "deadline passed with difficulties": (D, -2, -1, 0, False, RED),
    "difficulties, deadline far": (D, 60, -1, 0, False, Y),
    "difficulties, no deadline": (D, None, -1, 0, False, Y),
    "observado is back in process": (O, 60, -1, 0, False, G),
    "silent 13 days": (E, 60, -13, 0, False, G),
    "silent exactly 14 days": (E, 60, -14, 0, False, Y),
    "no deadline, updated 13 days ago": (E, None, -13, 0, False, G),
    "no deadline, updated 14 days ago": (E, None, -14, 0, False, Y),
    "no deadline and never reported": (P, None, None, 0, False, GREY),
    "no deadline, never reported, one reminder unanswered": (P, None, None, 1, False, GREY),
    "no deadline, two reminders unanswered": (P, None, None, 2, False, RED),
    "one reminder unanswered": (E, 60, -1, 1, False, G),
    "two reminders unanswered": (E, 60, -1, 2, False, RED),
    "next session not yet scheduled, never reported": (P, None, None, 0, True, G),
    "next session scheduled in 7 days": (P, 7, None, 0, True, Y),
    "next session already held": (E, -1, -2, 0, True, RED),
}


@pytest.mark.parametrize("status, deadline, last_update, unanswered, next_session, expected",
                         list(CASES.values()), ids=list(CASES))
def test_light(status, deadline, last_update, unanswered, next_session, expected):
    assert light(status=status, deadline=days(deadline), today=TODAY, last_update=days(last_update),
                 assigned_on=ASSIGNED, unanswered=unanswered, next_session=next_session) == expected


@pytest.mark.parametrize("deadline, assigned_days_ago, expected", [(60, 13, G), (60, 14, Y), (None, 60, GREY)])
def test_silence_counts_from_the_assignment_when_never_updated(deadline, assigned_days_ago, expected):
    assert light(status=P, deadline=days(deadline), today=TODAY, last_update=None,
                 assigned_on=TODAY - timedelta(days=assigned_days_ago)) == expected


CUSTOM = LightSettings(yellow_days_before=3, silent_days=30, unanswered_for_red=3)


@pytest.mark.parametrize("deadline, last_update, unanswered, expected", [
    (4, 0, 0, G), (3, 0, 0, Y),        # yellow 3 days before instead of 7
    (60, -29, 0, G), (60, -30, 0, Y),  # silent after 30 days instead of 14
    (60, 0, 2, G), (60, 0, 3, RED),    # red after 3 unanswered reminders instead of 2
])
def test_thresholds_are_the_committees(deadline, last_update, unanswered, expected):
    assert light(status=E, deadline=days(deadline), today=TODAY, last_update=days(last_update), assigned_on=ASSIGNED,
                 unanswered=unanswered, settings=CUSTOM) == expected


def test_settings_come_from_the_committee_and_default_to_the_design():
    assert LightSettings.of(None) == LightSettings() == LightSettings(7, 14, 2)
    assert LightSettings.of({"semaforo": {"silent_days": "21", "unknown": 5}}) == LightSettings(silent_days=21)
    assert LightSettings.of({"semaforo": {"silent_days": "dos semanas", "unanswered_for_red": 0}}) == LightSettings()
    assert LightSettings.of({"semaforo": {"yellow_days_before": 0}}) == LightSettings(yellow_days_before=0)


@pytest.mark.parametrize("lights, expected", [
    ([], None), ([G, G], G), ([G, GREY], GREY), ([GREY, Y, G], Y), ([G, RED, Y, GREY], RED),
])
def test_a_rollup_shows_its_worst_light(lights, expected):
    assert worst(lights) == expected
    assert Tally.of(lights).light == expected


def test_tally_counts_and_adds():
    tally = Tally.of([G, G, Y, RED, GREY, G])
    assert (tally.green, tally.yellow, tally.red, tally.grey, tally.total) == (3, 1, 1, 1, 6)
    both = tally + Tally(red=2)
    assert both[RED] == 3 and both.total == 8 and tally[RED] == 1
