"""When Telegram or the bot fails: blocked chats, 5xx, timeouts, a crash mid-send, a crashed instance, downtime."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.outbox import store
from bot.outbox.dispatcher import Dispatcher, telegram_send
from bot.outbox.jobs import RUNTIME
from bot.outbox.kinds import POLICIES
from bot.outbox.pacing import Limits, Pacer
from bot.outbox.store import IN_DOUBT
from bot.reminders.planner import plan_due
from models.entities import AuditEntry, Member, Reminder
from tests.support.clock import lima
from tests.support.reminders import REMINDER_SCALE, sent_rows
from tests.support.scenarios import followed_agreement


async def rows_of(sessions, chat_id: int) -> list[Reminder]:
    async with sessions() as db:
        return list((await db.scalars(select(Reminder).where(Reminder.chat_id == chat_id)
                                      .order_by(Reminder.id))).all())


def reminders_to(telegram, chat_id: int) -> list[str]:
    """The reminders that reached the chat (messages with the reminder's buttons)."""
    return [c.text for c in telegram.api.delivered(chat_id) if any(d.startswith("v1:r:") for _, d in c.buttons)]


async def test_a_blocked_chat_stops_its_reminders_and_the_secretary_hears_once(telegram, sessions, clock, committee,
                                                                                 rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    telegram.api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=carlos.id)
    telegram.api.fail("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat", chat_id=group.id)
    await rounds.travel(lima("2026-04-08 12:00"))

    assert reminders_to(telegram, carlos.id) == [] and reminders_to(telegram, group.id) == []
    assert len(telegram.api.sent(carlos.id, "sendMessage")) == 2  # the welcome, and one reminder tried, no more
    async with sessions() as db:
        contacts = (await db.scalars(select(Member).where(Member.institution_id.is_not(None))
                                     .order_by(Member.id))).all()
        deactivated = (await db.scalars(select(AuditEntry).where(AuditEntry.action == "member_deactivated"))).all()
    assert [(m.active, m.inactive_reason) for m in contacts] == [
        (False, "Forbidden: bot was blocked by the user"),
        (False, "Forbidden: bot was kicked from the supergroup chat")]
    assert len(deactivated) == 2
    assert all(r.cancelled_at is not None for r in await rows_of(sessions, carlos.id))

    told = [text for text in rosa.said() if "no llegaron" in text]
    assert len(told) == 1
    assert "PNP: el chat «Carlos» ya no recibe mensajes" in told[0]
    assert "PNP quedó <b>sin punto focal</b>" in told[0] and "<code>/invitar Warmi Ñan</code>" in told[0]


async def test_5xx_is_retried_with_backoff_then_given_up_visibly(telegram, sessions, clock, committee, rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    telegram.api.fail("sendMessage", 500, chat_id=carlos.id)
    telegram.api.fail("sendMessage", 502, chat_id=group.id, times=5)
    await rounds.travel(lima("2026-03-30 08:00"))
    [carlos_row] = await rows_of(sessions, carlos.id)
    assert carlos_row.sent_at is None and carlos_row.error == "NetworkError: Internal Server Error"

    # Warmi Ñan's goes again 1, 5, 15 and 60 minutes after each failure, and then no more.
    tries, welcome = [], len(telegram.api.sent(group.id, "sendMessage")) - 1
    for minute in ("08:00:30", "08:01", "08:06", "08:21", "09:21", "09:23"):
        clock.set(lima(f"2026-03-30 {minute}"))
        await rounds.run()
        tries.append(len(telegram.api.sent(group.id, "sendMessage")) - welcome)
    assert tries == [1, 2, 3, 4, 5, 5]
    assert len(reminders_to(telegram, carlos.id)) == 1
    [carlos_row] = [r for r in await rows_of(sessions, carlos.id) if r.sent_at]
    assert carlos_row.attempts == 2 and carlos_row.message_id is not None
    given_up = (await rows_of(sessions, group.id))[0]
    assert given_up.cancelled_at is not None and given_up.error.startswith("gave up after 5 attempts: Bad Gateway")
    assert any("<b>3.1</b> · Warmi Ñan («CEM Moquegua»): Telegram no aceptó el recordatorio (5 intento(s))" in t
               for t in rosa.said())

    # The cadence goes on: Warmi Ñan's next reminder is Wednesday's.
    await rounds.travel(lima("2026-04-01 09:00"))
    assert len(reminders_to(telegram, group.id)) == 1 and "faltan 5 días" in reminders_to(telegram, group.id)[0]


async def test_a_timeout_is_retried(telegram, sessions, clock, committee, rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    telegram.application.bot_data[RUNTIME].read_timeout = 0.1
    telegram.api.hang("sendMessage", 0.5, chat_id=carlos.id)
    await rounds.travel(lima("2026-03-30 08:00"))
    [row] = await rows_of(sessions, carlos.id)
    assert row.sent_at is None and row.error.startswith("TimedOut")

    clock.set(lima("2026-03-30 08:01"))
    await rounds.run()
    assert len(reminders_to(telegram, carlos.id)) == 1 and len(telegram.api.sent(carlos.id, "sendMessage")) == 3


class Crash(BaseException):
    """The process dies: nothing after it runs."""


async def test_a_crash_between_send_and_commit_never_sends_twice(telegram, sessions, clock, committee, rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    clock.set(lima("2026-03-30 08:00"))
    await plan_due(sessions, clock.now(), everything=True)
    send = telegram_send(telegram.application.bot)

    async def send_then_die(item):
        await send(item)
        raise Crash()

    # One message at a time, so that the crash leaves exactly one row attempted and the other never claimed.
    dying = Dispatcher(sessions, send_then_die, clock, Pacer(Limits().scaled(REMINDER_SCALE)), "instance-1",
                       capacity=1)
    with pytest.raises(Crash):
        await dying.run()
    assert sum(len(reminders_to(telegram, chat)) for chat in (carlos.id, group.id)) == 1

    # The bot starts again three minutes later: what was attempted stays sent, what was not goes now.
    clock.set(lima("2026-03-30 08:03"))
    await rounds.run()
    assert [len(reminders_to(telegram, chat)) for chat in (carlos.id, group.id)] == [1, 1]
    rows = await sent_rows(sessions)
    [in_doubt] = [r for r in rows if r.message_id is None]
    assert in_doubt.error == IN_DOUBT and in_doubt.attempts == 1
    # The cadence goes on from the doubtful one as from any other.
    await rounds.travel(lima("2026-04-01 09:00"))
    assert [len(reminders_to(telegram, chat)) for chat in (carlos.id, group.id)] == [2, 2]


async def test_rows_claimed_by_a_dead_instance_go_out_once_its_lease_ends(telegram, sessions, clock, committee,
                                                                          rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    clock.set(lima("2026-03-30 08:00"))
    await plan_due(sessions, clock.now(), everything=True)
    claimed = await store.claim(sessions, now=clock.now(), worker="dead-instance", limit=10,
                                 lease=timedelta(minutes=10), lanes=store.Lanes.of(POLICIES, [committee.id]),
                                skip_chats=set())
    assert len(claimed.ids) == 2

    clock.set(lima("2026-03-30 08:05"))
    await rounds.run()
    assert reminders_to(telegram, carlos.id) == []
    clock.set(lima("2026-03-30 08:11"))
    await rounds.run()
    await rounds.run()
    assert [len(reminders_to(telegram, chat)) for chat in (carlos.id, group.id)] == [1, 1]


async def test_after_six_hours_down_what_was_due_goes_out_once(telegram, sessions, clock, committee, rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await rounds.travel(lima("2026-03-30 07:00"))
    # Down from 07:00 to 13:00: the 08:00 reminders go when it is back, once.
    clock.set(lima("2026-03-30 13:00"))
    telegram.application.bot_data[RUNTIME].last_full_plan = None  # a new process
    await rounds.run()
    await rounds.travel(lima("2026-03-30 18:00"))
    assert [len(reminders_to(telegram, chat)) for chat in (carlos.id, group.id)] == [1, 1]
    assert [r.sent_at for r in await sent_rows(sessions)] == [lima("2026-03-30 13:00")] * 2


async def test_after_days_down_only_the_latest_reminder_goes_and_only_at_work(telegram, sessions, clock, committee,
                                                                                rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await rounds.travel(lima("2026-03-30 09:00"))
    # Down from Monday 30 March until Saturday 4 April: D-2 (Wednesday) was missed; back on a Saturday.
    clock.set(lima("2026-04-04 10:00"))
    telegram.application.bot_data[RUNTIME].last_full_plan = None
    await rounds.travel(lima("2026-04-06 07:00"))
    assert [len(reminders_to(telegram, chat)) for chat in (carlos.id, group.id)] == [1, 1]
    await rounds.travel(lima("2026-04-06 10:00"))
    texts = reminders_to(telegram, carlos.id)
    assert len(texts) == 2 and texts[-1].startswith("📅 <b>Hoy vence un acuerdo</b>") and "(hoy)" in texts[-1]
    # And a week down over the deadline: one overdue reminder, not one per missed step.
    clock.set(lima("2026-04-17 10:00"))
    telegram.application.bot_data[RUNTIME].last_full_plan = None
    await rounds.run()
    texts = reminders_to(telegram, carlos.id)
    assert len(texts) == 3 and texts[-1].startswith("⏰ <b>Acuerdo vencido</b>")
    assert "vencido hace 11 días" in texts[-1]
