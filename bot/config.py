"""Configuration, read once from the environment (and an optional .env) into a typed object."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./acuerdos.db"
TOKEN_PATTERN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """Every problem found in the configuration, one per line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    token: str
    database_url: str = DEFAULT_DATABASE_URL
    api_base_url: str | None = None
    timezone: str = "America/Lima"
    log_level: str = "INFO"
    invitation_days: int = 7
    bot_username: str | None = None
    evidence_dir: str | None = None
    send_rate: int = 30
    # Telegram takes ~30 messages a second from a bot, and 8 chats in hand at 100–300 ms a reply come close to it;
    # more cost CPU in httpx's connection pool (`tests/benchmarks/bench_progress.py --chats N` measures it).
    concurrent_chats: int = 8

    def __repr__(self) -> str:
        return f"Settings(database_url={self.database_url!r}, timezone={self.timezone!r}, token=<hidden>)"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, require_token: bool = True,
                 env_file: str | Path = ".env") -> Settings:
        """Read and validate the settings; a `.env` file fills what the environment leaves unset."""
        values = {k: v for k, v in dotenv_values(env_file).items() if v is not None} \
            if Path(env_file).is_file() else {}
        values.update(os.environ if environ is None else environ)
        problems: list[str] = []

        token = values.get("TELEGRAM_BOT_TOKEN", "").strip()
        if require_token and not token:
            problems.append("TELEGRAM_BOT_TOKEN is missing: set it to the token @BotFather gave you.")
        elif token and not TOKEN_PATTERN.match(token):
            problems.append("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then 30+ characters).")

        database_url = values.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        try:
            backend = make_url(database_url).get_backend_name()
            if backend not in ("sqlite", "postgresql"):
                problems.append(f"DATABASE_URL must be sqlite:/// or postgresql://, not {backend}://.")
        except ArgumentError:
            problems.append("DATABASE_URL is not a database URL (example: postgresql://user:pass@host/acuerdos).")

        api_base_url = values.get("TELEGRAM_API_BASE_URL", "").strip() or None
        if api_base_url and not re.match(r"^https?://", api_base_url):
            problems.append("TELEGRAM_API_BASE_URL must start with http:// or https://.")

        timezone = values.get("ACUERDOS_TIMEZONE", "").strip() or "America/Lima"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"ACUERDOS_TIMEZONE {timezone!r} is not a known time zone (example: America/Lima).")

        log_level = (values.get("LOG_LEVEL", "").strip() or "INFO").upper()
        if log_level not in LOG_LEVELS:
            problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}.")

        days = values.get("ACUERDOS_INVITATION_DAYS", "").strip() or "7"
        if not days.isdigit() or not 1 <= int(days) <= 90:
            problems.append("ACUERDOS_INVITATION_DAYS must be a whole number of days from 1 to 90.")

        send_rate = values.get("ACUERDOS_SEND_RATE", "").strip() or "30"
        if not send_rate.isdigit() or not 1 <= int(send_rate) <= 30:
            problems.append("ACUERDOS_SEND_RATE must be a whole number of messages per second from 1 to 30.")

        chats = values.get("ACUERDOS_CONCURRENT_CHATS", "").strip() or "8"
        if not chats.isdigit() or not 1 <= int(chats) <= 64:
            problems.append("ACUERDOS_CONCURRENT_CHATS must be a whole number of chats from 1 to 64.")

        if problems:
            raise ConfigError(problems)
        return cls(token=token, database_url=database_url, api_base_url=api_base_url, timezone=timezone,
                   log_level=log_level, invitation_days=int(days),
                   bot_username=values.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@") or None,
                   evidence_dir=values.get("ACUERDOS_EVIDENCE_DIR", "").strip() or None,
                   send_rate=int(send_rate), concurrent_chats=int(chats))


class RedactToken(logging.Filter):
    """Replace the bot token wherever it shows up in a log record (URLs of the Bot API carry it)."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            message = record.getMessage()
            if self.token in message:
                record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=settings.log_level)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactToken(settings.token))
    # httpx logs every request URL, token included, at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
