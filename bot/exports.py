"""The "Informe de seguimiento de acuerdos" as files: a spreadsheet (.xlsx), a PDF, a CSV and the semáforo chart.

Plain functions from a `Report` (or `Summary`) to bytes; they touch neither Telegram nor the database, so the
bot can run them in a worker thread.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from functools import cache
from html import escape
from pathlib import Path
from typing import Callable, Iterator

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from bot import texts
from bot.informe import Report
from bot.summaries import AgreementState, AssignmentState, Summary
from bot.views import day, shorten
from models.entities import Status
from models.names import institution_key
from models.semaforo import Light

# Saturated for the chart, pale behind text in the spreadsheet and the PDF.
CHART_COLOR = {Light.GREEN: "#2e7d32", Light.YELLOW: "#f9a825", Light.RED: "#c62828", Light.GREY: "#9e9e9e"}
CELL_COLOR = {Light.GREEN: "A5D6A7", Light.YELLOW: "FFE082", Light.RED: "EF9A9A", Light.GREY: "E0E0E0"}
CHART_ORDER = (Light.GREEN, Light.YELLOW, Light.RED, Light.GREY)
PDF_TEXT_LIMIT = 300
DATE_FORMAT = "DD/MM/YYYY"

# The fonts matplotlib ships cover Spanish, and more, in the chart and in the PDF alike.
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
TITLE_STYLE = ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=22)
TEXT_STYLE = ParagraphStyle("text", fontName=FONT, fontSize=11, leading=15)
SECTION_STYLE = ParagraphStyle("section", fontName=BOLD, fontSize=13, leading=18, spaceAfter=6)
CELL_STYLE = ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10.5)
HEADER_STYLE = ParagraphStyle("header", parent=CELL_STYLE, fontName=BOLD)
CHART_HEIGHT = 125 * mm  # what the first page has left under the heading


def filename(report: Report, extension: str) -> str:
    summary = report.summary
    return texts.plain(texts.t(texts.REPORT_FILE, committee=_slug(summary.committee), date=summary.today.isoformat(),
                               extension=extension))


def chart_filename(summary: Summary) -> str:
    return texts.plain(texts.t(texts.SEMAFORO_FILE, committee=_slug(summary.committee),
                               date=summary.today.isoformat()))


def _slug(name: str) -> str:
    return institution_key(name).replace(" ", "-") or "comite"


def slug(name: str) -> str:
    """A committee's name as file names carry it: «CORESEC Moquegua» is coresec-moquegua."""
    return _slug(name)


# A cell that starts with one of these is a formula to a spreadsheet (=HYPERLINK, =WEBSERVICE, +, -, @): what people
# wrote must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text_in_csv(value: object) -> object:
    """A value a spreadsheet would run as a formula, with an apostrophe in front (the usual way to keep it text)."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_cell(value: object) -> object:
    """A value as the CSV files write it: dates as dd/mm/yyyy, nothing as empty, text never run as a formula."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return day(value)
    return "" if value is None else _as_text_in_csv(value)


def _literal(label: str) -> str:
    """A name as the chart should draw it: matplotlib reads $…$ as mathematics."""
    return label.replace("$", r"\$")


def chart_png(summary: Summary) -> bytes:
    """A horizontal bar per institution, stacked by light: what /semaforo sends and the PDF shows."""
    lines = summary.institutions[::-1]  # barh draws bottom-up; the first institution goes on top
    figure = Figure(figsize=(10, 1.8 + 0.4 * max(len(lines), 1)), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(lines))
    left = [0] * len(lines)
    for each in CHART_ORDER:
        values = [line.tally[each] for line in lines]
        axes.barh(positions, values, left=left, color=CHART_COLOR[each], label=texts.LIGHT_NAME[each].capitalize())
        left = [a + b for a, b in zip(left, values)]
    axes.set_yticks(list(positions), [_literal(shorten(line.name, 45)) for line in lines])
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(texts.CHART_AXIS)
    figure.suptitle(_literal(texts.plain(texts.t(texts.CHART_TITLE, committee=summary.committee,
                                                 date=day(summary.today)))))
    figure.legend(loc="outside lower center", ncols=4, fontsize="small", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _deadline(agreement: AgreementState) -> date | str:
    if agreement.deadline is not None:
        return agreement.deadline
    return texts.NEXT_SESSION if agreement.next_session else texts.NO_DEADLINE


def _light_name(agreement: AgreementState, assignment: AssignmentState) -> str | None:
    if agreement.cancelled or assignment.status == Status.ANULADO:
        return None
    return texts.LIGHT_NAME[assignment.light]


def _local(value: datetime | None, report: Report) -> datetime | None:
    # Spreadsheets have no time zones: write the committee's local time.
    return value.astimezone(report.summary.tz).replace(tzinfo=None) if value else None


def assignment_rows(report: Report) -> Iterator[tuple]:
    """The "Acuerdos" sheet: one row per agreement × institution, in REPORT_AGREEMENT_COLUMNS order."""
    for agreement in report.summary.agreements:
        for assignment in agreement.assignments:
            last = _local(assignment.last_update, report)
            yield (agreement.session, agreement.session_on, agreement.code, agreement.text, assignment.institution,
                   _deadline(agreement), texts.STATUS[assignment.status.value], assignment.percent,
                   last.date() if last else None, assignment.unanswered, _light_name(agreement, assignment))


def update_rows(report: Report) -> Iterator[tuple]:
    """The "Avances" sheet, in REPORT_UPDATE_COLUMNS order."""
    for update in report.updates:
        yield (_local(update.at, report), update.session_number, update.code, update.institution,
               texts.STATUS[update.status.value], update.percent, update.note, update.author, update.evidence)


def xlsx(report: Report) -> bytes:
    """Sheets Resumen, Acuerdos and Avances; frozen headers, filters, widths, dates as dates."""
    summary = report.summary
    book = Workbook()
    sheet = book.active
    sheet.title = texts.REPORT_SHEETS[0]
    for line in _heading(report):
        _append(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    _header(sheet, texts.REPORT_LIGHT_COLUMNS)
    for each in Light:
        sheet.append([texts.LIGHT_NAME[each].capitalize(), summary.tally[each]])
        sheet.cell(sheet.max_row, 1).fill = _fill(each)
    sheet.append([texts.STATUS["cumplido"].capitalize(), summary.done])
    sheet.append([])
    _header(sheet, texts.REPORT_INSTITUTION_COLUMNS)
    for line in summary.institutions:
        last = _local(line.last_update, report)
        _append(sheet, [line.name, line.open, line.overdue, line.reported, line.done, last.date() if last else None,
                        *(line.tally[each] for each in (Light.GREEN, Light.YELLOW, Light.RED, Light.GREY))])
        sheet.cell(sheet.max_row, 6).number_format = DATE_FORMAT
    _widths(sheet, (40, 12, 12, 12, 12, 14, 10, 10, 10, 10))

    agreements = book.create_sheet(texts.REPORT_SHEETS[1])
    _table(agreements, texts.REPORT_AGREEMENT_COLUMNS, assignment_rows(report),
           (30, 14, 9, 70, 32, 18, 16, 11, 14, 14, 11),
           date_columns={2: DATE_FORMAT, 6: DATE_FORMAT, 9: DATE_FORMAT}, wrap_columns={4})
    light_column = len(texts.REPORT_AGREEMENT_COLUMNS)
    by_name = {texts.LIGHT_NAME[each]: each for each in Light}
    for row in range(2, agreements.max_row + 1):
        cell = agreements.cell(row, light_column)
        if cell.value in by_name:
            cell.fill = _fill(by_name[cell.value])

    progress = book.create_sheet(texts.REPORT_SHEETS[2])
    _table(progress, texts.REPORT_UPDATE_COLUMNS, update_rows(report), (17, 10, 9, 32, 16, 11, 60, 24, 11),
           date_columns={1: "DD/MM/YYYY HH:MM"}, wrap_columns={7})
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _heading(report: Report) -> list[str]:
    """The report's first lines, as plain text."""
    summary = report.summary
    lines = [texts.t(texts.REPORT_COMMITTEE, committee=summary.committee),
             texts.t(texts.REPORT_PERIOD, start=day(report.period_start), end=day(summary.today)),
             texts.t(texts.REPORT_CUTOFF, date=summary.now.astimezone(summary.tz).strftime("%d/%m/%Y %H:%M"))]
    return [texts.REPORT_TITLE, *map(texts.plain, lines)]


def _append(sheet, values: list) -> None:
    """A row whose text stays text: openpyxl takes a string that starts with "=" for a formula."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"


def _fill(each: Light) -> PatternFill:
    return PatternFill("solid", start_color=CELL_COLOR[each], end_color=CELL_COLOR[each])


def _header(sheet, columns: tuple[str, ...]) -> None:
    sheet.append(list(columns))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _widths(sheet, widths: tuple[int, ...]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _table(sheet, columns: tuple[str, ...], rows: Iterator[tuple], widths: tuple[int, ...], *,
           date_columns: dict[int, str], wrap_columns: set[int]) -> None:
    _header(sheet, columns)
    wrap = Alignment(wrap_text=True, vertical="top")
    last = 1
    for last, values in enumerate(rows, start=2):
        _append(sheet, list(values))
        for column, number_format in date_columns.items():
            cell = sheet.cell(last, column)
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = number_format
        for column in wrap_columns:
            sheet.cell(last, column).alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 2)}"
    _widths(sheet, widths)


def csv_bytes(report: Report) -> bytes:
    """The "Acuerdos" sheet as CSV: semicolons and a BOM, as Excel in Spanish opens it with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(texts.REPORT_AGREEMENT_COLUMNS)
    for row in assignment_rows(report):
        writer.writerow([day(value) if isinstance(value, date) else ("" if value is None else _as_text_in_csv(value))
                         for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class _NumberedCanvas(Canvas):
    """Writes "Página n de N" on every page: N is known only once the last page is laid out."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for page in self._pages:
            self.__dict__.update(page)
            self.setFont(FONT, 8)
            self.drawCentredString(self._pagesize[0] / 2, 8 * mm,
                                   texts.plain(texts.t(texts.REPORT_PAGE, page=self._pageNumber,
                                                       pages=len(self._pages))))
            super().showPage()
        super().save()


@cache
def _register_fonts() -> None:
    for name in (FONT, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / f"{name}.ttf")))


def pdf(report: Report, chart: bytes | None = None) -> bytes:
    """Title, committee, period and semáforo chart on the first page; then the open agreements; then the overdue."""
    _register_fonts()
    summary, tally = report.summary, report.summary.tally
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                                 topMargin=12 * mm, bottomMargin=15 * mm,
                                 title=texts.plain(texts.t(texts.REPORT_DOCUMENT_TITLE, committee=summary.committee)))
    heading = _heading(report)
    story = [Paragraph(_markup(heading[0]), TITLE_STYLE),
             *(Paragraph(_markup(line), TEXT_STYLE) for line in heading[1:]),
             Paragraph(texts.t(texts.REPORT_LIGHTS, count=tally.total, green=tally.green, yellow=tally.yellow,
                               red=tally.red, grey=tally.grey, done=summary.done), TEXT_STYLE),
             Spacer(1, 4 * mm),
             _chart(chart if chart is not None else chart_png(summary), document.width, CHART_HEIGHT),
             PageBreak()]
    opened = summary.open_agreements
    story += _section(texts.t(texts.REPORT_OPEN_HEADER, count=len(opened)), texts.REPORT_OPEN_COLUMNS,
                      (16, 120, 75, 40, 22),
                      ([(a.code, None), (shorten(a.text, PDF_TEXT_LIMIT), None), (_responsibles(a), None),
                        (_deadline_text(a), None), (texts.LIGHT_NAME[a.light] if a.light else "", a.light)]
                       for a in opened))
    story.append(PageBreak())
    overdue = summary.overdue
    story += _section(texts.t(texts.REPORT_OVERDUE_HEADER, count=len(overdue)), texts.REPORT_OVERDUE_COLUMNS,
                      (18, 90, 30, 30, 45, 60),
                      ([(a.code, None), (s.institution, None), (_deadline_text(a), None),
                        (str((summary.today - a.deadline).days), None), (texts.STATUS[s.status.value], None),
                        (day(s.last_update.astimezone(summary.tz).date()) if s.last_update else texts.SUMMARY_NEVER,
                         None)]
                       for a, s in overdue))
    document.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _markup(text: str) -> str:
    """ReportLab's paragraphs read a little XML: escape the text, keep its line breaks."""
    return escape(text, quote=False).replace("\n", "<br/>")


def _chart(png: bytes, width: float, height: float) -> Image:
    # At most what is left of the first page, so that the open agreements always start on page 2.
    width_px, height_px = ImageReader(io.BytesIO(png)).getSize()
    scale = min(width / width_px, height / height_px)
    return Image(io.BytesIO(png), width=width_px * scale, height=height_px * scale)


def _section(title: str, columns: tuple[str, ...], widths: tuple[int, ...],
             rows: Iterator[list[tuple[str, Light | None]]]) -> list:
    """A table under `title` (markup, a filled template); a cell given a light is painted in its colour."""
    rows = list(rows)
    heading = Paragraph(title, SECTION_STYLE)
    if not rows:
        return [heading, Paragraph(_markup(texts.REPORT_NONE), TEXT_STYLE)]
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E6E6E6"))]
    for index, row in enumerate(rows, start=1):
        style += [("BACKGROUND", (column, index), (column, index), colors.HexColor("#" + CELL_COLOR[each]))
                  for column, (_, each) in enumerate(row) if each]
    cells = [[Paragraph(_markup(column), HEADER_STYLE) for column in columns],
             *([Paragraph(_markup(value), CELL_STYLE) for value, _ in row] for row in rows)]
    return [heading, Table(cells, colWidths=[width * mm for width in widths], repeatRows=1, style=style,
                           hAlign="LEFT")]


def _responsibles(agreement: AgreementState) -> str:
    return "\n".join(texts.plain(texts.t(texts.REPORT_ASSIGNMENT, institution=a.institution,
                                         status=texts.STATUS[a.status.value],
                                         percent=f" ({a.percent}%)" if a.percent else ""))
                     for a in agreement.live)


def _deadline_text(agreement: AgreementState) -> str:
    value = _deadline(agreement)
    if not isinstance(value, date):
        return value
    return f"{day(value)}\n({texts.NEXT_SESSION})" if agreement.next_session else day(value)


WRITERS: dict[str, Callable[[Report], bytes]] = {"xlsx": xlsx, "pdf": pdf, "csv": csv_bytes}
