"""The seed acta's lines and rows written as the files secretaries send: Word, Excel, CSV and PDF with a text layer."""

from __future__ import annotations

import csv
import io

import docx
import openpyxl
from pdfminer.fontmetrics import FONT_METRICS


def make_docx(above, table) -> bytes:
    document = docx.Document()
    for line in above:
        document.add_paragraph(line)
    grid = document.add_table(rows=len(table), cols=5)
    for cells, row in zip(table, grid.rows):
        for value, cell in zip(cells, row.cells):
            cell.text = value
    document.add_paragraph("Firmado: Secretaría Técnica")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx(above, table, merge=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in above:
        sheet.append([line])
    sheet.append([])
    for cells in table:
        sheet.append([value or None for value in cells])
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_csv(above, table, delimiter, encoding) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerows([[line] for line in above] + table)
    return buffer.getvalue().encode(encoding)


def pdf_file(pages: list[bytes]) -> bytes:
    """A minimal PDF: one content stream per A4 page, Helvetica as font F1 (a real text layer)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", HELVETICA]
    for content in pages:
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (len(objects) + 2)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    kids = b" ".join(b"%d 0 R" % number for number in range(4, len(objects) + 1, 2))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
GLYPH_WIDTHS = FONT_METRICS["Helvetica"][1]


def wrap(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        line = f"{lines[-1]} {word}" if lines else word
        if lines and sum(GLYPH_WIDTHS.get(char, 1000) for char in line) * size / 1000 <= width:
            lines[-1] = line
        else:
            lines.append(word)
    return lines


def make_pdf(above, table, rows_per_page=3) -> bytes:
    """The acta as a bordered table over several pages, the title row repeated on each one."""
    size, leading = 6, 7.5
    lefts = [20, 45, 205, 365, 470, 575]
    pages = []
    for start in range(1, len(table), rows_per_page):
        ops, top = [b"0.5 w"], 812.0
        for line in above if start == 1 else []:
            ops.append(pdf_text(20, top - size, line, size))
            top -= 2 * leading
        for cells in [table[0], *table[start: start + rows_per_page]]:
            columns = list(zip(cells, lefts, lefts[1:]))
            wrapped = [wrap(value, right - left - 4, size) for value, left, right in columns]
            for left, lines in zip(lefts, wrapped):
                for n, line in enumerate(lines, start=1):
                    ops.append(pdf_text(left + 2, top - 2 - leading * n, line, size))
            bottom = top - leading * max(map(len, wrapped)) - 6
            ops += [b"%d %.1f m %d %.1f l S" % (x, top, x, bottom) for x in lefts]
            ops += [b"%d %.1f m %d %.1f l S" % (lefts[0], y, lefts[-1], y) for y in (top, bottom)]
            top = bottom
        pages.append(b"\n".join(ops))
    return pdf_file(pages)


def pdf_text(x: float, y: float, text: str, size: float) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252")
    return b"BT /F1 %d Tf %.1f %.1f Td (%s) Tj ET" % (size, x, y, escaped)


def sparse_xlsx(above, table) -> bytes:
    """The acta as a workbook with one more value at the sheet's last cell, XFD1048576: a few KB on disk, a
    sheet of 16,384 columns by 1,048,576 rows to a reader that pads its rows."""
    book = openpyxl.load_workbook(io.BytesIO(make_xlsx(above, table)))
    book.active["XFD1048576"] = "fin"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def inflating_docx(above, table, inflated: int, filler: bytes = b" ") -> bytes:
    """The acta as a Word file whose document.xml grows by `inflated` bytes of `filler` (blanks, or empty paragraphs
    `<w:p/>`) once decompressed: tens of KB on disk, written in pieces so that the test never holds the whole."""
    import zipfile

    original = zipfile.ZipFile(io.BytesIO(make_docx(above, table)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for member in original.infolist():
            content = original.read(member)
            if member.filename != "word/document.xml":
                bomb.writestr(member, content)
                continue
            head, tail = content.split(b"<w:body>", 1)
            with bomb.open("word/document.xml", "w", force_zip64=True) as document:
                document.write(head + b"<w:body>")
                piece = filler * (1024 * 1024 // len(filler))
                for _ in range(inflated // len(piece)):
                    document.write(piece)
                document.write(tail)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    """A PDF protected with a password (the standard security handler), whose password nobody here knows."""
    content = pdf_file([b"BT /F1 12 Tf 50 700 Td (Acuerdos) Tj ET"])
    encrypt = (b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + b"00" * 32 + b"> /U <" + b"11" * 32
               + b"> /P -4 >> /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] ")
    return content.replace(b"trailer\n<< ", b"trailer\n<< " + encrypt)
