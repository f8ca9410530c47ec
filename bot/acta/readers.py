"""One small reader per file format, each turning an acta into rows of cells for parse_rows."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import PurePath
from xml.etree import ElementTree

import pdfplumber
from docx import Document
from docx.table import Table
from lxml.etree import XMLSyntaxError
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from pdfminer.pdfdocument import PDFEncryptionError

from bot import texts
from bot.acta.limits import LIMITS, MAX_BYTES, MIB, Limits
from bot.acta.parser import (
    ActaError,
    ParsedActa,
    check_rows,
    check_size,
    find_header,
    parse_rows,
)

__all__ = ["MAX_BYTES", "read_acta", "read_acta_text", "too_big"]


def read_acta(filename: str, data: bytes, session_date: date | None = None, limits: Limits = LIMITS) -> ParsedActa:
    """Read an acta sent as a file; the extension says which reader. In the bot it runs in a worker process
    (bot/acta/worker.py), which enforces the time and memory limits."""
    extension = PurePath(filename).suffix.lower()
    reader = _READERS.get(extension)
    if reader is None:
        raise ActaError(texts.plain(texts.t(texts.ACTA_UNSUPPORTED, ext=extension or filename)))
    if len(data) > MAX_BYTES:
        raise ActaError(too_big(len(data)))
    if not data.strip():
        raise ActaError(texts.ACTA_EMPTY_FILE)
    try:
        rows = reader(data, limits)
    except (ActaError, MemoryError):
        raise
    except Exception as error:  # the format libraries raise anything on a damaged file
        if _encrypted(error):
            raise ActaError(texts.ACTA_ENCRYPTED_PDF) from error
        if _out_of_memory(error):
            raise MemoryError from error
        raise ActaError(texts.plain(texts.t(texts.ACTA_DAMAGED, ext=extension))) from error
    return parse_rows(rows, session_date, limits)


def read_acta_text(text: str, session_date: date | None = None, limits: Limits = LIMITS) -> ParsedActa:
    """Read an acta pasted as text, one row per line and cells separated by tabs."""
    if not text.strip():
        raise ActaError(texts.ACTA_EMPTY_TEXT)
    if len(text.encode()) > MAX_BYTES:
        raise ActaError(too_big(len(text.encode())))
    rows = _delimited_rows(text, limits)
    if find_header(rows) is None:
        raise ActaError(f"{texts.ACTA_NO_AGREEMENT_COLUMN} {texts.ACTA_PASTED_COLUMNS}")
    return parse_rows(rows, session_date, limits)


def too_big(size: int) -> str:
    """Why a file of `size` bytes is refused."""
    return texts.plain(texts.t(texts.ACTA_TOO_BIG, size=f"{size / 1024 / 1024:.1f}"))


def _text_rows(data: bytes, limits: Limits) -> list[list[str]]:
    return _delimited_rows(_decode(data), limits)


def _delimited_rows(text: str, limits: Limits) -> list[list[str]]:
    """Rows split by the first separator that yields the table's title row."""
    lines = text.splitlines()
    check_rows(len(lines), limits)
    for number, line in enumerate(lines, start=1):
        if len(line) > limits.line:
            raise ActaError(texts.plain(texts.t(texts.ACTA_LINE_TOO_LONG, number=number, length=len(line))))
    # Tabs are split by hand: a cell that starts with a quote must not swallow the lines below.
    candidates = [[line.split("\t") for line in lines]]
    if csv.field_size_limit() < limits.line:
        csv.field_size_limit(limits.line)  # a cell may be as long as a line
    candidates += [list(csv.reader(lines, delimiter=separator)) for separator in ";,"]
    return next((rows for rows in candidates if find_header(rows) is not None), candidates[0])


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # what Excel in Spanish saves as CSV


def _xlsx_rows(data: bytes, limits: Limits) -> list[list[str]]:
    """The first sheet that has the table; vertical merges filled down, crossing ones refused. Only one row and
    one column past the limits are read, enough to tell that a sheet is beyond them."""
    _check_zip(data, ".xlsx", limits)
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        first: list[list[str]] | None = None
        for sheet in book.worksheets:
            values = sheet.iter_rows(min_row=1, min_col=1, max_row=limits.rows + 1, max_col=limits.columns + 1,
                                     values_only=True)
            rows = [[_xlsx_value(value) for value in row] for row in values]
            try:
                check_size(rows, limits)
            except ActaError:
                first = rows  # the table may be where it was not read: this sheet's limit is the answer
                continue
            first = rows if first is None else first
            header_at = find_header(rows)
            if header_at is None:
                continue
            for ref in _merged_ranges(sheet):
                min_col, min_row, max_col, max_row = range_boundaries(ref)
                if max_row <= header_at + 1:
                    continue  # titles above the table may span columns
                if max_col > min_col:
                    raise ActaError(texts.plain(texts.t(texts.ACTA_MERGED_CELLS, where=ref)))
                top = rows[min_row - 1]
                for row in rows[min_row:max_row]:
                    if min_col <= len(row) and min_col <= len(top):
                        row[min_col - 1] = top[min_col - 1]
            return rows
        return first or []
    finally:
        book.close()


def _merged_ranges(sheet) -> list[str]:
    """Ranges such as "A5:A9": read-only sheets skip merges, listed at the end of the sheet's XML."""
    refs = []
    with sheet._get_source() as source:
        for _, element in ElementTree.iterparse(source):
            if element.tag.endswith("}mergeCell"):
                refs.append(element.get("ref"))
            element.clear()  # the rows were read already; keep memory flat
    return refs


def _xlsx_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _docx_rows(data: bytes, limits: Limits) -> list[list[str]]:
    """Paragraphs before the agreements table give the header lines; the table gives the rows."""
    _check_zip(data, ".docx", limits)
    rows: list[list[str]] = []
    for block in Document(io.BytesIO(data)).iter_inner_content():
        if not isinstance(block, Table):
            rows.append([block.text])
            check_rows(len(rows), limits)
            continue
        if len(block._tbl.tblGrid.gridCol_lst) > limits.columns:
            raise ActaError(texts.plain(texts.t(texts.ACTA_TOO_WIDE, max=limits.columns)))
        check_rows(len(rows) + len(block.rows), limits)
        table = [row.cells for row in block.rows]
        values = [[cell.text for cell in cells] for cells in table]
        header_at = find_header(values)
        if header_at is None:
            rows += values
            continue
        for number, cells in enumerate(table[header_at + 1:], start=header_at + 2):
            # A horizontally merged cell comes back once for each column it covers.
            if any(left._tc is right._tc for left, right in zip(cells, cells[1:])):
                where = texts.t(texts.ACTA_MERGED_ROW, number=number)
                raise ActaError(texts.plain(texts.t(texts.ACTA_MERGED_CELLS, where=where)))
        return rows + values
    return rows


def _check_zip(data: bytes, extension: str, limits: Limits) -> None:
    """Refuse a zip (.xlsx, .docx) whose contents, once decompressed, are over the limit: first by the sizes it
    declares, then by counting the bytes as they are decompressed, before any library holds them in memory."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # the format's own library says it is damaged
    too_big = ActaError(texts.plain(texts.t(texts.ACTA_TOO_BIG_INFLATED, ext=extension, max=limits.inflated // MIB)))
    with archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > limits.inflated:
            raise too_big
        inflated = 0
        for member in members:
            with archive.open(member) as content:
                while chunk := content.read(MIB):
                    inflated += len(chunk)
                    if inflated > limits.inflated:
                        raise too_big


def _out_of_memory(error: BaseException) -> bool:
    """libxml2 (under python-docx and openpyxl) reports the memory it was refused as an "unknown error" of the XML,
    not as a MemoryError: a .docx of millions of empty paragraphs is too heavy, not damaged."""
    return isinstance(error, XMLSyntaxError) and str(error).startswith("unknown error")


def _encrypted(error: BaseException) -> bool:
    """pdfplumber wraps pdfminer's errors: a password-protected PDF is one inside."""
    causes = [error, error.__cause__, *error.args]
    return any(isinstance(cause, PDFEncryptionError) for cause in causes)


def _pdf_rows(data: bytes, limits: Limits) -> list[list[str]]:
    """The text above the first table gives the header lines; every table's rows follow."""
    rows: list[list[str]] = []
    has_text = has_table = False
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            has_text = has_text or bool(page.chars)
            for table in page.find_tables():
                if not has_table and table.bbox[1] > 1:
                    above = page.crop((0, 0, page.width, table.bbox[1])).extract_text() or ""
                    rows += [[line] for line in above.splitlines()]
                has_table = True
                # Line breaks inside a PDF cell are only wrapping.
                rows += [[" ".join((c or "").split()) for c in row] for row in table.extract()]
                check_rows(len(rows), limits)
    if not has_text:
        raise ActaError(texts.ACTA_SCANNED_PDF)
    if not has_table:
        raise ActaError(texts.ACTA_NO_PDF_TABLE)
    return rows


_READERS: dict[str, Callable[[bytes, Limits], list[list[str]]]] = {
    ".txt": _text_rows,
    ".tsv": _text_rows,
    ".csv": _text_rows,
    ".xlsx": _xlsx_rows,
    ".docx": _docx_rows,
    ".pdf": _pdf_rows,
}
