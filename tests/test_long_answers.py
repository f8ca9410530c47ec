"""Answers that grow with the data: more than three messages become one short message and a file with the whole,
and every answer keeps Telegram's one message a second per chat (a 429 waits and goes again)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.reminders.planner import plan_due
from models.entities import Agreement, Role
from tests.support.actas import LONG_HEADER, acta_text
from tests.support.reminders import REMINDER_SCALE, many_reminders
from tests.support.scenarios import invitation_code

# Every 429 the fake API answers makes PTB warn about RetryAfter.retry_after's future type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def secretary(telegram, sessions, clock):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    return rosa


async def agreements_registered(sessions) -> int:
    async with sessions() as db:
        return await db.scalar(select(func.count()).select_from(Agreement))


def big_acta(agreements: int) -> str:
    """An acta of `agreements` agreements 1.1 … 60.10, each for the PNP and Warmi Ñan, half without a deadline."""
    rows = [f"{n // 10 + 1}.{n % 10 + 1}\tProblema {n}.\tAcuerdo número {n} {'hasta el 30 de abril' if n % 2 else ''}."
            f"\tPNP, Warmi Ñan\tPrefectura" for n in range(agreements)]
    return "\n".join(["PRIMERA SESIÓN ORDINARIA", "Fecha: 25/02/2026", LONG_HEADER, *rows])


def messages(calls) -> list:
    return [call for call in calls if call.method == "sendMessage"]


async def test_a_600_agreement_preview_is_one_message_with_confirmar_and_a_file(telegram, sessions, clock, committee):
    telegram.api.limit_floods(REMINDER_SCALE)
    rosa = await secretary(telegram, sessions, clock)

    await rosa.send("/importar")
    calls = await rosa.send_document("acta-grande.txt", big_acta(600).encode())

    [short] = messages(calls)
    assert "Por registrar: <b>600 acuerdos</b> con <b>1200 responsabilidades</b>" in short.text
    assert "El detalle completo va en el archivo <b>vista-previa-acta.txt</b>" in short.text
    assert "¿Registro el acta así?" in short.text and len(short.text) < 1500
    assert [text for text, _ in short.buttons] == ["✅ Confirmar", "✖️ Cancelar"]
    [(name, content)] = telegram.api.documents(rosa.id)
    whole = content.decode("utf-8")
    assert name == "vista-previa-acta.txt" and "<b>" not in whole and "&lt;" not in whole
    assert "Por registrar: 600 acuerdos con 1200 responsabilidades" in whole
    assert "60.10 Acuerdo número 599" in whole  # the last one too
    assert "⚠️ <b>Revisa antes de confirmar</b>: 300 sin plazo" in short.text

    await rosa.press("Confirmar")
    assert "Registré 600 acuerdos y 1200 responsabilidades" in rosa.last()
    assert await agreements_registered(sessions) == 600
    assert telegram.api.too_many == 0 and texts.ERROR not in rosa.said()


async def test_a_long_preview_that_cannot_be_confirmed_names_its_first_problems(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    repeated = "\n".join(f"{n:02d}\tProblema.\tOtro acuerdo con el mismo número.\tPNP\tPrefectura" for n in range(1, 9))

    await rosa.send("/importar")
    calls = await rosa.send_document("acta-con-errores.txt", (acta_text(200) + "\n" + repeated).encode())

    [short] = messages(calls)
    assert "❌ <b>Así no puedo registrarla</b> (8 problema(s))" in short.text
    assert "• … y 3 más (en el archivo)" in short.text and not short.buttons
    [(_, content)] = telegram.api.documents(rosa.id)
    assert content.decode().count("08") >= 1 and "Así no puedo registrarla" in content.decode()
    assert await agreements_registered(sessions) == 0


async def test_a_long_pendientes_is_a_message_with_the_nearest_and_a_file(telegram, sessions, clock, committee):
    telegram.api.limit_floods(REMINDER_SCALE)
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/importar")
    await rosa.send_document("acta.txt", acta_text(100).encode())
    await rosa.press("Confirmar")
    carlos = telegram.person("Carlos")
    await carlos.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua', Role.IMPLEMENTER, 'PNP')}")

    calls = await carlos.send("/pendientes")

    [short] = messages(calls)
    assert "📌 <b>Pendientes de PNP</b> (100)" in short.text
    assert "Los 10 más próximos a vencer:" in short.text
    assert "El detalle completo va en el archivo <b>pendientes-PNP.txt</b>" in short.text
    assert len(short.buttons) == 30  # ✅ ⏳ ⚠️ for each of the ten shown
    [(name, content)] = telegram.api.documents(carlos.id)
    assert name == "pendientes-PNP.txt" and content.decode().count("📅") == 100
    assert telegram.api.too_many == 0


async def test_a_short_list_is_still_a_message(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/instituciones agregar PNP, Warmi Ñan")

    calls = await rosa.send("/instituciones")

    assert "🏛 <b>Instituciones de CORESEC Moquegua</b> (2)" in messages(calls)[0].text
    assert telegram.api.documents(rosa.id) == []


async def test_long_members_and_institutions_lists_go_as_files(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    names = ", ".join(f"Municipalidad Distrital de Centro Poblado Número {n}" for n in range(300))
    [added] = messages(await rosa.send(f"/instituciones agregar {names}, PNP, ..."))
    assert "agregué 301 institución(es); 0 ya estaba(n) registrada(s); 1 no era(n)" in added.text

    institutions = messages(await rosa.send("/instituciones"))
    members = messages(await rosa.send("/miembros"))

    assert len(institutions) == 1 and "sin punto focal: 301" in institutions[0].text
    assert len(members) == 1 and "Instituciones sin punto focal: 301" in members[0].text
    files = dict(telegram.api.documents(rosa.id))
    assert set(files) == {"instituciones-agregadas-CORESEC-Moquegua.txt", "instituciones-CORESEC-Moquegua.txt",
                          "miembros-CORESEC-Moquegua.txt"}
    assert files["miembros-CORESEC-Moquegua.txt"].decode().count("sin punto focal") == 301


async def test_a_429_on_an_answer_waits_and_sends_it_again(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    telegram.api.fail("sendMessage", 429, chat_id=rosa.id, retry_after=1)

    calls = await rosa.send("/miembros")

    assert [c.message_id is not None for c in messages(calls)] == [False, True]
    assert "👥 <b>Miembros de CORESEC Moquegua</b>" in rosa.last() and texts.ERROR not in rosa.said()


async def test_answers_to_one_chat_keep_one_message_a_second(telegram, sessions, clock, committee):
    telegram.api.limit_floods(REMINDER_SCALE)
    rosa = await secretary(telegram, sessions, clock)

    for _ in range(5):  # each answer right after the one before
        await rosa.send("/instituciones")
        await rosa.send("/ayuda")

    assert telegram.api.too_many == 0 and telegram.api.most_in_window(1, rosa.id) == 1


async def test_answers_and_reminders_to_the_same_chat_keep_one_message_a_second(telegram, sessions, clock, committee,
                                                                               rounds):
    telegram.api.limit_floods(REMINDER_SCALE)
    carlos = telegram.person("Carlos")
    await many_reminders(sessions, clock, committee.id, [carlos.id] * 3)  # three: more would be one digest
    await plan_due(sessions, clock.now(), everything=True)

    await asyncio.gather(rounds.run(), *(carlos.send("/ayuda") for _ in range(3)))

    assert len(telegram.api.delivered(carlos.id)) == 6 and telegram.api.too_many == 0
    assert telegram.api.most_in_window(1, carlos.id) == 1
