"""What the bot waits for: a question belongs to its chat and person, expires, is stored only once delivered,
is re-checked against the link that allowed it, and survives a restart."""

from __future__ import annotations

from sqlalchemy import func, select

from models.entities import Agreement, Member, Status, Waiting
from tests.support.actas import seed_text
from tests.support.bots import running_bot, same_person
from tests.support.fakebot import BOT_USERNAME
from tests.support.progress import committee_with_agreement, run_notices, status_of, updates
from tests.support.scenarios import invitation_code


async def observar_pressed(telegram, sessions, clock):
    """Warmi Ñan reports 2.1 done with an oficio, and Rosa presses ↩️ Observar on the notice."""
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await lucia.send("/pendientes")
    await lucia.press("✅ 2.1")
    await lucia.send("Oficio N° 12-2026-CEM")
    await run_notices(telegram, sessions, clock)
    await rosa.press("Observar")
    assert "escribe el motivo" in rosa.last()
    return rosa, carlos, lucia


async def waiting_rows(sessions) -> int:
    async with sessions() as db:
        return await db.scalar(select(func.count()).select_from(Waiting))


async def test_gracias_three_days_after_observar_is_not_the_reason(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await observar_pressed(telegram, sessions, clock)
    told = len(lucia.said())
    clock.advance(days=3)
    await rosa.send("gracias")
    assert "La pregunta venció" in rosa.last() and "No anoté nada" not in rosa.last()
    assert "↩️ Observar en la notificación" in rosa.last() and "<code>/observar 2.1 Warmi Ñan" in rosa.last()
    assert await status_of(sessions, "2.1", "Warmi Ñan") == Status.REPORTADO
    assert len(lucia.said()) == told  # the institution was not told anything
    await rosa.send("de nada")  # said once: the question is gone
    assert "venció" not in rosa.last() and await waiting_rows(sessions) == 0


async def test_gracias_three_days_after_progress_or_difficulty_is_not_taken(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    await carlos.press("⏳ 3")
    clock.advance(days=3)
    await carlos.send("gracias")
    assert "La pregunta venció" in carlos.last() and "<code>/avance 3 60%" in carlos.last()

    await carlos.send("/pendientes")
    await carlos.press("⚠️ 2.1")
    clock.advance(days=3)
    await carlos.send("gracias")
    assert "La pregunta venció" in carlos.last() and "⚠️ 2.1 en /pendientes" in carlos.last()
    assert await updates(sessions) == []
    assert await status_of(sessions, "2.1", "PNP") == Status.PENDIENTE
    assert await run_notices(telegram, sessions, clock) == 0  # the secretaries are not told of a difficulty
    assert "dificultades" not in rosa.last()


async def test_a_question_is_answered_within_thirty_minutes(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    await carlos.press("⚠️ 2.1")
    clock.advance(minutes=29)
    await carlos.send("Falta presupuesto para la movilidad")
    assert "con dificultades" in carlos.last()
    assert [u.note for u in await updates(sessions)] == ["Falta presupuesto para la movilidad"]
    assert await waiting_rows(sessions) == 0  # answered in the same transaction


async def test_another_person_in_the_same_group_does_not_answer(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    group = telegram.group("PNP Moquegua")
    await rosa.send("/invitar PNP")
    await carlos.send(f"/start@{BOT_USERNAME} {rosa.last().split('start=')[1].split()[0]}", chat=group)
    ana = telegram.person("Ana")
    await carlos.send("/pendientes", chat=group)
    await carlos.press("⏳ 3", chat=group)
    await ana.answer("Buenos días a todos", chat=group)  # a reply to the question asked of Carlos
    assert await updates(sessions) == []
    await carlos.answer("Se pidió la lista a la DREMO", chat=group)
    assert [u.note for u in await updates(sessions)] == ["Se pidió la lista a la DREMO"]
    assert "Anotado: <b>3</b> (PNP)" in carlos.last(chat=group)


async def test_the_same_person_in_another_chat_does_not_answer(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await observar_pressed(telegram, sessions, clock)
    other = telegram.group("Comité de vecinos")
    await rosa.send("Nos vemos el lunes", chat=other)
    assert await status_of(sessions, "2.1", "Warmi Ñan") == Status.REPORTADO
    await rosa.send("El oficio no adjunta el informe psicológico")
    assert "<b>2.1</b> · Warmi Ñan queda <b>observado</b>" in rosa.last()


async def test_a_question_that_failed_to_send_waits_for_nothing(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    telegram.api.fail("sendMessage", 502, chat_id=carlos.id)
    await carlos.press("⏳ 3")
    assert not any("¿algún comentario" in call.text for call in telegram.api.delivered(carlos.id))
    assert await waiting_rows(sessions) == 0
    await carlos.send("gracias")
    assert await updates(sessions) == []
    assert "No esperaba un mensaje" in carlos.last()


async def test_a_focal_point_deactivated_after_the_question_is_refused(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    await carlos.press("⚠️ 3")
    async with sessions.begin() as db:  # Carlos leaves the PNP before he answers
        for member in (await db.scalars(select(Member).where(Member.user_id == carlos.id))).all():
            member.active = False
    await carlos.send("No llega la respuesta de la UGEL")
    assert "ya no tiene el vínculo con <b>CORESEC Moquegua</b>" in carlos.last()
    assert await updates(sessions) == [] and await status_of(sessions, "3", "PNP") == Status.PENDIENTE
    assert await waiting_rows(sessions) == 0


async def test_nuevo_and_a_note_go_on_after_a_restart(api, sessions, clock, committee):
    async with running_bot(api, sessions, clock) as telegram:
        rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
        await rosa.send("/nuevo")
        await rosa.send("4")
        assert "texto del acuerdo" in rosa.last()
        await carlos.send("/pendientes")
        await carlos.press("⏳ 3")
    async with running_bot(api, sessions, clock) as telegram:
        rosa, carlos = same_person(rosa, telegram), same_person(carlos, telegram)
        await carlos.send("Se pidió la lista a la DREMO")
        assert "Anotado: <b>3</b> (PNP)" in carlos.last()
        await rosa.send("La PNP presentará su plan de patrullaje")
        await rosa.press("PNP")
        await rosa.press("Listo")
        await rosa.send("30 de abril")
        assert "Revisa el acuerdo" in rosa.last() and "30/04/2026" in rosa.last()
        await rosa.press("Confirmar")
        assert "Registré el acuerdo <b>4</b>" in rosa.last()
    assert [u.note for u in await updates(sessions)] == ["Se pidió la lista a la DREMO"]


async def test_an_import_goes_on_after_a_restart(api, sessions, clock, committee):
    headless = seed_text().split("Fecha: 25/02/2026")[1].strip()
    async with running_bot(api, sessions, clock) as telegram:
        rosa = telegram.person("Rosa")
        await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
        await rosa.send("/importar")
        await rosa.send_document("acta-sin-encabezado.txt", headless.encode())
        assert "El acta no dice de qué sesión es" in rosa.last()
    async with running_bot(api, sessions, clock) as telegram:
        rosa = same_person(rosa, telegram)
        # The file is read again from Telegram, its deadlines counted from that session's date.
        preview = "\n".join(c.text for c in await rosa.send("ordinaria 1 25/02/2026") if c.method == "sendMessage")
        assert "Por registrar: <b>9 acuerdos</b> con <b>16 responsabilidades</b>" in preview
    async with running_bot(api, sessions, clock) as telegram:
        rosa = same_person(rosa, telegram)
        await rosa.press("Confirmar")
        assert "Registré 9 acuerdos y 16 responsabilidades" in rosa.last()
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Agreement)) == 9
        due = await db.scalar(select(Agreement.deadline).where(Agreement.code == "2.5"))
    assert due.isoformat() == "2026-02-26"
