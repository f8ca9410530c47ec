import io
import re
from datetime import date

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.acta import MAX_BYTES, ActaError, parse_rows, read_acta, read_acta_text
from bot.deadlines import Deadline
from tests.support.acta_files import make_csv, make_docx, make_pdf, make_xlsx, pdf_file
from tests.support.actas import HEADER, seed_file, seed_parts, seed_text

ST_CORESEC = ["Secretaria Técnica CORESEC"]


def summary(acta):
    return [(a.code, a.problem, a.text, a.implementers, a.followup, a.deadline) for a in acta.agreements]


def test_seed_gives_the_nine_agreements_of_the_session():
    acta = read_acta(seed_file().name, seed_file().read_bytes())

    assert acta.title == "ACUERDOS DEL COMITÉ REGIONAL DE SEGURIDAD CIUDADANA PRIMERA SESIÓN ORDINARIA"
    assert (acta.session_number, acta.session_kind, acta.session_date) == (1, "ordinaria", date(2026, 2, 25))
    assert acta.warnings == []
    agreements = {a.code: a for a in acta.agreements}
    assert list(agreements) == ["01", "2.1", "2.2", "2.3", "2.4", "2.5", "03", "04", "05"]
    assert {code: a.implementers for code, a in agreements.items()} == {
        "01": ["Secretaria Técnica CORESEC", "Gobiernos Locales", "PNP", "Juntas Vecinales"],
        "2.1": ["Warmi Ñan", "PNP"],
        "2.2": ["Gobiernos Locales"],
        "2.3": ["Gobiernos Locales"],
        "2.4": ["Warmi Ñan"],
        "2.5": ["Prefectura"],
        "03": ["Región Policial", "Dirección Regional de Educación"],
        "04": ["Gobiernos Locales", "INABIF", "Secretaria Técnica del CORESEC"],
        "05": ["Secretaria Técnica CORESEC"],
    }
    assert sum(len(a.implementers) for a in acta.agreements) == 16
    assert all(a.followup == ST_CORESEC for a in acta.agreements)


def test_seed_sub_agreements_share_the_problem_and_keep_their_own_text():
    agreements = {a.code: a for a in read_acta_text(seed_text()).agreements}

    assert agreements["2.1"].text.startswith("Coadyuvar esfuerzos entre la PNP")
    assert agreements["2.2"].text.endswith("la asignación del presupuesto correspondiente.")
    assert agreements["2.3"].text.startswith("Disponer que los gobiernos locales")
    assert agreements["2.3"].text.endswith("difusión de los canales de atención correspondientes.")
    assert agreements["2.5"].text.startswith("La Prefectura ejecutara")
    problems = {agreements[code].problem for code in ("2.1", "2.2", "2.3", "2.4", "2.5")}
    assert len(problems) == 1 and problems.pop().startswith("En la Sesión Ordinaria del CORESEC se analizaron")
    assert agreements["01"].problem.startswith("En la Sesión Ordinaria del CORESEC, la Región Policial")


def test_seed_deadlines():
    deadlines = {a.code: a.deadline for a in read_acta_text(seed_text()).agreements}

    assert deadlines["2.5"] == Deadline(date(2026, 2, 26), words="dentro las 24 horas")
    assert deadlines["05"] == Deadline(None, next_session=True, words="en la siguiente sesión")
    assert [code for code, deadline in deadlines.items() if deadline] == ["2.5", "05"]


def test_session_date_given_by_the_caller_wins_and_the_difference_is_told():
    acta = read_acta_text(seed_text(), session_date=date(2026, 3, 2))

    assert acta.session_date == date(2026, 3, 2)
    assert {a.code: a.deadline for a in acta.agreements}["2.5"].due == date(2026, 3, 3)
    assert acta.warnings == [
        "El acta dice «25/02/2026», pero se importa en la sesión del 02/03/2026; usé 02/03/2026."
    ]


def test_without_session_date_only_next_session_deadlines_are_kept():
    acta = read_acta_text(seed_text().replace("Fecha: 25/02/2026", ""))

    assert acta.session_date is None
    assert {a.code: a.deadline for a in acta.agreements if a.deadline} == {
        "05": Deadline(None, next_session=True, words="en la siguiente sesión")
    }
    assert "fecha de la sesión" in acta.warnings[0]


@pytest.mark.parametrize(
    ("filename", "make"),
    [
        ("acta.docx", make_docx),
        ("acta.xlsx", make_xlsx),
        ("acta.csv", lambda above, table: make_csv(above, table, ";", "cp1252")),
        ("ACTA.CSV", lambda above, table: make_csv(above, table, ",", "utf-8-sig")),
        ("acta.tsv", lambda above, table: make_csv(above, table, "\t", "utf-16")),
        ("acta.pdf", make_pdf),
    ],
)
def test_every_format_gives_the_same_agreements(filename, make):
    expected = read_acta(seed_file().name, seed_file().read_bytes())

    acta = read_acta(filename, make(*seed_parts()))

    assert summary(acta) == summary(expected)
    assert (acta.title, acta.session_number, acta.session_kind, acta.session_date) == (
        expected.title,
        1,
        "ordinaria",
        date(2026, 2, 25),
    )


def test_xlsx_cells_merged_down_a_column_read_like_empty_cells():
    above, table = seed_parts()
    first, last = len(above) + 4, len(above) + 8  # sheet rows of agreement 2.1 and 2.5
    book = openpyxl.load_workbook(io.BytesIO(make_xlsx(above, table)))
    for column in "ABE":  # N°, problem and follow-up written once for all of 02
        book.active.merge_cells(f"{column}{first}:{column}{last}")
    buffer = io.BytesIO()
    book.save(buffer)

    acta = read_acta("acta.xlsx", buffer.getvalue())

    assert summary(acta) == summary(read_acta_text(seed_text()))


def test_docx_cells_merged_down_a_column_read_like_empty_cells():
    above, table = seed_parts()
    data = make_docx(above, table)
    document = docx.Document(io.BytesIO(data))
    grid = document.tables[0]
    grid.cell(2, 4).merge(grid.cell(3, 4))  # one "Secretaria Técnica CORESEC" for 2.1 to 2.3
    grid.cell(2, 4).text = "Secretaria Técnica CORESEC"
    buffer = io.BytesIO()
    document.save(buffer)

    acta = read_acta("acta.docx", buffer.getvalue())

    assert summary(acta) == summary(read_acta_text(seed_text()))


def test_number_column_may_hold_the_sub_agreement_codes():
    rows = [
        HEADER,
        ["1", "Problema uno", "Acuerdo uno.", "PNP", "ST"],
        ["2.1", "Problema dos", "Acuerdo dos uno.", "DREMO", "ST"],
        ["2.2", "", "Acuerdo dos dos.", "INABIF", "ST"],
    ]

    acta = parse_rows(rows, date(2026, 2, 25))

    assert [(a.code, a.problem, a.text) for a in acta.agreements] == [
        ("1", "Problema uno", "Acuerdo uno."),
        ("2.1", "Problema dos", "Acuerdo dos uno."),
        ("2.2", "Problema dos", "Acuerdo dos dos."),
    ]


def test_rows_without_number_get_one_and_a_warning():
    rows = [["ACUERDO", "RESPONSABLE"], ["Campaña de denuncia.", "PNP"], ["Patrullaje integrado.", "Serenazgo"]]

    acta = parse_rows(rows, date(2026, 2, 25))

    assert [(a.code, a.implementers) for a in acta.agreements] == [("01", ["PNP"]), ("02", ["Serenazgo"])]
    assert acta.warnings == [
        "Un acuerdo sin número quedó como «01».",
        "Un acuerdo sin número quedó como «02».",
    ]


def test_deadline_column_is_read_before_the_text():
    rows = [
        ["N°", "ACUERDO", "RESPONSABLE", "PLAZO"],
        ["01", "Remitir el informe dentro de 24 horas.", "PNP", "en dos semanas"],
        ["02", "Remitir el padrón.", "DREMO", "cuando se pueda"],
    ]

    acta = parse_rows(rows, date(2026, 2, 25))

    assert [a.deadline.due if a.deadline else None for a in acta.agreements] == [date(2026, 3, 11), None]
    assert acta.warnings == ["No entendí el plazo «cuando se pueda» del acuerdo 02."]


@pytest.mark.parametrize(
    ("heading", "number", "kind"),
    [
        ("ACTA DE LA SEGUNDA SESIÓN EXTRAORDINARIA DEL CODISEC", 2, "extraordinaria"),
        ("Décima Primera Sesión Ordinaria", 11, "ordinaria"),
        ("DECIMOTERCERA SESIÓN ORDINARIA", 13, "ordinaria"),
        ("Vigésima Sesión Ordinaria", 20, "ordinaria"),
        ("1ra Sesión Ordinaria", 1, "ordinaria"),
        ("1° SESIÓN ORDINARIA", 1, "ordinaria"),
        ("Sesión Ordinaria N° 3", 3, "ordinaria"),
        ("Acta de acuerdos", None, None),
    ],
)
def test_session_number_and_kind_from_the_heading(heading, number, kind):
    acta = parse_rows([[heading], ["Fecha: 3 de marzo de 2026"], HEADER, ["01", "", "Acuerdo.", "PNP", ""]])

    assert (acta.title, acta.session_number, acta.session_kind) == (heading, number, kind)
    assert acta.session_date == date(2026, 3, 3)


@pytest.mark.parametrize(
    ("filename", "data", "says"),
    [
        ("acta.txt", b"", "vacío"),
        ("acta.docx", b"", "vacío"),
        ("acta.odt", b"PK\x03\x04 algo", "«.odt»"),
        ("acta", b"algo", "«acta»"),
        ("acta.txt", b"x" * (MAX_BYTES + 1), "20 MB"),
        ("acta.docx", b"esto no es un docx", "dañado"),
        ("acta.xlsx", b"esto no es un xlsx", "dañado"),
        ("acta.pdf", b"%PDF-1.4 roto", "dañado"),
        ("acta.txt", "N°\tTEMA\tRESPONSABLE\n01\tPatrullaje\tPNP\n".encode(), "ACUERDO"),
        ("acta.txt", "\t".join(HEADER).encode(), "ningún acuerdo"),
    ],
    ids=["empty", "empty-docx", "odt", "no-extension", "over-20MB", "bad-docx", "bad-xlsx", "bad-pdf",
         "no-agreement-column", "only-titles"],
)
def test_bad_files_are_refused_with_a_spanish_explanation(filename, data, says):
    with pytest.raises(ActaError, match=re.escape(says)):
        read_acta(filename, data)


def test_missing_agreement_column_message_shows_an_example():
    with pytest.raises(ActaError) as refused:
        read_acta_text("N°\tTEMA\tRESPONSABLE\n01\tPatrullaje\tPNP")

    assert "«ACUERDO»" in str(refused.value) and "p. ej." in str(refused.value)


def test_text_pasted_without_tabs_is_refused_with_a_hint():
    with pytest.raises(ActaError, match="tabulaciones"):
        read_acta_text(seed_text().replace("\t", "  "))


def test_empty_pasted_text_is_refused():
    with pytest.raises(ActaError, match="vacío"):
        read_acta_text(" \n\t ")


def test_xlsx_with_cells_merged_across_columns_is_refused():
    above, table = seed_parts()
    first_row = len(above) + 3
    data = make_xlsx(above, table, merge=f"C{first_row}:D{first_row}")

    with pytest.raises(ActaError, match="combinadas.*Descombínalas"):
        read_acta("acta.xlsx", data)


def test_docx_with_cells_merged_across_columns_is_refused():
    document = docx.Document(io.BytesIO(make_docx(*seed_parts())))
    document.tables[0].cell(1, 2).merge(document.tables[0].cell(1, 3))
    buffer = io.BytesIO()
    document.save(buffer)

    with pytest.raises(ActaError, match="combinadas"):
        read_acta("acta.docx", buffer.getvalue())


def test_pdf_without_text_is_refused_as_a_scan():
    only_a_frame = pdf_file([b"1 w 50 50 495 742 re S"])

    with pytest.raises(ActaError, match=re.escape("El PDF no tiene texto (¿es un escaneo?)")):
        read_acta("escaneo.pdf", only_a_frame)


def test_pdf_without_a_bordered_table_is_refused():
    only_words = pdf_file([b"BT /F1 12 Tf 50 700 Td (Acuerdos de la sesion) Tj ET"])

    with pytest.raises(ActaError, match="tabla con bordes"):
        read_acta("acta.pdf", only_words)


WORDS = [
    "Campaña", "PNP", "y", "de", "la", "Ley", "N.º", "30364", "dentro", "las", "24", "horas",
    "siguiente", "sesión", "hasta", "el", "30", "abril", "2.1.", "2.2", "2.3.", "3.1", "01", "1.",
    "correspondiente.", "garantías;", "año", "2025,", "(niños)", "Ñan", "e", "15", "días", "hábiles",
]
texts = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
data_rows = st.lists(
    st.tuples(
        st.sampled_from(["", "", "01", "02", "2", "2.1", "03", "A"]),
        st.one_of(st.just(""), texts),
        texts,
        st.sampled_from(["", "PNP", "Warmi Ñan, PNP", "Gobiernos Locales y DREMO"]),
        st.sampled_from(["", "Secretaria Técnica CORESEC"]),
    ).map(list),
    max_size=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=data_rows, session=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))))
def test_parse_rows_never_loses_agreement_text(rows, session):
    try:
        acta = parse_rows([["Fecha: 25/02/2026"], HEADER, *rows], session)
    except ActaError:  # only when no cell holds more than an agreement number
        assert all(re.fullmatch(r"[\d.)]+", word) for row in rows for word in row[2].split())
        return
    kept = {word for agreement in acta.agreements for word in agreement.text.split()}
    codes = {agreement.code for agreement in acta.agreements}
    told = " ".join(acta.warnings)
    for row in rows:
        for word in row[2].split():
            # Only an agreement number may leave the text, to become a code or a warning.
            assert word in kept or word.rstrip(".)") in codes or f"{word.rstrip('.)')} " in told


cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
header_cells = st.sampled_from(HEADER + ["ACUERDO", "Plazo", "N°", "", "acuerdos"])


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(cells, header_cells), max_size=6), max_size=10))
def test_parse_rows_raises_only_acta_error(rows):
    try:
        parse_rows(rows)
    except ActaError as error:
        assert str(error)
