"""Chats are served side by side; one chat's messages are answered in the order they were sent."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.concurrency import ChatOrderProcessor, chat_key
from tests.support.progress import committee_with_agreement, updates


async def test_a_slow_answer_to_one_institution_does_not_hold_the_others(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    telegram.api.slow("sendMessage", 1.5, chat_id=carlos.id)  # Telegram takes its time with Carlos's answer
    await telegram.deliver(carlos.typed("/avance 3 60% Se remitió el oficio N° 123-2026"),
                           lucia.typed("/avance 2.1 30% Se coordinó con el CEM"))
    to_carlos = telegram.api.sent(carlos.id, "sendMessage")[-1]
    to_lucia = telegram.api.sent(lucia.id, "sendMessage")[-1]
    assert "Anotado: <b>3</b> (PNP)" in to_carlos.text and "Anotado: <b>2.1</b> (Warmi Ñan)" in to_lucia.text
    assert to_lucia.answered_at < to_carlos.answered_at  # Lucía did not wait in line behind Carlos
    assert len(await updates(sessions)) == 2


async def test_a_refusal_slow_to_reach_a_stranger_holds_no_one(telegram, sessions, clock, committee):
    """Refusals are given after the transaction: a stranger's slow answer keeps no connection from the others."""
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    stranger = telegram.person("Pedro")
    telegram.api.slow("sendMessage", 1.5, chat_id=stranger.id)
    await telegram.deliver(stranger.typed("/pendientes"), stranger.typed("/verificar 9.9 PNP"),
                           lucia.typed("/avance 2.1 30% Se coordinó con el CEM"))
    to_stranger = telegram.api.sent(stranger.id, "sendMessage")[0]
    to_lucia = telegram.api.sent(lucia.id, "sendMessage")[-1]
    assert "Anotado: <b>2.1</b>" in to_lucia.text
    assert to_lucia.answered_at < to_stranger.answered_at
    assert len(await updates(sessions)) == 1


async def test_one_chat_is_answered_in_the_order_it_wrote(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    telegram.api.slow("sendMessage", 0.5, chat_id=carlos.id)
    await telegram.deliver(carlos.typed("/avance 3 60% Se remitió el oficio N° 123-2026"),
                           carlos.typed("/avance 3 40%"), carlos.typed("/pendientes"))
    first, second, third = telegram.api.sent(carlos.id, "sendMessage")[-3:]
    assert "60%" in first.text and "último avance fue 60%" in second.text and "Pendientes de PNP" in third.text
    assert first.answered_at <= second.at and second.answered_at <= third.at


def _update(update_id: int, chat_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": chat_id, "type": "private"}, "text": "hola"}}, None)


async def test_the_processor_keeps_each_chats_order_and_forgets_idle_chats():
    processor = ChatOrderProcessor(max_concurrent_updates=8)
    log: list[tuple[str, int, int]] = []

    async def handle(update_id: int, chat_id: int, pause: float) -> None:
        log.append(("start", chat_id, update_id))
        await asyncio.sleep(pause)
        log.append(("end", chat_id, update_id))

    work = [(1, 10, 0.05), (2, 20, 0.0), (3, 10, 0.0), (4, 20, 0.0), (5, 10, 0.0)]
    await asyncio.gather(*(processor.process_update(_update(u, c), handle(u, c, p)) for u, c, p in work))
    for chat in (10, 20):
        mine = [(what, u) for what, c, u in log if c == chat]
        assert mine == [(what, u) for u in sorted({u for _, u in mine}) for what in ("start", "end")]
    assert log.index(("end", 20, 4)) < log.index(("end", 10, 1))  # chat 20 did not wait for chat 10
    assert processor._turns == {}
    assert chat_key("not an update") is None
