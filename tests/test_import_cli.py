"""The operator imports an acta from the command line: the preview first, --yes to register it."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import func, select

from bot.cli import main
from models.db import create_engine, session_factory
from models.entities import Agreement
from tests.support.actas import seed_file, seed_text

COMMITTEE = ["--committee", "CORESEC Moquegua"]


def agreements(database_url: str) -> dict[str, date | None]:
    async def read() -> dict[str, date | None]:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as db:
                rows = (await db.execute(select(Agreement.code, Agreement.deadline).order_by(Agreement.id))).all()
                assert await db.scalar(select(func.count()).select_from(Agreement)) == len(rows)
                return dict(rows)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_import_prints_the_preview_and_registers_only_with_yes(operator_env, database_url, capsys):
    assert main(["committee", "add", "CORESEC Moquegua", "--kind", "CORESEC"]) == 0
    capsys.readouterr()

    assert main(["import", str(seed_file()), *COMMITTEE]) == 0
    printed = capsys.readouterr()
    assert "Vista previa del acta" in printed.out and "Por registrar: 9 acuerdos con 16 responsabilidades" in printed.out
    assert "<b>" not in printed.out and "--yes" in printed.err
    assert agreements(database_url) == {}

    assert main(["import", str(seed_file()), *COMMITTEE, "--yes"]) == 0
    assert "Registré 9 acuerdos y 16 responsabilidades en la sesión ordinaria N° 1 del 25/02/2026" \
        in capsys.readouterr().out
    registered = agreements(database_url)
    assert list(registered) == ["01", "2.1", "2.2", "2.3", "2.4", "2.5", "03", "04", "05"]
    assert registered["2.5"] == date(2026, 2, 26)

    assert main(["import", str(seed_file()), *COMMITTEE, "--yes"]) == 0
    assert "No hay acuerdos nuevos que registrar." in capsys.readouterr().out
    assert len(agreements(database_url)) == 9


def test_import_asks_for_the_session_the_acta_does_not_name(operator_env, database_url, tmp_path, capsys):
    assert main(["committee", "add", "CORESEC Moquegua", "--kind", "CORESEC"]) == 0
    headless = tmp_path / "acuerdos.tsv"
    headless.write_text(seed_text().split("Fecha: 25/02/2026")[1], encoding="utf-8")

    assert main(["import", str(headless), *COMMITTEE, "--yes"]) == 1
    assert '--session "ordinaria 1 25/02/2026"' in capsys.readouterr().err
    assert main(["import", str(headless), *COMMITTEE, "--session", "primera"]) == 1
    assert main(["import", str(headless), *COMMITTEE, "--yes", "--session", "ordinaria 1 25/02/2026"]) == 0

    assert agreements(database_url)["2.5"] == date(2026, 2, 26)


def test_import_refuses_bad_files_in_spanish_and_writes_nothing(operator_env, database_url, tmp_path, capsys):
    assert main(["committee", "add", "CORESEC Moquegua", "--kind", "CORESEC"]) == 0
    odt = tmp_path / "acta.odt"
    odt.write_bytes(b"PK\x03\x04 un documento de LibreOffice")

    assert main(["import", str(odt), *COMMITTEE, "--yes"]) == 1
    assert "No puedo leer archivos «.odt»" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "no-existe.docx"), *COMMITTEE, "--yes"]) == 1
    assert "No puedo leer" in capsys.readouterr().err
    assert main(["import", str(seed_file()), "--committee", "Nadie", "--yes"]) == 1
    assert agreements(database_url) == {}
