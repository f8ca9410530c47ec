"""Reminders in tests: rounds of the reminder job run by hand at the injected clock's time, and many at once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from models.entities import Role, SessionKind, Status
from tests.support.clock import LIMA, FakeClock
from tests.support.dialogue import Telegram

REMINDER_SCALE = 0.01  # Telegram's windows last 1/100 of real time where the test is not about pacing


class Rounds:
    """The reminder job of the running bot, one round at a time."""

    def __init__(self, telegram: Telegram, clock: FakeClock):
        self.telegram = telegram
        self.clock = clock

    async def run(self):
        from bot.outbox.jobs import run_round

        return await run_round(self.telegram.application)

    async def travel(self, until: datetime, every: timedelta = timedelta(hours=2)) -> None:
        """Move the clock to `until` with a round at each multiple of `every` since midnight in Lima (at 08:00
        with the default), and one at `until`: the job runs every 30 seconds, but nothing happens in between."""
        while self.clock.now() < until:
            now = self.clock.now().astimezone(LIMA)
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            following = midnight + every * ((now - midnight) // every + 1)
            self.clock.set(min(following.astimezone(timezone.utc), until))
            await self.run()


def one_message_per_row() -> dict:
    """The outbox's policies without digests: each reminder row goes as its own message."""
    from dataclasses import replace

    from bot.outbox.kinds import POLICIES

    return {kind: replace(policy, digest_after=None) for kind, policy in POLICIES.items()}


async def many_reminders(sessions, clock, committee_id: int, chats: list[int]) -> None:
    """An open assignment due today for each entry of `chats` (a chat listed k times gets k reminders): an
    institution per chat with its contact there, and one agreement per assignment."""
    from models.entities import Agreement, Assignment, Institution, Member, Session

    today = clock.now().astimezone(LIMA).date()
    async with sessions.begin() as db:
        session = Session(committee_id=committee_id, kind=SessionKind.ORDINARIA, number=99, held_on=today,
                          created_at=clock.now())
        db.add(session)
        institutions = {chat: Institution(committee_id=committee_id, name=f"Institución {chat}", key=f"i{chat}",
                                          created_at=clock.now()) for chat in dict.fromkeys(chats)}
        db.add_all(institutions.values())
        await db.flush()
        institutions = {chat: institution.id for chat, institution in institutions.items()}
        db.add_all(Member(committee_id=committee_id, role=Role.IMPLEMENTER, institution_id=institution, chat_id=chat,
                          user_id=abs(chat), is_group=chat < 0, display_name=f"Contacto {chat}", active=True,
                          created_at=clock.now()) for chat, institution in institutions.items())
        for number, chat in enumerate(chats):
            db.add(Agreement(committee_id=committee_id, session=session, code=f"{number // 100 + 1}.{number % 100 + 1}",
                             text=f"Acuerdo número {number + 1}", deadline=today, created_at=clock.now(),
                             assignments=[Assignment(institution_id=institutions[chat], status=Status.PENDIENTE,
                                                     percent=0, created_at=clock.now())]))


async def sent_rows(sessions):
    """Every institution's reminder that went out, in order (not the secretaries' messages)."""
    from sqlalchemy import select

    from models.entities import ANSWERABLE_KINDS, Reminder

    async with sessions() as db:
        return list((await db.scalars(select(Reminder).where(Reminder.sent_at.is_not(None),
                                                             Reminder.kind.in_(ANSWERABLE_KINDS))
                                      .order_by(Reminder.sent_at, Reminder.chat_id))).all())
