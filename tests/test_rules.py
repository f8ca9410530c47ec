"""Pure rules: codes, status roll-up, session arguments, message splitting, callback data."""

from __future__ import annotations

from datetime import date

import pytest

from bot.callbacks import ListPage, new_agreement
from bot.committees import parse_day, parse_session_args
from bot.messaging import split_message
from bot.views import deadline_text
from models.entities import SessionKind, Status
from models.rules import agreement_status, clean_code, code_key, code_variants

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("written, cleaned", [
    ("01", "01"), ("2.1", "2.1"), ("2.1.", "2.1"), (" 2.5 ", "2.5"), ("10.2.3", "10.2.3"),
    ("2.x", None), ("", None), ("acuerdo", None), ("2..1", None), ("-1", None),
])
def test_clean_code(written, cleaned):
    assert clean_code(written) == cleaned


def test_code_variants_find_every_spelling():
    assert code_variants("1") == {"1", "01", "001"}
    assert {"2.1", "02.1", "2.01", "02.01"} <= code_variants("2.1")
    assert "2.10" not in code_variants("2.1")


def test_code_key_treats_01_and_1_alike():
    assert code_key("01") == code_key("1") == "1"
    assert code_key("2.1.") == code_key("2.01") == "2.1"
    assert code_key("2.1") != code_key("2.10")


@pytest.mark.parametrize("statuses, expected", [
    ([], Status.PENDIENTE),
    ([Status.CUMPLIDO, Status.CUMPLIDO], Status.CUMPLIDO),
    ([Status.CUMPLIDO, Status.PENDIENTE], Status.PENDIENTE),
    ([Status.CUMPLIDO, Status.EN_PROCESO], Status.EN_PROCESO),
    ([Status.REPORTADO, Status.CON_DIFICULTADES], Status.CON_DIFICULTADES),
    ([Status.CUMPLIDO, Status.ANULADO], Status.CUMPLIDO),
    ([Status.ANULADO], Status.ANULADO),
])
def test_agreement_is_cumplido_only_when_every_assignment_is(statuses, expected):
    assert agreement_status(statuses) == expected


def test_a_cancelled_agreement_is_anulado():
    assert agreement_status([Status.PENDIENTE], cancelled=True) == Status.ANULADO


@pytest.mark.parametrize("words, expected", [
    ("ordinaria 1 25/02/2026", (SessionKind.ORDINARIA, 1, date(2026, 2, 25))),
    ("extraordinaria 3 2026-02-25", (SessionKind.EXTRAORDINARIA, 3, date(2026, 2, 25))),
    ("primera sesión ordinaria 25-02-2026", (SessionKind.ORDINARIA, 1, date(2026, 2, 25))),
    ("ordinaria N°2 hoy", (SessionKind.ORDINARIA, 2, TODAY)),
    ("ordinaria 2", (SessionKind.ORDINARIA, 2, TODAY)),
    ("ordinaria", None), ("1 25/02/2026", None), ("ordinaria 1 31/02/2026", None), ("mañana quizás", None),
    ("ordinaria 0 hoy", None),
])
def test_session_arguments(words, expected):
    assert parse_session_args(words.split(), TODAY) == expected


def test_parse_day():
    assert parse_day("ayer", TODAY) == date(2026, 3, 1)
    assert parse_day("25/02/26", TODAY) == date(2026, 2, 25)
    assert parse_day("el martes", TODAY) is None


def test_split_message_keeps_lines_and_limit():
    text = "\n".join(f"línea {i} " + "x" * 50 for i in range(300))
    pieces = split_message(text)
    assert all(len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == text


def test_split_message_cuts_a_single_long_line_at_spaces():
    text = " ".join(["palabra"] * 2000)
    pieces = split_message(text, limit=500)
    assert all(len(p) <= 500 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_short_message_is_one_piece():
    assert split_message("hola") == ["hola"]


@pytest.mark.parametrize("due, expected", [
    (date(2026, 3, 11), "11/03/2026 (faltan 9 días)"),
    (date(2026, 3, 3), "03/03/2026 (mañana)"),
    (date(2026, 3, 2), "02/03/2026 (hoy)"),
    (date(2026, 3, 1), "01/03/2026 (vencido hace 1 día)"),
    (date(2026, 2, 26), "26/02/2026 (vencido hace 4 días)"),
    (None, "sin plazo"),
])
def test_deadline_text(due, expected):
    assert deadline_text(due, False, TODAY) == expected


def test_callback_data_fits_telegram_and_round_trips():
    page = ListPage(12, 345678, "con_dificultades")
    assert len(page.data().encode()) <= 64
    assert ListPage.parse(page.data()) == page
    assert ListPage.parse(ListPage(1, None, None).data()) == ListPage(1, None, None)
    assert new_agreement("i", 123456789).startswith("v1:n:i:")
