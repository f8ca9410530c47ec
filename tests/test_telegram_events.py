"""Telegram's own events: an edited message, a group that becomes a supergroup."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from models.entities import Member, StatusUpdate
from tests.support.clock import lima
from tests.support.dialogue import Chat
from tests.support.fakebot import BOT_USERNAME
from tests.support.scenarios import followed_agreement


async def test_an_edited_avance_is_told_how_to_correct_and_records_nothing_more(telegram, sessions, clock,
                                                                                committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await carlos.send("/avance 3.1 40% Se remitió el oficio")
    sent = carlos.typed("/avance 3.1 70% Se remitieron dos oficios")["message"]
    await telegram.deliver({"edited_message": sent | {"edit_date": int(time.time())}})
    assert "Editar el mensaje no cambia el avance registrado" in carlos.last()
    async with sessions() as db:
        assert await db.scalar(select(func.count(StatusUpdate.id))) == 1
    # Any other edit is left alone.
    before = len(telegram.api.calls)
    edited = carlos.typed("Texto corregido")["message"]
    await telegram.deliver({"edited_message": edited | {"edit_date": int(time.time())}})
    assert [c for c in telegram.api.calls[before:] if c.method == "sendMessage"] == []


async def test_a_group_that_becomes_a_supergroup_keeps_its_links_at_once(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    old = Chat(group.id, "group", group.title)
    new = Chat(-1009999000001, "supergroup", group.title)
    notice = lucia._message(old, None, migrate_to_chat_id=new.id)
    await telegram.deliver({"message": notice})
    async with sessions() as db:
        chats = set(await db.scalars(select(Member.chat_id).where(Member.is_group.is_(True))))
    assert chats == {new.id}
    clock.set(lima("2026-03-30 10:00"))
    await lucia.send(f"/pendientes@{BOT_USERNAME}", chat=new)  # the bot has not written in the new chat yet
    assert "3.1" in lucia.last(chat=new)
