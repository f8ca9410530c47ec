"""The secretary sets up the committee and registers agreement 2.1; the institutions link; /acuerdos shows it."""

from __future__ import annotations

import re

from sqlalchemy import select

from models.entities import Agreement, AuditEntry, Member, Role
from tests.support.scenarios import invitation_code


def link_code(text: str) -> str:
    found = re.search(r"start=([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


async def test_secretary_registers_an_agreement_for_two_institutions(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    code = await invitation_code(sessions, clock, "CORESEC Moquegua")

    await rosa.send(f"/start {code}")
    assert "Secretaría Técnica</b> de <b>CORESEC Moquegua" in rosa.last()
    menu = telegram.api.sent(method="setMyCommands")[-1]
    assert menu.params["scope"] == {"type": "chat", "chat_id": rosa.id}
    assert "nuevo" in [c["command"] for c in menu.params["commands"]]

    await rosa.send("/instituciones agregar Warmi Ñan")
    assert "Agregué <b>Warmi Ñan</b>" in rosa.last()
    await rosa.send("/instituciones agregar PNP")
    await rosa.send("/instituciones")
    assert "Warmi Ñan" in rosa.last() and "PNP" in rosa.last() and "(2)" in rosa.last()

    await rosa.send("/sesion ordinaria 1 25/02/2026")
    assert "sesión ordinaria N° 1 del 25/02/2026" in rosa.last()

    await rosa.send("/nuevo")
    assert "código" in rosa.last()
    await rosa.send("2.1")
    await rosa.send("Coadyuvar esfuerzos entre la PNP y Warmi Ñan para fortalecer la solicitud de informes psicológicos.")
    assert "instituciones responsables" in rosa.last()
    await rosa.press("Warmi Ñan")
    await rosa.press("PNP")
    await rosa.press("Listo")
    assert "plazo" in rosa.last()
    await rosa.send("en dos semanas")
    summary = rosa.last()
    assert "Revisa el acuerdo" in summary and "11/03/2026" in summary and "Warmi Ñan, PNP" in summary
    await rosa.press("Confirmar")
    assert "Registré el acuerdo <b>2.1</b>" in rosa.last()

    focal_points = {}
    for institution, name in (("Warmi Ñan", "Lucía"), ("PNP", "Carlos")):
        await rosa.send(f"/invitar {institution}")
        focal = telegram.person(name)
        await focal.send(f"/start {link_code(rosa.last())}")
        assert f"punto focal de <b>{institution}</b> ante <b>CORESEC Moquegua</b>" in focal.last()
        focal_points[institution] = focal

    await rosa.send("/acuerdos")
    listing = rosa.last()
    assert "<b>2.1</b>" in listing
    # Deadline two weeks after the 25/02 session, seen on 02/03 in Lima.
    assert "11/03/2026 (faltan 9 días)" in listing
    assert "Warmi Ñan: pendiente" in listing and "PNP: pendiente" in listing

    async with sessions() as db:
        agreement = await db.scalar(select(Agreement))
        assert agreement.deadline.isoformat() == "2026-03-11"
        implementers = (await db.scalars(select(Member).where(Member.role == Role.IMPLEMENTER))).all()
        assert sorted(m.user_id for m in implementers) == sorted(p.id for p in focal_points.values())
        actions = [e.action for e in (await db.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()]
    assert actions.count("member_linked") == 3 and "agreement_registered" in actions


async def test_one_line_registration_and_deadline_change(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar Prefectura, PNP")
    await rosa.send("/sesion ordinaria 1 25/02/2026")

    await rosa.send("/nuevo 2.5 | La Prefectura ejecutará mecanismos para la prestación de garantías | Prefectura | 24 horas")
    assert "Registré el acuerdo <b>2.5</b>" in rosa.last() and "26/02/2026" in rosa.last()

    await rosa.send("/plazo 2.5 30 de abril")
    assert "26/02/2026 → <b>30/04/2026</b>" in rosa.last()
    await rosa.send("/acuerdo 2.5")
    detail = rosa.last()
    assert "Historial del plazo" in detail and "26/02/2026 → 30/04/2026" in detail
    assert "(Rosa, Secretaría Técnica)" in detail and "telegram:" not in detail  # as the chat knows her
    assert "Prefectura: pendiente" in detail


async def test_deadlines_read_the_words_of_the_calendar_from_the_session(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar PNP")
    await rosa.send("/sesion ordinaria 1 25/02/2026")  # a Wednesday
    await rosa.send("/nuevo 3.1 | Remitir el padrón de juntas vecinales | PNP | mañana")
    assert "Registré el acuerdo <b>3.1</b>" in rosa.last() and "26/02/2026" in rosa.last()
    await rosa.send("/plazo 3.1 el viernes")
    assert "→ <b>27/02/2026</b>" in rosa.last()  # the answer shows the date it understood
    await rosa.send("/nuevo 3.2 | Instalar el comité de vigilancia | PNP | pasado mañana")
    assert "27/02/2026" in rosa.last()
