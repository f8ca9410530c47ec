"""The audit bundle a third party can check: `acuerdos-bot export --format zip` writes the Informe, every status
update and audit entry, the evidence files and a SHA256SUMS manifest that `sha256sum -c` verifies."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import subprocess
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy import func, select

from bot.cli import main
from bot.clock import SystemClock
from models.entities import AuditEntry, Evidence, StatusUpdate
from tests.support.progress import committee_with_agreement

OFICIO = b"%PDF-1.4\n% oficio 045-2026 de la PNP\n"
FOTO = b"\xff\xd8\xff\xe0 foto de la entrega"


def table(archive: zipfile.ZipFile, path: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(path).decode("utf-8-sig")), delimiter=";"))


async def test_the_bundle_holds_everything_and_its_manifest_checks(telegram, sessions, clock, committee, tmp_path,
                                                                   monkeypatch, capsys, database_url):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/avance 2.1 40% =HYPERLINK(\"http://example.com\") oficio en trámite")
    await carlos.send("/pendientes")
    await carlos.press("✅ 3")
    await carlos.send_document("oficio 045.pdf", OFICIO, mime_type="application/pdf")
    await lucia.send("/pendientes")
    await lucia.press("✅ 2.1")
    await lucia.send_photo(FOTO)
    await rosa.send("/verificar 3 PNP")
    folder = telegram.application.bot_data["services"].settings.evidence_folder
    (folder / f"{hashlib.sha256(FOTO).hexdigest()}.jpg").unlink()  # a copy lost from the folder
    async with sessions() as db:
        counts = (await db.scalar(select(func.count(StatusUpdate.id))),
                  await db.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.committee_id == committee.id)))
        photo = await db.scalar(select(Evidence).where(Evidence.kind == "photo"))

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)  # the test's database: a SQLite file, or PostgreSQL
    monkeypatch.setenv("ACUERDOS_EVIDENCE_DIR", str(folder))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    exported = ["export", "--committee", "CORESEC Moquegua", "--format", "zip", "--out", "auditoria.zip"]
    assert await asyncio.to_thread(main, exported) == 0
    said = capsys.readouterr().err
    assert "1 evidence file(s) missing" in said and "faltantes.txt" in said

    today = SystemClock().now().astimezone(ZoneInfo("America/Lima")).date().isoformat()  # the command line's clock
    root, xlsx = f"auditoria-coresec-moquegua-{today}", f"informe-seguimiento-coresec-moquegua-{today}.xlsx"
    with zipfile.ZipFile(tmp_path / "auditoria.zip") as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{root}/{name}" for name in (
            "LEEME.txt", xlsx, "avances.csv", "auditoria.csv",
            "evidencias.csv", f"evidencia/{hashlib.sha256(OFICIO).hexdigest()}.pdf", "faltantes.txt", "SHA256SUMS"))
        archive.extractall(tmp_path / "abierto")

        updates = table(archive, f"{root}/avances.csv")
        assert updates[0][:3] == ["N° avance", "Fecha (UTC)", "Fecha local"] and len(updates) == 1 + counts[0]
        assert any(row[9].startswith("'=HYPERLINK(") for row in updates)  # text, never a formula
        audit = table(archive, f"{root}/auditoria.csv")
        assert audit[0][0] == "N°" and len(audit) == 1 + counts[1]
        assert any(row[3] == "assignment_verify" for row in audit)
        evidence = table(archive, f"{root}/evidencias.csv")
        assert [row[3] for row in evidence[1:]] == ["oficio 045.pdf", "foto.jpg"]
        assert evidence[1][7] == f"evidencia/{hashlib.sha256(OFICIO).hexdigest()}.pdf" and evidence[2][7] == ""
        missing = archive.read(f"{root}/faltantes.txt").decode()
        assert f"file_id {photo.file_id}" in missing and "no está en la carpeta" in missing
        book = openpyxl.load_workbook(io.BytesIO(archive.read(f"{root}/{xlsx}")))
        assert book.sheetnames == ["Resumen", "Acuerdos", "Avances"]

    opened = tmp_path / "abierto" / root
    manifest = (opened / "SHA256SUMS").read_text().splitlines()
    assert len(manifest) == len(names) - 1  # every file but the manifest itself
    for line in manifest:
        digest, path = line.split("  ", 1)
        assert hashlib.sha256((opened / path).read_bytes()).hexdigest() == digest
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=opened, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(manifest)

    # A file changed after the export is caught.
    (opened / "avances.csv").write_bytes(b"otra cosa")
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=opened, capture_output=True).returncode
    assert not Path(tmp_path / ".auditoria.zip.partial").exists()
