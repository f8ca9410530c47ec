"""Shared scenarios: the seed acta's committee followed up for four weeks, and an agreement followed in chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot import committees
from models.entities import Committee, Role, SessionKind, Status
from tests.support.actas import seed_text
from tests.support.clock import FakeClock, lima
from tests.support.dialogue import Telegram
from tests.support.fakebot import BOT_USERNAME


async def invitation_code(sessions, clock, committee_name: str, role: Role = Role.SECRETARY,
                          institution: str | None = None, days: int = 7) -> str:
    """What `acuerdos-bot invite` does, for tests."""
    from models import queries

    async with sessions.begin() as db:
        target = await queries.committee_by_name(db, committee_name)
        found = await queries.find_institution(db, target.id, institution) if institution else None
        created = await committees.create_invitation(db, committee=target, role=role, institution=found,
                                                     now=clock.now(), days=days, actor="cli")
        return created.code


# The acta fixes few deadlines (the Defensoría's 57.7%); the secretary set these ones afterwards.
SEED_DEADLINES = {"2.1": date(2026, 3, 20), "2.2": date(2026, 4, 15), "03": date(2026, 3, 27), "04": date(2026, 3, 31)}
NEXT_SESSION_ON = date(2026, 4, 24)


@dataclass(frozen=True)
class Step:
    """An avance recorded at a Lima time."""

    at: str
    code: str
    institution: str
    status: Status
    percent: int | None = None
    note: str = ""
    author: str = ""


@dataclass(frozen=True)
class Reminded:
    """A reminder sent to an institution about an agreement."""

    at: str
    code: str
    institution: str


FOUR_WEEKS: tuple[tuple[Step | Reminded, ...], ...] = (
    (
        Reminded("2026-03-02 15:00", "2.1", "PNP"),
        Step("2026-03-03 10:00", "2.1", "PNP", Status.EN_PROCESO, 30, "Se coordinó con el CEM los informes", "Carlos"),
        Step("2026-03-04 11:00", "2.1", "Warmi Ñan", Status.EN_PROCESO, 20, "Reunión con la PNP programada", "Lucía"),
        Step("2026-03-05 09:30", "2.5", "Prefectura", Status.REPORTADO, 100, "Oficio N° 045-2026-PREF", "Marco"),
        Step("2026-03-06 16:00", "2.2", "Gobiernos Locales", Status.CON_DIFICULTADES, None, "Falta presupuesto", "Ana"),
    ),
    (
        Step("2026-03-10 09:00", "2.5", "Prefectura", Status.CUMPLIDO, 100, "", "Rosa"),
        Step("2026-03-11 10:00", "03", "Región Policial", Status.EN_PROCESO, 50, "Se pidió la lista a la UGEL", "Pedro"),
        Step("2026-03-12 12:00", "01", "PNP", Status.EN_PROCESO, 10, "Borrador del spot", "Carlos"),
    ),
    (
        Reminded("2026-03-16 09:00", "04", "INABIF"),
        Step("2026-03-16 10:00", "01", "Juntas Vecinales", Status.REPORTADO, 100, "Oficio 12-2026-JV", "Julio"),
        Step("2026-03-17 09:00", "01", "Juntas Vecinales", Status.OBSERVADO, None, "Falta el acta de la campaña", "Rosa"),
        Step("2026-03-18 15:00", "01", "Juntas Vecinales", Status.EN_PROCESO, 40, "Se enviará el acta", "Julio"),
        Reminded("2026-03-19 09:00", "04", "INABIF"),
        Step("2026-03-19 11:00", "05", "Secretaria Técnica CORESEC", Status.EN_PROCESO, 50, "Fechas en revisión", "Rosa"),
        Reminded("2026-03-20 09:00", "03", "Dirección Regional de Educación"),
        Reminded("2026-03-20 09:00", "01", "PNP"),
    ),
    (
        Step("2026-03-24 10:00", "2.1", "PNP", Status.REPORTADO, 100, "Oficio N° 210-2026-REGPOL", "Carlos"),
        Step("2026-03-25 11:00", "2.2", "Gobiernos Locales", Status.EN_PROCESO, 30, "Se incluyó en el PIA 2026", "Ana"),
        Step("2026-03-26 09:00", "2.3", "Gobiernos Locales", Status.ANULADO, None, "Se acordó dejarlo sin efecto", "Rosa"),
        Step("2026-03-27 10:00", "03", "Región Policial", Status.CON_DIFICULTADES, None, "Demora de la UGEL", "Pedro"),
        Step("2026-03-27 12:00", "04", "Secretaria Técnica CORESEC", Status.REPORTADO, 100, "Oficio N° 033-2026-ST", "Rosa"),
        Step("2026-03-28 09:00", "04", "Secretaria Técnica CORESEC", Status.CUMPLIDO, 100, "", "Rosa"),
    ),
)
MONDAYS = ("2026-03-09 08:00", "2026-03-16 08:00", "2026-03-23 08:00", "2026-03-30 08:00")


async def register_seed_acta(sessions, clock, committee: Committee) -> None:
    """The seed acta's nine agreements registered in `committee`, and the next session already scheduled."""
    from bot import agreements
    from bot.acta import read_acta_text
    from bot.deadlines import Deadline

    parsed = read_acta_text(seed_text())
    async with sessions.begin() as db:
        committee = await db.get(Committee, committee.id)
        session, _ = await committees.register_session(db, committee=committee, kind=SessionKind.ORDINARIA, number=1,
                                                       held_on=parsed.session_date, now=clock.now(), actor="test")
        await committees.register_session(db, committee=committee, kind=SessionKind.ORDINARIA, number=2,
                                          held_on=NEXT_SESSION_ON, now=clock.now(), actor="test")
        for item in parsed.agreements:
            institutions = [(await committees.add_institution(db, committee=committee, name=name, now=clock.now(),
                                                              actor="test"))[0] for name in item.implementers]
            deadline = Deadline(SEED_DEADLINES[item.code]) if item.code in SEED_DEADLINES else item.deadline
            await agreements.register_agreement(db, committee=committee, session=session, code=item.code,
                                                text=item.text, institutions=institutions, deadline=deadline,
                                                now=clock.now(), actor="test", problem=item.problem)


async def play(sessions, clock, committee: Committee, events: tuple[Step | Reminded, ...]) -> None:
    """Record avances and sent reminders at their times, as the progress reports and reminders would."""
    from sqlalchemy import select

    from models.entities import Agreement, Assignment, Institution, Reminder, StatusUpdate

    for event in events:
        clock.set(lima(event.at))
        async with sessions.begin() as db:
            assignment = await db.scalar(
                select(Assignment).join(Agreement).join(Institution, Institution.id == Assignment.institution_id)
                .where(Agreement.committee_id == committee.id, Agreement.code == event.code,
                       Institution.name == event.institution))
            if isinstance(event, Reminded):
                db.add(Reminder(assignment_id=assignment.id, committee_id=committee.id, chat_id=-1, kind="reminder",
                                payload={}, due_at=clock.now(), sent_at=clock.now(), attempts=1,
                                created_at=clock.now()))
                continue
            db.add(StatusUpdate(assignment_id=assignment.id, author_name=event.author, status=event.status,
                                percent=event.percent, note=event.note, created_at=clock.now()))
            assignment.status, assignment.last_update_at = event.status, clock.now()
            if event.percent is not None:
                assignment.percent = event.percent
            if event.status == Status.ANULADO:
                agreement = await db.get(Agreement, assignment.agreement_id)
                agreement.cancelled_at, agreement.cancel_reason = clock.now(), event.note


async def followed_agreement(telegram: Telegram, sessions, clock: FakeClock, deadline: str = "06/04/2026"):
    """On Friday 27 March, Rosa registers 3.1 for the PNP (Carlos, in private) and Warmi Ñan (its group chat,
    where Lucía is), and both link. Returns rosa, carlos, lucia and the group."""
    import re

    def link(text: str) -> str:
        return re.search(r"start=([A-Za-z0-9_-]+)", text).group(1)

    clock.set(lima("2026-03-27 10:00"))
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar PNP, Warmi Ñan")
    await rosa.send("/sesion ordinaria 3 20/03/2026")
    await rosa.send(f"/nuevo 3.1 | Coadyuvar esfuerzos para fortalecer los informes psicológicos <urgente> "
                    f"| PNP, Warmi Ñan | {deadline}")
    assert "Registré el acuerdo <b>3.1</b>" in rosa.last()
    carlos, lucia, group = telegram.person("Carlos"), telegram.person("Lucía"), telegram.group("CEM Moquegua")
    await rosa.send("/invitar PNP")
    await carlos.send(f"/start {link(rosa.last())}")
    await rosa.send("/invitar Warmi Ñan")
    await lucia.send(f"/start@{BOT_USERNAME} {link(rosa.last())}", chat=group)  # as Telegram's startgroup link
    assert "punto focal de <b>Warmi Ñan</b>" in lucia.last(chat=group)
    return rosa, carlos, lucia, group
