"""Evidence that outlives the bot: every file kept in the evidence folder, named by its SHA-256, and the files known
only by Telegram's file_id fetched into it later."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select

from bot import evidence
from bot.config import Settings
from bot.context import AppContext
from models.entities import Evidence
from tests.support.progress import committee_with_agreement, status_of, updates

PDF = b"%PDF-1.4\n% acta de entrega de la PNP\n"


def folder(telegram) -> Path:
    return telegram.application.bot_data["services"].settings.evidence_folder


async def kept(sessions) -> list[Evidence]:
    async with sessions() as db:
        return list((await db.scalars(select(Evidence).order_by(Evidence.id))).all())


async def report_done_with(carlos, name: str, content: bytes) -> None:
    await carlos.send("/pendientes")
    await carlos.press("✅ 3")
    await carlos.send_document(name, content, mime_type="application/pdf")
    assert "Reportado como cumplido: <b>3</b> (PNP)" in carlos.last()


def test_the_folder_is_beside_the_sqlite_file_unless_set(tmp_path):
    def read(**environ) -> Path:
        return Settings.from_env(environ, require_token=False, env_file=tmp_path / "none").evidence_folder

    assert read() == Path("evidence")  # beside ./acuerdos.db
    assert read(DATABASE_URL="sqlite+aiosqlite:////data/acuerdos.db") == Path("/data/evidence")
    assert read(DATABASE_URL="postgresql://acuerdos:secreto@db/acuerdos") == Path("evidence")
    assert read(DATABASE_URL="sqlite+aiosqlite:////data/acuerdos.db",
                ACUERDOS_EVIDENCE_DIR="/srv/evidencias") == Path("/srv/evidencias")


async def test_a_report_keeps_its_file_in_the_folder_named_by_its_hash(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await report_done_with(carlos, "Acta de entrega.PDF", PDF)

    [row] = await kept(sessions)
    digest = hashlib.sha256(PDF).hexdigest()
    assert row.sha256 == digest and row.file_id.startswith("file-")  # Telegram's copy stays a second one
    assert row.stored_path == f"{digest}.pdf"  # relative to the folder: a moved folder keeps working
    assert (folder(telegram) / row.stored_path).read_bytes() == PDF
    assert [p.name for p in folder(telegram).iterdir()] == [f"{digest}.pdf"]  # no temporary file left behind

    # The same file again is the same name, and the copy already there is not written again.
    before = (folder(telegram) / row.stored_path).stat().st_mtime_ns
    await lucia.send("/pendientes")
    await lucia.press("✅ 2.1")
    await lucia.send_document("copia.pdf", PDF, mime_type="application/pdf")
    assert [r.stored_path for r in await kept(sessions)] == [f"{digest}.pdf"] * 2
    assert (folder(telegram) / row.stored_path).stat().st_mtime_ns == before


async def test_a_download_that_failed_is_fetched_later(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    telegram.api.fail("getFile", 502)
    await report_done_with(carlos, "oficio.pdf", PDF)  # the report is not lost for want of the copy

    [row] = await kept(sessions)
    assert row.file_id and row.sha256 is None and row.stored_path is None
    assert await status_of(sessions, "3", "PNP") == "reportado"

    fetched = await evidence.fetch_round(AppContext(telegram.application))
    assert (fetched.kept, fetched.failed, fetched.done) == (1, 0, True)
    [row] = await kept(sessions)
    assert row.sha256 == hashlib.sha256(PDF).hexdigest() and row.size == len(PDF)
    assert (folder(telegram) / row.stored_path).read_bytes() == PDF
    assert (await evidence.fetch_round(AppContext(telegram.application))).kept == 0  # nothing left to fetch


async def test_older_rows_are_fetched_a_few_at_a_time_and_a_bad_file_stops_nothing(telegram, sessions, clock,
                                                                                  committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/avance 3 20% Se envió el oficio")
    [update] = await updates(sessions)
    contents = [f"archivo {n}".encode() for n in range(5)]
    async with sessions.begin() as db:  # as rows were written before the folder existed: by file_id only
        for n, content in enumerate(contents):
            file_id, unique = telegram.api.add_file(content) if n != 1 else ("borrado-por-telegram", "x")
            db.add(Evidence(status_update_id=update.id, kind="document", file_id=file_id, file_unique_id=unique,
                            name=f"anexo-{n}.docx", created_at=clock.now()))

    context = AppContext(telegram.application)
    first = await evidence.fetch_missing(telegram.application.bot, sessions, folder(telegram), limit=3)
    assert (first.kept, first.failed, first.done) == (2, 1, False)  # the bad file is logged and passed over
    telegram.application.bot_data[evidence.FETCHING] = first.last_id
    second = await evidence.fetch_round(context)
    assert (second.kept, second.failed, second.done) == (2, 0, True)
    assert telegram.application.bot_data[evidence.FETCHING] == 0  # the next pass starts from the first again
    rows = await kept(sessions)
    assert [r.stored_path is not None for r in rows] == [True, False, True, True, True]
    for row, content in zip(rows, contents):
        if row.stored_path:
            assert row.stored_path == f"{hashlib.sha256(content).hexdigest()}.docx"
            assert (folder(telegram) / row.stored_path).read_bytes() == content
    assert (await evidence.fetch_round(context)).failed == 1  # tried again on every pass, harmlessly


def test_a_row_written_with_an_absolute_path_is_found_in_a_moved_folder(tmp_path):
    moved = tmp_path / "nueva"
    moved.mkdir()
    digest, name = evidence.keep(moved, PDF, "x.pdf")
    assert evidence.stored_file(moved, name) == moved / f"{digest}.pdf"
    assert evidence.stored_file(moved, f"/antigua/evidencias/{digest}.pdf") == moved / f"{digest}.pdf"
    assert evidence.stored_file(moved, None) is None
