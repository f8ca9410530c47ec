"""Reading an acta never freezes the bot: each file is read by a worker process within limits, every limit is
answered in Spanish with what to do, and other chats are answered meanwhile."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from bot.acta import limits
from bot.acta.parser import parse_rows
from bot.acta.readers import read_acta_text
from bot.cli import main
from tests.support.acta_files import encrypted_pdf, inflating_docx, make_docx, make_xlsx, sparse_xlsx
from tests.support.actas import HEADER, numbered_acta, seed_file, seed_parts
from tests.test_import_chat import counts, said, secretary

MIB = 1024 * 1024


def rows_of(text: str) -> tuple[list[str], list[list[str]]]:
    """An acta's lines above its table, and the table's rows, as the file makers take them."""
    lines = text.split("\n")
    header_at = lines.index("\t".join(HEADER))
    return lines[:header_at], [line.split("\t") for line in lines[header_at:]]


def wide_xlsx() -> bytes:
    above, table = seed_parts()
    return make_xlsx(above, [row + [f"Columna {n}" for n in range(66)] for row in table])


async def test_every_limit_is_answered_in_spanish_and_nothing_is_written(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/importar")
    before = await counts(sessions)
    hostile = [
        ("hoja-dispersa.xlsx", sparse_xlsx(*seed_parts()), "tiene más de 20000 filas"),
        ("ancha.xlsx", wide_xlsx(), "La tabla tiene más de 64 columnas"),
        ("bomba.docx", inflating_docx(*seed_parts(), 51 * MIB), "ocupa más de 50 MB una vez abierto"),
        ("larga.txt", numbered_acta(2001).encode(), "más de 2000 acuerdos, el máximo de una vez. Divídela"),
        ("una-linea.txt", b"x" * (19 * MIB), "La línea 1 tiene 19922944 caracteres: no es una tabla"),
        ("protegida.pdf", encrypted_pdf(), "El PDF está protegido con contraseña"),
    ]

    for filename, content, says in hostile:
        started = time.perf_counter()
        await rosa.send_document(filename, content)
        assert says in rosa.last() and "No registré nada" in rosa.last(), filename
        assert time.perf_counter() - started < 10, filename
    assert await counts(sessions) == before
    assert telegram.api.messages_with_buttons(rosa.id) == []


async def test_a_file_over_20_mb_sent_without_its_size_gets_the_size_answer(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/importar")
    file_id, unique = telegram.api.add_file(b"%PDF-1.4")
    telegram.api.sizes[file_id] = 25 * MIB  # Telegram's getFile answers "Bad Request: file is too big"

    await telegram.deliver({"message": rosa._message(None, None, document={
        "file_id": file_id, "file_unique_id": unique, "file_name": "acta-con-anexos.pdf"})})

    assert "El archivo pesa más de 20 MB, el máximo" in rosa.last() and "No registré nada" in rosa.last()
    assert "Algo salió mal" not in " ".join(rosa.said())


async def test_a_reading_over_its_time_or_memory_is_stopped_and_answered(telegram, sessions, clock, committee,
                                                                         monkeypatch):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/importar")
    slow = make_docx(*rows_of(numbered_acta(2000)))  # about 2 s to read on the development machine

    monkeypatch.setattr(limits, "LIMITS", replace(limits.LIMITS, seconds=0.2))
    started = time.perf_counter()
    await rosa.send_document("acta.docx", slow)
    assert "Leer este archivo tomó más de 0.2 segundos y lo dejé" in rosa.last()
    assert time.perf_counter() - started < 1.5

    monkeypatch.setattr(limits, "LIMITS", replace(limits.LIMITS, memory=4 * MIB))
    await rosa.send_document("acta.docx", slow)
    assert "necesita más memoria de la que puedo usar" in rosa.last() and "No registré nada" in rosa.last()

    monkeypatch.undo()
    await rosa.send_document(seed_file().name, seed_file().read_bytes())
    assert "Vista previa del acta" in said(telegram.api.sent(rosa.id)[-3:])


async def test_other_chats_are_answered_while_an_acta_is_read(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/importar")
    await rosa.send_document(seed_file().name, seed_file().read_bytes())  # the readers' server is up
    await rosa.send("/importar")
    slow = make_docx(*rows_of(numbered_acta(2000)))
    file_id, unique = telegram.api.add_file(slow)
    acta = {"message": rosa._message(None, None, document={
        "file_id": file_id, "file_unique_id": unique, "file_name": "acta.docx", "file_size": len(slow)})}
    others = [telegram.person(f"Persona {n}") for n in range(3)]

    sent_at = time.monotonic()
    reading = asyncio.ensure_future(telegram.deliver(acta))
    await asyncio.sleep(0.3)  # the acta is being read
    await telegram.deliver(*[person.typed("/ayuda") for person in others])
    await reading
    answered_at = max(call.at for person in others for call in telegram.api.sent(person.id))

    preview = [c for c in telegram.api.sent(rosa.id, "sendMessage") if "Vista previa" in c.text][-1]
    assert all("/importar" in person.last() for person in others)
    assert answered_at < preview.at
    assert answered_at - sent_at < 1.0 < preview.at - sent_at


async def test_a_2000_agreement_acta_is_still_previewed(telegram, sessions, clock, committee):
    rosa = await secretary(telegram, sessions, clock)
    await rosa.send("/importar")

    preview = said(await rosa.send_document("acta-2000.txt", numbered_acta(2000).encode()))

    assert "2000 acuerdos" in preview.replace("<b>", "").replace("</b>", "")
    name, content = telegram.api.documents(rosa.id)[-1]  # the whole preview, as a file beside the short message
    assert "80.25" in content.decode()
    assert any("Confirmar" in text for text, _ in telegram.api.sent(rosa.id)[-1].buttons)


def test_the_parser_is_linear_in_the_rows():
    """Rows without a number each get the next one; 20,000 of them once took minutes (each looked at all before)."""
    rows = [["Fecha: 25/02/2026"], HEADER] + [["", "", f"Patrullaje del sector {n}.", f"Institución {n}", "Prefectura"]
                                               for n in range(20_000)]
    roomy = replace(limits.LIMITS, agreements=20_000, rows=20_002)

    started = time.perf_counter()
    acta = parse_rows(rows, limits=roomy)

    assert len(acta.agreements) == 20_000 and acta.agreements[-1].code == "20000"
    assert time.perf_counter() - started < 10


def test_pasted_text_has_the_same_limits():
    with pytest.raises(Exception, match="más de 2000 acuerdos"):
        read_acta_text(numbered_acta(2001))


def test_the_command_line_reads_in_the_same_worker(operator_env, tmp_path, capsys):
    assert main(["committee", "add", "CORESEC Moquegua", "--kind", "CORESEC"]) == 0
    bomb = tmp_path / "bomba.docx"
    bomb.write_bytes(inflating_docx(*seed_parts(), 51 * MIB))

    assert main(["import", str(bomb), "--committee", "CORESEC Moquegua", "--yes"]) == 1
    assert "ocupa más de 50 MB una vez abierto" in capsys.readouterr().err


def test_memory_the_xml_library_was_refused_is_too_heavy_not_damaged(monkeypatch):
    from lxml.etree import XMLSyntaxError

    from bot.acta import readers

    def refused(data, limits):
        raise XMLSyntaxError("unknown error", 1, 1, 1, "document.xml")  # how libxml2 reports its refused memory

    monkeypatch.setitem(readers._READERS, ".docx", refused)
    with pytest.raises(MemoryError):  # the worker answers it with ACTA_TOO_HEAVY
        readers.read_acta("acta.docx", b"PK\x03\x04 ...")
