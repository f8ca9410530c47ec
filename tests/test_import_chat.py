"""The secretary imports a whole acta through the chat: /importar, the file or pasted text, the preview, Confirmar."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.acta import MAX_BYTES
from models.entities import (
    Agreement,
    Assignment,
    AuditEntry,
    Institution,
    InstitutionAlias,
    Role,
    Session,
    SessionKind,
)
from models.names import institution_key
from tests.support.acta_files import make_csv, make_docx, make_pdf, make_xlsx, pdf_file
from tests.support.actas import acta_text, seed_file, seed_parts, seed_text
from tests.support.scenarios import invitation_code

CODES = ["01", "2.1", "2.2", "2.3", "2.4", "2.5", "03", "04", "05"]
RESPONSIBLES = {
    "01": ["Secretaría Técnica CORESEC", "Gobiernos Locales", "PNP", "Juntas Vecinales"],
    "2.1": ["Warmi Ñan", "PNP"],
    "2.2": ["Gobiernos Locales"],
    "2.3": ["Gobiernos Locales"],
    "2.4": ["Warmi Ñan"],
    "2.5": ["Prefectura"],
    "03": ["Región Policial", "Dirección Regional de Educación"],
    "04": ["Gobiernos Locales", "INABIF", "Secretaría Técnica CORESEC"],
    "05": ["Secretaría Técnica CORESEC"],
}
TABLES = (Agreement, Assignment, Institution, InstitutionAlias, Session, AuditEntry)


async def secretary(telegram, sessions, clock):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    return rosa


def said(calls) -> str:
    return "\n".join(c.text for c in calls if c.method == "sendMessage")


async def counts(sessions) -> dict[str, int]:
    async with sessions() as db:
        return {table.__tablename__: await db.scalar(select(func.count()).select_from(table)) for table in TABLES}


async def registered(sessions) -> dict[str, Agreement]:
    async with sessions() as db:
        rows = await db.scalars(
            select(Agreement).order_by(Agreement.id)
            .options(selectinload(Agreement.session), selectinload(Agreement.followup_institution),
                     selectinload(Agreement.assignments).selectinload(Assignment.institution)))
        return {agreement.code: agreement for agreement in rows.all()}


async def assert_the_seed_is_registered(sessions) -> dict[str, Agreement]:
    agreements = await registered(sessions)
    assert list(agreements) == CODES
    assert {code: [institution_key(a.institution.name) for a in agreement.assignments]
            for code, agreement in agreements.items()} == \
        {code: [institution_key(name) for name in names] for code, names in RESPONSIBLES.items()}
    assert sum(len(agreement.assignments) for agreement in agreements.values()) == 16
    assert agreements["2.3"].text.endswith("los canales de atención correspondientes.")
    assert agreements["2.5"].deadline == date(2026, 2, 26)
    assert agreements["05"].deadline_next_session and agreements["05"].deadline is None
    assert agreements["2.1"].problem.startswith("En la Sesión Ordinaria del CORESEC se analizaron")
    assert {(a.session.kind, a.session.number, a.session.held_on) for a in agreements.values()} == \
        {(SessionKind.ORDINARIA, 1, date(2026, 2, 25))}
    assert {institution_key(a.followup_institution.name) for a in agreements.values()} == \
        {"secretaria tecnica coresec"}
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Institution)
                               .where(Institution.key == "secretaria tecnica coresec")) == 1
        imported = (await db.scalars(select(AuditEntry).where(AuditEntry.action == "acta_imported"))).all()
    assert [entry.details["codes"] for entry in imported][-1][-1] == "05"
    return agreements


async def test_the_seed_sent_as_a_file_is_previewed_then_registered_at_once(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)

    await rosa.send("/importar")
    assert "Envíame el <b>acta</b>" in rosa.last()
    preview = said(await rosa.send_document(seed_file().name, seed_file().read_bytes(), mime_type="text/plain"))

    assert "Vista previa del acta" in preview
    assert "Sesión: <b>sesión ordinaria N° 1 del 25/02/2026</b> (la registraré)" in preview
    assert "Por registrar: <b>9 acuerdos</b> con <b>16 responsabilidades</b>" in preview
    assert "<b>2.5</b> La Prefectura ejecutara" in preview and "📅 26/02/2026" in preview
    assert "📅 la siguiente sesión" in preview
    assert "🆕 Nuevas (9): Secretaria Técnica CORESEC, Gobiernos Locales, PNP, Juntas Vecinales" in preview
    assert "• Sin plazo (7 de 9): 01, 2.1, 2.2, 2.3, 2.4, 03, 04" in preview
    assert "Sin responsable de seguimiento" not in preview
    assert "corrige el archivo y envíamelo de nuevo" in preview and "¿Registro el acta así?" in preview
    assert (await counts(sessions))["agreement"] == 0

    await rosa.press("Confirmar")
    assert "✅ Registré 9 acuerdos y 16 responsabilidades en la <b>sesión ordinaria N° 1 del 25/02/2026</b>" \
        in rosa.last()
    assert "🆕 9 instituciones nuevas:" in rosa.last()
    await assert_the_seed_is_registered(sessions)

    await rosa.send("/acuerdo 2.5")
    assert "Prefectura: pendiente" in rosa.last() and "Seguimiento: Secretaria Técnica CORESEC" in rosa.last()


def in_pieces(text: str, limit: int = 4096) -> list[str]:
    """What Telegram does with a long paste: several messages, cut at line ends, trimmed."""
    pieces, current = [], ""
    for line in text.split("\n"):
        if current and len(current) + 1 + len(line) > limit:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [piece.strip() for piece in [*pieces, current]]


async def test_the_seed_pasted_as_text_in_two_messages(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    first, rest = in_pieces(seed_text())

    await rosa.send("/importar")
    partial = said(await rosa.send(first))
    assert "Por registrar: <b>7 acuerdos</b>" in partial
    old_preview = telegram.api.messages_with_buttons(rosa.id)[0]
    complete = said(await rosa.send(rest))
    assert "Por registrar: <b>9 acuerdos</b> con <b>16 responsabilidades</b>" in complete

    stale = await rosa.press_data(old_preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"], old_preview)
    assert "ya no está activa" in stale[-1].params["text"]
    await rosa.press("Confirmar")
    assert "Registré 9 acuerdos y 16 responsabilidades" in rosa.last()
    await assert_the_seed_is_registered(sessions)


@pytest.mark.parametrize(("filename", "make"), [
    ("acta.docx", make_docx),
    ("acta.xlsx", make_xlsx),
    ("acta.csv", lambda above, table: make_csv(above, table, ";", "cp1252")),
    ("acta.pdf", make_pdf),
])
async def test_every_format_imports_the_same_acta(telegram, sessions, clock, committee, filename, make):
    rosa = await secretary(telegram, sessions, clock)

    await rosa.send("/importar")
    preview = said(await rosa.send_document(filename, make(*seed_parts())))
    assert "Por registrar: <b>9 acuerdos</b> con <b>16 responsabilidades</b>" in preview
    await rosa.press("Confirmar")

    assert "Registré 9 acuerdos y 16 responsabilidades" in rosa.last()
    await assert_the_seed_is_registered(sessions)


async def test_a_long_acta_is_previewed_in_several_messages(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)

    await rosa.send("/importar")
    calls = await rosa.send_document("acta-larga.txt", acta_text(40).encode())
    pieces = [call.text for call in calls if call.method == "sendMessage"]
    assert 1 < len(pieces) <= 3 and all(len(piece) <= 4096 for piece in pieces)  # more would go as a file
    assert "Por registrar: <b>40 acuerdos</b> con <b>96 responsabilidades</b>" in pieces[0]
    await rosa.press("Confirmar")

    assert "Registré 40 acuerdos y 96 responsabilidades" in rosa.last()
    assert len(await registered(sessions)) == 40


EXTRA_ROW = "\n06\tCoordinación de patrullajes.\tPatrullaje integrado hasta el 30 de abril.\tPNP\tSecretaria Técnica CORESEC"


async def test_importing_again_registers_only_what_is_new_and_says_what_existed(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/importar")
    await rosa.send_document(seed_file().name, seed_file().read_bytes())
    await rosa.press("Confirmar")
    before = await counts(sessions)

    await rosa.send("/importar")
    again = said(await rosa.send_document(seed_file().name, seed_file().read_bytes()))
    assert "(ya registrada)" in again
    assert "Ya registrados en esa sesión, no los repito (9): 01, 2.1, 2.2, 2.3, 2.4, 2.5, 03, 04, 05" in again
    assert "No hay acuerdos nuevos que registrar." in again
    assert telegram.api.messages_with_buttons(rosa.id) == []
    assert await counts(sessions) == before

    grown = said(await rosa.send_document("acta-corregida.txt", (seed_text() + EXTRA_ROW).encode()))
    assert "Por registrar: <b>1 acuerdo</b> con <b>1 responsabilidad</b>" in grown
    assert "✅ Ya registradas: PNP, Secretaria Técnica CORESEC" in grown and "Nuevas" not in grown
    await rosa.press("Confirmar")
    assert "Registré 1 acuerdo y 1 responsabilidad" in rosa.last()
    assert "Ya existían (no los repetí): 01, 2.1, 2.2, 2.3, 2.4, 2.5, 03, 04, 05" in rosa.last()
    agreements = await registered(sessions)
    assert list(agreements) == [*CODES, "06"] and agreements["06"].deadline == date(2026, 4, 30)
    after = await counts(sessions)
    assert (after["institution"], after["session"]) == (before["institution"], before["session"])


def second_session() -> str:
    return seed_text().replace("PRIMERA SESIÓN", "SEGUNDA SESIÓN").replace("25/02/2026", "25/03/2026")


async def test_known_institutions_are_matched_and_a_confirmed_near_match_is_learnt(
        telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/instituciones agregar Secretaría Técnica CORESEC, Región Policial Moquegua")

    await rosa.send("/importar")
    preview = said(await rosa.send_document(seed_file().name, seed_file().read_bytes()))
    assert "✅ Ya registradas: Secretaría Técnica CORESEC" in preview
    assert "🔗 Usaré «Región Policial Moquegua» para «Región Policial»" in preview
    assert "🆕 Nuevas (7):" in preview and "Región Policial," not in preview.split("Nuevas")[1]
    await rosa.press("Confirmar")
    assert "Desde ahora reconozco «Región Policial» = Región Policial Moquegua" in rosa.last()
    assert "7 instituciones nuevas" in rosa.last()

    agreements = await registered(sessions)
    assert [a.institution.name for a in agreements["03"].assignments] == \
        ["Región Policial Moquegua", "Dirección Regional de Educación"]
    assert {a.followup_institution.name for a in agreements.values()} == {"Secretaría Técnica CORESEC"}
    async with sessions() as db:
        alias = await db.scalar(select(InstitutionAlias))
    assert (alias.alias, alias.key) == ("Región Policial", "region policial")

    await rosa.send("/importar")
    next_time = said(await rosa.send_document("segunda.txt", second_session().encode()))
    assert "sesión ordinaria N° 2 del 25/03/2026" in next_time
    assert "Usaré" not in next_time and "Nuevas" not in next_time
    assert "Región Policial Moquegua" in next_time.split("Ya registradas:")[1]


async def test_an_acta_without_its_session_asks_which_one(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    headless = seed_text().split("Fecha: 25/02/2026")[1].strip()

    await rosa.send(f"/importar\n{headless}")
    assert "El acta no dice de qué sesión es" in rosa.last()
    await rosa.send("la del martes")
    assert "No entendí la sesión «la del martes»" in rosa.last()
    preview = said(await rosa.send("ordinaria 1 25/02/2026"))
    assert "sesión ordinaria N° 1 del 25/02/2026" in preview and "📅 26/02/2026" in preview
    await rosa.press("Confirmar")

    await assert_the_seed_is_registered(sessions)


async def test_confirming_plans_again_and_asks_again_if_the_committee_changed(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/importar")
    await rosa.send_document(seed_file().name, seed_file().read_bytes())

    await rosa.send("/instituciones agregar INABIF")
    changed = said(await rosa.press("Confirmar"))
    assert "Algo cambió en el comité desde la vista previa" in changed
    assert "✅ Ya registradas: INABIF" in changed and "Nuevas (8)" in changed
    assert (await counts(sessions))["agreement"] == 0
    await rosa.press("Confirmar")

    assert "8 instituciones nuevas" in rosa.last()
    await assert_the_seed_is_registered(sessions)


def merged_xlsx() -> bytes:
    above, table = seed_parts()
    row = len(above) + 3
    return make_xlsx(above, table, merge=f"C{row}:D{row}")


async def test_bad_files_get_a_spanish_answer_and_nothing_is_written(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/importar")
    before = await counts(sessions)
    bad_files = [
        ("acta.txt", b"", "El archivo está vacío"),
        ("acta.txt", "N°\tTEMA\tRESPONSABLE\n01\tPatrullaje\tPNP\n".encode(), "No encontré la columna «ACUERDO»"),
        ("acta.xlsx", merged_xlsx(), "celdas combinadas"),
        ("escaneo.pdf", pdf_file([b"1 w 50 50 495 742 re S"]), "El PDF no tiene texto (¿es un escaneo?)"),
        ("acta.odt", b"PK\x03\x04 un documento de LibreOffice", "No puedo leer archivos «.odt»"),
    ]

    for filename, content, says in bad_files:
        await rosa.send_document(filename, content)
        assert says in rosa.last() and "No registré nada" in rosa.last(), filename
    file_id, unique = telegram.api.add_file(b"%PDF-1.4")
    await telegram.deliver({"message": rosa._message(None, None, document={
        "file_id": file_id, "file_unique_id": unique, "file_name": "acta-con-anexos.pdf",
        "file_size": MAX_BYTES + 5 * 1024 * 1024})})
    assert "pesa 25.0 MB y el máximo es 20 MB" in rosa.last()
    assert file_id not in [call.params["file_id"] for call in telegram.api.sent(method="getFile")]

    assert await counts(sessions) == before
    assert telegram.api.messages_with_buttons(rosa.id) == []


async def test_only_the_secretary_can_import(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/instituciones agregar PNP")
    carlos = telegram.person("Carlos")
    await carlos.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua', Role.IMPLEMENTER, 'PNP')}")
    stranger = telegram.person("Nadie")
    before = await counts(sessions)

    for person in (carlos, stranger):
        await person.send("/importar")
        assert "Solo la Secretaría Técnica del comité puede usar /importar" in person.last()
        await person.send_document(seed_file().name, seed_file().read_bytes())
        assert "Vista previa" not in person.last()
    assert await counts(sessions) == before


async def test_cancelling_writes_nothing(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    before = await counts(sessions)
    await rosa.send("/importar")
    await rosa.send_document(seed_file().name, seed_file().read_bytes())
    await rosa.send("¿y ahora?")
    assert "Toca ✅ Confirmar o ✖️ Cancelar" in rosa.last()

    await rosa.press("Cancelar")
    assert rosa.last() == "Listo, no importé nada."
    assert await counts(sessions) == before

    await rosa.send("/importar")
    await rosa.send("/cancelar")
    assert rosa.last() == "Listo, no importé nada." and "Listo, cancelado." not in rosa.said()
    await rosa.send(seed_text())
    assert "Vista previa" not in rosa.last()
    assert await counts(sessions) == before
