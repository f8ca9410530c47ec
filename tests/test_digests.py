"""A focal point's attention: digests instead of bursts, hand-over, absences, and following an agreement."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.outbox import store
from bot.outbox.dispatcher import RENDER_ROWS, Dispatcher
from bot.outbox.pacing import Pacer
from bot.reminders.planner import plan_due
from models.entities import (
    ANSWERABLE_KINDS,
    Member,
    MessageKind,
    Reminder,
    ReminderCard,
    Status,
)
from tests.support.clock import lima
from tests.support.fakebot import BOT_USERNAME
from tests.support.progress import status_of, updates
from tests.support.reminders import many_reminders
from tests.support.scenarios import invitation_code


async def focal_point_with(telegram, sessions, clock, count: int, deadline: str = "09/03/2026"):
    """On Monday 2 March at 09:00, Rosa registers `count` agreements for the PNP (1.1, 1.2, …), all due on
    `deadline` (a D−7 due this morning by default), and Carlos links as the PNP's focal point."""
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar PNP, Warmi Ñan")
    await rosa.send("/sesion ordinaria 1 25/02/2026")
    for number in range(1, count + 1):
        await rosa.send(f"/nuevo 1.{number} | La PNP hará la tarea número {number} | PNP | {deadline}")
    await rosa.send("/invitar PNP")
    carlos = telegram.person("Carlos")
    await carlos.send(f"/start {rosa.last().split('start=')[1].split()[0]}")
    return rosa, carlos


async def reminders(sessions) -> list[Reminder]:
    async with sessions() as db:
        return list((await db.scalars(select(Reminder).where(Reminder.kind.in_(ANSWERABLE_KINDS))
                                      .order_by(Reminder.id))).all())


def sent_to(telegram, person) -> list:
    return [c for c in telegram.api.delivered(person.chat.id) if c.method == "sendMessage"]


async def test_three_due_are_three_messages_each_naming_its_committee(telegram, sessions, clock, committee, rounds):
    rosa, carlos = await focal_point_with(telegram, sessions, clock, 3)
    before = len(sent_to(telegram, carlos))
    await rounds.run()
    messages = sent_to(telegram, carlos)[before:]
    assert len(messages) == 3
    assert all(m.text.split("\n")[0].endswith("— CORESEC Moquegua") for m in messages)
    assert len({r.message_id for r in await reminders(sessions)}) == 3


async def test_seven_due_are_one_digest_and_each_row_is_recorded_sent(telegram, sessions, clock, committee, rounds):
    rosa, carlos = await focal_point_with(telegram, sessions, clock, 7)
    before = len(sent_to(telegram, carlos))
    await rounds.run()
    messages = sent_to(telegram, carlos)[before:]
    assert len(messages) == 1
    digest = messages[0]
    assert digest.text.split("\n")[0] == "🔔 <b>Tienes 7 acuerdos por atender</b> — CORESEC Moquegua"
    assert "🟡 <b>1.4</b> · PNP · 📅 09/03/2026 (faltan 7 días)" in digest.text
    assert "🏛 <b>CORESEC Moquegua</b>" in digest.text
    assert [text for text, _ in digest.buttons] == [f"1.{n} · PNP" for n in range(1, 8)]
    rows = await reminders(sessions)
    assert len(rows) == 7 and {r.message_id for r in rows} == {digest.message_id}
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows)
    # The next round has nothing more for Carlos: every row was sent, and the next steps are planned per row.
    await rounds.run()
    assert len(sent_to(telegram, carlos)) == before + 1


async def test_a_card_and_its_buttons_and_replies_record_the_right_responsibility(telegram, sessions, clock,
                                                                                 committee, rounds):
    rosa, carlos = await focal_point_with(telegram, sessions, clock, 5)
    await rounds.run()
    await carlos.press("1.3 · PNP")
    card = sent_to(telegram, carlos)[-1]
    assert card.text.split("\n")[0] == "🔔 <b>Recordatorio de acuerdo</b> — CORESEC Moquegua"
    assert "<b>1.3</b>" in card.text and "tarea número 3" in card.text
    assert [text for text, _ in card.buttons][:3] == ["✅ Cumplido", "⏳ En proceso", "⚠️ Con dificultades"]
    await carlos.press("⏳ En proceso")
    await carlos.send("Coordinamos con la comisaría")
    assert "Anotado: <b>1.3</b> (PNP)" in carlos.last()
    rows = {r.id: r for r in await reminders(sessions)}
    first = (await updates(sessions))[-1]
    assert first.reminder_id in rows and "tarea número 3" not in first.note
    # A reply to the card answers that item's reminder.
    await carlos.send("40% Ya tenemos la lista", reply_to=telegram.api.message(carlos.chat.id, card.message_id))
    assert "Anotado: <b>1.3</b> (PNP) — en proceso · 40%" in carlos.last()
    async with sessions() as db:
        card_row = await db.scalar(select(ReminderCard))
    assert (await updates(sessions))[-1].reminder_id == card_row.reminder_id == first.reminder_id
    # A reply to the digest itself asks which item, with buttons.
    digest = next(c for c in sent_to(telegram, carlos) if c.text.startswith("🔔 <b>Tienes"))
    await carlos.send("Oficio N° 12-2026 enviado", reply_to=telegram.api.message(carlos.chat.id, digest.message_id))
    assert "¿A cuál acuerdo se refiere" in carlos.last()
    await carlos.press("1.5 · PNP")
    assert "Anotado: <b>1.5</b> (PNP)" in carlos.last()
    assert await status_of(sessions, "1.5", "PNP") == Status.EN_PROCESO
    assert (await updates(sessions))[-1].note == "Oficio N° 12-2026 enviado"


async def test_a_long_digest_turns_pages_in_the_same_message(telegram, sessions, clock, committee, rounds):
    rosa, carlos = await focal_point_with(telegram, sessions, clock, 11)
    before = len(sent_to(telegram, carlos))
    await rounds.run()
    assert len(sent_to(telegram, carlos)) == before + 1
    digest = sent_to(telegram, carlos)[-1]
    assert "Tienes 11 acuerdos" in digest.text and "Página 1 de 2" in digest.text
    assert [text for text, _ in digest.buttons][-1] == "Siguiente ▶️" and len(digest.buttons) == 9
    calls = await carlos.press("Siguiente ▶️")
    assert [c.method for c in calls].count("answerCallbackQuery") == 1
    edited = telegram.api.message(carlos.chat.id, digest.message_id)
    assert "Página 2 de 2" in edited["text"] and "1.9" in edited["text"] and "1.1 ·" not in edited["text"]
    assert len(sent_to(telegram, carlos)) == before + 1  # no new message


async def test_a_digest_button_of_another_chat_changes_nothing(telegram, sessions, clock, committee, rounds):
    rosa, carlos = await focal_point_with(telegram, sessions, clock, 4)
    await rounds.run()
    digest = sent_to(telegram, carlos)[-1]
    data = digest.buttons[0][1]
    await rosa.press_data(data, telegram.api.message(carlos.chat.id, digest.message_id), chat=rosa.chat)
    answered = [c for c in telegram.api.calls if c.method == "answerCallbackQuery"][-1]
    assert "no es de tu institución" in answered.params.get("text", "")
    async with sessions() as db:
        assert await db.scalar(select(ReminderCard)) is None


async def test_a_hand_over_moves_the_pending_items_and_tells_the_secretary(telegram, sessions, clock, committee,
                                                                           rounds):
    rosa, carlos = await focal_point_with(telegram, sessions, clock, 2, deadline="30/04/2026")
    await rounds.run()
    pending = [r for r in await reminders(sessions) if r.sent_at is None and r.cancelled_at is None]
    assert pending and {r.chat_id for r in pending} == {carlos.chat.id}
    group = telegram.group("PNP Moquegua")
    await carlos.send(f"/relevo@{BOT_USERNAME}", chat=group)
    assert "Un grupo no necesita relevo" in carlos.last(chat=group)
    await carlos.send("/relevo")
    assert "Enlace de relevo" in carlos.last()
    code = carlos.last().split("start=")[1].split()[0]
    ana = telegram.person("Ana")
    await ana.send(f"/start {code}")
    assert "punto focal de <b>PNP</b>" in ana.last()
    moved = [r for r in await reminders(sessions) if r.sent_at is None and r.cancelled_at is None]
    assert {r.id for r in moved} == {r.id for r in pending} and {r.chat_id for r in moved} == {ana.chat.id}
    async with sessions() as db:
        old = await db.scalar(select(Member).where(Member.user_id == carlos.id))
    assert not old.active and old.inactive_reason.startswith("relevo")
    await carlos.send("/pendientes")
    assert "no es punto focal" in carlos.last()
    clock.advance(minutes=2)
    await rounds.run()
    assert "Ana recibió el relevo de Carlos como punto focal" in rosa.last()
    await telegram.person("Eva").send(f"/start {code}")
    assert "ya fue usada" in telegram.api.sent()[-1].text


async def test_an_absence_redirects_the_reminders_and_they_come_back(telegram, sessions, clock, committee, rounds):
    rosa, carlos = await focal_point_with(telegram, sessions, clock, 1, deadline="16/03/2026")
    await carlos.send("/ausente hasta ayer")
    assert "Uso:" in carlos.last() and "/ausente hasta 15/01" in carlos.last()
    await carlos.send("/ausente hasta 01/01/2026")
    assert "ya pasó" in carlos.last()
    await carlos.send("/ausente hasta 30/12")
    assert "máximo 90 días" in carlos.last()
    await carlos.send("/ausente hasta 10/03")
    assert "no te enviaré recordatorios hasta el 10/03/2026" in carlos.last() and "Nadie más" in carlos.last()
    clock.advance(minutes=2)
    await rounds.run()
    assert "Carlos estará ausente hasta el 10/03/2026 y nadie más recibe" in rosa.last()
    # A colleague joins: while Carlos is away, the D−7 of Monday 9 March goes to her only.
    await rosa.send("/invitar PNP")
    ana = telegram.person("Ana")
    await ana.send(f"/start {rosa.last().split('start=')[1].split()[0]}")
    before = len(sent_to(telegram, carlos))
    await rounds.travel(lima("2026-03-09 10:00"))
    assert len(sent_to(telegram, carlos)) == before
    assert "<b>1.1</b>" in ana.last()
    # On Wednesday 11 he is back: the D−2 of Friday 13 reaches both.
    await rounds.travel(lima("2026-03-12 10:00"))
    assert "<b>1.1</b>" in carlos.last() and len(sent_to(telegram, carlos)) == before + 1
    await carlos.send("/ausente fin")
    assert "vuelves a recibir" in carlos.last()


async def test_a_follower_gets_one_batched_notice(telegram, sessions, clock, committee, rounds):
    rosa, carlos = await focal_point_with(telegram, sessions, clock, 2, deadline="30/04/2026")
    await rosa.send("/seguir")
    assert "Uso: <code>/seguir 2.1</code>" in rosa.last()
    await rosa.send("/seguir 9.9")
    assert "No encuentro el acuerdo <b>9.9</b>" in rosa.last()
    await rosa.send("/seguir 1.1")
    assert "Sigues el acuerdo <b>1.1</b> de CORESEC Moquegua" in rosa.last()
    await carlos.send("/seguir 1.1")
    assert "⛔" in carlos.last()
    await carlos.send("/avance 1.1 20% Primera reunión")
    await carlos.send("/avance 1.1 30% Segunda reunión")
    await carlos.send("/avance 1.2 10% Otra cosa")
    before = len(sent_to(telegram, rosa))
    clock.advance(minutes=2)
    await rounds.run()
    notices = [c for c in sent_to(telegram, rosa)[before:] if c.text.startswith("👁")]
    assert len(notices) == 1
    assert notices[0].text.split("\n")[0] == "👁 <b>Novedades de los acuerdos que sigues</b> — CORESEC Moquegua"
    assert "Primera reunión" in notices[0].text and "Segunda reunión" in notices[0].text
    assert "Otra cosa" not in notices[0].text
    await rosa.send("/dejar 1.1")
    assert "Dejaste de seguir" in rosa.last()
    await carlos.send("/avance 1.1 40% Tercera")
    clock.advance(minutes=2)
    await rounds.run()
    async with sessions() as db:
        assert len((await db.scalars(select(Reminder).where(Reminder.kind == MessageKind.FOLLOWING))).all()) == 1


async def test_a_digest_that_does_not_go_gives_its_rows_back_at_once(telegram, sessions, clock, committee):
    # Seven reminders due to one chat, claimed as one digest. Its row is answered (moved later) before the request:
    # nothing is attempted, and the six it stood for go back to the pool now, not when the claim runs out. In the
    # other case the digest goes and one of the six, moved later meanwhile, goes back alone.
    await focal_point_with(telegram, sessions, clock, 7)
    await plan_due(sessions, clock.now(), everything=True)
    now = clock.now()
    rows = [r.id for r in await reminders(sessions) if r.due_at <= now and r.sent_at is None]
    assert len(rows) == 7
    lead, others = rows[0], tuple(rows[1:])

    async def claim_and_move(moved: int) -> None:
        async with sessions.begin() as db:
            await db.execute(update(Reminder).where(Reminder.id.in_(rows))
                             .values(claimed_by="w", claimed_until=now + timedelta(minutes=10)))
            await db.execute(update(Reminder).where(Reminder.id == moved).values(due_at=now + timedelta(days=2)))

    await claim_and_move(lead)
    marked = await store.mark_attempts(sessions, [lead], worker="w", now=now, lease=timedelta(minutes=2),
                                       companions={lead: others})
    assert marked == {}
    by_id = {r.id: r for r in await reminders(sessions)}
    assert all(by_id[row].claimed_by is None and by_id[row].sent_at is None for row in others)

    async with sessions.begin() as db:
        await db.execute(update(Reminder).where(Reminder.id == lead).values(due_at=now))
    await claim_and_move(others[0])
    marked = await store.mark_attempts(sessions, [lead], worker="w", now=now, lease=timedelta(minutes=2),
                                       companions={lead: others})
    assert set(marked) == {lead}
    by_id = {r.id: r for r in await reminders(sessions)}
    assert by_id[others[0]].claimed_by is None and by_id[others[0]].sent_at is None
    assert all(by_id[row].sent_at == now for row in others[1:])


async def test_many_chats_digests_are_replanned_and_rendered_in_parts_a_chats_rows_together(sessions, clock,
                                                                                             committee):
    # 150 chats with two reminders each and one with five parts' worth: parts of about RENDER_ROWS rows, each its
    # own transaction, the big chat's rows (its digest) never split.
    big = RENDER_ROWS * 5
    chats = [50_000 + n for n in range(150) for _ in range(2)] + [60_000] * big
    await many_reminders(sessions, clock, committee.id, chats)
    await plan_due(sessions, clock.now(), everything=True)
    async with sessions() as db:
        rows = dict((await db.execute(select(Reminder.id, Reminder.chat_id))).all())
    dispatcher = Dispatcher(sessions, None, clock, Pacer(), "w")
    parts = await dispatcher._parts(sorted(rows))
    assert sorted(row for part in parts for row in part) == sorted(rows)
    assert sorted(sum(1 for row in part if rows[row] == 60_000) for part in parts)[-1] == big
    assert all(len(part) <= RENDER_ROWS for part in parts if all(rows[row] != 60_000 for row in part))
    assert len(parts) >= 300 // RENDER_ROWS
