"""Time read_acta_text over a 200-agreement acta in the seed's format.

Run: python tests/benchmarks/bench_acta.py
"""

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.acta import read_acta_text  # noqa: E402

HEADER = (
    "N°\tPROBLEMÁTICA ABORDADA EN LA SESIÓN\tACUERDO ADOPTADO POR EL COMITÉ\t"
    "RESPONSABLE DE IMPLEMENTACIÓN\tRESPONSABLE DE SEGUIMIENTO"
)
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
             "Fecha: 25/02/2026", "", HEADER]
    for group in range(1, agreements // 5 + 1):
        text = f"Campaña de denuncia {DEADLINES[group % 5]}."
        lines.append(f"{group:02d}\t{PROBLEM}\t{text}\t{RESPONSABLES}\t{FOLLOWUP}")
        for sub in range(1, 5):
            text = f"{group}.{sub}. Coadyuvar esfuerzos entre la PNP y Warmi Ñan {DEADLINES[sub]}."
            lines.append(f"\t\t{text}\tWarmi Ñan, PNP\t{FOLLOWUP}")
        lines.append("\t\tlos canales de atención correspondientes.\t\t")
    return "\n".join(lines)


def main() -> None:
    text = acta_text()
    parsed = read_acta_text(text)
    assert len(parsed.agreements) == 200, len(parsed.agreements)
    best = min(timeit.repeat(lambda: read_acta_text(text), number=1, repeat=5))
    print(f"read_acta_text, 200 agreements: {best:.3f} s (best of 5; goal < 2 s)")


if __name__ == "__main__":
    main()
