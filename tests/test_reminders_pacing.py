"""Telegram's limits, against a fake Bot API that enforces them, in a faster world: Telegram's windows are scaled
down (and the fake API's with them), so that limits bind within the second or so a test may take. The benchmark
(tests/benchmarks/bench_reminders.py) runs the same at real speed."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from sqlalchemy import select
from telegram.error import RetryAfter

from bot.outbox.dispatcher import Dispatcher, telegram_send
from bot.outbox.pacing import Limits, Pacer
from bot.reminders.planner import plan_due
from models.entities import Reminder
from tests.support.database import POSTGRES_URL
from tests.support.fakebot import FakeBotAPI
from tests.support.reminders import many_reminders, one_message_per_row

# Every 429 the fake API answers makes PTB warn about RetryAfter.retry_after's future type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def api() -> FakeBotAPI:
    """The fake Bot API, answering 429 to whoever breaks Telegram's limits."""
    server = FakeBotAPI(enforce_limits=True)
    await server.start()
    yield server
    await server.stop()


def world(api: FakeBotAPI, scale: float) -> Limits:
    """A world where a second lasts `scale` seconds, for the fake API and for our pacer."""
    api.time_scale = scale
    return Limits().scaled(scale)


async def dispatch(telegram, sessions, clock, limits: Limits, worker: str = "solo", **options):
    # Each row one message, as before digests: these tests are about the pacer's windows, not about digests.
    options.setdefault("policies", one_message_per_row())
    dispatcher = Dispatcher(sessions, telegram_send(telegram.application.bot), clock, Pacer(limits), worker, **options)
    return await dispatcher.run(), dispatcher.pacer


async def test_the_fake_api_refuses_a_bot_that_does_not_pace_itself(telegram, api):
    bot = telegram.application.bot
    twice = await asyncio.gather(bot.send_message(10_000, "uno"), bot.send_message(10_000, "dos"),
                                 return_exceptions=True)
    assert isinstance(twice[1], RetryAfter) and twice[1].message.startswith("Flood control exceeded")
    # At Telegram's own speed (this loop cannot go past 30 messages in 20 ms), a burst of 40 chats.
    api.time_scale = 1.0
    burst = await asyncio.gather(*(bot.send_message(20_000 + n, "hola") for n in range(40)), return_exceptions=True)
    assert sum(isinstance(r, RetryAfter) for r in burst) >= 10 and api.most_in_window(1) <= 30


async def test_a_thousand_reminders_never_get_a_429(telegram, api, sessions, clock, committee):
    # A second lasts 250 ms: the 30 a second bind (this process sends about 140 messages a second at most).
    limits = world(api, 0.25)
    chats = [10_000 + n for n in range(700)] + [20_000 + n for n in range(50) for _ in range(4)] + \
            [-1_001_000_000_100 - n for n in range(5) for _ in range(20)]
    random.Random(3).shuffle(chats)  # due in no particular order, as a morning's reminders are
    await many_reminders(sessions, clock, committee.id, chats)
    await plan_due(sessions, clock.now(), everything=True)

    report, _ = await dispatch(telegram, sessions, clock, limits)

    assert api.too_many == 0 and report.rate_limited == 0
    assert report.sent == len(chats) == len(api.deliveries)
    assert Counter(chat for _, chat in api.deliveries) == Counter(chats)
    assert 25 <= api.most_in_window(1) <= 30
    assert max(api.most_in_window(1, chat) for chat in set(chats)) == 1
    async with sessions() as db:
        rows = (await db.scalars(select(Reminder))).all()
    assert len(rows) == len(chats) and all(r.message_id and r.attempts == 1 for r in rows)


async def test_a_group_gets_at_most_20_a_minute(telegram, api, sessions, clock, committee):
    scale = 0.05  # a minute lasts 3 s
    limits = world(api, scale)
    groups = [-1_001_000_000_200 - n for n in range(2)]
    chats = [group for group in groups for _ in range(25)] + [50_000 + n for n in range(10)]
    await many_reminders(sessions, clock, committee.id, chats)
    await plan_due(sessions, clock.now(), everything=True)

    report, _ = await dispatch(telegram, sessions, clock, limits)

    assert report.sent == len(chats) and api.too_many == 0
    for group in groups:
        times = [at for at, chat in api.deliveries if chat == group]
        # The first twenty at one a second, the 21st a minute after the first (a loaded machine may send the
        # twenty more slowly, never more of them).
        assert api.most_in_window(60, group) <= 20 and times[20] - times[0] >= 60 * scale


async def test_a_429_stops_every_chat_for_its_retry_after(telegram, api, sessions, clock, committee):
    scale = 0.02
    limits = world(api, scale)
    chats = [30_000 + n for n in range(60)]
    await many_reminders(sessions, clock, committee.id, chats)
    await plan_due(sessions, clock.now(), everything=True)
    api.fail("sendMessage", 429, chat_id=chats[5], retry_after=10)
    loop, started, pacer = asyncio.get_running_loop(), [], Pacer(limits)
    send = telegram_send(telegram.application.bot)

    async def timed_send(item):
        started.append(loop.time())
        return await send(item)

    report = await Dispatcher(sessions, timed_send, clock, pacer, "solo").run()

    assert report.sent == 60 and report.rate_limited == 1 and pacer.pauses == 1 and api.too_many == 0
    # Nothing starts, to any chat, during the 10 "seconds" after the bot heard the 429; then the rest goes.
    paused_from = pacer.paused_until - 10 * scale
    assert not [at for at in started if paused_from < at < pacer.paused_until]
    assert max(started) >= pacer.paused_until
    assert Counter(chat for _, chat in api.deliveries) == Counter(chats)


@pytest.mark.skipif(not POSTGRES_URL, reason="two dispatchers share the work only on PostgreSQL (FOR UPDATE SKIP "
                                             "LOCKED); SQLite runs one dispatcher")
async def test_two_dispatchers_on_postgresql_send_each_reminder_once(telegram, api, sessions, clock, committee):
    # Each instance gets half of Telegram's 30 a second (ACUERDOS_SEND_RATE=15).
    limits = world(api, 0.1).with_overall(15)
    chats = [40_000 + n for n in range(400)]
    await many_reminders(sessions, clock, committee.id, chats)
    await plan_due(sessions, clock.now(), everything=True)

    reports = await asyncio.gather(*(dispatch(telegram, sessions, clock, limits, name, capacity=20)
                                     for name in ("instance-a", "instance-b")))

    assert sum(r.sent for r, _ in reports) == len(chats) and all(r.sent > 0 for r, _ in reports)
    assert Counter(chat for _, chat in api.deliveries) == Counter(chats) and api.too_many == 0
    async with sessions() as db:
        rows = (await db.scalars(select(Reminder))).all()
    assert len({r.message_id for r in rows}) == len(chats) and all(r.attempts == 1 for r in rows)
    assert {r.claimed_by for r in rows} == {"instance-a", "instance-b"}


async def test_an_answer_goes_ahead_of_the_messages_of_a_fan_out():
    # Two places a "second" of 10 ms: ten reminders queue for them, then someone's answer comes.
    pacer = Pacer(Limits(overall=2).scaled(0.01))
    order: list[int] = []

    async def send(chat_id: int, first: bool = False) -> None:
        async with pacer.slot(chat_id, first=first):
            order.append(chat_id)

    fan_out = [asyncio.create_task(send(20_000 + n)) for n in range(10)]
    await asyncio.sleep(0)
    answer = asyncio.create_task(send(10_000, first=True))
    await asyncio.sleep(0)
    fan_out[5].cancel()  # a message given up while it waits leaves no place taken
    await asyncio.gather(*fan_out, answer, return_exceptions=True)
    assert order[:3] == [20_000, 20_001, 10_000]
    assert sorted(order[3:]) == [20_000 + n for n in range(2, 10) if n != 5]
    async with asyncio.timeout(1):  # every place came back
        await asyncio.gather(*(send(30_000 + n) for n in range(4)))


async def test_an_answer_does_not_wait_behind_a_reminder_to_its_chat_queued_for_a_place():
    # One place a "second" of 10 ms, held by a reminder being sent; a reminder to the person's chat waits for it.
    pacer = Pacer(Limits(overall=1).scaled(0.01))
    order: list[str] = []
    sending = asyncio.Event()

    async def send(what: str, chat_id: int, first: bool = False, hold: bool = False) -> None:
        async with pacer.slot(chat_id, first=first):
            order.append(what)
            if hold:
                await sending.wait()

    held = asyncio.create_task(send("reminder to another chat", 20_000, hold=True))
    await asyncio.sleep(0)
    queued = asyncio.create_task(send("reminder", 10_000))
    await asyncio.sleep(0)
    answer = asyncio.create_task(send("answer", 10_000, first=True))
    await asyncio.sleep(0)
    sending.set()
    await asyncio.gather(held, queued, answer)
    assert order == ["reminder to another chat", "answer", "reminder"]


async def test_a_place_taken_and_not_used_comes_back_at_once():
    # One place a "second" of a tenth of a second: a message that had nothing to send does not hold it.
    pacer = Pacer(Limits(overall=1).scaled(0.1))
    async with pacer.slot(20_000) as place:
        place.unused()
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with pacer.slot(20_001):
        assert loop.time() - started < 0.05
    async with asyncio.timeout(1):  # a place used comes back a "second" later
        async with pacer.slot(20_002):
            assert loop.time() - started >= 0.1


def test_the_places_kept_for_answers_follow_how_many_people_write():
    limits = Limits()
    assert [limits.reserve(n, writing=True) for n in (0, 1, 4, 5, 20, 100)] == [2, 2, 2, 3, 10, 10]
    assert limits.reserve(0, writing=False) == 0  # nobody wrote in the last minute: a fan-out gets all 30
    assert Limits(overall=2).reserve(20, writing=True) == 0  # a pacer of two places keeps none back



async def test_a_moments_pause_in_the_answers_does_not_give_their_places_away():
    # Thirty places a "second" of 200 ms. Twenty answers a "second" for four of them, then a "second" with none (the
    # database was busy): more places are kept than for a quiet chat's two, from the answers' recent average.
    limits = Limits().scaled(0.2)
    pacer = Pacer(limits)
    for second in range(4):
        for chat in range(20):
            async with pacer.slot(10_000 + second * 100 + chat, first=True):
                pass
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.05)  # more than a "second" since the last answer
    assert limits.reserve(0, writing=True) == 2 < pacer._reserve() <= 10


async def test_while_people_write_the_outbox_leaves_places_free_for_their_answers():
    # Ten places a "second" of 50 ms. Four answers have just been sent: two places are kept for the next answers,
    # so a fan-out gets four places, not six; the next answer takes a kept one at once.
    pacer = Pacer(Limits(overall=10).scaled(0.05))
    loop = asyncio.get_running_loop()
    for chat in range(4):
        async with pacer.slot(10_000 + chat, first=True):
            pass
    started: list[float] = []

    async def reminder(chat_id: int) -> None:
        async with pacer.slot(chat_id):
            started.append(loop.time())

    fan_out = [asyncio.create_task(reminder(20_000 + n)) for n in range(10)]
    await asyncio.sleep(0.01)
    assert len(started) == 4
    began = loop.time()
    async with pacer.slot(10_100, first=True):
        assert loop.time() - began < 0.01
    await asyncio.gather(*fan_out)
    assert len(started) == 10
    # A second after the answers, two places are still kept while someone wrote in the last "minute" (3 s here):
    # ten more reminders get eight places at once, and the last two a "second" later.
    await asyncio.sleep(0.06)
    burst: list[float] = []

    async def late(chat_id: int) -> None:
        async with pacer.slot(chat_id):
            burst.append(loop.time())

    began = loop.time()
    await asyncio.gather(*(late(30_000 + n) for n in range(10)))
    assert sum(1 for at in burst if at - began < 0.01) == 8 and max(burst) - began >= 0.05 * 0.95


async def test_a_fan_out_nobody_writes_during_takes_every_place():
    pacer = Pacer(Limits(overall=10).scaled(0.05))
    loop = asyncio.get_running_loop()
    began, starts = loop.time(), []

    async def reminder(chat_id: int) -> None:
        async with pacer.slot(chat_id):
            starts.append(loop.time())

    await asyncio.gather(*(reminder(20_000 + n) for n in range(10)))
    assert max(starts) - began < 0.01



async def test_a_chat_keeps_one_message_a_second_while_its_messages_wait_for_the_bots_places():
    # Two of the bot's places a "second" of 50 ms, both taken (chat 1 and chat 2); a second message to chat 1 waits
    # for one. When the places come back, chat 1's window goes idle just as that message gets its place: a third
    # message to chat 1 must still wait for the second's "second" (one window per chat, never two).
    pacer = Pacer(Limits(overall=2).scaled(0.05))
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def send(chat_id: int) -> None:
        async with pacer.slot(chat_id):
            if chat_id == 1:
                starts.append(loop.time())

    await asyncio.gather(send(1), send(2))
    second = asyncio.create_task(send(1))
    await asyncio.sleep(0.055)
    await asyncio.gather(second, send(1))
    assert len(starts) == 3 and starts[2] - starts[1] >= 0.05 * 0.95, starts
