"""ACUERDOS_LOG_FORMAT=json: one JSON object a line, for a log collector, as redacted as the text log; each update
handled is a line with its id, chat, command and time taken, and never what was written."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.config import ConfigError, Settings, configure_logging
from tests.support.fakebot import TOKEN
from tests.support.scenarios import invitation_code

CODE = "Ab3dE5gH7jK9mN1pQ3sT5v"
NOTE = "Patrullaje nocturno reservado en el sector 4417"


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_the_format_is_text_unless_json_is_asked():
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file="none").log_format == "text"
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "ACUERDOS_LOG_FORMAT": " JSON "},
                             env_file="none").log_format == "json"
    with pytest.raises(ConfigError) as wrong:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "ACUERDOS_LOG_FORMAT": "yaml"}, env_file="none")
    assert wrong.value.problems == ["ACUERDOS_LOG_FORMAT must be one of text, json."]


def test_a_line_is_a_json_object_with_its_secrets_redacted():
    stream = io.StringIO()
    handler = configure_logging(Settings(token=TOKEN, log_level="DEBUG", log_format="json"), stream)
    try:
        raise RuntimeError(f"request to https://api.telegram.org/bot{TOKEN}/sendMessage failed for /start {CODE}")
    except RuntimeError as error:
        handler.handle(logging.LogRecord("bot.somewhere", logging.WARNING, __file__, 1, "link %s of update %s",
                                         (f"https://t.me/AcuerdosBot?start={CODE}", 7),
                                         (type(error), error, error.__traceback__)))

    [line] = lines(stream)
    assert line["level"] == "WARNING" and line["logger"] == "bot.somewhere"
    assert line["message"] == "link https://t.me/AcuerdosBot?start=<code> of update 7"
    assert line["time"].endswith("+00:00")
    assert "RuntimeError" in line["exception"] and "bot<token>/sendMessage" in line["exception"]
    assert TOKEN not in stream.getvalue() and CODE not in stream.getvalue()


@pytest.fixture
def json_log():
    """The operator's log at ACUERDOS_LOG_FORMAT=json; requested before `telegram`, so that the bot's start is in it."""
    stream = io.StringIO()
    configure_logging(Settings(token=TOKEN, log_level="INFO", log_format="json"), stream)
    return stream


async def test_each_update_handled_is_a_line_with_its_command_and_time(json_log, telegram, sessions, clock,
                                                                       committee):
    rosa = telegram.person("Rosa")
    code = await invitation_code(sessions, clock, "CORESEC Moquegua")
    await rosa.send(f"/start {code}")
    await rosa.send(f"/instituciones@AcuerdosTestBot agregar {NOTE}")
    await rosa.send(NOTE)

    log = lines(json_log)
    assert any(line["message"] == "Application started" for line in log)
    handled = [line for line in log if "update_id" in line]
    assert [line["command"] for line in handled] == ["start", "instituciones", "other"]
    assert [line["kind"] for line in handled] == ["message"] * 3
    assert all(line["chat_id"] == rosa.id and line["logger"] == "bot.concurrency" for line in handled)
    assert all(isinstance(line["update_id"], int) and isinstance(line["ms"], int) and line["ms"] >= 0
               for line in handled)
    for secret in (TOKEN, code, NOTE, "agregar"):
        assert secret not in json_log.getvalue()
