"""plan_import and apply_import without Telegram: names matched, quality made visible, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot import committees, importer
from bot.acta import read_acta_text
from bot.importer import SessionKey, Source
from models.entities import Agreement, Institution, InstitutionAlias, Session, SessionKind
from tests.support.actas import seed_text

HEADER = "N°\tPROBLEMÁTICA\tACUERDO\tRESPONSABLE DE IMPLEMENTACIÓN\tRESPONSABLE DE SEGUIMIENTO"


def acta(*rows: str, heading: str = "TERCERA SESIÓN ORDINARIA\nFecha: 05/03/2026") -> str:
    return "\n".join([heading, HEADER, *rows])


async def add(sessions, clock, committee, *names: str) -> None:
    async with sessions.begin() as db:
        for name in names:
            await committees.add_institution(db, committee=committee, name=name, now=clock.now(), actor="test")


async def plan(sessions, committee, text: str, session: SessionKey | None = None) -> importer.ImportPlan:
    async with sessions() as db:
        return await importer.plan_import(db, committee, read_acta_text(text), session)


async def test_a_near_match_needs_exactly_one_candidate(sessions, clock, committee):
    await add(sessions, clock, committee, "Región Policial Moquegua", "Ministerio Público", "Ministerio del Interior",
              "Secretaría Técnica CORESEC")

    found = await plan(sessions, committee, acta(
        "01\t\tCampaña de denuncia.\tRegión Policial, Ministerio\tSecretaria Técnica del CORESEC"))

    names = {m.written: (m.institution.name if m.institution else None, m.near) for m in found.names}
    assert names == {
        "Región Policial": ("Región Policial Moquegua", True),
        "Ministerio": (None, False),  # Público or Interior: not for the bot to guess
        "Secretaria Técnica del CORESEC": ("Secretaría Técnica CORESEC", False),
    }
    preview = importer.render_preview(found)
    assert "Usaré «Región Policial Moquegua» para «Región Policial»" in preview
    assert "Nuevas (1): Ministerio" in preview


async def test_the_preview_shows_what_the_defensoria_found_missing(sessions, clock, committee):
    text = acta(
        "01\t\tCampaña de denuncia oportuna.\tPNP\t",
        "02\t\tRemitir el padrón dentro de 5 días.\t\tSecretaría Técnica",
        "03\t\tInformar hasta el 10/01/2026.\tDREMO\tSecretaría Técnica",
    )

    async with sessions.begin() as db:
        found = await importer.plan_import(db, committee, read_acta_text(text))
        preview = importer.render_preview(found)
        saved = {a.code: a for a in (await importer.apply_import(db, committee, found, clock.now(), "t")).agreements}

    assert "• Sin plazo (2 de 3): 01, 03" in preview
    assert "• Sin responsable de seguimiento (1 de 3): 01" in preview
    assert "• 02 no tiene responsable de implementación: quedará a cargo de Secretaría Técnica (seguimiento)." \
        in preview
    assert "• El plazo 10/01/2026 de 03 es anterior a la sesión: lo registraré sin plazo." in preview
    assert [a.institution_id for a in saved["02"].assignments] == [saved["02"].followup_institution_id]
    assert saved["02"].deadline == date(2026, 3, 10)
    assert saved["03"].deadline is None and saved["01"].followup_institution_id is None


async def test_what_cannot_be_registered_stops_the_whole_acta(sessions, clock, committee):
    found = await plan(sessions, committee, acta(
        "01\t\tCampaña de denuncia.\tPNP\tSecretaría Técnica",
        "1\t\tOtra campaña.\tPNP\tSecretaría Técnica",
        "02\t\tSin nadie a cargo.\t\t",
        f"03\t\tUn acuerdo.\t{'Institución muy larga ' * 8}\tSecretaría Técnica",
    ))

    assert not found.can_register
    assert found.problems == [
        "El acuerdo 02 no tiene responsable de implementación ni de seguimiento.",
        "El número 1 aparece más de una vez.",
        "«Institución muy larga Institución muy larga Institución muy…» tiene más de 120 caracteres: "
        "no parece el nombre de una institución.",
    ]
    assert "Así no puedo registrarla" in importer.render_preview(found)
    async with sessions.begin() as db:
        with pytest.raises(committees.Refused):
            await importer.apply_import(db, committee, found, clock.now(), "test")


async def test_an_acta_with_only_a_date_uses_that_days_session_or_asks(sessions, clock, committee):
    text = acta("01\t\tCampaña de denuncia.\tPNP\tSecretaría Técnica", heading="Acta de acuerdos\nFecha: 05/03/2026")
    assert (await plan(sessions, committee, text)).session is None

    async with sessions.begin() as db:
        await committees.register_session(db, committee=committee, kind=SessionKind.EXTRAORDINARIA, number=2,
                                          held_on=date(2026, 3, 5), now=clock.now(), actor="test")
    found = await plan(sessions, committee, text)
    assert found.session == SessionKey(SessionKind.EXTRAORDINARIA, 2, date(2026, 3, 5))
    assert found.existing_session is not None


async def test_a_session_given_by_hand_recounts_the_deadlines():
    headless = seed_text().split("Fecha: 25/02/2026")[1]

    parsed = importer.read(Source(None, headless), SessionKey(SessionKind.ORDINARIA, 1, date(2026, 3, 2)))

    assert {a.code: a.deadline.due for a in parsed.agreements if a.deadline and a.deadline.due} == \
        {"2.5": date(2026, 3, 3)}


def test_a_paste_without_the_title_row_continues_the_previous_one():
    first = importer.pasted(None, acta("01\t\tCampaña.\tPNP\tST"))
    rest = importer.pasted(first, "02\t\tPatrullaje.\tSerenazgo\tST")
    other = importer.pasted(rest, acta("05\t\tOtra acta.\tPNP\tST"))

    assert rest.pieces == 2 and rest.data.endswith("\n02\t\tPatrullaje.\tSerenazgo\tST")
    assert other.pieces == 1 and "Campaña" not in other.data
    assert importer.pasted(None, "sin títulos").pieces == 1
    assert importer.pasted(first, "¿y ahora?").pieces == 1


async def test_applying_is_all_or_nothing(sessions, clock, committee, monkeypatch):
    real = importer.agreements.register_agreement
    calls = []

    async def fails_on_the_fifth(*args, **kwargs):
        calls.append(kwargs["code"])
        if len(calls) == 5:
            raise RuntimeError("the database went away")
        return await real(*args, **kwargs)

    monkeypatch.setattr(importer.agreements, "register_agreement", fails_on_the_fifth)
    with pytest.raises(RuntimeError):
        async with sessions.begin() as db:
            found = await importer.plan_import(db, committee, read_acta_text(seed_text()))
            await importer.apply_import(db, committee, found, clock.now(), "test")

    assert len(calls) == 5
    async with sessions() as db:
        for table in (Agreement, Institution, InstitutionAlias, Session):
            assert await db.scalar(select(func.count()).select_from(table)) == 0, table
