"""Configuration, read once from the environment (and an optional .env) into a typed object."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./acuerdos.db"
TOKEN_PATTERN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram takes as secret_token


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
    # more cost CPU (`tests/benchmarks/bench_progress.py --chats N` measures it).
    concurrent_chats: int = 8
    # The admin HTTP server (/healthz, /readyz, /metrics: bot/admin/), off unless a port is given.
    admin_port: int | None = None
    admin_host: str = "127.0.0.1"
    log_format: str = "text"  # or "json": one JSON object a line (JsonLines)
    public_dir: str | None = None  # the public site's folder (bot/public/), rewritten every few minutes when set
    # Telegram sends it with every webhook request; the same on every instance and across restarts (bot/inbox/).
    webhook_secret: str | None = None

    @property
    def evidence_folder(self) -> Path:
        """Where evidence files are kept: ACUERDOS_EVIDENCE_DIR, or `evidence` beside the SQLite file."""
        return Path(self.evidence_dir) if self.evidence_dir else default_evidence_folder(self.database_url)

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

        admin_port = values.get("ACUERDOS_ADMIN_PORT", "").strip()
        if admin_port and (not admin_port.isdigit() or not 1 <= int(admin_port) <= 65535):
            problems.append("ACUERDOS_ADMIN_PORT must be a port number from 1 to 65535 (example: 8081).")
        admin_host = values.get("ACUERDOS_ADMIN_HOST", "").strip() or "127.0.0.1"

        log_format = values.get("ACUERDOS_LOG_FORMAT", "").strip().lower() or "text"
        if log_format not in LOG_FORMATS:
            problems.append(f"ACUERDOS_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}.")

        webhook_secret = values.get("ACUERDOS_WEBHOOK_SECRET", "").strip() or None
        if webhook_secret and not WEBHOOK_SECRET_PATTERN.match(webhook_secret):
            problems.append("ACUERDOS_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - "
                            "(example: the output of `openssl rand -hex 32`).")

        if problems:
            raise ConfigError(problems)
        return cls(token=token, database_url=database_url, api_base_url=api_base_url, timezone=timezone,
                   log_level=log_level, invitation_days=int(days),
                   bot_username=values.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@") or None,
                   evidence_dir=values.get("ACUERDOS_EVIDENCE_DIR", "").strip() or None,
                   send_rate=int(send_rate), concurrent_chats=int(chats),
                   admin_port=int(admin_port) if admin_port else None, admin_host=admin_host,
                   log_format=log_format, public_dir=values.get("ACUERDOS_PUBLIC_DIR", "").strip() or None,
                   webhook_secret=webhook_secret)


def webhook_secret_problem(settings: Settings) -> str | None:
    """Webhook mode needs the secret from the configuration: a random one at every start would break the other
    instances' and the previous start's registration."""
    if not settings.webhook_secret:
        return ("ACUERDOS_WEBHOOK_SECRET is missing: webhook mode needs it, the same on every instance "
                "(example: the output of `openssl rand -hex 32`).")
    return None


def default_evidence_folder(database_url: str) -> Path:
    """`evidence` beside a SQLite file (so `/data/evidence` in the image's volume); otherwise in the working
    directory."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return Path("evidence")
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).parent / "evidence"
    return Path("evidence")


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_HANDLER = "acuerdos"
# The most each library may say whatever LOG_LEVEL is, so that a DEBUG log can be shared: below these levels they
# write what must not leave the server.
LIBRARY_LEVELS = {
    "httpx": logging.WARNING,  # every request's URL, the token in it, at INFO
    "aiohttp": logging.WARNING,  # the bot's HTTP client (bot/http.py): its connections' troubles at DEBUG
    "httpcore": logging.WARNING,  # every request's steps at DEBUG
    "hpack": logging.WARNING,  # HTTP/2 headers at DEBUG
    "telegram": logging.INFO,  # every update and every Bot API call with its texts and links at DEBUG
    "apscheduler": logging.INFO,  # the job queue's every wake-up at DEBUG
    "tornado": logging.INFO,  # the webhook's server
    "sqlalchemy": logging.WARNING,  # every statement with its parameters (notes, names) at INFO
    "aiosqlite": logging.INFO,  # every statement with its parameters at DEBUG
    "asyncpg": logging.INFO,
    "alembic": logging.WARNING,  # each migration's steps at INFO
    "pdfminer": logging.WARNING,  # every word of an imported acta at DEBUG
    "matplotlib": logging.INFO,
    "PIL": logging.INFO,
}
_CODE = r"[A-Za-z0-9_-]+"
# An invitation link's code (t.me/<bot>?start=<code>) and the /start message that carries it.
INVITATION_CODES = re.compile(rf"(?P<lead>\bstart(?:group)?=){_CODE}|(?P<command>/start(?:@\w+)?\s+){_CODE}")


class RedactSecrets(logging.Filter):
    """Hide the bot token (URLs of the Bot API carry it) and invitation codes wherever a record carries them:
    its message formatted with its args, its traceback and its stack."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def redact(self, text: str) -> str:
        if self.token:
            text = text.replace(self.token, "<token>").replace(self.token.replace(":", "%3A"), "<token>")
        return INVITATION_CODES.sub(lambda m: f"{m['lead'] or m['command']}<code>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a wrong format: show it with its args, redacted, rather than lose it
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_TRACEBACKS = logging.Formatter()
# What our modules may add to a line (`extra=`) and the JSON lines carry: ids, names of commands, durations.
LOG_FIELDS = ("update_id", "chat_id", "command", "kind", "ms")


class JsonLines(logging.Formatter):
    """One JSON object a line, for a log collector: time (UTC), level, logger, message, the fields of LOG_FIELDS a
    record carries, and its traceback. It formats what `RedactSecrets` left, as the text format does."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update((name, getattr(record, name)) for name in LOG_FIELDS if hasattr(record, name))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Write the log to `stream` (standard error), at LOG_LEVEL, as text or JSON lines (ACUERDOS_LOG_FORMAT), with
    every secret redacted; calling it again replaces the handler it made before."""
    root = logging.getLogger()
    for previous in [h for h in root.handlers if h.get_name() == LOG_HANDLER]:
        root.removeHandler(previous)
    handler = logging.StreamHandler(stream)
    handler.set_name(LOG_HANDLER)
    handler.setFormatter(JsonLines() if settings.log_format == "json" else logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactSecrets(settings.token))
    root.addHandler(handler)
    level = logging.getLevelName(settings.log_level)
    root.setLevel(level)
    for name, most in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(max(level, most))
    return handler
