"""Fixtures of the whole suite: a real database (SQLite file or PostgreSQL), an injected clock,
and the real PTB Application talking HTTP to the fake Bot API, driven by people who send and press."""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import committees
from bot.app import build_application
from bot.config import Settings
from models.db import create_engine, session_factory, upgrade
from models.entities import Committee, CommitteeKind, Role
from tests.fakebot import TOKEN, Call, FakeBotAPI

POSTGRES_URL = os.environ.get("ACUERDOS_TEST_DATABASE_URL")
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
# Monday 2 March 2026, 09:00 in Lima: five days after the seed acta's session.
START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self, now: datetime = START):
        self.current = now

    def now(self) -> datetime:
        return self.current

    def set(self, now: datetime) -> None:
        self.current = now

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh, empty database for each test: a new SQLite file, or PostgreSQL's public schema emptied."""
    return POSTGRES_URL or f"sqlite+aiosqlite:///{tmp_path / 'acuerdos.db'}"


async def reset(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncEngine:
    await reset(database_url)
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine):
    return session_factory(engine)


@pytest.fixture
async def committee(sessions, clock) -> Committee:
    """CORESEC Moquegua, made by the operator."""
    async with sessions.begin() as db:
        return await committees.add_committee(db, name="CORESEC Moquegua", kind=CommitteeKind.CORESEC, parent=None,
                                              timezone="America/Lima", now=clock.now())


async def invitation_code(sessions, clock, committee_name: str, role: Role = Role.SECRETARY,
                          institution: str | None = None, days: int = 7) -> str:
    """What `acuerdos-bot invite` does, for tests."""
    from models import queries

    async with sessions.begin() as db:
        target = await queries.committee_by_name(db, committee_name)
        found = await queries.find_institution(db, target.id, institution) if institution else None
        invitation = await committees.create_invitation(db, committee=target, role=role, institution=found,
                                                        now=clock.now(), days=days, actor="cli")
        return invitation.code


@dataclass
class Chat:
    id: int
    type: str = "private"
    title: str | None = None

    def as_dict(self, user: dict) -> dict:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": user["first_name"]}
        return {"id": self.id, "type": self.type, "title": self.title or "Grupo"}


@dataclass
class Person:
    """Someone on Telegram: sends messages, presses buttons, reads what the bot told them."""

    telegram: Telegram
    id: int
    first_name: str
    chat: Chat = field(init=False)

    def __post_init__(self) -> None:
        self.chat = Chat(self.id)

    @property
    def user(self) -> dict:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": "es"}

    async def send(self, text: str, *, chat: Chat | None = None, reply_to: dict | None = None) -> list[Call]:
        """Send a message (a /command or plain text); returns the calls the bot made while handling it."""
        message = self._message(chat, reply_to, text=text)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
        return await self.telegram.deliver({"message": message})

    async def send_document(self, name: str, content: bytes, *, caption: str = "", mime_type: str = "",
                            chat: Chat | None = None, reply_to: dict | None = None) -> list[Call]:
        """Send a file; the fake API keeps its bytes so the bot can download it with getFile."""
        file_id, unique = self.telegram.api.add_file(content)
        document = {"file_id": file_id, "file_unique_id": unique, "file_name": name, "file_size": len(content)}
        if mime_type:
            document["mime_type"] = mime_type
        message = self._message(chat, reply_to, document=document, **({"caption": caption} if caption else {}))
        return await self.telegram.deliver({"message": message})

    def _message(self, chat: Chat | None, reply_to: dict | None, **content) -> dict:
        chat = chat or self.chat
        message = {"message_id": self.telegram.api.new_message_id(), "date": int(time.time()),
                   "chat": chat.as_dict(self.user), "from": self.user, **content}
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    async def press(self, button: str, *, chat: Chat | None = None) -> list[Call]:
        """Press the newest button whose text contains `button` in this chat."""
        chat = chat or self.chat
        for message in self.telegram.api.messages_with_buttons(chat.id):
            for row in message["reply_markup"]["inline_keyboard"]:
                for candidate in row:
                    if button in candidate["text"]:
                        return await self.press_data(candidate["callback_data"], message, chat=chat)
        raise AssertionError(f"no button {button!r} in chat {chat.id}")

    async def press_data(self, data: str, message: dict, *, chat: Chat | None = None) -> list[Call]:
        query = {"id": str(next(self.telegram.query_ids)), "from": self.user, "chat_instance": str(message["chat"]["id"]),
                 "data": data, "message": message}
        return await self.telegram.deliver({"callback_query": query})

    def said(self, chat: Chat | None = None) -> list[str]:
        """Every text the bot sent to (or edited in) this chat, in order."""
        chat = chat or self.chat
        return [c.text for c in self.telegram.api.sent(chat.id) if c.method in ("sendMessage", "editMessageText")]

    def last(self, chat: Chat | None = None) -> str:
        said = self.said(chat)
        return said[-1] if said else ""


class Telegram:
    """The fake Telegram world around one running bot."""

    def __init__(self, api: FakeBotAPI, application):
        self.api = api
        self.application = application
        self.query_ids = itertools.count(1)
        self._people = itertools.count(1001)
        self._groups = itertools.count(1)

    def person(self, first_name: str) -> Person:
        return Person(self, next(self._people), first_name)

    def group(self, title: str) -> Chat:
        return Chat(-1001000000000 - next(self._groups), "supergroup", title)

    async def deliver(self, update: dict) -> list[Call]:
        """Hand the update to the bot through getUpdates and wait until every handler has finished."""
        before = len(self.api.calls)
        update_id = await self.api.push(update)
        await self.api.wait_delivered(update_id)
        await self.application.update_queue.join()
        return self.api.calls[before:]


@pytest.fixture
async def api() -> FakeBotAPI:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def telegram(api: FakeBotAPI, sessions, clock) -> Telegram:
    """The real Application, polling the fake Bot API."""
    settings = Settings(token=TOKEN, api_base_url=api.base_url, database_url="unused-here")
    application = build_application(settings, sessions, clock)
    async with application:
        # run_polling() would call post_init between initialize() and start(); do the same.
        await application.post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        yield Telegram(api, application)
        await api.release_polls()
        await application.updater.stop()
        await application.stop()
