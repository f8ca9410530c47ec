"""The operation that changes what reminders depend on plans them again itself, in its own transaction: no round
of the reminders job runs in these tests."""

import re
from datetime import date

from sqlalchemy import select

from bot import agreements, decisions
from bot.progress import Author, record_update
from bot.reminders import replan_assignment
from bot.reminders.planner import replan_reminders
from models import queries
from models.entities import Reminder
from models.lifecycle import Action
from tests.support.clock import lima
from tests.support.scenarios import followed_agreement


async def pending_due(sessions, chat_id: int) -> list:
    async with sessions() as db:
        return [r.due_at for r in (await db.scalars(select(Reminder).where(
            Reminder.chat_id == chat_id, Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
            Reminder.assignment_id.is_not(None)))).all()]


async def test_a_focal_point_who_joins_has_its_next_reminder_at_once(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    # Deadline Monday 6 April: D−7 is Monday 30 March at the opening hour.
    assert await pending_due(sessions, carlos.chat.id) == [lima("2026-03-30 08:00")]
    assert await pending_due(sessions, group.id) == [lima("2026-03-30 08:00")]


async def test_a_new_deadline_moves_the_reminders_in_its_transaction(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    async with sessions.begin() as db:
        agreement = await queries.find_agreement(db, committee.id, "3.1")
        await agreements.set_deadline(db, agreement=agreement, now=clock.now(), actor="test",
                                      deadline=agreements.read_deadline("30/04/2026", agreement.session.held_on))
    # D−7 of Thursday 30 April is Thursday 23 April.
    assert await pending_due(sessions, carlos.chat.id) == [lima("2026-04-23 08:00")]


async def test_a_verification_ends_the_reminders_and_an_observation_brings_them_back(telegram, sessions, clock,
                                                                                     committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    async with sessions.begin() as db:
        agreement = await queries.find_agreement(db, committee.id, "3.1")
        pnp = next(a for a in agreement.assignments if a.institution.name == "PNP")
        await record_update(db, assignment_id=pnp.id, action=Action.REPORT_DONE, author=Author(1, "Carlos"),
                            now=clock.now(), note="Oficio N° 12-2026")
    async with sessions.begin() as db:  # what the next round does after a report: reportado is not reminded
        await replan_assignment(db, pnp.id, clock.now())
    assert await pending_due(sessions, carlos.chat.id) == []
    async with sessions.begin() as db:
        await decisions.record_decision(db, assignment_id=pnp.id, action=Action.OBSERVE, author=Author(2, "Rosa"),
                                        now=clock.now(), reason="Falta el informe")
    assert await pending_due(sessions, carlos.chat.id) == [lima("2026-03-30 08:00")]
    async with sessions.begin() as db:
        await record_update(db, assignment_id=pnp.id, action=Action.REPORT_DONE, author=Author(1, "Carlos"),
                            now=clock.now(), note="Oficio N° 13-2026 con el informe")
    async with sessions.begin() as db:
        await decisions.record_decision(db, assignment_id=pnp.id, action=Action.VERIFY, author=Author(2, "Rosa"),
                                        now=clock.now())
    assert await pending_due(sessions, carlos.chat.id) == []
    assert await pending_due(sessions, group.id) == [lima("2026-03-30 08:00")]  # Warmi Ñan still owes its part


async def test_a_row_about_to_go_is_planned_again_with_its_own_contact_only(telegram, sessions, clock, committee):
    """The outbox's render plans the rows it is about to send: their contacts, not every contact of the assignment
    (another contact's row is planned when it goes, so a render's transaction stays as small as what it sends)."""
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await rosa.send("/invitar PNP")
    ana = telegram.person("Ana")  # the PNP's second focal point: the same assignment as Carlos
    await ana.send(f"/start {re.search(r'start=([A-Za-z0-9_-]+)', rosa.last()).group(1)}")
    assert await pending_due(sessions, ana.chat.id) == [lima("2026-03-30 08:00")]
    async with sessions.begin() as db:
        agreement = await queries.find_agreement(db, committee.id, "3.1")
        agreement.deadline = date(2026, 4, 30)  # changed behind the planner's back: the rows still say 30 March

    async def about_to_go(chat_id: int) -> None:
        """What the outbox's render does with the chat's pending row just before sending it."""
        async with sessions() as db:
            row = await db.scalar(select(Reminder.id).where(Reminder.chat_id == chat_id, Reminder.sent_at.is_(None)))
        async with sessions.begin() as db:
            await replan_reminders(db, [row], clock.now())

    await about_to_go(carlos.chat.id)
    assert await pending_due(sessions, carlos.chat.id) == [lima("2026-04-23 08:00")]
    assert await pending_due(sessions, ana.chat.id) == [lima("2026-03-30 08:00")]  # not this render's row
    await about_to_go(ana.chat.id)
    assert await pending_due(sessions, ana.chat.id) == [lima("2026-04-23 08:00")]
    assert await pending_due(sessions, carlos.chat.id) == [lima("2026-04-23 08:00")]
