"""Rules at their edges: a mistyped code, one reminder to several contacts, the secretary's decisions in the
week's changes, ↩️ Observar from the notice (its reason kept whole), a choice that was not offered, a one-line
agreement too long."""

import pytest
from sqlalchemy import select

from bot.progress import Author, record_update
from models import queries, rollup
from models.entities import Assignment, Member, Reminder, Status
from models.lifecycle import Action
from models.rules import code_variants
from tests.support.clock import lima
from tests.support.progress import committee_with_agreement, run_notices, status_of, updates
from tests.support.scenarios import followed_agreement


def test_something_that_is_not_a_code_has_no_spellings():
    assert code_variants("abc") == set() and code_variants("2.1:") == set()
    assert code_variants("2.1.") == code_variants("02.01")


async def test_a_mistyped_code_is_answered_not_crashed(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/avance abc 60% texto")
    assert "No tienes un acuerdo pendiente" in carlos.last()
    await rosa.send("/acuerdo 2.1:")
    assert "No encuentro el acuerdo <b>2.1:</b>" in rosa.last()
    await rosa.send("/verificar xyz PNP")
    assert "No encuentro el acuerdo <b>xyz</b>" in rosa.last()


async def test_one_reminder_to_two_contacts_counts_once(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    async with sessions.begin() as db:
        assignment = (await db.scalars(select(Assignment))).first()
        due = lima("2026-03-30 09:00")
        for chat in (carlos.id, group.id):  # one step of the cadence, to each of the institution's contacts
            db.add(Reminder(committee_id=committee.id, assignment_id=assignment.id,
                            chat_id=chat, kind="before_deadline", due_at=due, sent_at=due, created_at=due))
    async with sessions() as db:
        assert await queries.unanswered_reminders(db, [assignment.id]) == {assignment.id: 1}


async def test_a_verification_is_a_change_of_the_week(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    async with sessions.begin() as db:
        assignment = (await db.scalars(select(Assignment))).first()
        await record_update(db, assignment_id=assignment.id, action=Action.REPORT_DONE, author=Author(1, "Carlos"),
                            now=lima("2026-03-27 12:00"), note="Oficio N° 12-2026")
    async with sessions.begin() as db:
        await record_update(db, assignment_id=assignment.id, action=Action.VERIFY, author=Author(2, "Rosa"),
                            now=lima("2026-04-06 12:00"))
    async with sessions() as db:
        changes = await rollup.changes(db, [committee.id], since=lima("2026-04-03 00:00"),
                                       until=lima("2026-04-10 00:00"), limit=10)
    assert [row.status.value for row in changes] == ["cumplido"]


async def observar_pressed(telegram, sessions, clock):
    """Warmi Ñan reports 2.1 done with an oficio, and Rosa presses ↩️ Observar on the notice."""
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await lucia.send("/pendientes")
    await lucia.press("✅ 2.1")
    await lucia.send("Oficio N° 12-2026-CEM")
    await run_notices(telegram, sessions, clock)
    await rosa.press("Observar")
    return rosa, carlos, lucia


async def test_observing_with_the_notice_button_tells_the_institution(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await observar_pressed(telegram, sessions, clock)
    await rosa.send("El oficio no adjunta el informe psicológico")
    assert "<b>2.1</b> · Warmi Ñan queda <b>observado</b>" in rosa.last()
    assert "observó el reporte del acuerdo <b>2.1</b>: El oficio no adjunta el informe psicológico" in lucia.last()
    assert await status_of(sessions, "2.1", "Warmi Ñan") == Status.OBSERVADO


async def test_an_observation_reason_is_kept_whole(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await observar_pressed(telegram, sessions, clock)
    await rosa.send("50% de los casos sin informe psicológico")
    assert "observó el reporte del acuerdo <b>2.1</b>: 50% de los casos sin informe psicológico" in lucia.last()


async def test_an_observation_reason_from_someone_no_longer_secretary_is_refused(telegram, sessions, clock,
                                                                                committee):
    rosa, carlos, lucia = await observar_pressed(telegram, sessions, clock)
    async with sessions.begin() as db:  # the operator removes Rosa before she answers
        for member in (await db.scalars(select(Member).where(Member.user_id == rosa.id))).all():
            member.active = False
    await rosa.send("gracias")
    assert "Solo la Secretaría Técnica" in rosa.last()
    assert await status_of(sessions, "2.1", "Warmi Ñan") == Status.REPORTADO


async def test_a_choice_that_was_not_offered_changes_nothing(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await rosa.send("/invitar Warmi Ñan")
    await carlos.send(f"/start {rosa.last().split('start=')[1].split()[0]}")  # Carlos also speaks for Warmi Ñan
    await carlos.send("/avance 3 40% Se pidió la lista")
    await carlos.send("/avance 2.1 40% Se pidió el informe")
    offered = telegram.api.messages_with_buttons(carlos.chat.id)[0]
    button = offered["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assignment_3 = [u.assignment_id for u in await updates(sessions)][0]
    forged = button.rsplit(":", 1)[0] + f":{assignment_3}"  # his own, but not what he was asked about
    before = len(await updates(sessions))
    await carlos.press_data(forged, offered)
    assert len(await updates(sessions)) == before


async def test_a_one_line_agreement_too_long_says_so(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await rosa.send("/nuevo 4 | " + "Texto largo " * 300 + "| PNP | 30 de abril")
    assert "demasiado largo" in rosa.last()


async def test_a_notice_telegram_refused_for_now_goes_later(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    await carlos.press("⚠️ 2.1")
    await carlos.send("Falta presupuesto para la movilidad")
    # A 429: the outbox waits as long as Telegram asked (1/100 of it here), then the notice goes, once.
    telegram.api.fail("sendMessage", 429, chat_id=rosa.chat.id, retry_after=30)
    before = len(telegram.api.delivered(rosa.chat.id))
    assert await run_notices(telegram, sessions, clock) == 1
    assert len(telegram.api.delivered(rosa.chat.id)) == before + 1 and "PNP tiene <b>dificultades</b>" in rosa.last()

    await lucia.send("/pendientes")
    await lucia.press("⚠️ 2.1")
    await lucia.send("Sin movilidad esta semana")
    telegram.api.fail("sendMessage", 502, chat_id=rosa.chat.id)
    assert await run_notices(telegram, sessions, clock) == 0  # tried again two minutes later
    telegram.api.fail("sendMessage", 502, chat_id=rosa.chat.id)
    assert await run_notices(telegram, sessions, clock) == 0
    clock.advance(minutes=1)
    assert await run_notices(telegram, sessions, clock) == 1
    assert len(telegram.api.delivered(rosa.chat.id)) == before + 2
    assert "Warmi Ñan tiene <b>dificultades</b>" in rosa.last()
    assert await run_notices(telegram, sessions, clock) == 0


async def test_pendientes_judges_a_next_session_deadline_by_that_session(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await rosa.send("/nuevo 4 | La PNP presentará su plan de patrullaje | PNP | la siguiente sesión")
    assert "Registré el acuerdo <b>4</b>" in rosa.last()
    await rosa.send("/sesion ordinaria 2 20/03/2026")
    clock.set(lima("2026-03-23 10:00"))
    await carlos.send("/pendientes")
    line = next(part for part in carlos.last().split("\n\n") if "<b>4</b>" in part)
    assert line.startswith("🔴")


async def test_a_committee_name_matches_whatever_its_case_and_accents(sessions, clock):
    from bot.committees import Refused, add_committee
    from models.entities import CommitteeKind

    async with sessions.begin() as db:
        await add_committee(db, name="CODISEC Ñuñoa", kind=CommitteeKind.CODISEC, parent=None,
                            timezone="America/Lima", now=clock.now())
    async with sessions() as db:
        assert (await queries.committee_by_name(db, "codisec ñuÑoa")).name == "CODISEC Ñuñoa"
        with pytest.raises(Refused):
            await add_committee(db, name="CODISEC  ÑUÑOA", kind=CommitteeKind.CODISEC, parent=None,
                                timezone="America/Lima", now=clock.now())
