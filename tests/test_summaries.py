"""The weekly summary of the seed acta's committee after four weeks of follow-up: its numbers, its table per
institution, the changes of the week, and the job that sends it on Mondays at 08:00 in Lima, once."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from bot import summaries, summary_plan
from bot.summary_plan import Schedule
from models.entities import Committee, Reminder
from models.semaforo import Tally
from tests.support.clock import lima
from tests.support.fakebot import Call
from tests.support.scenarios import FOUR_WEEKS, MONDAYS, invitation_code, play, register_seed_acta


async def tick(telegram) -> list[Call]:
    """One round of the outbox's job, as the JobQueue runs it every 30 seconds; returns the messages it sent."""
    before = len(telegram.api.calls)
    job = telegram.application.job_queue.get_jobs_by_name("outbox")[0]
    await job.run(telegram.application)
    return [c for c in telegram.api.calls[before:] if c.method == "sendMessage"]


async def secretary(telegram, sessions, clock):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    return rosa


async def test_the_numbers_after_four_weeks_are_exactly_right(four_weeks, sessions, clock):
    async with sessions() as db:
        summary = await summaries.build_summary(db, await db.get(Committee, four_weeks.id), clock.now())

    assert summary.today == date(2026, 3, 30)
    assert summary.since == lima("2026-03-23 08:00")  # no weekly summary went out yet: the last seven days
    assert summary.tally == Tally(green=3, yellow=1, red=3, grey=1)
    lights = {a.code: a.light.value if a.light else None for a in summary.agreements}
    assert lights == {"01": "yellow", "2.1": "red", "2.2": "green", "2.3": None, "2.4": "grey", "2.5": "green",
                      "03": "red", "04": "red", "05": "green"}
    assert (summary.done, summary.cancelled) == (1, 1)
    # 05 is due at the next session, already scheduled for 24/04.
    assert next(a for a in summary.agreements if a.code == "05").deadline == date(2026, 4, 24)

    table = [(i.name, i.open, i.overdue, i.reported, i.done,
              i.last_update.astimezone(summary.tz).date().isoformat() if i.last_update else None, i.tally.light.value)
             for i in summary.institutions]
    assert table == [
        ("Dirección Regional de Educación", 1, 1, 0, 0, None, "red"),
        ("Gobiernos Locales", 3, 0, 0, 0, "2026-03-25", "yellow"),
        ("INABIF", 1, 0, 0, 0, None, "red"),
        ("Juntas Vecinales", 1, 0, 0, 0, "2026-03-18", "green"),
        ("PNP", 1, 0, 1, 0, "2026-03-24", "yellow"),
        ("Prefectura", 0, 0, 0, 1, "2026-03-10", "green"),
        ("Región Policial", 1, 1, 0, 0, "2026-03-27", "red"),
        ("Secretaria Técnica CORESEC", 2, 0, 0, 1, "2026-03-28", "grey"),
        ("Warmi Ñan", 2, 1, 0, 0, "2026-03-04", "red"),
    ]
    assert [(c.code, c.institution, c.status.value) for c in summary.changes] == [
        ("2.1", "PNP", "reportado"), ("2.2", "Gobiernos Locales", "en_proceso"),
        ("2.3", "Gobiernos Locales", "anulado"), ("03", "Región Policial", "con_dificultades"),
        ("04", "Secretaria Técnica CORESEC", "reportado"), ("04", "Secretaria Técnica CORESEC", "cumplido"),
    ]
    assert summary.changes_total == 6
    # PNP answered the reminder about 2.1 (it reported after it); not the one about 01.
    assert [(s.institution, s.agreements) for s in summary.silent] == [
        ("Dirección Regional de Educación", (("03", 1),)), ("INABIF", (("04", 2),)), ("PNP", (("01", 1),))]
    assert [a.code for a in summary.without_deadline] == ["01", "2.4"]
    assert [(a.code, s.institution) for a, s in summary.overdue] == [
        ("2.1", "Warmi Ñan"), ("03", "Región Policial"), ("03", "Dirección Regional de Educación")]


async def test_the_weekly_summary_goes_out_on_mondays_at_eight_in_lima_and_not_twice(telegram, sessions, clock,
                                                                                       committee):
    rosa = await secretary(telegram, sessions, clock)
    await register_seed_acta(sessions, clock, committee)
    assert await tick(telegram) == []  # Monday 2 March, 09:00: too late for today; planned for next Monday

    for number, (week, monday) in enumerate(zip(FOUR_WEEKS, MONDAYS), start=1):
        await play(sessions, clock, committee, week)
        clock.set(lima(monday) - timedelta(minutes=1))
        assert await tick(telegram) == []
        if number == len(MONDAYS):
            await rosa.send("/resumen")
            on_demand = rosa.last()
        clock.set(lima(monday))
        sent = await tick(telegram)
        assert [c.chat_id for c in sent] == [rosa.id], monday
        assert await tick(telegram) == []
        clock.advance(minutes=5)
        assert await tick(telegram) == []

    weekly = sent[0].text
    assert weekly == on_demand  # /resumen gives the same summary now
    lines = weekly.split("\n")
    for expected in (
        "📊 <b>Resumen de CORESEC Moquegua</b>",
        "lunes 30/03/2026 · cambios desde el 23/03/2026 08:00",
        "🚦 <b>Semáforo</b> de 8 acuerdo(s): 🟢 Al día 3 · 🟡 En riesgo 1 · 🔴 Crítico 3 "
        "· ⚪ Sin plazo 1",
        "✅ Cumplidos: 1 de 8 · 1 anulado(s), fuera del semáforo",
        "🔴 <b>Warmi Ñan</b>: 2 abierto(s), 1 vencido(s), 0 reportado(s), 0 cumplido(s) · último avance: 04/03/2026",
        "🟡 <b>PNP</b>: 1 abierto(s), 0 vencido(s), 1 reportado(s), 0 cumplido(s) · último avance: 24/03/2026",
        "🔴 <b>INABIF</b>: 1 abierto(s), 0 vencido(s), 0 reportado(s), 0 cumplido(s) · último avance: ninguno",
        "🔄 <b>Cambios desde el 23/03/2026 08:00</b> (6)",
        "• 24/03 10:00 <b>2.1</b> · PNP: reportado 100% — «Oficio N° 210-2026-REGPOL» (Carlos)",
        "• 26/03 09:00 <b>2.3</b> · Gobiernos Locales: anulado — «Se acordó dejarlo sin efecto» (Rosa)",
        "• 28/03 09:00 <b>04</b> · Secretaria Técnica CORESEC: cumplido 100% (Rosa)",
        "• <b>INABIF</b>: 04 (2 sin respuesta)",
        "⚪ <b>Acuerdos sin plazo</b> (2): 01, 2.4",
    ):
        assert expected in lines, expected
    assert sum("abierto(s)" in line for line in lines) == 9  # one line per institution

    async with sessions() as db:
        rows = (await db.scalars(select(Reminder).where(Reminder.kind == "summary").order_by(Reminder.due_at))).all()
    assert [r.due_at for r in rows if r.sent_at] == [lima(m) for m in MONDAYS]
    assert [r.due_at for r in rows if not r.sent_at] == [lima("2026-04-06 08:00")]


async def test_a_summary_missed_while_the_bot_was_down_is_sent_once(telegram, sessions, clock, committee,
                                                                     monkeypatch):
    monkeypatch.setattr(summary_plan, "BATCH", 1)  # each committee rendered alone
    rosa = await secretary(telegram, sessions, clock)
    group = telegram.group("CORESEC Moquegua")
    async with sessions.begin() as db:
        stored = await db.get(Committee, committee.id)
        stored.group_chat_id, stored.settings = group.id, {"summary": {"to_group": True}}
    await register_seed_acta(sessions, clock, committee)
    await tick(telegram)

    clock.set(lima("2026-03-09 08:00"))
    assert sorted(c.chat_id for c in await tick(telegram)) == sorted([rosa.id, group.id])

    # Down from Saturday 14 to Wednesday 25 March: the summaries of the 16th and the 23rd were missed.
    clock.set(lima("2026-03-25 10:00"))
    sent = await tick(telegram)
    assert sorted(c.chat_id for c in sent) == sorted([rosa.id, group.id])
    assert "cambios desde el 09/03/2026 08:00" in sent[0].text
    assert await tick(telegram) == []

    # On Monday the group has blocked the bot: Rosa still gets hers, and the group's is not retried.
    clock.set(lima("2026-03-30 08:00"))
    telegram.api.fail("sendMessage", 403, chat_id=group.id)
    assert sorted(c.chat_id for c in await tick(telegram)) == sorted([rosa.id, group.id])
    assert await tick(telegram) == []

    # Telegram asks to slow down: nothing leaves for the pause (1/100 of it in tests), then both go, once each.
    clock.set(lima("2026-04-06 08:00"))
    telegram.api.fail("sendMessage", 429, retry_after=30)
    tried = await tick(telegram)
    assert len(tried) == 3 and sum(c.message_id is None for c in tried) == 1
    assert sorted(c.chat_id for c in tried if c.message_id) == sorted([rosa.id, group.id])
    assert await tick(telegram) == []
    delivered = [c for c in telegram.api.sent(rosa.id, "sendMessage") if c.message_id]
    assert len(delivered) == 1 + 4  # the /start answer, then one summary a week (9, 25, 30 March, 6 April)


async def test_a_summary_that_failed_is_tried_again_later(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await register_seed_acta(sessions, clock, committee)
    await tick(telegram)
    clock.set(lima("2026-03-09 08:00"))
    telegram.api.fail("sendMessage", 502)
    assert len(await tick(telegram)) == 1  # refused by Telegram
    assert await tick(telegram) == []
    clock.advance(minutes=5)
    assert [c.chat_id for c in await tick(telegram)] == [rosa.id]
    assert await tick(telegram) == []


async def test_the_committee_chooses_the_day_and_hour(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await register_seed_acta(sessions, clock, committee)
    await tick(telegram)
    async with sessions.begin() as db:
        (await db.get(Committee, committee.id)).settings = {"summary": {"weekday": 4, "hour": 17}}
    await tick(telegram)  # the Monday row is replaced by a Friday one

    clock.set(lima("2026-03-06 16:59"))
    assert await tick(telegram) == []
    clock.set(lima("2026-03-06 17:00"))
    assert [c.chat_id for c in await tick(telegram)] == [rosa.id]
    clock.set(lima("2026-03-09 08:00"))
    assert await tick(telegram) == []


def test_the_next_summary_is_strictly_after_the_given_moment():
    monday = Schedule()
    assert monday.next_after(lima("2026-03-09 07:59"), "America/Lima") == lima("2026-03-09 08:00")
    assert monday.next_after(lima("2026-03-09 08:00"), "America/Lima") == lima("2026-03-16 08:00")
    assert monday.next_after(lima("2026-03-11 23:00"), "America/Lima") == lima("2026-03-16 08:00")
    friday = Schedule.of({"summary": {"weekday": "4", "hour": 17}})
    assert friday.next_after(datetime(2026, 3, 9, tzinfo=timezone.utc), "America/Lima") == lima("2026-03-13 17:00")
    assert Schedule.of(None) == Schedule(weekday=0, hour=8, to_group=False)
    assert Schedule.of({"summary": {"weekday": "lunes", "hour": 25, "to_group": "sí"}}) == Schedule()


async def test_a_committee_without_agreements_gets_no_weekly_summary(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await tick(telegram)
    clock.set(lima("2026-03-09 08:00"))
    assert await tick(telegram) == []
    await rosa.send("/resumen")
    assert rosa.last() == "📊 <b>CORESEC Moquegua</b> aún no tiene acuerdos registrados."
