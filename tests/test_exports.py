"""The "Informe de seguimiento de acuerdos": /reporte's spreadsheet and PDF, /semaforo's chart, the command line,
and a 500-agreement committee that still gets all of them."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
import pdfplumber
import pytest
from sqlalchemy import event

from bot import summaries
from bot.cli import main
from bot.clock import local_today
from models.entities import (
    Agreement,
    Assignment,
    Committee,
    Institution,
    Session,
    SessionKind,
    Status,
    StatusUpdate,
)
from models.names import institution_key
from tests.support.scenarios import invitation_code


async def secretary(telegram, sessions, clock):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    return rosa


def documents(telegram, chat_id: int) -> dict[str, bytes]:
    """The files the bot sent to a chat, by name."""
    return dict(call.params["document"] for call in telegram.api.sent(chat_id, "sendDocument"))


def rows(sheet) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


async def test_the_spreadsheet_holds_the_committees_agreements_and_avances(telegram, sessions, clock, four_weeks):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/reporte")
    files = documents(telegram, rosa.id)
    assert sorted(files) == ["informe-seguimiento-coresec-moquegua-2026-03-30.pdf",
                             "informe-seguimiento-coresec-moquegua-2026-03-30.xlsx"]
    assert "Informe de seguimiento de acuerdos de <b>CORESEC Moquegua</b> al 30/03/2026" in \
        telegram.api.sent(rosa.id, "sendDocument")[0].text

    book = openpyxl.load_workbook(io.BytesIO(files["informe-seguimiento-coresec-moquegua-2026-03-30.xlsx"]))
    assert book.sheetnames == ["Resumen", "Acuerdos", "Avances"]

    summary = rows(book["Resumen"])
    assert summary[:4] == [("Informe de seguimiento de acuerdos",) + (None,) * 9,
                           ("Comité: CORESEC Moquegua",) + (None,) * 9,
                           ("Periodo: del 25/02/2026 al 30/03/2026 (desde la última sesión)",) + (None,) * 9,
                           ("Fecha de corte: 30/03/2026 08:00",) + (None,) * 9]
    assert [r[:2] for r in summary[5:11]] == [("Semáforo", "Acuerdos"), ("Al día", 3), ("En riesgo", 1),
                                              ("Crítico", 3), ("Sin plazo", 1), ("Cumplido", 1)]
    assert summary[12][0] == "Institución" and len(summary) == 13 + 9
    assert summary[13 + 8] == ("Warmi Ñan", 2, 1, 0, 0, datetime(2026, 3, 4), 0, 0, 1, 1)

    agreements = book["Acuerdos"]
    table = rows(agreements)
    assert table[0] == ("Sesión", "Fecha de sesión", "Código", "Acuerdo", "Institución responsable", "Plazo", "Estado",
                        "Avance (%)", "Último avance", "Recordatorios sin respuesta", "Semáforo")
    assert len(table) == 1 + 16  # one row per agreement × institution
    by_key = {(r[2], r[4]): r for r in table[1:]}
    assert by_key[("2.1", "Warmi Ñan")][5:] == (datetime(2026, 3, 20), "en proceso", 20, datetime(2026, 3, 4), 0,
                                               "Crítico")
    assert by_key[("2.1", "Warmi Ñan")][:2] == ("sesión ordinaria N° 1 del 25/02/2026", datetime(2026, 2, 25))
    assert by_key[("04", "INABIF")][5:] == (datetime(2026, 3, 31), "pendiente", 0, None, 2, "Crítico")
    assert by_key[("05", "Secretaria Técnica CORESEC")][5] == datetime(2026, 4, 24)
    assert by_key[("01", "Gobiernos Locales")][5:] == ("sin plazo", "pendiente", 0, None, 0, "Sin plazo")
    assert by_key[("2.3", "Gobiernos Locales")][6:] == ("anulado", 0, datetime(2026, 3, 26), 0, None)
    assert agreements.freeze_panes == "A2" and agreements.auto_filter.ref == "A1:K17"
    dates = [cell for column in ("B", "F", "I") for cell in agreements[column][1:] if cell.is_date]
    assert len(dates) == 16 + 10 + 10 and {cell.number_format for cell in dates} == {"DD/MM/YYYY"}
    assert agreements.column_dimensions["D"].width == 70

    progress = book["Avances"]
    updates = rows(progress)
    assert len(updates) == 1 + 17 and progress.freeze_panes == "A2"
    assert updates[1] == (datetime(2026, 3, 3, 10, 0), 1, "2.1", "PNP", "en proceso", 30,
                          "Se coordinó con el CEM los informes", "Carlos", 0)
    assert updates[-1][:5] == (datetime(2026, 3, 28, 9, 0), 1, "04", "Secretaria Técnica CORESEC", "cumplido")


async def test_the_pdf_has_the_chart_the_open_agreements_and_the_overdue(telegram, sessions, clock, four_weeks):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/reporte")
    data = documents(telegram, rosa.id)["informe-seguimiento-coresec-moquegua-2026-03-30.pdf"]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 3
        cover, opened, overdue = (page.extract_text() for page in pdf.pages)
        assert len(pdf.pages[0].images) == 1 and pdf.pages[0].images[0]["width"] > 500
        assert not pdf.pages[1].images and not pdf.pages[2].images
    assert cover.split("\n")[:5] == [
        "Informe de seguimiento de acuerdos", "Comité: CORESEC Moquegua",
        "Periodo: del 25/02/2026 al 30/03/2026 (desde la última sesión)", "Fecha de corte: 30/03/2026 08:00",
        "Semáforo de 8 acuerdo(s): Al día 3 · En riesgo 1 · Crítico 3 · Sin plazo 1 · cumplidos 1"]
    assert "Página 1 de 3" in cover
    assert opened.startswith("Acuerdos abiertos (7)\nCódigo Acuerdo Responsables Plazo Semáforo")
    assert "Warmi Ñan: en proceso (20%)" in opened and "(la siguiente sesión)" in opened
    assert "Prefectura" not in opened  # 2.5 is done
    assert overdue.split("\n")[:5] == [
        "Acuerdos vencidos (3)", "Código Institución Plazo Días de atraso Estado Último avance",
        "2.1 Warmi Ñan 20/03/2026 10 en proceso 04/03/2026",
        "03 Región Policial 27/03/2026 3 con dificultades 27/03/2026",
        "03 Dirección Regional de Educación 27/03/2026 3 pendiente ninguno"]


async def test_the_semaforo_chart_comes_as_a_picture(telegram, sessions, clock, four_weeks):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/semaforo")
    photo = telegram.api.sent(rosa.id, "sendPhoto")[0]
    name, picture = photo.params["photo"]
    assert name == "semaforo-coresec-moquegua-2026-03-30.png" and picture.startswith(b"\x89PNG")
    assert photo.text == ("🚦 Semáforo por institución de <b>CORESEC Moquegua</b> al 30/03/2026: 🟢 Al día 3 · "
                          "🟡 En riesgo 1 · 🔴 Crítico 3 · ⚪ Sin plazo 1")


def test_the_operator_prints_the_summary_and_exports_the_report(four_weeks, database_url, monkeypatch, tmp_path,
                                                                 capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)

    assert main(["summary", "--committee", "coresec moquegua"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("📊 Resumen de CORESEC Moquegua\n") and "<b>" not in printed
    assert "Warmi Ñan: 2 abierto(s)" in printed

    assert main(["export", "--committee", "CORESEC Moquegua", "--format", "csv", "--out", "informe.csv"]) == 0
    lines = (tmp_path / "informe.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Sesión;Fecha de sesión;Código;Acuerdo;") and len(lines) == 1 + 16
    assert any(line.startswith("sesión ordinaria N° 1 del 25/02/2026;25/02/2026;2.5;") for line in lines)
    for kind in ("xlsx", "pdf"):
        assert main(["export", "--committee", "CORESEC Moquegua", "--format", kind, "--out", f"informe.{kind}"]) == 0
    assert openpyxl.load_workbook(tmp_path / "informe.xlsx").sheetnames == ["Resumen", "Acuerdos", "Avances"]
    assert (tmp_path / "informe.pdf").read_bytes().startswith(b"%PDF")

    assert main(["export", "--committee", "CORESEC Tacna", "--format", "pdf", "--out", "x.pdf"]) == 1
    assert "No committee named 'CORESEC Tacna'" in capsys.readouterr().err


INSTITUTIONS = ("PNP", "Gobiernos Locales", "Warmi Ñan", "Prefectura", "INABIF", "DREMO", "Juntas Vecinales",
                "Ministerio Público", "DIRESA", "Gerencia <Seguridad> & Fiscalización")
MIX = (Status.PENDIENTE, Status.EN_PROCESO, Status.CON_DIFICULTADES, Status.REPORTADO, Status.OBSERVADO,
       Status.CUMPLIDO, Status.EN_PROCESO)


@pytest.fixture
async def large_committee(sessions, clock, committee) -> Committee:
    """CORESEC Moquegua with 500 agreements, two institutions each, and a week of avances."""
    today = local_today(clock, "America/Lima")
    async with sessions.begin() as db:
        institutions = [Institution(committee_id=committee.id, name=name, key=institution_key(name),
                                    created_at=clock.now()) for name in INSTITUTIONS]
        session = Session(committee_id=committee.id, kind=SessionKind.ORDINARIA, number=1,
                          held_on=today - timedelta(days=40), created_at=clock.now())
        db.add_all(institutions)
        agreements = []
        for n in range(500):
            deadline = None if n % 3 == 0 else today + timedelta(days=n % 60 - 20)
            agreements.append(Agreement(
                committee_id=committee.id, session=session, code=f"{n // 10 + 1}.{n % 10 + 1}",
                text=f"Acuerdo {n}: coordinar acciones de prevención en el distrito, informar avances y "
                     f"remitir evidencias a la Secretaría Técnica. " * (1 + n % 3),
                deadline=deadline, created_at=clock.now() - timedelta(days=40),
                assignments=[Assignment(institution=institutions[(n + k) % len(institutions)], status=MIX[(n + k) % 7],
                                        percent=(n * 7) % 100, created_at=clock.now() - timedelta(days=40),
                                        last_update_at=clock.now() - timedelta(days=n % 20) if n % 4 else None)
                             for k in (0, 3)]))
        db.add_all(agreements)
        await db.flush()
        for n, agreement in enumerate(agreements[:200]):
            db.add(StatusUpdate(assignment_id=agreement.assignments[0].id, status=Status.EN_PROCESO, percent=50,
                                note=f"Avance <{n}> & más", author_name="Focal",
                                created_at=clock.now() - timedelta(hours=n)))
    return committee


async def test_a_500_agreement_committee_gets_its_summary_and_both_documents(telegram, sessions, clock, engine,
                                                                             large_committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/resumen")
    pieces = rosa.said()[1:]
    assert len(pieces) > 1 and all(len(piece) <= 4096 for piece in pieces)  # the fake API checks the HTML too
    assert "Gerencia &lt;Seguridad&gt; &amp; Fiscalización" in "".join(pieces)

    await rosa.send("/reporte")
    files = documents(telegram, rosa.id)
    book = openpyxl.load_workbook(io.BytesIO(files["informe-seguimiento-coresec-moquegua-2026-03-02.xlsx"]),
                                  read_only=True)
    assert book["Acuerdos"].max_row == 1 + 1000 and book["Avances"].max_row == 1 + 200
    with pdfplumber.open(io.BytesIO(files["informe-seguimiento-coresec-moquegua-2026-03-02.pdf"])) as pdf:
        pages = len(pdf.pages)
        assert pages > 10 and len(pdf.pages[0].images) == 1
        assert f"Página {pages} de {pages}" in pdf.pages[-1].extract_text()
        assert pdf.pages[1].extract_text().startswith("Acuerdos abiertos")


async def test_a_summary_costs_the_same_statements_for_3_or_500_agreements(sessions, clock, engine, large_committee):
    async with sessions.begin() as db:
        small = Committee(name="CODISEC Ilo", kind="CODISEC", timezone="America/Lima", settings={},
                          created_at=clock.now())
        db.add(small)
        await db.flush()
        pnp = Institution(committee_id=small.id, name="PNP", key="pnp", created_at=clock.now())
        session = Session(committee=small, kind=SessionKind.ORDINARIA, number=1,
                          held_on=local_today(clock, "America/Lima"), created_at=clock.now())
        db.add_all([Agreement(committee_id=small.id, session=session, code=str(n), text="Patrullaje",
                              created_at=clock.now(), assignments=[Assignment(institution=pnp, status=Status.PENDIENTE,
                                                                              percent=0, created_at=clock.now())])
                    for n in (1, 2, 3)])
    statements = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    counted = {}
    for committee_id, size in ((large_committee.id, 500), (small.id, 3)):
        async with sessions() as db:
            committee = await db.get(Committee, committee_id)
            statements.clear()
            summary = await summaries.build_summary(db, committee, clock.now())
        assert len(summary.agreements) == size
        counted[size] = len(statements)
    assert counted[500] == counted[3] == 6


async def test_what_people_wrote_stays_text_in_the_spreadsheet_the_csv_and_the_chart(telegram, sessions, clock,
                                                                                     committee):
    from bot import exports, informe

    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/instituciones agregar Fondo $^$ Serenazgo, PNP")
    await rosa.send("/sesion ordinaria 1 25/02/2026")
    formula = '=HYPERLINK("http://example.org/robar";"ver")'
    await rosa.send(f"/nuevo 1.1 | {formula} | Fondo $^$ Serenazgo, PNP | 30 de abril")
    assert "Registré el acuerdo <b>1.1</b>" in rosa.last()
    async with sessions() as db:
        report = await informe.build_report(db, await db.get(Committee, committee.id), clock.now())

    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx(report)))
    cells = [cell for row in book["Acuerdos"].iter_rows() for cell in row if cell.value == formula]
    assert cells and all(cell.data_type == "s" for cell in cells)
    import csv

    fields = [field for row in csv.reader(io.StringIO(exports.csv_bytes(report).decode("utf-8-sig")), delimiter=";")
              for field in row]
    assert f"'{formula}" in fields and formula not in fields
    assert exports.chart_png(report.summary).startswith(b"\x89PNG")  # "$^$" drawn as written, not as mathematics
