"""An institution's group chat, as real Telegram delivers it: the bot is in privacy mode there, so it gets only
commands addressed to it, replies to its own messages and service messages. Every question the bot asks in a group
is sent with ForceReply, selective to the person asked, and is answered by replying to it."""

from __future__ import annotations

from sqlalchemy import func, select

from models.entities import Agreement, Status, Waiting
from tests.support.actas import seed_text
from tests.support.clock import lima
from tests.support.dialogue import Person
from tests.support.fakebot import BOT_USERNAME, Call
from tests.support.progress import status_of, updates
from tests.support.scenarios import followed_agreement


async def waiting_rows(sessions) -> int:
    async with sessions() as db:
        return await db.scalar(select(func.count()).select_from(Waiting))


def sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage"]


def mentions(call: Call, person: Person) -> bool:
    return f'<a href="tg://user?id={person.id}">{person.first_name}</a>' in call.text


async def test_a_note_after_hourglass_in_a_group_is_taken_as_a_reply(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await lucia.send("/pendientes", chat=group)
    listed = telegram.api.messages_with_buttons(group.id)[0]

    question, prompt = sent(await lucia.press("⏳ 3.1", chat=group))
    # The question keeps its «Sin comentario» button; the typed part is asked in a second message, with ForceReply
    # for Lucía alone (named in it), both threaded under the message whose button she pressed.
    assert "¿algún comentario sobre el avance?" in question.text and question.buttons
    assert question.reply_to == listed["message_id"] and question.force_reply is None
    assert prompt.force_reply == {"force_reply": True, "selective": True, "input_field_placeholder": "Tu respuesta"}
    assert mentions(prompt, lucia) and "<b>responde a este mensaje</b>" in prompt.text
    assert prompt.reply_to == listed["message_id"]

    # A plain message never reaches a bot in privacy mode: nothing is recorded and the question still waits.
    assert await lucia.send("Se coordinó con la comisaría", chat=group) == []
    assert telegram.api.not_delivered[-1]["message"]["text"] == "Se coordinó con la comisaría"
    assert await updates(sessions) == [] and await waiting_rows(sessions) == 1

    answered = sent(await lucia.answer("Se coordinó con la comisaría", chat=group))
    assert [u.note for u in await updates(sessions)] == ["Se coordinó con la comisaría"]
    assert "✅ Anotado: <b>3.1</b> (Warmi Ñan)" in answered[-1].text and await waiting_rows(sessions) == 0


async def test_a_difficulty_and_the_evidence_in_a_group_are_replies_to_their_question(telegram, sessions, clock,
                                                                                       committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await lucia.send("/pendientes", chat=group)
    [question] = sent(await lucia.press("⚠️ 3.1", chat=group))
    # No buttons: the question itself carries ForceReply, and says how to answer it.
    assert "¿qué dificultad tienes?" in question.text and "<b>responde a este mensaje</b>" in question.text
    assert question.force_reply["selective"] and mentions(question, lucia)
    await lucia.answer("Falta presupuesto para la movilidad", chat=group)
    assert await status_of(sessions, "3.1", "Warmi Ñan") == Status.CON_DIFICULTADES

    await lucia.send(f"/pendientes@{BOT_USERNAME}", chat=group)
    await lucia.press("✅ 3.1", chat=group)
    assert "envía la <b>evidencia</b>" in lucia.question(group)["text"]
    await lucia.send_document("oficio.pdf", b"%PDF-1.4 oficio", chat=group, reply_to=lucia.question(group))
    assert "Reportado como cumplido: <b>3.1</b> (Warmi Ñan)" in lucia.last(chat=group)
    assert await status_of(sessions, "3.1", "Warmi Ñan") == Status.REPORTADO


async def test_an_answer_the_bot_cannot_take_asks_again_to_be_replied_to(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await lucia.send("/pendientes", chat=group)
    await lucia.press("✅ 3.1", chat=group)
    [refused] = sent(await lucia.answer("ya está", chat=group))
    assert "necesito un archivo o un número de oficio" in refused.text
    assert refused.force_reply and mentions(refused, lucia)  # the question still waits: reply again
    await lucia.answer("Oficio N° 12-2026-CEM", chat=group)
    assert await status_of(sessions, "3.1", "Warmi Ñan") == Status.REPORTADO


async def test_a_reminder_in_a_group_is_answered_by_replying_to_it(telegram, sessions, clock, committee, rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await rounds.travel(lima("2026-03-30 09:00"))
    reminder = telegram.api.messages_with_buttons(group.id)[0]
    assert "responde a este mensaje con el avance" in reminder["text"]

    assert await lucia.send("40% se coordinó con la DREMO", chat=group) == []  # not a reply: never delivered
    await lucia.send("40% se coordinó con la DREMO", chat=group, reply_to=reminder)
    assert "✅ Anotado: <b>3.1</b> (Warmi Ñan) — en proceso · 40%." in lucia.last(chat=group)
    assert [(u.percent, u.note) for u in await updates(sessions)] == [(40, "se coordinó con la DREMO")]
    await carlos.send("Hola a todos", chat=group)  # a person wrote last; a command addressed to the bot still arrives
    await lucia.send(f"/avance@{BOT_USERNAME} 3.1 60% Se remitió el oficio", chat=group)
    assert "— en proceso · 60%." in lucia.last(chat=group)


async def test_a_group_whose_bot_is_an_administrator_reads_plain_answers(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    telegram.api.reads_all.add(group.id)  # made administrator: Telegram gives it every message
    await lucia.send("/pendientes", chat=group)
    await lucia.press("⚠️ 3.1", chat=group)
    await lucia.send("Falta presupuesto para la movilidad", chat=group)
    assert await status_of(sessions, "3.1", "Warmi Ñan") == Status.CON_DIFICULTADES


async def test_in_a_private_chat_questions_stay_plain(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    [question] = sent(await carlos.press("⚠️ 3.1"))
    assert question.force_reply is None and question.reply_to is None and "responde a este mensaje" not in question.text
    await carlos.send("Falta presupuesto")
    assert await status_of(sessions, "3.1", "PNP") == Status.CON_DIFICULTADES


async def test_nuevo_started_in_a_group_is_finished_by_replies(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    committee_group = telegram.group("CORESEC Moquegua")  # the bot has not written there: the command names it
    command = rosa.typed(f"/nuevo@{BOT_USERNAME}", chat=committee_group)
    [question] = sent(await telegram.deliver(command))
    assert "¿Cuál es su <b>código</b>?" in question.text and question.force_reply["selective"]
    assert question.reply_to == command["message"]["message_id"]  # selective reaches the one who asked

    assert await rosa.send("4.1", chat=committee_group) == []  # plain: never delivered
    [refused] = sent(await rosa.answer("cuatro", chat=committee_group))
    assert "no es un código de acuerdo" in refused.text and refused.force_reply
    await rosa.answer("4.1", chat=committee_group)
    assert "Escribe el <b>texto del acuerdo</b> 4.1" in rosa.question(committee_group)["text"]
    await rosa.answer("La PNP patrullará el parque central", chat=committee_group)
    await rosa.press("PNP", chat=committee_group)
    deadline, prompt = sent(await rosa.press("Listo", chat=committee_group))
    assert "¿Cuál es el <b>plazo</b>?" in deadline.text and deadline.buttons and prompt.force_reply
    await rosa.answer("30 de abril", chat=committee_group)
    assert "Plazo: 30/04/2026" in rosa.last(chat=committee_group)
    await rosa.press("Confirmar", chat=committee_group)
    assert "Registré el acuerdo <b>4.1</b>" in rosa.last(chat=committee_group)
    async with sessions() as db:
        assert await db.scalar(select(Agreement.text).where(Agreement.code == "4.1")) \
            == "La PNP patrullará el parque central"


async def test_importar_started_in_a_group_is_finished_by_replies(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    committee_group = telegram.group("CORESEC Moquegua")
    await rosa.send(f"/importar@{BOT_USERNAME}", chat=committee_group)
    assert "Envíame el <b>acta</b>" in rosa.question(committee_group)["text"]
    headless = seed_text().split("Fecha: 25/02/2026")[1].strip()
    await rosa.send_document("acta.txt", headless.encode(), chat=committee_group,
                             reply_to=rosa.question(committee_group))
    assert "El acta no dice de qué sesión es" in rosa.question(committee_group)["text"]
    await rosa.answer("ordinaria 1 25/02/2026", chat=committee_group)
    assert "¿Registro el acta así?" in rosa.last(chat=committee_group)
    await rosa.press("Confirmar", chat=committee_group)
    assert "✅ Registré 9 acuerdos" in rosa.last(chat=committee_group)


async def test_the_fake_bot_api_keeps_a_group_private_as_telegram_does(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    ana = telegram.person("Ana")
    # The bot wrote last (its welcome): a general command reaches it.
    assert sent(await lucia.send("/pendientes", chat=group))
    await ana.send("Buenos días", chat=group)  # a person wrote last: the next general command does not
    assert await lucia.send("/pendientes", chat=group) == []
    assert await lucia.send("/pendientes@OtroBot", chat=group) == []
    assert sent(await lucia.send(f"/pendientes@{BOT_USERNAME}", chat=group))
    assert [u["message"]["text"] for u in telegram.api.not_delivered] == ["Buenos días", "/pendientes",
                                                                          "/pendientes@OtroBot"]
