"""Observers read their committee and every committee below it; a secretary only their own; nobody another tree."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import committees
from bot.clock import local_today
from models.entities import Agreement, Assignment, CommitteeKind, Role, Session, SessionKind, Status
from tests.support.scenarios import invitation_code

TREE = (  # name, kind, parent, the lights of its agreements
    ("CONASEC", CommitteeKind.CONASEC, None, ""),
    ("CORESEC Moquegua", CommitteeKind.CORESEC, "CONASEC", "GR"),
    ("COPROSEC Ilo", CommitteeKind.COPROSEC, "CORESEC Moquegua", "Y"),
    ("CODISEC Ilo", CommitteeKind.CODISEC, "COPROSEC Ilo", "GG-"),
    ("CODISEC El Algarrobal", CommitteeKind.CODISEC, "COPROSEC Ilo", "R"),
    ("COPROSEC Mariscal Nieto", CommitteeKind.COPROSEC, "CORESEC Moquegua", ""),
    ("CORESEC Tacna", CommitteeKind.CORESEC, "CONASEC", "RR"),
    ("COPROSEC Tacna", CommitteeKind.COPROSEC, "CORESEC Tacna", "G"),
    ("CODISEC Tacna", CommitteeKind.CODISEC, "COPROSEC Tacna", "Y"),
)


@pytest.fixture
async def tree(sessions, clock) -> None:
    """Two regions of committees, each agreement with one PNP assignment whose facts give the wanted light."""
    today = local_today(clock, "America/Lima")
    facts = {  # status, deadline, updated
        "G": (Status.EN_PROCESO, today + timedelta(days=30), True),
        "Y": (Status.CON_DIFICULTADES, today + timedelta(days=30), True),
        "R": (Status.PENDIENTE, today - timedelta(days=1), False),
        "-": (Status.PENDIENTE, None, False),
    }
    async with sessions.begin() as db:
        for name, kind, parent, lights in TREE:
            committee = await committees.add_committee(db, name=name, kind=kind, parent=parent,
                                                       timezone="America/Lima", now=clock.now())
            pnp, _ = await committees.add_institution(db, committee=committee, name="PNP", now=clock.now(), actor="t")
            session = Session(committee_id=committee.id, kind=SessionKind.ORDINARIA, number=1,
                              held_on=today - timedelta(days=5), created_at=clock.now())
            for number, light in enumerate(lights, start=1):
                status, deadline, updated = facts[light]
                db.add(Agreement(committee_id=committee.id, session=session, code=str(number), text=f"Acuerdo {number}",
                                 deadline=deadline, created_at=clock.now(), assignments=[Assignment(
                                     institution_id=pnp.id, status=status, percent=0, created_at=clock.now(),
                                     last_update_at=clock.now() if updated else None)]))


async def person_with(telegram, sessions, clock, name: str, *links: tuple[str, Role]):
    someone = telegram.person(name)
    for committee, role in links:
        institution = "PNP" if role == Role.IMPLEMENTER else None
        await someone.send(f"/start {await invitation_code(sessions, clock, committee, role, institution)}")
    return someone


def lines(text: str) -> list[str]:
    return text.split("\n")


async def test_an_observer_of_a_region_sees_it_and_every_committee_below_it(telegram, sessions, clock, tree):
    jorge = await person_with(telegram, sessions, clock, "Jorge", ("CORESEC Moquegua", Role.OBSERVER))
    await jorge.send("/resumen")
    summary = jorge.last()
    assert ("🚦 <b>Semáforo</b> de 2 acuerdo(s): 🟢 Al día 1 · 🟡 En riesgo 0 · 🔴 Crítico 1 "
            "· ⚪ Sin plazo 0") in lines(summary)
    assert lines(summary)[lines(summary).index("🗺 <b>Comités bajo CORESEC Moquegua</b>"):] == [
        "🗺 <b>Comités bajo CORESEC Moquegua</b>",
        "🔴 <b>COPROSEC Ilo</b>: 5 acuerdo(s) — 🟢 2 · 🟡 1 · 🔴 1 · ⚪ 1 (incluye 2 comité(s) debajo)",
        "└ 🔴 <b>CODISEC El Algarrobal</b>: 1 acuerdo(s) — 🟢 0 · 🟡 0 · 🔴 1 · ⚪ 0",
        "└ ⚪ <b>CODISEC Ilo</b>: 3 acuerdo(s) — 🟢 2 · 🟡 0 · 🔴 0 · ⚪ 1",
        "▫️ <b>COPROSEC Mariscal Nieto</b>: 0 acuerdo(s) — 🟢 0 · 🟡 0 · 🔴 0 · ⚪ 0",
    ]
    assert "Tacna" not in summary and "CONASEC" not in summary

    await jorge.send("/resumen coprosec ilo")
    assert "Resumen de COPROSEC Ilo" in jorge.last() and "Comités bajo COPROSEC Ilo" in jorge.last()
    await jorge.send("/resumen CODISEC Ilo")
    assert "Resumen de CODISEC Ilo" in jorge.last() and "Comités bajo" not in jorge.last()
    for outside in ("CORESEC Tacna", "CODISEC Tacna", "CONASEC", "CODISEC Inexistente"):
        await jorge.send(f"/resumen {outside}")
        assert f"No encuentro «{outside}» entre los comités que puedes ver" in jorge.last()
    await jorge.send("/semaforo CODISEC Tacna")
    assert "No encuentro «CODISEC Tacna»" in jorge.last()
    assert telegram.api.sent(jorge.id, "sendPhoto") == []


async def test_a_national_observer_sees_every_region_rolled_up(telegram, sessions, clock, tree):
    ana = await person_with(telegram, sessions, clock, "Ana", ("CONASEC", Role.OBSERVER))
    await ana.send("/resumen")
    assert lines(ana.last()) == [
        "📊 <b>CONASEC</b> aún no tiene acuerdos registrados.",
        "",
        "🗺 <b>Comités bajo CONASEC</b>",
        "🔴 <b>CORESEC Moquegua</b>: 7 acuerdo(s) — 🟢 3 · 🟡 1 · 🔴 2 · ⚪ 1 (incluye 4 comité(s) debajo)",
        "🔴 <b>CORESEC Tacna</b>: 4 acuerdo(s) — 🟢 1 · 🟡 1 · 🔴 2 · ⚪ 0 (incluye 2 comité(s) debajo)",
    ]
    await ana.send("/resumen CODISEC Tacna")
    assert "Resumen de CODISEC Tacna" in ana.last()


async def test_a_secretary_reads_only_their_own_committee(telegram, sessions, clock, tree):
    luis = await person_with(telegram, sessions, clock, "Luis", ("CODISEC Ilo", Role.SECRETARY))
    await luis.send("/resumen")
    assert "Resumen de CODISEC Ilo" in luis.last() and "Comités bajo" not in luis.last()
    for command in ("/resumen", "/reporte", "/semaforo"):
        await luis.send(f"{command} CODISEC El Algarrobal")
        assert "No encuentro «CODISEC El Algarrobal» entre los comités que puedes ver" in luis.last()
    assert telegram.api.sent(luis.id, "sendDocument") == telegram.api.sent(luis.id, "sendPhoto") == []

    rosa = await person_with(telegram, sessions, clock, "Rosa", ("CORESEC Moquegua", Role.SECRETARY))
    await rosa.send("/resumen")
    assert "Resumen de CORESEC Moquegua" in rosa.last() and "Comités bajo" not in rosa.last()
    await rosa.send("/resumen COPROSEC Ilo")
    assert "No encuentro «COPROSEC Ilo»" in rosa.last()


async def test_each_link_reads_with_its_own_role(telegram, sessions, clock, tree):
    elena = await person_with(telegram, sessions, clock, "Elena", ("CORESEC Tacna", Role.SECRETARY),
                              ("COPROSEC Ilo", Role.OBSERVER))
    await elena.send("/resumen CORESEC Tacna")
    assert "Resumen de CORESEC Tacna" in elena.last() and "Comités bajo" not in elena.last()
    await elena.send("/resumen CODISEC Tacna")
    assert "No encuentro «CODISEC Tacna»" in elena.last()
    await elena.send("/resumen CODISEC El Algarrobal")
    assert "Resumen de CODISEC El Algarrobal" in elena.last()


async def test_an_institution_cannot_read_summaries(telegram, sessions, clock, tree):
    carlos = await person_with(telegram, sessions, clock, "Carlos", ("CODISEC Ilo", Role.IMPLEMENTER))
    for command in ("/resumen", "/reporte", "/semaforo", "/resumen CODISEC Ilo"):
        await carlos.send(command)
        assert "Solo la Secretaría Técnica y los observadores" in carlos.last()
