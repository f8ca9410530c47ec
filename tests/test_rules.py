"""Pure rules: codes, status roll-up, session arguments, message splitting, callback data."""

from __future__ import annotations

from datetime import date

import pytest

from bot.callbacks import KINDS, DraftInstitution, DraftStep, ListPage, ReminderAnswer, Snooze, parse_any
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
    page = ListPage(2_000_000_000, 12, 345678, "con_dificultades")
    assert len(page.data().encode()) <= 64
    assert ListPage.parse(page.data()) == page
    assert ListPage.parse(ListPage(1, 1, None, None).data()) == ListPage(1, 1, None, None)
    assert DraftInstitution(123456789).data() == "v1:n:i:123456789"


def test_buttons_already_in_chats_keep_working():
    # The data `v1` buttons always carried, as sent before the buttons were typed.
    assert parse_any("v1:r:c:12:34") == ReminderAnswer("c", 12, 34)
    assert parse_any("v1:r:p:12:0") == ReminderAnswer("p", 12, 0)
    assert parse_any("v1:r:s:12:34") == Snooze(12, 34)
    assert parse_any("v1:n:done:") == DraftStep("done")
    # A list's page is the one kind whose layout changed (it names its committee now): old ones are refused.
    assert parse_any("v1:l:2:0:-") is None and parse_any("v1:p:3:2:0:-") == ListPage(3, 2, None, None)


@pytest.mark.parametrize("data", [
    "v1:l:0:0:-", "v1:l:-1:0:-", "v1:l:1:0:bogus", "v1:l:10001:0:-", "v2:a:1", "v1:a:0", "v1:a:99999999999",
    "v1:a:1:2", "v1:a:", "v1:r:x:1:1", "v1:r:s:1:0", "v1:n:i:abc", "v1:n:s:", "v1:i:maybe:1", "v1:e:y:-3",
    "v1:a:١", "v1:a: 1", "v1:v:1" + "0" * 60, "", "v1", None, 5,
])
def test_a_forged_or_damaged_button_is_no_button(data):
    assert parse_any(data) is None


def test_every_kind_packs_within_telegrams_64_bytes():
    from dataclasses import fields

    for kind in KINDS:
        values = []
        for field, parse in zip(fields(kind), kind.FIELDS):
            sample = next(v for v in ("con_dificultades", "done", "ok", "c", "y", "r", "f", "", "-")
                          if _parses(parse, v)) if field.type in ("str", "str | None") else 2**31 - 1
            values.append(sample if not field.name == "page" else 10_000)
        button = kind(*values)
        assert len(button.data().encode()) <= 64 and kind.parse(button.data()) == button, kind


def _parses(parse, value) -> bool:
    try:
        parse(value)
        return True
    except ValueError:
        return False
