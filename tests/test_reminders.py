"""Reminders as the institutions and the secretary live them: two weeks of injected time, buttons, escalation."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from models.entities import Assignment, AuditEntry, Reminder, Status
from tests.support.clock import lima
from tests.support.reminders import sent_rows
from tests.support.scenarios import followed_agreement

LIMA = ZoneInfo("America/Lima")


def when(row: Reminder) -> str:
    return row.sent_at.astimezone(LIMA).strftime("%a %d/%m %H:%M")


async def test_two_weeks_of_one_agreement_with_two_institutions(telegram, sessions, clock, committee, rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)

    await rounds.travel(lima("2026-04-08 11:00"))
    # Warmi Ñan answers on Wednesday: its overdue reminders start again from there. The PNP stays silent.
    await lucia.send("/avance 3.1 30% Se coordinó con la comisaría", chat=group)
    await rounds.travel(lima("2026-04-14 12:00"))

    rows = await sent_rows(sessions)
    by_chat = {chat: [(when(r), r.kind) for r in rows if r.chat_id == chat] for chat in (carlos.id, group.id)}
    assert by_chat[carlos.id] == [
        ("Mon 30/03 08:00", "before_deadline"),
        # Saturday is D-2; Friday and Thursday are Viernes and Jueves Santo: Wednesday.
        ("Wed 01/04 08:00", "before_deadline"),
        ("Mon 06/04 08:00", "on_deadline"),
        ("Thu 09/04 08:00", "overdue"),
        ("Mon 13/04 08:00", "overdue"),
    ]
    assert by_chat[group.id] == [
        ("Mon 30/03 08:00", "before_deadline"),
        ("Wed 01/04 08:00", "before_deadline"),
        ("Mon 06/04 08:00", "on_deadline"),
        ("Mon 13/04 08:00", "overdue"),
    ]
    # Every message Telegram took is on its row, so that a reply to it finds the assignment.
    for row in rows:
        assert row.message_id is not None and telegram.api.message(row.chat_id, row.message_id)

    first = telegram.api.sent(carlos.id, "sendMessage")[-5]
    assert first.text.startswith("🔔 <b>Recordatorio de acuerdo</b> — CORESEC Moquegua")
    assert "<b>3.1</b> (sesión ordinaria N° 3 del 20/03/2026)" in first.text
    assert "informes psicológicos &lt;urgente&gt;" in first.text and "🏛 Responsable: PNP" in first.text
    assert "📅 Plazo: 06/04/2026 (faltan 7 días)" in first.text
    assert [text for text, _ in first.buttons] == ["✅ Cumplido", "⏳ En proceso", "⚠️ Con dificultades",
                                                   "🕒 Recordar en 3 días"]
    reminder_id = rows[0].id if rows[0].chat_id == carlos.id else rows[1].id
    assignment_id = next(r.assignment_id for r in rows if r.chat_id == carlos.id)
    assert [data for _, data in first.buttons] == [f"v1:r:{a}:{assignment_id}:{reminder_id}" for a in "cpds"]
    overdue = telegram.api.sent(carlos.id, "sendMessage")[-1].text
    assert overdue.startswith("⏰ <b>Acuerdo vencido</b>") and "(vencido hace 7 días)" in overdue

    # After its second unanswered overdue reminder, the secretary hears about the PNP once (not Warmi Ñan).
    alerts = [c.text for c in telegram.api.sent(rosa.id, "sendMessage")
              if "sin respuesta" in c.text and not c.text.startswith("📊")]  # the weekly summaries say it too
    assert len(alerts) == 1
    assert "<b>3.1</b> · PNP" in alerts[0] and "2 recordatorio(s) sin respuesta" in alerts[0]
    assert "Warmi Ñan" not in alerts[0]


async def test_recordar_en_3_dias_moves_the_next_reminder(telegram, sessions, clock, committee, rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock, deadline="30/04/2026")
    clock.set(lima("2026-04-22 10:00"))
    await rounds.travel(lima("2026-04-23 10:15"))
    assert "faltan 7 días" in carlos.last()

    await carlos.press("Recordar en 3 días")
    answer = telegram.api.sent(method="answerCallbackQuery")[-1]
    # Three days on is Sunday: the reminder comes when the committee is back at work.
    assert answer.params["text"] == "🕒 Listo: volveré a recordarlo el lunes 27/04 a las 08:00."
    edited = telegram.api.sent(carlos.id, "editMessageReplyMarkup")[-1]
    assert "🕒 Lo recordaré el lunes 27/04 a las 08:00" in [text for text, _ in edited.buttons]
    async with sessions() as db:
        audit = await db.scalar(select(AuditEntry).where(AuditEntry.action == "reminder_snoozed"))
    assert audit.actor == f"telegram:{carlos.id}" and audit.details["until"].startswith("2026-04-27T13:00")

    # Monday's is the snoozed one; the D-2 reminder (Tuesday 28) still comes; Warmi Ñan's week is unchanged.
    await rounds.travel(lima("2026-04-28 12:00"))
    rows = await sent_rows(sessions)
    assert [when(r) for r in rows if r.chat_id == carlos.id] == ["Thu 23/04 08:00", "Mon 27/04 08:00",
                                                                  "Tue 28/04 08:00"]
    assert [when(r) for r in rows if r.chat_id == group.id] == ["Thu 23/04 08:00", "Tue 28/04 08:00"]

    # Lucía cannot snooze the PNP's reminder (with its button's data forged on her group's reminder), and
    # nobody can snooze a closed agreement.
    pnp_data = telegram.api.messages_with_buttons(carlos.id)[0]["reply_markup"]["inline_keyboard"][1][1]
    await lucia.press_data(pnp_data["callback_data"], telegram.api.messages_with_buttons(group.id)[0], chat=group)
    assert telegram.api.sent(method="answerCallbackQuery")[-1].params["text"].startswith("⛔")
    async with sessions.begin() as db:
        for assignment in (await db.scalars(select(Assignment))).all():
            assignment.status = Status.CUMPLIDO
    await carlos.press("Recordar en 3 días")
    assert telegram.api.sent(method="answerCallbackQuery")[-1].params["text"] == \
        "ℹ️ Este acuerdo ya está cumplido: no hace falta recordarlo."


async def test_a_deadline_day_reminder_sent_late_says_it_is_overdue(telegram, sessions, clock, committee, rounds):
    # 3.1 falls due on Monday 30 March; the bot is down until Tuesday morning, before the first overdue step.
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock, deadline="30/03/2026")
    clock.set(lima("2026-03-31 08:30"))
    await rounds.run()

    text = telegram.api.sent(carlos.id, "sendMessage")[-1].text
    assert text.startswith("⏰ <b>Acuerdo vencido</b>") and "Hoy vence" not in text
    assert "(vencido hace 1 día)" in text
    rows = [r for r in await sent_rows(sessions) if r.chat_id == carlos.id]
    assert [r.kind for r in rows] == ["overdue"]  # and the escalation counts it as one
