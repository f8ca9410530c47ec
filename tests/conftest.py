"""Fixtures of the whole suite: a real database (SQLite file or PostgreSQL), an injected clock,
and the real PTB Application talking HTTP to the fake Bot API, driven by people who send and press."""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import committees
from bot.app import build_application
from bot.config import Settings
from models.db import create_engine, session_factory, upgrade
from models.entities import Committee, CommitteeKind, Role, SessionKind, Status
from tests.fakebot import TOKEN, Call, FakeBotAPI
from tests.support.actas import seed_text

POSTGRES_URL = os.environ.get("ACUERDOS_TEST_DATABASE_URL")
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
def operator_env(monkeypatch, database_url, tmp_path):
    """The operator's shell: DATABASE_URL on an empty database, in an empty directory."""
    import asyncio

    asyncio.run(reset(database_url))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "AcuerdosTestBot")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


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
        return await self.telegram.deliver(self.typed(text, chat=chat, reply_to=reply_to))

    def typed(self, text: str, *, chat: Chat | None = None, reply_to: dict | None = None) -> dict:
        """The update of a message this person types, not yet delivered."""
        message = self._message(chat, reply_to, text=text)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
        return {"message": message}

    async def send_document(self, name: str, content: bytes, *, caption: str = "", mime_type: str = "",
                            chat: Chat | None = None, reply_to: dict | None = None) -> list[Call]:
        """Send a file; the fake API keeps its bytes so the bot can download it with getFile."""
        file_id, unique = self.telegram.api.add_file(content)
        document = {"file_id": file_id, "file_unique_id": unique, "file_name": name, "file_size": len(content)}
        if mime_type:
            document["mime_type"] = mime_type
        message = self._message(chat, reply_to, document=document, **({"caption": caption} if caption else {}))
        return await self.telegram.deliver({"message": message})

    async def send_photo(self, content: bytes, *, caption: str = "", reply_to: dict | None = None) -> list[Call]:
        """Send a photo (Telegram gives it in several sizes; the last is the largest)."""
        file_id, unique = self.telegram.api.add_file(content)
        sizes = [{"file_id": f"{file_id}-thumb", "file_unique_id": f"{unique}-t", "width": 90, "height": 60},
                 {"file_id": file_id, "file_unique_id": unique, "width": 1280, "height": 853, "file_size": len(content)}]
        message = self._message(None, reply_to, photo=sizes, **({"caption": caption} if caption else {}))
        return await self.telegram.deliver({"message": message})

    async def send_voice(self, content: bytes, *, reply_to: dict | None = None) -> list[Call]:
        """Send a voice note."""
        file_id, unique = self.telegram.api.add_file(content)
        voice = {"file_id": file_id, "file_unique_id": unique, "duration": 12, "mime_type": "audio/ogg",
                 "file_size": len(content)}
        return await self.telegram.deliver({"message": self._message(None, reply_to, voice=voice)})

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

    async def deliver(self, *updates: dict) -> list[Call]:
        """Hand the updates to the bot through getUpdates (several in one answer, as Telegram does when they
        arrive together) and wait until every handler has finished."""
        before = len(self.api.calls)
        update_ids = [await self.api.push(update) for update in updates]
        await self.api.wait_delivered(update_ids[-1])
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


# Summaries and reports: the seed acta's committee, followed up for four weeks of injected time.

LIMA = ZoneInfo("America/Lima")
# The acta fixes few deadlines (the Defensoría's 57.7%); the secretary set these ones afterwards.
SEED_DEADLINES = {"2.1": date(2026, 3, 20), "2.2": date(2026, 4, 15), "03": date(2026, 3, 27), "04": date(2026, 3, 31)}
NEXT_SESSION_ON = date(2026, 4, 24)


def lima(moment: str) -> datetime:
    """'2026-03-09 08:00' in Lima, as the UTC time the bot stores."""
    return datetime.fromisoformat(moment).replace(tzinfo=LIMA).astimezone(timezone.utc)


@dataclass(frozen=True)
class Step:
    """An avance recorded at a Lima time."""

    at: str
    code: str
    institution: str
    status: Status
    percent: int | None = None
    note: str = ""
    author: str = ""


@dataclass(frozen=True)
class Reminded:
    """A reminder sent to an institution about an agreement."""

    at: str
    code: str
    institution: str


FOUR_WEEKS: tuple[tuple[Step | Reminded, ...], ...] = (
    (
        Reminded("2026-03-02 15:00", "2.1", "PNP"),
        Step("2026-03-03 10:00", "2.1", "PNP", Status.EN_PROCESO, 30, "Se coordinó con el CEM los informes", "Carlos"),
        Step("2026-03-04 11:00", "2.1", "Warmi Ñan", Status.EN_PROCESO, 20, "Reunión con la PNP programada", "Lucía"),
        Step("2026-03-05 09:30", "2.5", "Prefectura", Status.REPORTADO, 100, "Oficio N° 045-2026-PREF", "Marco"),
        Step("2026-03-06 16:00", "2.2", "Gobiernos Locales", Status.CON_DIFICULTADES, None, "Falta presupuesto", "Ana"),
    ),
    (
        Step("2026-03-10 09:00", "2.5", "Prefectura", Status.CUMPLIDO, 100, "", "Rosa"),
        Step("2026-03-11 10:00", "03", "Región Policial", Status.EN_PROCESO, 50, "Se pidió la lista a la UGEL", "Pedro"),
        Step("2026-03-12 12:00", "01", "PNP", Status.EN_PROCESO, 10, "Borrador del spot", "Carlos"),
    ),
    (
        Reminded("2026-03-16 09:00", "04", "INABIF"),
        Step("2026-03-16 10:00", "01", "Juntas Vecinales", Status.REPORTADO, 100, "Oficio 12-2026-JV", "Julio"),
        Step("2026-03-17 09:00", "01", "Juntas Vecinales", Status.OBSERVADO, None, "Falta el acta de la campaña", "Rosa"),
        Step("2026-03-18 15:00", "01", "Juntas Vecinales", Status.EN_PROCESO, 40, "Se enviará el acta", "Julio"),
        Reminded("2026-03-19 09:00", "04", "INABIF"),
        Step("2026-03-19 11:00", "05", "Secretaria Técnica CORESEC", Status.EN_PROCESO, 50, "Fechas en revisión", "Rosa"),
        Reminded("2026-03-20 09:00", "03", "Dirección Regional de Educación"),
        Reminded("2026-03-20 09:00", "01", "PNP"),
    ),
    (
        Step("2026-03-24 10:00", "2.1", "PNP", Status.REPORTADO, 100, "Oficio N° 210-2026-REGPOL", "Carlos"),
        Step("2026-03-25 11:00", "2.2", "Gobiernos Locales", Status.EN_PROCESO, 30, "Se incluyó en el PIA 2026", "Ana"),
        Step("2026-03-26 09:00", "2.3", "Gobiernos Locales", Status.ANULADO, None, "Se acordó dejarlo sin efecto", "Rosa"),
        Step("2026-03-27 10:00", "03", "Región Policial", Status.CON_DIFICULTADES, None, "Demora de la UGEL", "Pedro"),
        Step("2026-03-27 12:00", "04", "Secretaria Técnica CORESEC", Status.REPORTADO, 100, "Oficio N° 033-2026-ST", "Rosa"),
        Step("2026-03-28 09:00", "04", "Secretaria Técnica CORESEC", Status.CUMPLIDO, 100, "", "Rosa"),
    ),
)
MONDAYS = ("2026-03-09 08:00", "2026-03-16 08:00", "2026-03-23 08:00", "2026-03-30 08:00")


async def register_seed_acta(sessions, clock, committee: Committee) -> None:
    """The seed acta's nine agreements registered in `committee`, and the next session already scheduled."""
    from bot import agreements
    from bot.acta import read_acta_text
    from bot.deadlines import Deadline

    parsed = read_acta_text(seed_text())
    async with sessions.begin() as db:
        committee = await db.get(Committee, committee.id)
        session, _ = await committees.register_session(db, committee=committee, kind=SessionKind.ORDINARIA, number=1,
                                                       held_on=parsed.session_date, now=clock.now(), actor="test")
        await committees.register_session(db, committee=committee, kind=SessionKind.ORDINARIA, number=2,
                                          held_on=NEXT_SESSION_ON, now=clock.now(), actor="test")
        for item in parsed.agreements:
            institutions = [(await committees.add_institution(db, committee=committee, name=name, now=clock.now(),
                                                              actor="test"))[0] for name in item.implementers]
            deadline = Deadline(SEED_DEADLINES[item.code]) if item.code in SEED_DEADLINES else item.deadline
            await agreements.register_agreement(db, committee=committee, session=session, code=item.code,
                                                text=item.text, institutions=institutions, deadline=deadline,
                                                now=clock.now(), actor="test", problem=item.problem)


async def play(sessions, clock, committee: Committee, events: tuple[Step | Reminded, ...]) -> None:
    """Record avances and sent reminders at their times, as the progress reports and reminders would."""
    from sqlalchemy import select

    from models.entities import Agreement, Assignment, Institution, Reminder, StatusUpdate

    for event in events:
        clock.set(lima(event.at))
        async with sessions.begin() as db:
            assignment = await db.scalar(
                select(Assignment).join(Agreement).join(Institution, Institution.id == Assignment.institution_id)
                .where(Agreement.committee_id == committee.id, Agreement.code == event.code,
                       Institution.name == event.institution))
            if isinstance(event, Reminded):
                db.add(Reminder(assignment_id=assignment.id, committee_id=committee.id, chat_id=-1, kind="reminder",
                                payload={}, due_at=clock.now(), sent_at=clock.now(), attempts=1,
                                created_at=clock.now()))
                continue
            db.add(StatusUpdate(assignment_id=assignment.id, author_name=event.author, status=event.status,
                                percent=event.percent, note=event.note, created_at=clock.now()))
            assignment.status, assignment.last_update_at = event.status, clock.now()
            if event.percent is not None:
                assignment.percent = event.percent
            if event.status == Status.ANULADO:
                agreement = await db.get(Agreement, assignment.agreement_id)
                agreement.cancelled_at, agreement.cancel_reason = clock.now(), event.note


@pytest.fixture
async def four_weeks(sessions, clock, committee) -> Committee:
    """CORESEC Moquegua with the seed acta after four weeks of follow-up, on Monday 30 March 2026, 08:00 in Lima."""
    await register_seed_acta(sessions, clock, committee)
    for week in FOUR_WEEKS:
        await play(sessions, clock, committee, week)
    clock.set(lima(MONDAYS[-1]))
    return committee


# Reminders: rounds of the reminder job run by hand at the injected clock's time, and many reminders at once.

REMINDER_SCALE = 0.01  # Telegram's windows last 1/100 of real time where the test is not about pacing


class Rounds:
    """The reminder job of the running bot, one round at a time."""

    def __init__(self, telegram: Telegram, clock: FakeClock):
        self.telegram = telegram
        self.clock = clock

    async def run(self):
        from bot.reminders.jobs import run_round

        return await run_round(self.telegram.application)

    async def travel(self, until: datetime, every: timedelta = timedelta(hours=2)) -> None:
        """Move the clock to `until` with a round at each multiple of `every` since midnight in Lima (at 08:00
        with the default), and one at `until`: the job runs every 30 seconds, but nothing happens in between."""
        while self.clock.now() < until:
            now = self.clock.now().astimezone(LIMA)
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            following = midnight + every * ((now - midnight) // every + 1)
            self.clock.set(min(following.astimezone(timezone.utc), until))
            await self.run()


@pytest.fixture
def rounds(telegram: Telegram, clock: FakeClock) -> Rounds:
    from bot.reminders.pacing import Limits, Pacer

    telegram.application.bot_data["reminders"].pacer = Pacer(Limits().scaled(REMINDER_SCALE))
    return Rounds(telegram, clock)


async def many_reminders(sessions, clock, committee_id: int, chats: list[int]) -> None:
    """An open assignment due today for each entry of `chats` (a chat listed k times gets k reminders): an
    institution per chat with its contact there, and one agreement per assignment."""
    from models.entities import Agreement, Assignment, Institution, Member, Session

    today = clock.now().astimezone(LIMA).date()
    async with sessions.begin() as db:
        session = Session(committee_id=committee_id, kind=SessionKind.ORDINARIA, number=99, held_on=today,
                          created_at=clock.now())
        db.add(session)
        institutions = {chat: Institution(committee_id=committee_id, name=f"Institución {chat}", key=f"i{chat}",
                                          created_at=clock.now()) for chat in dict.fromkeys(chats)}
        db.add_all(institutions.values())
        await db.flush()
        institutions = {chat: institution.id for chat, institution in institutions.items()}
        db.add_all(Member(committee_id=committee_id, role=Role.IMPLEMENTER, institution_id=institution, chat_id=chat,
                          user_id=abs(chat), is_group=chat < 0, display_name=f"Contacto {chat}", active=True,
                          created_at=clock.now()) for chat, institution in institutions.items())
        for number, chat in enumerate(chats):
            db.add(Agreement(committee_id=committee_id, session=session, code=f"{number // 100 + 1}.{number % 100 + 1}",
                             text=f"Acuerdo número {number + 1}", deadline=today, created_at=clock.now(),
                             assignments=[Assignment(institution_id=institutions[chat], status=Status.PENDIENTE,
                                                     percent=0, created_at=clock.now())]))


async def followed_agreement(telegram: Telegram, sessions, clock: FakeClock, deadline: str = "06/04/2026"):
    """On Friday 27 March, Rosa registers 3.1 for the PNP (Carlos, in private) and Warmi Ñan (its group chat,
    where Lucía is), and both link. Returns rosa, carlos, lucia and the group."""
    import re

    def link(text: str) -> str:
        return re.search(r"start=([A-Za-z0-9_-]+)", text).group(1)

    clock.set(lima("2026-03-27 10:00"))
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar PNP, Warmi Ñan")
    await rosa.send("/sesion ordinaria 3 20/03/2026")
    await rosa.send(f"/nuevo 3.1 | Coadyuvar esfuerzos para fortalecer los informes psicológicos <urgente> "
                    f"| PNP, Warmi Ñan | {deadline}")
    assert "Registré el acuerdo <b>3.1</b>" in rosa.last()
    carlos, lucia, group = telegram.person("Carlos"), telegram.person("Lucía"), telegram.group("CEM Moquegua")
    await rosa.send("/invitar PNP")
    await carlos.send(f"/start {link(rosa.last())}")
    await rosa.send("/invitar Warmi Ñan")
    await lucia.send(f"/start {link(rosa.last())}", chat=group)
    assert "punto focal de <b>Warmi Ñan</b>" in lucia.last(chat=group)
    return rosa, carlos, lucia, group


async def sent_rows(sessions):
    """Every reminder row that went out, in order."""
    from sqlalchemy import select

    from models.entities import Reminder

    async with sessions() as db:
        return list((await db.scalars(select(Reminder).where(Reminder.sent_at.is_not(None))
                                      .order_by(Reminder.sent_at, Reminder.chat_id))).all())
