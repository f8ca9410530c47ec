"""Open data: the columns of each CSV file, described once for the files and for the data dictionary page."""

from __future__ import annotations

import csv
import io
from functools import cache
from typing import Iterable

from bot import texts
from bot.public.data import CommitteeData
from models.semaforo import Tally

COMMITTEES = "comites.csv"
AGREEMENTS = "acuerdos.csv"
RESPONSIBLES = "responsables.csv"

_CUTOFF = ("fecha_corte", "momento", "Momento en que se leyeron los datos del comité (fecha de corte).")
FILES = {
    COMMITTEES: ("Un comité publicado por fila, con el semáforo de sus propios acuerdos.", (
        ("comite_id", "entero", "Identificador estable del comité."),
        ("comite", "texto", "Nombre del comité."),
        ("nivel", "texto", "CONASEC (nacional), CORESEC (regional), COPROSEC (provincial) o CODISEC (distrital)."),
        ("comite_superior_id", "entero", "Identificador del comité del nivel superior; vacío para el nacional."),
        ("acuerdos", "entero", "Acuerdos en el semáforo (sin anulados ni reservados)."),
        ("critico", "entero", "Acuerdos en 🔴 Crítico: plazo vencido o recordatorios seguidos sin respuesta."),
        ("en_riesgo", "entero", "Acuerdos en 🟡 En riesgo: plazo cercano, con dificultades o días sin avances."),
        ("al_dia", "entero", "Acuerdos en 🟢 Al día: en plazo, reportados o cumplidos."),
        ("sin_plazo", "entero", "Acuerdos en ⚪ Sin plazo: sin plazo y sin avances."),
        ("cumplidos", "entero", "Acuerdos cumplidos (todas sus instituciones verificadas)."),
        _CUTOFF)),
    AGREEMENTS: ("Un acuerdo publicado por fila.", (
        ("comite_id", "entero", "Identificador del comité (ver comites.csv)."),
        ("acuerdo_id", "entero", "Identificador estable del acuerdo."),
        ("sesion", "texto", "Sesión en que se adoptó (tipo y número)."),
        ("fecha_sesion", "fecha", "Fecha de esa sesión."),
        ("codigo", "texto", "Número del acuerdo en el acta (por ejemplo 2.1)."),
        ("texto", "texto", "Lo acordado."),
        ("plazo", "fecha", "Fecha límite; vacío cuando no tiene, o cuando es la siguiente sesión aún no registrada."),
        ("tipo_plazo", "texto", "fecha, siguiente_sesion o sin_plazo."),
        ("estado", "texto", "pendiente, en_proceso, con_dificultades, reportado, observado, cumplido o anulado."),
        ("avance_porcentaje", "entero", "Promedio del avance de sus instituciones, de 0 a 100."),
        ("semaforo", "texto", "Crítico, En riesgo, Al día o Sin plazo; vacío si está anulado."),
        ("ultima_actualizacion", "fecha", "Fecha del último avance de alguna de sus instituciones."),
        _CUTOFF)),
    RESPONSIBLES: ("Una fila por acuerdo e institución responsable.", (
        ("comite_id", "entero", "Identificador del comité."),
        ("acuerdo_id", "entero", "Identificador del acuerdo (ver acuerdos.csv)."),
        ("codigo", "texto", "Número del acuerdo en el acta."),
        ("institucion_id", "entero", "Identificador de la institución dentro de su comité."),
        ("institucion", "texto", "Nombre de la institución responsable."),
        ("estado", "texto", "Estado de esta institución en el acuerdo (mismos valores que en acuerdos.csv)."),
        ("avance_porcentaje", "entero", "Avance reportado por la institución, de 0 a 100."),
        ("semaforo", "texto", "Luz de esta responsabilidad; vacío si está anulada."),
        ("motivo", "texto", "Por qué tiene esa luz, por ejemplo «vencido hace 5 día(s)»."),
        ("ultima_actualizacion", "fecha", "Fecha del último avance de la institución."),
        _CUTOFF)),
}


def header(name: str) -> str:
    return _line([column for column, _, _ in FILES[name][1]])


def _line(values: Iterable) -> str:
    return _lines([values])


def _lines(rows: Iterable[Iterable]) -> str:
    """Rows as CSV text, through one writer: a writer per row costs more than the row."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(["" if v is None else v for v in values] for values in rows)
    return buffer.getvalue()


def committee_line(data: CommitteeData) -> str:
    c, tally = data.committee, data.tally
    return _line([c.id, c.name, c.kind.value.upper(), c.parent_id, tally.total, tally.red, tally.yellow,
                  tally.green, tally.grey, data.done, data.cutoff.isoformat(timespec="minutes")])


def counts_line(committee, tally: Tally, done: int, cutoff: str) -> str:
    """A committee's row from the counts kept between rounds (the national file)."""
    return _line([committee.id, committee.name, committee.kind.value.upper(), committee.parent_id, tally.total,
                  tally.red, tally.yellow, tally.green, tally.grey, done, cutoff])


def agreement_lines(data: CommitteeData) -> str:
    cutoff = data.cutoff.isoformat(timespec="minutes")
    return _lines([
        data.committee.id, a.id, a.session, a.session_on.isoformat(), a.code, a.text,
        a.deadline.isoformat() if a.deadline else "",
        "siguiente_sesion" if a.next_session else ("fecha" if a.deadline else "sin_plazo"), a.status.value,
        a.percent, texts.LIGHT_NAME[a.light] if a.light else "", a.last_update.isoformat() if a.last_update else "",
        cutoff] for a in data.agreements)


def responsible_lines(data: CommitteeData) -> str:
    cutoff = data.cutoff.isoformat(timespec="minutes")
    return _lines([
        data.committee.id, a.id, a.code, r.institution_id, r.institution, r.status.value, r.percent,
        texts.LIGHT_NAME[r.light] if r.light else "", why(r) if r.light else "",
        r.last_update.isoformat() if r.last_update else "", cutoff]
        for a in data.agreements for r in a.responsibles)


def why(responsible) -> str:
    """The reason beside a light, in words: «vencido hace 5 día(s)»."""
    return _why(responsible.why, responsible.why_number)


@cache
def _why(why, number: int) -> str:
    return texts.t(texts.LIGHT_REASON[why.value], days=number)  # a few hundred kinds among 250,000 responsibles
