"""Actas as text: the Moquegua seed acta read from tests/data, and long made-up actas in its format."""

from __future__ import annotations

from pathlib import Path

from tests.support.data import MOQUEGUA_ACTA, data_file, read_data

HEADER = [
    "N°",
    "PROBLEMÁTICA ABORDADA EN LA SESIÓN",
    "ACUERDO ADOPTADO POR EL COMITÉ",
    "RESPONSABLE DE IMPLEMENTACIÓN",
    "RESPONSABLE DE SEGUIMIENTO",
]


def seed_file() -> Path:
    return data_file(MOQUEGUA_ACTA)


def seed_text() -> str:
    return read_data(MOQUEGUA_ACTA)


def seed_parts() -> tuple[list[str], list[list[str]]]:
    """The seed's lines above the table, and the table's rows (title row first) padded to 5 cells."""
    lines = [line.split("\t") for line in seed_text().splitlines() if line.strip()]
    above = [cells[0] for cells in lines if len(cells) == 1]
    table = [cells + [""] * (5 - len(cells)) for cells in lines if len(cells) > 1]
    return above, table


LONG_HEADER = "\t".join(HEADER)
PROBLEM = (
    "En la Sesión Ordinaria del CORESEC se analizaron diversas problemáticas vinculadas a la "
    "violencia contra la mujer, conforme a la Ley N.º 30364, y la deserción escolar del año 2025."
)
RESPONSABLES = "Secretaria Técnica CORESEC, Gobiernos Locales, PNP y Juntas Vecinales"
FOLLOWUP = "Secretaria Técnica CORESEC"
DEADLINES = ["dentro de las 24 horas", "en un plazo de 15 días hábiles", "hasta el 30 de abril",
             "en la siguiente sesión", "con los recursos disponibles"]


def acta_text(agreements: int = 200) -> str:
    """Groups of one numbered agreement and four sub-agreements, one of them cut by a page break."""
    lines = ["ACUERDOS DEL COMITÉ REGIONAL DE SEGURIDAD CIUDADANA PRIMERA SESIÓN ORDINARIA", "",
             "Fecha: 25/02/2026", "", LONG_HEADER]
    for group in range(1, agreements // 5 + 1):
        text = f"Campaña de denuncia {DEADLINES[group % 5]}."
        lines.append(f"{group:02d}\t{PROBLEM}\t{text}\t{RESPONSABLES}\t{FOLLOWUP}")
        for sub in range(1, 5):
            text = f"{group}.{sub}. Coadyuvar esfuerzos entre la PNP y Warmi Ñan {DEADLINES[sub]}."
            lines.append(f"\t\t{text}\tWarmi Ñan, PNP\t{FOLLOWUP}")
        lines.append("\t\tlos canales de atención correspondientes.\t\t")
    return "\n".join(lines)


def numbered_acta(agreements: int, institutions: int = 40) -> str:
    """An acta of `agreements` sub-agreements numbered 1.1 … 80.25 (codes of two digits a level, as the parser reads
    them), each with two responsibles drawn from `institutions` made-up names."""
    lines = ["ACUERDOS DEL COMITÉ REGIONAL DE SEGURIDAD CIUDADANA PRIMERA SESIÓN ORDINARIA", "Fecha: 25/02/2026", "",
             LONG_HEADER]
    per_group = 25
    for index in range(agreements):
        code = f"{index // per_group + 1}.{index % per_group + 1}"
        names = f"Institución {index % institutions + 1}, Institución {(index * 7) % institutions + 1}"
        lines.append(f"{code}\t{PROBLEM}\tCoordinar el patrullaje del sector {index + 1} {DEADLINES[index % 5]}."
                     f"\t{names}\t{FOLLOWUP}")
    return "\n".join(lines)
