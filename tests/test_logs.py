"""The log can be shared: neither the token, nor invitation codes, nor what people write ever reaches it."""

from __future__ import annotations

import io
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.config import LIBRARY_LEVELS, Settings, configure_logging
from tests.support.fakebot import TOKEN
from tests.support.progress import run_notices
from tests.support.scenarios import invitation_code

CODE = "Ab3dE5gH7jK9mN1pQ3sT5v"
# ASCII only, so that a text logged inside escaped JSON would still be found.
PROGRESS_NOTE = "Patrullaje nocturno reservado en el sector 4417"
DIFFICULTY_NOTE = "Falta presupuesto para las camaras del jiron Zepita"


@pytest.fixture
def operator_log(level):
    """The log exactly as the operator gets it at LOG_LEVEL=`level`: the handler `configure_logging` makes, here
    on a string. Requested before `telegram`, so that the bot's start is in it."""
    stream = io.StringIO()
    configure_logging(Settings(token=TOKEN, log_level=level), stream)
    return stream


def logged(message: str, *args, exc_info=None) -> str:
    """What the configured handler writes of one record (straight to it: pytest's own handlers come first on the
    root logger, and fail the test on a record they cannot format)."""
    stream = io.StringIO()
    handler = configure_logging(Settings(token=TOKEN, log_level="DEBUG"), stream)
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    handler.handle(logging.LogRecord("bot.somewhere", logging.WARNING, __file__, 1, message, args, exc_info))
    return stream.getvalue()


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING"])
async def test_a_whole_conversation_leaves_no_secret_in_the_log(level, operator_log, telegram, sessions, clock,
                                                               committee):
    rosa = telegram.person("Rosa")
    secretary_code = await invitation_code(sessions, clock, "CORESEC Moquegua")
    await rosa.send(f"/start {secretary_code}")
    await rosa.send("/instituciones agregar PNP")
    await rosa.send("/sesion ordinaria 1 25/02/2026")
    await rosa.send("/nuevo 2.1 | Patrullaje integrado en zonas de riesgo | PNP | en dos semanas")
    await rosa.send("/invitar PNP")
    pnp_code = rosa.last().split("start=")[1].split()[0]
    carlos = telegram.person("Carlos")
    await carlos.send(f"/start {pnp_code}")
    await carlos.send(f"/avance 2.1 60% {PROGRESS_NOTE}")
    assert "60%" in carlos.last()
    await carlos.send("/pendientes")
    await carlos.press("⚠️ 2.1")
    await carlos.send(DIFFICULTY_NOTE)
    assert await run_notices(telegram, sessions, clock) == 1
    assert DIFFICULTY_NOTE in rosa.last()

    log = operator_log.getvalue()
    for secret in (TOKEN, TOKEN.split(":")[1], secretary_code, pnp_code, PROGRESS_NOTE, DIFFICULTY_NOTE):
        assert secret not in log
    # The log is written, the libraries' lines included, down to the level asked.
    assert ("INFO telegram.ext.Application: Application started" in log) == (level != "WARNING")


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING"])
def test_libraries_say_at_most_what_can_be_shared(level):
    configure_logging(Settings(token=TOKEN, log_level=level), io.StringIO())
    for name, most in LIBRARY_LEVELS.items():
        assert not logging.getLogger(f"{name}.anything").isEnabledFor(min(most, logging.getLevelName(level)) - 1)
        assert not logging.getLogger(f"{name}.anything").isEnabledFor(most - 1)
    assert not logging.getLogger("telegram.Bot").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert logging.getLogger("bot.outbox").isEnabledFor(logging.getLevelName(level))


def test_records_that_carry_a_secret_are_redacted():
    line = logged("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    assert TOKEN not in line and "/bot<token>/getMe" in line
    line = logged("link %s", f"https://t.me/AcuerdosBot?start={CODE}")
    assert CODE not in line and "?start=<code>" in line
    line = logged("update %r", {"message": {"text": f"/start {CODE}", "chat": {"id": 1}}})
    assert CODE not in line and "/start <code>" in line
    line = logged(f"/start@AcuerdosBot {CODE} and startgroup={CODE}")
    assert CODE not in line and "/start@AcuerdosBot <code>" in line and "startgroup=<code>" in line
    line = logged("a format that does not fit its args %s %s", f"start={CODE}")
    assert CODE not in line and "start=<code>" in line


def test_a_traceback_is_redacted_too():
    try:
        raise RuntimeError(f"request to https://api.telegram.org/bot{TOKEN}/sendMessage failed for /start {CODE}")
    except RuntimeError as error:
        line = logged("update %s failed", 7, exc_info=error)
    assert "RuntimeError" in line and "bot<token>/sendMessage" in line
    assert TOKEN not in line and CODE not in line


async def test_a_failed_statement_does_not_carry_its_values(sessions):
    async with sessions() as db:
        with pytest.raises(DBAPIError) as failed:
            await db.execute(text("SELECT * FROM no_such_table WHERE note = :note"), {"note": PROGRESS_NOTE})
    assert PROGRESS_NOTE not in str(failed.value)
