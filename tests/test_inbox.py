"""The inbox in one process: updates stored once by update_id, claimed a chat at a time with leases, marked handled in
the handler's own transaction, deleted after a week; the webhook's secret and stable address; the fake Bot API's 409
to a second getUpdates, and the receiver's back-off from it."""

from __future__ import annotations

import asyncio
import logging
import socket
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update
from telegram.ext import ApplicationHandlerStop

from bot.app import build_application
from bot.cli import main
from bot.config import ConfigError, Settings
from bot.context import AppContext
from bot.inbox import store
from bot.inbox.receiver import Receiver
from bot.inbox.runner import Webhook, serve
from bot.inbox.webhook import SECRET_HEADER
from bot.inbox.worker import MAX_OWED, Worker, worker_of
from models.entities import Committee, InboxUpdate
from tests.support.fakebot import CONFLICT, TOKEN
from tests.support.processes import until

SECRET = "s3cret-for-the-tests_0123456789"


def typed(update_id: int, chat: int, text: str) -> dict:
    """The JSON of a message a person types in their private chat."""
    user = {"id": chat, "is_bot": False, "first_name": "Ana"}
    message = {"message_id": update_id, "date": 0, "chat": {"id": chat, "type": "private", "first_name": "Ana"},
               "from": user, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


@asynccontextmanager
async def running(api, sessions, clock, tmp_path, webhook: Webhook | None = None):
    """The bot as `acuerdos-bot run` serves it (inbox, own receiver or webhook), until the block ends."""
    api.reopen_polls()
    settings = Settings(token=TOKEN, api_base_url=api.base_url, database_url="unused-here",
                        evidence_dir=str(tmp_path / "evidence"), webhook_secret=SECRET)
    application = build_application(settings, sessions, clock, inbox=True)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(application, stop, webhook))
    await until(lambda: worker_of(application) is not None or serving.done(), timeout=10)
    try:
        yield application
    finally:
        stop.set()
        await api.release_polls()
        await asyncio.wait_for(serving, 15)


async def rows(sessions) -> list[InboxUpdate]:
    async with sessions() as db:
        return list(await db.scalars(select(InboxUpdate).order_by(InboxUpdate.update_id)))


async def test_an_update_is_stored_once_and_handled_once(api, sessions, clock, tmp_path):
    assert await store.store(sessions, [typed(1, 42, "/start"), typed(2, 42, "/ayuda")]) == 2
    # Telegram gives an update again when its confirmation was lost: dropped here.
    assert await store.store(sessions, [typed(2, 42, "/ayuda"), typed(3, 42, "/ayuda")]) == 1
    async with running(api, sessions, clock, tmp_path) as application:
        await asyncio.wait_for(worker_of(application).idle(), 10)
    assert [(row.update_id, row.chat_id, row.handled_at is not None) for row in await rows(sessions)] == \
        [(1, 42, True), (2, 42, True), (3, 42, True)]
    # Stored before the bot started, handled after: one answer each, in order.
    answers = [call.text for call in api.sent(42, "sendMessage")]
    assert len(answers) == 3 and "invitación" in answers[0]


async def test_updates_from_getupdates_are_confirmed_only_once_stored(api, sessions, clock, tmp_path):
    async with running(api, sessions, clock, tmp_path) as application:
        ids = [await api.push({"message": typed(n, 40 + n % 3, "/ayuda")["message"]}) for n in range(9)]
        await api.wait_delivered(ids[-1])
        await asyncio.wait_for(worker_of(application).idle(), 10)
    stored = await rows(sessions)
    assert [row.update_id for row in stored] == ids and all(row.handled_at for row in stored)
    assert {call.chat_id for call in api.sent(method="sendMessage")} == {40, 41, 42}


async def test_the_inbox_keeps_an_update_as_telegram_sent_it_fields_the_bot_does_not_know_included(
        api, sessions, clock, tmp_path, monkeypatch):
    stored: list[dict] = []
    insert = store._insert

    async def keeping(db, payloads, now):
        stored.extend(payloads)
        return await insert(db, payloads, now)

    monkeypatch.setattr(store, "_insert", keeping)
    message = typed(0, 42, "/ayuda")["message"] | {"campo_nuevo": {"de": "una versión futura"}}
    async with running(api, sessions, clock, tmp_path) as application:
        update_id = await api.push({"message": message})
        await api.wait_delivered(update_id)
        await asyncio.wait_for(worker_of(application).idle(), 10)
    assert stored == [{"update_id": update_id, "message": message}]
    assert [row.handled_at is not None for row in await rows(sessions)] == [True] and api.sent(42, "sendMessage")


async def test_an_item_of_getupdates_without_an_update_id_is_dropped_and_the_rest_go_on(
        api, sessions, clock, tmp_path, caplog):
    caplog.set_level(logging.WARNING, "bot.inbox.receiver")
    api.garbled += [{"message": typed(0, 41, "/ayuda")["message"]}, "basura", {"update_id": "7"},
                    {"update_id": 2 ** 70, "message": typed(0, 41, "/ayuda")["message"]}]
    async with running(api, sessions, clock, tmp_path) as application:
        first = await api.push({"message": typed(0, 42, "/ayuda")["message"]})
        await api.wait_delivered(first)
        second = await api.push({"message": typed(0, 42, "/ayuda")["message"]})
        await api.wait_delivered(second)
        await asyncio.wait_for(worker_of(application).idle(), 10)
    assert [row.update_id for row in await rows(sessions)] == [first, second]
    assert len(api.sent(42, "sendMessage")) == 2 and not api.sent(41)
    assert len([r for r in caplog.records if "without an update_id" in r.getMessage()]) == 4


async def test_a_chat_held_by_another_instance_waits_and_an_expired_lease_is_taken_over(sessions):
    await store.store(sessions, [typed(1, 10, "a"), typed(2, 20, "b"), typed(3, 10, "c"), typed(4, 30, "d")])
    taken = await store.claim(sessions, worker="other", chats=1, per_chat=20, lease=timedelta(seconds=60))
    assert {chat: [r.update_id for r in rs] for chat, rs in taken.items()} == {10: [1, 3]}
    # Chat 10 is in other hands: its rows wait, the other chats go, the earliest first.
    mine = await store.claim(sessions, worker="mine", chats=8, per_chat=20, lease=timedelta(seconds=60))
    assert {chat: [r.update_id for r in rs] for chat, rs in mine.items()} == {20: [2], 30: [4]}
    assert await store.claim(sessions, worker="mine", chats=8, per_chat=20, lease=timedelta(seconds=60)) == {}
    # The other instance died: once its lease runs out, its rows are anyone's, in order.
    async with sessions.begin() as db:
        await db.execute(update(InboxUpdate).where(InboxUpdate.claimed_by == "other")
                         .values(claimed_until=store.real_now() - timedelta(seconds=1)))
    again = await store.claim(sessions, worker="mine", chats=8, per_chat=20, lease=timedelta(seconds=60))
    assert {chat: [r.update_id for r in rs] for chat, rs in again.items()} == {10: [1, 3]}


async def test_a_claim_says_whether_it_left_rows_so_that_an_idle_worker_does_not_look_again(sessions):
    await store.store(sessions, [typed(1, 10, "a"), typed(2, 10, "b"), typed(3, 20, "c"), typed(4, 30, "d")])
    first = await store.claim(sessions, worker="mine", chats=1, per_chat=1, lease=timedelta(seconds=60))
    assert list(first) == [10] and first.left  # chat 10's second row, and chats 20 and 30, wait
    second = await store.claim(sessions, worker="mine", chats=8, per_chat=1, lease=timedelta(seconds=60),
                               skip_chats={10})
    assert sorted(second) == [20, 30] and second.left  # chat 10's second row waits for its first one
    third = await store.claim(sessions, worker="mine", chats=8, per_chat=1, lease=timedelta(seconds=60),
                              skip_chats={10, 20, 30})
    assert third == {} and third.left
    # Once chat 10's first row is handled, its second is taken, and nothing is left: rows in hand are not "left".
    await store.mark_handled(sessions, 1)
    fourth = await store.claim(sessions, worker="mine", chats=8, per_chat=1, lease=timedelta(seconds=60),
                               skip_chats={20, 30})
    assert [r.update_id for r in fourth[10]] == [2] and not fourth.left



async def test_on_sqlite_the_receiver_claims_what_it_stores_for_the_free_places(api, sessions, clock):
    """Stored and claimed in one transaction: a chat's first row for this worker, chats in hand left for later."""
    settings = Settings(token=TOKEN, api_base_url=api.base_url)
    worker = Worker(build_application(settings, sessions, clock, inbox=True))
    worker._in_hand[30] = asyncio.get_running_loop().create_future()  # chat 30 is being handled
    await worker.store_and_claim([typed(1, 10, "a"), typed(2, 10, "b"), typed(3, 20, "c"), typed(4, 30, "d")])
    assert [(chat, [row.update_id for row in rows]) for chat, rows in worker._ready] == [(10, [1]), (20, [3])]
    async with sessions() as db:
        claimed = dict((await db.execute(select(InboxUpdate.update_id, InboxUpdate.claimed_by))).all())
    assert claimed == {1: worker.name, 2: None, 3: worker.name, 4: None}
    assert worker._more and worker._unhandled == 4  # rows 2 and 4 wait for their chat: the worker looks again
    worker._in_hand.pop(30).cancel()

async def test_the_bots_own_work_waits_for_the_updates_in_hand_but_not_for_ever(api, sessions, clock):
    settings = Settings(token=TOKEN, api_base_url=api.base_url)
    worker = Worker(build_application(settings, sessions, clock, inbox=True))
    await asyncio.wait_for(worker.people_first(at_most=5), 1)  # nothing received: at once
    worker.wake(stored=2)
    turn = asyncio.create_task(worker.people_first(at_most=5))
    await asyncio.sleep(0.05)
    worker.handled_one()
    await asyncio.sleep(0.05)
    assert not turn.done()  # one of the two updates is still waiting
    worker.handled_one()
    await asyncio.wait_for(turn, 1)
    worker.wake(stored=1)  # an update that is not handled soon (or was handled by another instance)
    started = asyncio.get_running_loop().time()
    await worker.people_first(at_most=0.1)
    assert asyncio.get_running_loop().time() - started < 1
    worker.handled_one()
    worker.handled_one()  # more handled than received here (another instance's rows): never below none
    await asyncio.wait_for(worker.people_first(at_most=5), 1)
    worker.wake(stored=3)
    await worker.stop()  # stopping: the updates not handled go back, and the bot's own work waits for nobody
    await asyncio.wait_for(worker.people_first(at_most=5), 1)



async def test_while_people_write_the_bots_own_work_takes_only_its_share_of_the_connection(api, sessions, clock):
    settings = Settings(token=TOKEN, api_base_url=api.base_url)
    worker = Worker(build_application(settings, sessions, clock, inbox=True))
    loop = asyncio.get_running_loop()

    async def waited() -> float:
        started = loop.time()
        await worker.people_first()
        return loop.time() - started

    async with worker.bots_turn():
        await asyncio.sleep(0.1)
    assert await waited() < 0.05  # nobody wrote lately: the bot's work goes on at once
    worker.wake(stored=1)
    worker.handled_one()  # someone wrote just now
    async with worker.bots_turn():
        await asyncio.sleep(0.1)
    # Three times the 0.1 s it held the connection (a quarter of the time for the bot), never more than MAX_OWED.
    assert 0.25 <= await waited() <= MAX_OWED + 0.5
    async with worker.bots_turn():
        await asyncio.sleep(0.1)
    worker.wake(stored=1)
    stopping = asyncio.create_task(worker.stop())
    await asyncio.sleep(0)
    assert await waited() < 0.05  # once a stop is asked, the last writes owe nothing and wait for nobody
    await stopping

async def test_the_handlers_first_transaction_marks_the_update_and_one_already_handled_writes_nothing(
        api, sessions, clock, tmp_path):
    await store.store(sessions, [typed(1, 42, "x"), typed(2, 42, "y")])
    settings = Settings(token=TOKEN, api_base_url=api.base_url)
    context = AppContext(build_application(settings, sessions, clock, inbox=True))
    token = store.CURRENT.set(store.Handling(1))
    try:
        with pytest.raises(RuntimeError):
            async with context.transaction() as db:
                db.add(Committee(name="Rolled back", kind="CORESEC", timezone="America/Lima", created_at=clock.now()))
                raise RuntimeError
        assert (await rows(sessions))[0].handled_at is None  # rolled back with what the handler wrote
        async with context.transaction():
            pass
        assert (await rows(sessions))[0].handled_at is not None
    finally:
        store.CURRENT.reset(token)
    # Update 2 was handled by another instance after this one's lease ran out: this handling stops, writing nothing.
    await store.mark_handled(sessions, 2)
    token = store.CURRENT.set(store.Handling(2))
    try:
        with pytest.raises(ApplicationHandlerStop):
            async with context.transaction() as db:
                db.add(Committee(name="Twice", kind="CORESEC", timezone="America/Lima", created_at=clock.now()))
    finally:
        store.CURRENT.reset(token)
    async with sessions() as db:
        assert await db.scalar(select(Committee.id)) is None


async def test_handled_updates_are_deleted_after_a_week(sessions):
    await store.store(sessions, [typed(1, 42, "old"), typed(2, 42, "recent"), typed(3, 42, "waiting")])
    async with sessions.begin() as db:
        await db.execute(update(InboxUpdate).where(InboxUpdate.update_id == 1)
                         .values(handled_at=store.real_now() - store.KEEP_HANDLED - timedelta(hours=1)))
        await db.execute(update(InboxUpdate).where(InboxUpdate.update_id == 2)
                         .values(handled_at=store.real_now() - timedelta(days=1)))
    assert await store.purge(sessions) == 1
    assert [row.update_id for row in await rows(sessions)] == [2, 3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_webhook_takes_updates_with_the_secret_stores_them_and_drops_duplicates(
        api, sessions, clock, tmp_path):
    port = free_port()
    webhook = Webhook("https://bot.example.org/", "127.0.0.1", port, SECRET)
    url = f"http://127.0.0.1:{port}/telegram"
    async with running(api, sessions, clock, tmp_path, webhook) as application:
        await until(lambda: api.webhook is not None, timeout=10)  # registered once the worker started
        assert api.webhook["url"] == "https://bot.example.org/telegram"
        assert api.webhook["secret_token"] == SECRET
        async with httpx.AsyncClient() as client:
            refused = await client.post(url, json=typed(7, 42, "/ayuda"), headers={SECRET_HEADER: "wrong"})
            assert refused.status_code == 403 and await rows(sessions) == []
            for _ in range(2):  # Telegram sends it again: it was stored once
                taken = await client.post(url, json=typed(7, 42, "/ayuda"), headers={SECRET_HEADER: SECRET})
                assert taken.status_code == 200
        await asyncio.wait_for(worker_of(application).idle(), 10)
    assert [(row.update_id, row.handled_at is not None) for row in await rows(sessions)] == [(7, True)]
    assert len(api.sent(42, "sendMessage")) == 1
    first = dict(api.webhook)
    # A restart (or another instance) registers the same address with the same secret.
    async with running(api, sessions, clock, tmp_path, Webhook("https://bot.example.org", "127.0.0.1", free_port(),
                                                              SECRET)):
        assert api.webhook == first


def test_the_webhook_secret_comes_from_the_configuration(tmp_path, monkeypatch, capsys):
    assert Settings.from_env({"ACUERDOS_WEBHOOK_SECRET": SECRET}, require_token=False,
                             env_file=tmp_path / ".env").webhook_secret == SECRET
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"ACUERDOS_WEBHOOK_SECRET": "no spaces allowed"}, require_token=False,
                          env_file=tmp_path / ".env")
    assert "ACUERDOS_WEBHOOK_SECRET must be 1 to 256 characters" in error.value.problems[0]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("ACUERDOS_WEBHOOK_SECRET", raising=False)
    assert main(["run", "--webhook-url", "https://bot.example.org"]) == 2
    assert "ACUERDOS_WEBHOOK_SECRET is missing" in capsys.readouterr().err


async def test_the_fake_answers_409_to_the_earlier_of_two_getupdates(api):
    async with httpx.AsyncClient(base_url=f"{api.base_url}/bot{TOKEN}") as client:
        first = asyncio.create_task(client.post("/getUpdates", json={"timeout": 1}))
        await asyncio.sleep(0.2)
        second = await client.post("/getUpdates", json={"timeout": 0})
        assert second.json() == {"ok": True, "result": []}
        assert (await first).status_code == 409 and (await first).json()["description"] == CONFLICT
    assert len(api.conflicts) == 1


async def test_another_poller_makes_the_receiver_back_off_without_a_storm(api, sessions, clock, caplog):
    """Another bot polls with the same token: the receiver says so once and asks less and less often."""
    settings = Settings(token=TOKEN, api_base_url=api.base_url)
    application = build_application(settings, sessions, clock, inbox=True)
    foreign = 0

    async def other_bot() -> None:
        nonlocal foreign
        async with httpx.AsyncClient(base_url=f"{api.base_url}/bot{TOKEN}") as client:
            while True:
                foreign += 1
                await client.post("/getUpdates", json={"timeout": 1})

    caplog.set_level(logging.INFO, "bot.inbox.receiver")
    async with application:
        polling = asyncio.create_task(other_bot())
        await asyncio.sleep(0.1)
        receiver = Receiver(application, lambda: None)
        receiver.start()
        await asyncio.sleep(6)
        await receiver.stop()
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
    ours = len(api.poll_times) - foreign
    assert ours <= 4  # at 0 s, after 2 s and after 4 more: not a storm
    assert len([r for r in caplog.records if "Conflict" in r.getMessage()]) == 1
