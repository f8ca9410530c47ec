"""The one outbox: every kind of message goes through the same dispatcher, and no bad row stops a round."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

from bot.cli import main
from bot.outbox.kinds import POLICIES
from bot.outbox.store import SET_ASIDE
from models.entities import (
    Agreement,
    Assignment,
    Committee,
    CommitteeKind,
    Institution,
    Member,
    MessageKind,
    Reminder,
    Role,
    Session,
    SessionKind,
)
from tests.support.clock import lima
from tests.support.scenarios import followed_agreement


async def _rows(sessions) -> list[Reminder]:
    async with sessions() as db:
        return list((await db.scalars(select(Reminder).order_by(Reminder.id))).all())


async def _secretary(sessions, chat_id: int) -> Member:
    async with sessions() as db:
        return await db.scalar(select(Member).where(Member.chat_id == chat_id, Member.role == Role.SECRETARY))


def test_every_kind_has_a_policy():
    assert set(POLICIES) == set(MessageKind)
    # Institutions' reminders and the secretaries' alerts about them wait for working hours; a notice of a report
    # (nor its followers') and the summary at the hour the committee chose do not.
    assert {kind for kind, policy in POLICIES.items() if not policy.working_hours} == {
        MessageKind.NOTICE, MessageKind.FOLLOWING, MessageKind.SUMMARY}


async def test_one_poisoned_row_of_each_kind_is_set_aside_and_the_others_go(telegram, sessions, clock, committee,
                                                                              rounds, database_url, monkeypatch,
                                                                              capsys):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    # On Friday the PNP reports difficulties: a notice for Rosa, a minute later.
    await carlos.send("/pendientes")
    await carlos.press("⚠️ 3.1")
    await carlos.send("Falta el oficio de la comisaría")
    clock.set(lima("2026-03-30 10:00"))  # Monday: the D-7 reminders of 3.1 are due
    secretary = await _secretary(sessions, rosa.id)
    now = clock.now()
    async with sessions.begin() as db:
        pnp = await db.scalar(select(Assignment.id).join(Institution).where(Institution.name == "PNP"))

        def row(kind: MessageKind, chat_id: int = rosa.id, committee_id: int = committee.id, **fields) -> Reminder:
            values = dict(member_id=secretary.id, payload={}) | fields
            return Reminder(committee_id=committee_id, chat_id=chat_id, kind=kind, due_at=now, attempts=0,
                            created_at=now, **values)

        # The good ones, to Rosa: an escalation, a delivery problem and her weekly summary.
        db.add_all([
            row(MessageKind.ESCALATION, payload={"assignments": [pnp]}),
            row(MessageKind.DELIVERY, payload={"problems": [{"problem": "blocked", "institution": "PNP",
                                                             "contact": "Carlos", "alone": False}]}),
            row(MessageKind.SUMMARY, payload={"weekday": 0, "hour": 8}),
        ])
        # One poisoned row of each kind, each to a chat of its own.
        broken = Committee(name="CODISEC Sin Zona", kind=CommitteeKind.CODISEC, timezone="Marte/Olimpo", settings={},
                           created_at=now)
        db.add(broken)
        await db.flush()
        db.add(Member(committee_id=broken.id, role=Role.SECRETARY, chat_id=9_000, user_id=9_000, display_name="Eva",
                      created_at=now))
        poisoned = [row(kind, chat_id=9_001 + index, assignment_id=None)
                    for index, kind in enumerate((MessageKind.BEFORE_DEADLINE, MessageKind.ON_DEADLINE,
                                                  MessageKind.OVERDUE, MessageKind.NO_DEADLINE))]
        poisoned += [
            row(MessageKind.ESCALATION, chat_id=9_005, payload={"assignments": None}),
            row(MessageKind.DELIVERY, chat_id=9_006, payload={"problems": [{"problem": "failed"}]}),
            row(MessageKind.NOTICE, chat_id=9_007, payload={"updates": None}),
            row(MessageKind.SUMMARY, chat_id=9_000, committee_id=broken.id, member_id=None,
                payload={"weekday": 0, "hour": 8}),
        ]
        db.add_all(poisoned)

    result = await rounds.run()

    assert result.set_aside == 8
    rows = await _rows(sessions)
    bad = {r.id: r for r in rows if r.chat_id >= 9_000}
    assert len(bad) == 8
    for r in bad.values():
        assert r.cancelled_at is not None and r.message_id is None and r.error.startswith(SET_ASIDE), r.kind
    # Every other row due went out, of every kind.
    sent = {(r.chat_id, r.kind) for r in rows if r.message_id is not None}
    assert {(carlos.id, MessageKind.BEFORE_DEADLINE), (group.id, MessageKind.BEFORE_DEADLINE),
            (rosa.id, MessageKind.NOTICE), (rosa.id, MessageKind.ESCALATION), (rosa.id, MessageKind.DELIVERY),
            (rosa.id, MessageKind.SUMMARY)} <= sent
    texts = [call.text for call in telegram.api.sent(rosa.id, "sendMessage") if call.message_id]
    assert any(text.startswith("📊 <b>Resumen de CORESEC Moquegua</b>") for text in texts)
    assert any("Falta el oficio de la comisaría" in text for text in texts)
    assert not telegram.api.sent(9_001) and not telegram.api.sent(9_000)
    # Set aside means done with: the next round does not try them again.
    assert (await rounds.run()).set_aside == 0

    # The operator sees them, with their errors.
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["outbox"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:len(MessageKind)]}
    assert set(lines) == set(MessageKind) - {MessageKind.FOLLOWING}  # nobody follows an agreement here
    assert lines["summary"][5] == "1" and lines["summary"][3] == "1"  # one set aside, one sent
    assert out.count("set aside: ") == 8 and "ZoneInfoNotFoundError" in out and "KeyError" in out
    assert await asyncio.to_thread(main, ["outbox", "--committee", "CODISEC Sin Zona", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("set aside: ") == 1 and "CODISEC Sin Zona" in out


async def test_an_assignment_that_cannot_be_planned_does_not_stop_the_others(telegram, sessions, clock, committee,
                                                                             rounds, caplog, monkeypatch):
    from bot.reminders import planner

    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    async with sessions.begin() as db:
        session = await db.scalar(select(Session).where(Session.kind == SessionKind.ORDINARIA))
        pnp = await db.scalar(select(Institution).where(Institution.name == "PNP"))
        db.add(Agreement(committee_id=committee.id, session_id=session.id, code="3.2", text="Otro acuerdo",
                         deadline=date(2026, 4, 9), created_at=clock.now(),
                         assignments=[Assignment(institution_id=pnp.id, created_at=clock.now())]))
    # Planning 3.2 fails (as the calendar's end made it fail before deadlines had a range).
    cadence = planner.next_reminder

    def failing(facts, *args):
        if facts.deadline == date(2026, 4, 9):
            raise OverflowError("date value out of range")
        return cadence(facts, *args)

    monkeypatch.setattr(planner, "next_reminder", failing)
    await rounds.travel(lima("2026-03-30 10:00"))
    reminders = [c.text for c in telegram.api.sent(carlos.id, "sendMessage") if "Recordatorio" in c.text]
    assert len(reminders) == 1 and "<b>3.1</b>" in reminders[0]
    assert any("Recordatorio" in c.text for c in telegram.api.sent(group.id, "sendMessage"))
    assert any("could not be planned" in r.message and r.exc_info[0] is OverflowError for r in caplog.records)
