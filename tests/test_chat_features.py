"""Help, group chats, observers, pagination, stale buttons and the error handler."""

from __future__ import annotations

from sqlalchemy import func, select

from models.entities import Institution, Member, Role
from tests.support.fakebot import BOT_USERNAME
from tests.support.scenarios import invitation_code


async def secretary(telegram, sessions, clock):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    return rosa


async def test_help_in_spanish_and_english_from_the_command_table(telegram, committee):
    visitor = telegram.person("Ana")
    await visitor.send("/ayuda")
    assert "Comandos de Acuerdos" in visitor.last() and "/nuevo — Registrar un acuerdo" in visitor.last()
    await visitor.send("/help")
    assert "Acuerdos commands" in visitor.last() and "/nuevo — Register an agreement" in visitor.last()
    menu = telegram.api.sent(method="setMyCommands")[0]
    assert [c["command"] for c in menu.params["commands"]] == ["start", "ayuda", "help"]


async def test_an_institution_links_its_group_chat(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/instituciones agregar Warmi Ñan")
    await rosa.send("/invitar Warmi Ñan")
    assert f"https://t.me/{BOT_USERNAME}?start=" in rosa.last() and "vence el 09/03/2026" in rosa.last()
    code = rosa.last().split("start=")[1].split()[0]

    group = telegram.group("CEM Moquegua")
    lucia = telegram.person("Lucía")
    await lucia.send(f"/start@{BOT_USERNAME} {code}", chat=group)
    assert "Este chat quedó registrado como punto focal de <b>Warmi Ñan</b>" in lucia.last(chat=group)
    async with sessions() as db:
        member = await db.scalar(select(Member).where(Member.role == Role.IMPLEMENTER))
    assert member.chat_id == group.id and member.is_group

    await rosa.send("/instituciones")
    assert "Warmi Ñan — 1 punto(s) focal(es)" in rosa.last()


async def test_an_observer_reads_but_does_not_write(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/invitar observador")
    code = rosa.last().split("start=")[1].split()[0]
    jorge = telegram.person("Jorge")
    await jorge.send(f"/start {code}")
    assert "observador" in jorge.last()
    await rosa.send("/instituciones agregar PNP")
    await rosa.send("/sesion ordinaria 1 25/02/2026")
    await rosa.send("/nuevo 1 | Campaña de denuncia | PNP | 30 de abril")
    await jorge.send("/acuerdos")
    assert "<b>1</b>" in jorge.last() and "30/04/2026" in jorge.last()
    await jorge.send("/plazo 1 en dos semanas")
    assert "Solo la Secretaría Técnica" in jorge.last()


async def test_agreements_are_paginated_and_filtered(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/instituciones agregar PNP, Prefectura")
    await rosa.send("/sesion ordinaria 1 25/02/2026")
    for number in range(1, 24):
        institution = "PNP" if number % 2 else "Prefectura"
        await rosa.send(f"/nuevo {number} | Acuerdo número {number} | {institution} | sin plazo")
    await rosa.send("/acuerdos")
    assert "23 en total" in rosa.last() and "Página 1 de 3" in rosa.last()
    await rosa.press("Siguiente")
    assert "Página 2 de 3" in rosa.last()
    await rosa.press("Siguiente")
    assert "Página 3 de 3" in rosa.last() and "<b>23</b>" in rosa.last() and "<b>20</b>" not in rosa.last()
    await rosa.press("Anterior")
    assert "Página 2 de 3" in rosa.last()

    await rosa.send("/acuerdos Prefectura")
    assert "· Prefectura — 11 en total" in rosa.last()
    await rosa.send("/acuerdos pendiente")
    assert "· pendiente — 23 en total" in rosa.last()
    await rosa.send("/acuerdos cumplido")
    assert "No hay acuerdos · cumplido" in rosa.last()
    await rosa.send("/acuerdos Municipalidad")
    assert "No encuentro la institución" in rosa.last()


async def test_guided_registration_with_several_sessions_and_no_deadline(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/instituciones agregar PNP")
    await rosa.send("/sesion ordinaria 1 25/02/2026")
    await rosa.send("/sesion extraordinaria 1 01/03/2026")
    await rosa.send("/nuevo")
    assert "¿De qué sesión" in rosa.last()
    await rosa.press("sesión ordinaria N° 1")
    await rosa.send("4")
    await rosa.send("Evaluar una ordenanza de ingreso libre")
    await rosa.press("Listo")
    assert telegram.api.sent(method="answerCallbackQuery")[-1].params["text"] == "Marca al menos una institución."
    await rosa.press("PNP")
    await rosa.press("Listo")
    await rosa.press("Sin plazo")
    assert "Plazo: sin plazo" in rosa.last()
    await rosa.press("Confirmar")
    assert "Registré el acuerdo <b>4</b> (sesión ordinaria N° 1 del 25/02/2026)" in rosa.last()
    # The summary's buttons were removed; an old one pressed again changes nothing.
    confirm = [c for c in telegram.api.calls if c.method == "sendMessage" and "Revisa el acuerdo" in c.text][-1]
    message = telegram.api.message(rosa.id, confirm.message_id)
    await rosa.press_data("v1:n:ok:", message)
    assert "ya no está activo" in telegram.api.sent(method="answerCallbackQuery")[-1].params["text"]


async def test_a_failure_inside_a_handler_writes_nothing_and_answers_in_spanish(telegram, sessions, clock, committee,
                                                                                 monkeypatch, caplog):
    from bot import committees

    rosa = await secretary(telegram, sessions, clock)
    original = committees.add_institution

    async def add_then_fail(db, **kwargs):
        await original(db, **kwargs)
        raise RuntimeError("database went away")

    monkeypatch.setattr(committees, "add_institution", add_then_fail)
    await rosa.send("/instituciones agregar PNP")
    assert "Algo salió mal" in rosa.last()
    assert "database went away" in caplog.text
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Institution)) == 0


async def test_the_fake_api_answers_errors_on_demand(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    telegram.api.fail("sendMessage", 403, chat_id=rosa.id)
    await rosa.send("/ayuda")
    # The reply was refused (bot blocked); the error handler tried once more and got through.
    assert [c.method for c in telegram.api.sent(rosa.id)][-2:] == ["sendMessage", "sendMessage"]
    assert "Algo salió mal" in rosa.last()
