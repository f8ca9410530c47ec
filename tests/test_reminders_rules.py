"""The cadence and the working hours, as pure functions of the facts and the time (no Telegram, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings as hypothesis_settings, strategies as st

from bot.reminders.cadence import Facts, ReminderSettings, is_open, next_reminder, snooze_until, working_moment
from models.entities import MessageKind, Status
from tests.support.clock import lima

LIMA = ZoneInfo("America/Lima")
DEFAULTS = ReminderSettings()
# Monday 6 April 2026: the week before has Jueves Santo (2/4) and Viernes Santo (3/4), national holidays.
EASTER_MONDAY = date(2026, 4, 6)


def local(moment: datetime) -> str:
    return moment.astimezone(LIMA).strftime("%a %d/%m %H:%M")


def cadence(facts: Facts, start: datetime, until: datetime, answers: tuple[datetime, ...] = ()) -> list[tuple]:
    """What one contact receives from `start` to `until` with a round every hour, answering at `answers`."""
    sent, now = [], start
    while now <= until:
        said = [at for at in answers if at <= now]
        if said:
            facts = replace(facts, last_update_at=max(said))
        step = next_reminder(facts, now, LIMA, DEFAULTS)
        if step is not None and step.due_at <= now:
            sent.append((local(now), step.kind, step.label))
            facts = replace(facts, last_done_at=now)
        now += timedelta(hours=1)
    return sent


def test_working_moment_moves_nights_weekends_and_holidays_to_the_next_opening():
    assert local(working_moment(lima("2026-03-03 10:30"), LIMA, DEFAULTS)) == "Tue 03/03 10:30"
    assert local(working_moment(lima("2026-03-03 06:00"), LIMA, DEFAULTS)) == "Tue 03/03 08:00"
    assert local(working_moment(lima("2026-03-06 17:59"), LIMA, DEFAULTS)) == "Fri 06/03 17:59"
    assert local(working_moment(lima("2026-03-06 18:00"), LIMA, DEFAULTS)) == "Mon 09/03 08:00"
    assert local(working_moment(lima("2026-03-07 11:00"), LIMA, DEFAULTS)) == "Mon 09/03 08:00"
    assert local(working_moment(lima("2026-04-01 19:00"), LIMA, DEFAULTS)) == "Mon 06/04 08:00"
    assert not is_open(lima("2026-04-02 10:00"), LIMA, DEFAULTS)  # Jueves Santo
    assert is_open(lima("2026-04-06 08:00"), LIMA, DEFAULTS)


def test_cadence_with_a_deadline_skips_weekends_and_holy_week():
    facts = Facts(status=Status.PENDIENTE, deadline=EASTER_MONDAY, assigned_at=lima("2026-03-20 10:00"))
    assert cadence(facts, lima("2026-03-27 10:00"), lima("2026-04-17 18:00")) == [
        ("Mon 30/03 08:00", MessageKind.BEFORE_DEADLINE, "D-7"),
        # D-2 is Saturday; Friday and Thursday are holidays: the warning comes on Wednesday, not late.
        ("Wed 01/04 08:00", MessageKind.BEFORE_DEADLINE, "D-2"),
        ("Mon 06/04 08:00", MessageKind.ON_DEADLINE, "D"),
        ("Thu 09/04 08:00", MessageKind.OVERDUE, "D+3"),
        ("Mon 13/04 08:00", MessageKind.OVERDUE, "D+7"),  # Thursday + 3 is Sunday
        ("Thu 16/04 08:00", MessageKind.OVERDUE, "D+10"),
    ]


def test_an_answer_restarts_the_overdue_count():
    facts = Facts(status=Status.EN_PROCESO, deadline=EASTER_MONDAY, assigned_at=lima("2026-03-20 10:00"),
                  last_done_at=lima("2026-04-06 08:00"))
    silent = cadence(facts, lima("2026-04-06 09:00"), lima("2026-04-17 18:00"))
    assert [when for when, *_ in silent] == ["Thu 09/04 08:00", "Mon 13/04 08:00", "Thu 16/04 08:00"]
    # An avance on Wednesday: the next overdue reminder comes three days after it (Saturday, so Monday).
    answered = cadence(facts, lima("2026-04-06 09:00"), lima("2026-04-17 18:00"), answers=(lima("2026-04-08 11:00"),))
    assert [when for when, *_ in answered] == ["Mon 13/04 08:00", "Thu 16/04 08:00"]


def test_without_a_deadline_every_fourteen_days_since_the_last_word():
    facts = Facts(status=Status.PENDIENTE, deadline=None, assigned_at=lima("2026-03-02 10:00"))
    assert cadence(facts, lima("2026-03-02 10:00"), lima("2026-04-30 18:00")) == [
        ("Mon 16/03 08:00", MessageKind.NO_DEADLINE, "+14"), ("Mon 30/03 08:00", MessageKind.NO_DEADLINE, "+14"),
        ("Mon 13/04 08:00", MessageKind.NO_DEADLINE, "+14"), ("Mon 27/04 08:00", MessageKind.NO_DEADLINE, "+14")]
    answered = cadence(facts, lima("2026-03-02 10:00"), lima("2026-04-10 18:00"), answers=(lima("2026-03-10 16:00"),))
    assert [when for when, *_ in answered] == ["Tue 24/03 08:00", "Tue 07/04 08:00"]


def test_missed_steps_collapse_into_the_latest():
    facts = Facts(status=Status.PENDIENTE, deadline=EASTER_MONDAY, assigned_at=lima("2026-03-20 10:00"))
    # Down from Friday 27 March to Wednesday 8 April: D-7, D-2 and D were missed; one reminder, the deadline's.
    step = next_reminder(facts, lima("2026-04-08 10:00"), LIMA, DEFAULTS)
    assert (local(step.due_at), step.kind) == ("Mon 06/04 08:00", MessageKind.ON_DEADLINE)
    # Down for three weeks: one overdue reminder, due in the past, so it goes at once.
    step = next_reminder(facts, lima("2026-04-27 10:00"), LIMA, DEFAULTS)
    assert (local(step.due_at), step.kind) == ("Thu 09/04 08:00", MessageKind.OVERDUE)


def test_a_snooze_moves_the_next_reminder_to_its_end():
    facts = Facts(status=Status.PENDIENTE, deadline=date(2026, 3, 20), assigned_at=lima("2026-03-02 10:00"),
                  last_done_at=lima("2026-03-13 08:00"))
    assert local(next_reminder(facts, lima("2026-03-13 10:15"), LIMA, DEFAULTS).due_at) == "Wed 18/03 08:00"
    until = snooze_until(lima("2026-03-17 10:15"), LIMA, DEFAULTS)
    assert local(until) == "Fri 20/03 10:15"
    snoozed = replace(facts, snoozed_until=until)
    step = next_reminder(snoozed, lima("2026-03-17 10:15"), LIMA, DEFAULTS)
    # The D-2 reminder would come on Wednesday; snoozed to Friday, the deadline's own reminder takes its place.
    assert (local(step.due_at), step.kind) == ("Fri 20/03 10:15", MessageKind.ON_DEADLINE)
    assert local(snooze_until(lima("2026-03-26 16:00"), LIMA, DEFAULTS)) == "Mon 30/03 08:00"
    # Snoozed when the next step is further away: a reminder at the snooze's end, then the cadence goes on.
    early = replace(facts, snoozed_until=snooze_until(lima("2026-03-13 10:15"), LIMA, DEFAULTS))
    step = next_reminder(early, lima("2026-03-13 10:15"), LIMA, DEFAULTS)
    assert (local(step.due_at), step.label) == ("Mon 16/03 10:15", "D-2")
    after = replace(early, last_done_at=lima("2026-03-16 10:15"))
    assert local(next_reminder(after, lima("2026-03-16 10:15"), LIMA, DEFAULTS).due_at) == "Wed 18/03 08:00"


def test_closed_and_reported_assignments_get_no_reminder():
    for status in (Status.CUMPLIDO, Status.ANULADO, Status.REPORTADO):
        facts = Facts(status=status, deadline=EASTER_MONDAY, assigned_at=lima("2026-03-20 10:00"))
        assert next_reminder(facts, lima("2026-04-06 09:00"), LIMA, DEFAULTS) is None
    observed = Facts(status=Status.OBSERVADO, deadline=EASTER_MONDAY, assigned_at=lima("2026-03-20 10:00"))
    assert next_reminder(observed, lima("2026-04-06 09:00"), LIMA, DEFAULTS) is not None


def test_a_deadline_on_sunday_makes_one_reminder_on_friday():
    facts = Facts(status=Status.PENDIENTE, deadline=date(2026, 3, 22), assigned_at=lima("2026-03-02 10:00"),
                  last_done_at=lima("2026-03-16 08:00"))
    step = next_reminder(facts, lima("2026-03-16 09:00"), LIMA, DEFAULTS)
    assert (local(step.due_at), step.kind, step.label) == ("Fri 20/03 08:00", MessageKind.ON_DEADLINE, "D")


def test_committee_settings_override_the_defaults_and_bad_values_are_ignored():
    custom = ReminderSettings.of({"reminders": {"opens": "09:30", "closes": "13:00", "days_before": [10, 3, 1],
                                                "overdue_every": 7, "snooze_days": "tres", "escalate_after": 0}})
    assert (custom.opens, custom.closes, custom.days_before) == (time(9, 30), time(13), (10, 3, 1))
    assert (custom.overdue_every, custom.snooze_days, custom.escalate_after) == (7, 3, 2)
    assert ReminderSettings.of({"reminders": {"opens": "19:00", "closes": "08:00"}}) == DEFAULTS
    assert ReminderSettings.of(None) == ReminderSettings.of({}) == DEFAULTS
    assert local(working_moment(lima("2026-03-03 13:30"), LIMA, custom)) == "Wed 04/03 09:30"


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=timezone.utc))


@hypothesis_settings(max_examples=300, deadline=None)
@given(status=st.sampled_from([Status.PENDIENTE, Status.EN_PROCESO, Status.CON_DIFICULTADES, Status.OBSERVADO]),
       deadline=st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
       assigned=moments, now=moments, done=st.none() | moments, update=st.none() | moments,
       snoozed=st.none() | moments)
def test_every_reminder_is_due_at_work_and_after_the_last_one(status, deadline, assigned, now, done, update, snoozed):
    facts = Facts(status=status, deadline=deadline, assigned_at=assigned, last_update_at=update, last_done_at=done,
                  snoozed_until=snooze_until(snoozed, LIMA, DEFAULTS) if snoozed else None)
    step = next_reminder(facts, now, LIMA, DEFAULTS)
    assert is_open(step.due_at, LIMA, DEFAULTS)
    assert done is None or step.due_at > done
    if facts.snoozed_until is not None and (done is None or facts.snoozed_until > done):
        assert step.due_at == facts.snoozed_until
    assert next_reminder(facts, now, LIMA, DEFAULTS) == step


@hypothesis_settings(max_examples=500, deadline=None)
@given(status=st.sampled_from([Status.PENDIENTE, Status.EN_PROCESO, Status.CON_DIFICULTADES, Status.OBSERVADO]),
       reported=st.sampled_from([Status.EN_PROCESO, Status.CON_DIFICULTADES]),
       deadline=st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
       assigned=moments, now=moments, done=st.none() | moments, update=st.none() | moments,
       snoozed=st.none() | moments)
def test_a_report_never_brings_a_reminder_earlier(status, reported, deadline, assigned, now, done, update, snoozed):
    # Why an institution's report can leave the plan to the next round: its pending rows can only be early.
    now = max(m for m in (assigned, now, done, update) if m is not None)
    facts = Facts(status=status, deadline=deadline, assigned_at=assigned, last_update_at=update, last_done_at=done,
                  snoozed_until=snooze_until(snoozed, LIMA, DEFAULTS) if snoozed else None)
    before = next_reminder(facts, now, LIMA, DEFAULTS)
    after = next_reminder(replace(facts, status=reported, last_update_at=now), now, LIMA, DEFAULTS)
    assert after.due_at >= before.due_at
    assert next_reminder(replace(facts, status=Status.REPORTADO, last_update_at=now), now, LIMA, DEFAULTS) is None


def test_an_answer_after_a_missed_step_is_not_followed_by_that_step():
    # Never reminded (the contact joined late); the deadline passed 5 days ago; the institution answers now.
    facts = Facts(status=Status.PENDIENTE, deadline=EASTER_MONDAY, assigned_at=lima("2026-03-02 10:00"))
    now = lima("2026-04-13 10:00")
    assert next_reminder(facts, now, LIMA, DEFAULTS).kind == MessageKind.OVERDUE
    answered = next_reminder(replace(facts, last_update_at=now), now, LIMA, DEFAULTS)
    assert (answered.kind, local(answered.due_at)) == (MessageKind.OVERDUE, "Thu 16/04 08:00")
