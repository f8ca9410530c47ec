"""Configuration from the environment, and the operator's command line on a real database."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from bot.cli import main
from bot.config import ConfigError, RedactSecrets, Settings

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef012"


def test_defaults(tmp_path):
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=tmp_path / "none")
    assert settings.database_url == "sqlite+aiosqlite:///./acuerdos.db"
    assert settings.timezone == "America/Lima" and settings.log_level == "INFO"
    assert settings.api_base_url is None and settings.invitation_days == 7 and settings.concurrent_chats == 8
    assert TOKEN not in repr(settings)


def test_every_problem_is_reported_at_once(tmp_path):
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"DATABASE_URL": "mysql://x/y", "ACUERDOS_TIMEZONE": "Lima/Peru", "LOG_LEVEL": "loud",
                           "TELEGRAM_API_BASE_URL": "ftp://x", "ACUERDOS_INVITATION_DAYS": "0",
                           "ACUERDOS_CONCURRENT_CHATS": "100"},
                          env_file=tmp_path / "none")
    text = str(error.value)
    for variable in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "ACUERDOS_TIMEZONE", "LOG_LEVEL", "TELEGRAM_API_BASE_URL",
                     "ACUERDOS_INVITATION_DAYS", "ACUERDOS_CONCURRENT_CHATS"):
        assert variable in text
    assert len(error.value.problems) == 7


def test_a_malformed_token_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="does not look like a bot token"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "hola"}, env_file=tmp_path / "none")


def test_dotenv_fills_what_the_environment_leaves_unset(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=DEBUG\n")
    settings = Settings.from_env({"LOG_LEVEL": "WARNING"}, env_file=env_file)
    assert settings.token == TOKEN and settings.log_level == "WARNING"


def test_the_token_never_reaches_the_log():
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "POST https://api.telegram.org/bot%s/getMe",
                               (TOKEN,), None)
    RedactSecrets(TOKEN).filter(record)
    assert TOKEN not in record.getMessage() and "<token>" in record.getMessage()


def test_operator_creates_committees_and_invites_a_secretary(operator_env, capsys):
    assert main(["db", "upgrade"]) == 0
    assert main(["committee", "add", "CORESEC Moquegua", "--kind", "coresec"]) == 0
    assert main(["committee", "add", "COPROSEC Ilo", "--kind", "COPROSEC", "--parent", "CORESEC Moquegua"]) == 0
    assert main(["committee", "list"]) == 0
    assert "COPROSEC Ilo  (under CORESEC Moquegua)" in capsys.readouterr().out

    assert main(["invite", "--committee", "CORESEC Moquegua", "--role", "secretary"]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith("https://t.me/AcuerdosTestBot?start=") and len(link.split("=")[1]) >= 20

    assert main(["invite", "--committee", "COPROSEC Ilo", "--role", "implementer", "--institution", "PNP"]) == 0


def test_operator_mistakes_are_reported(operator_env, capsys):
    assert main(["committee", "add", "CODISEC Ilo", "--kind", "CODISEC", "--parent", "No existe"]) == 1
    assert "No committee named 'No existe'" in capsys.readouterr().err
    assert main(["invite", "--committee", "Nadie"]) == 1
    assert main(["invite", "--committee", "Nadie", "--role", "implementer"]) == 1
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN is missing" in capsys.readouterr().err


def test_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "bot.cli", "--help"], capture_output=True, text=True).stdout
    for command in ("run", "db", "committee", "invite"):
        assert command in out
