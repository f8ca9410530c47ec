"""A committee whose institutions report progress in chat, and what the tests read back from it."""

from __future__ import annotations

from sqlalchemy import func, select

from models.entities import MessageKind, Reminder, Status, StatusUpdate
from tests.support.scenarios import invitation_code


async def committee_with_agreement(telegram, sessions, clock):
    """Rosa (secretary) registers 2.1 for PNP and Warmi Ñan, and 3 for PNP; Carlos and Lucía are their focal points."""
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar PNP, Warmi Ñan")
    await rosa.send("/sesion ordinaria 1 25/02/2026")
    await rosa.send("/nuevo 2.1 | Coadyuvar esfuerzos para fortalecer la solicitud de informes psicológicos | "
                    "Warmi Ñan, PNP | en dos semanas")
    await rosa.send("/nuevo 3 | La PNP solicitará la lista de desertores del año 2025 | PNP | 30 de abril")
    people = {}
    for institution, name in (("PNP", "Carlos"), ("Warmi Ñan", "Lucía")):
        await rosa.send(f"/invitar {institution}")
        person = telegram.person(name)
        await person.send(f"/start {rosa.last().split('start=')[1].split()[0]}")
        people[institution] = person
    return rosa, people["PNP"], people["Warmi Ñan"]


async def updates(sessions) -> list[StatusUpdate]:
    async with sessions() as db:
        return list((await db.scalars(select(StatusUpdate).order_by(StatusUpdate.id))).all())


async def status_of(sessions, code: str, institution: str) -> Status:
    from models import queries

    async with sessions() as db:
        agreement = await queries.find_agreement(db, 1, code)
        return next(a.status for a in agreement.assignments if a.institution.name == institution)


async def run_notices(telegram, sessions, clock) -> int:
    """Two minutes on, one round of the outbox; returns how many of the secretaries' notices it delivered."""
    from bot.outbox.jobs import run_round

    clock.advance(minutes=2)
    before = await _notices_delivered(sessions)
    await run_round(telegram.application)
    return await _notices_delivered(sessions) - before


async def _notices_delivered(sessions) -> int:
    async with sessions() as db:
        return await db.scalar(select(func.count(Reminder.id)).where(Reminder.kind == MessageKind.NOTICE,
                                                                     Reminder.message_id.is_not(None)))
