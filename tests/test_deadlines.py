from datetime import date

import pytest

from bot.deadlines import (
    Deadline,
    add_working_days,
    find_deadline_in_text,
    is_working_day,
    parse_date,
    parse_deadline,
)

SESSION = date(2026, 2, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("30 de abril", date(2026, 4, 30)),
        ("30/04/2026", date(2026, 4, 30)),
        ("2026-04-30", date(2026, 4, 30)),
        ("30 de abril de 2026", date(2026, 4, 30)),
        ("hasta el 30 de abril", date(2026, 4, 30)),
        ("1 de setiembre", date(2026, 9, 1)),
        ("20 de febrero", date(2027, 2, 20)),  # already past this year: the next one
        ("25 de febrero", date(2026, 2, 25)),
        ("10/01/2026", date(2026, 1, 10)),  # before the session: returned as is
        ("en dos semanas", date(2026, 3, 11)),
        ("en 2 semanas", date(2026, 3, 11)),
        ("dentro de 24 horas", date(2026, 2, 26)),
        ("24 horas", date(2026, 2, 26)),
        ("dentro de las 24 horas", date(2026, 2, 26)),
        ("48 horas", date(2026, 2, 27)),
        ("en 10 días", date(2026, 3, 7)),
        ("en diez días", date(2026, 3, 7)),
        ("en veintiún días", date(2026, 3, 18)),
        ("en treinta días", date(2026, 3, 27)),
        ("en un mes", date(2026, 3, 25)),
        ("en tres meses", date(2026, 5, 25)),
        ("15 días hábiles", date(2026, 3, 18)),
        ("quince (15) días hábiles", date(2026, 3, 18)),
        ("en un plazo de cinco días hábiles", date(2026, 3, 4)),
        # The words /sesion reads from today, counted from the session here like every relative deadline.
        ("hoy", date(2026, 2, 25)),
        ("mañana", date(2026, 2, 26)),
        ("Hasta mañana", date(2026, 2, 26)),
        ("pasado mañana", date(2026, 2, 27)),
        ("el viernes", date(2026, 2, 27)),
        ("el próximo lunes", date(2026, 3, 2)),
        ("miércoles", date(2026, 3, 4)),  # the session's own weekday: the next one
        ("para el jueves", date(2026, 2, 26)),
    ],
)
def test_parse_deadline_reads_a_date(text, due):
    deadline = parse_deadline(text, SESSION)
    assert deadline is not None and deadline.due == due and not deadline.next_session


@pytest.mark.parametrize("text", ["la siguiente sesión", "próxima sesión", "Para la PRÓXIMA SESIÓN "])
def test_parse_deadline_next_session(text):
    assert parse_deadline(text, SESSION) == Deadline(None, next_session=True, words=text.strip())


@pytest.mark.parametrize(
    "text", ["mañanita tal vez", "xyz", "", "   ", "31/02/2026", "2.5", "Ley 30364", "el plan anual"]
)
def test_parse_deadline_unreadable_is_none(text):
    assert parse_deadline(text, SESSION) is None


def test_parse_deadline_keeps_the_words():
    assert parse_deadline(" en dos semanas ", SESSION).words == "en dos semanas"


@pytest.mark.parametrize(
    ("text", "due", "next_session"),
    [
        ("La Prefectura ejecutara mecanismos … dentro las 24 horas.", date(2026, 2, 26), False),
        ("Expondrá una lista de fechas, en la siguiente sesión.", None, True),
        ("Remitirá el informe en un plazo de 15 días hábiles.", date(2026, 3, 18), False),
        ("Presentará el plan hasta el 30 de abril en mesa de partes.", date(2026, 4, 30), False),
        ("Informará en un plazo de 30 días sobre los avances.", date(2026, 3, 27), False),
        ("Remitirá el padrón hasta el viernes.", date(2026, 2, 27), False),
    ],
)
def test_find_deadline_in_text(text, due, next_session):
    deadline = find_deadline_in_text(text, SESSION)
    assert deadline is not None
    assert (deadline.due, deadline.next_session) == (due, next_session)
    assert deadline.words in text


@pytest.mark.parametrize(
    "text",
    [
        "Los Gobiernos Locales evaluarán, en el marco de la Ley N.º 30364, programas sociales.",
        "La PNP solicitará la lista de desertores del año 2025.",
        "Atención a menores de 5 años durante las 24 horas del día.",
        "Fijar fechas para las próximas Sesiones Ordinarias.",
        "Desde mañana se patrullará el mercado.",
        "Reunión el lunes con la PNP.",
        "",
    ],
)
def test_find_deadline_does_not_invent_one(text):
    assert find_deadline_in_text(text, SESSION) is None


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 25), True),  # Wednesday
        (date(2026, 2, 28), False),  # Saturday
        (date(2026, 3, 1), False),  # Sunday
        (date(2026, 7, 28), False),  # Fiestas Patrias
        (date(2026, 7, 29), False),
        (date(2026, 12, 8), False),  # Inmaculada Concepción
        (date(2026, 12, 7), True),
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        (date(2026, 2, 27), 1, date(2026, 3, 2)),  # Friday + 1 skips the weekend
        (date(2026, 7, 27), 1, date(2026, 7, 30)),  # skips 28 and 29 July
        (date(2026, 12, 7), 1, date(2026, 12, 10)),  # skips 8 and 9 December
        (date(2026, 2, 25), 0, date(2026, 2, 25)),
        (date(2026, 3, 2), -1, date(2026, 2, 27)),
    ],
)
def test_add_working_days(start, n, end):
    assert add_working_days(start, n) == end


def test_parse_date_needs_a_full_date():
    assert parse_date("Fecha: 25/02/2026") == date(2026, 2, 25)
    assert parse_date("Moquegua, 25 de febrero de 2026") == date(2026, 2, 25)
    assert parse_date("Fecha: 25 de febrero") is None
