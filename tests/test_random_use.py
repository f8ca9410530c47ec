"""People who do anything: random commands, arguments, messages, replies, files and button presses, by random actors
of two committees, against the real Application and the fake Bot API.

Whatever they do: no update fails (the log says so when one does), every answer is HTML that Telegram takes, within
4,096 characters (the fake Bot API refuses any other, and that fails the update), the generic error is never the
answer, and the database holds nothing half-written."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot import texts
from bot.commands import COMMANDS
from models.entities import Agreement, Assignment, Institution, Session, StatusUpdate
from models.rules import EARLIEST_SESSION, latest_deadline
from tests.support.acta_files import make_csv, make_docx, make_xlsx
from tests.support.actas import seed_parts
from tests.test_authorization_matrix import build, said

GENERIC_ERROR = texts.plain(texts.ERROR)[:40]
STEPS = 1000
WORDS = ["2.1", "9.9", "01", "1000.1", "４.１", "PNP", "Warmi Ñan", "Serenazgo Zeta", "РNP", "P\u200bNP", "50%", "-1%",
         "60,5%", "1e3%", "99999%", "²", "hoy", "mañana", "30 de abril", "31/12/9999", "01/01/0001", "29/02/2027",
         "ordinaria", "extraordinaria", "1", "|", "=HYPERLINK(\"x\")", "<b>", "&amp;", "&", "$x$", "...", "🚓", "si",
         "no", "vencido", "publico", "CORESEC Moquegua", "CODISEC ZZB", "agregar", "Se remitió el oficio N.º 5",
         "\u202e", "x" * 300, "a\u0000b", "@AcuerdosBot", "/", "%"]
ARGUMENT = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=6).map(" ".join)
COMMAND_NAMES = sorted({command.name for command in COMMANDS} | {"nada", "START", "avance@OtroBot"})


@dataclass(frozen=True)
class Step:
    actor: int
    kind: str  # command, text, reply, press, file, later
    name: str
    words: str
    pick: int


def files() -> dict[str, bytes]:
    above, table = seed_parts()
    return {
        "acta.docx": make_docx(above, table),
        "acta.xlsx": make_xlsx(above, table),
        "acta.csv": make_csv(above, table, ";", "cp1252"),
        "acta.txt": "\n".join("\t".join(row) for row in [*([line] for line in above), *table]).encode(),
        "roto.xlsx": b"PK\x03\x04 no es un libro",
        "roto.docx": b"\x00" * 100,
        "roto.pdf": b"%PDF-1.4\n%%EOF",
        "vacio.txt": b"",
        "foto.jpg": b"\xff\xd8\xff\xe0",
        "raro.csv": ("N°;ACUERDO;RESPONSABLE\n1000.1;=WEBSERVICE(1);РNP\n;;\n2.1;" + "x" * 5000).encode(),
    }


STEP = st.builds(Step, st.integers(0, 100), st.sampled_from(["command"] * 6 + ["text", "reply", "press", "press",
                                                                               "file", "later"]),
                 st.sampled_from(COMMAND_NAMES), ARGUMENT, st.integers(0, 1000))


def generated(count: int) -> list[Step]:
    steps: list[Step] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None)
    @given(STEP)
    def collect(step: Step) -> None:
        steps.append(step)

    collect()
    return steps


class Failures(logging.Handler):
    """The error handler's "update … failed" lines."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_random_people_doing_random_things_never_break_the_bot(telegram, sessions, clock, committee, rounds):
    world = await build(telegram, sessions, clock)
    # Those who can do most come up most: A's secretary, its focal points (one a group), the secretary of two.
    able = [world.actors[name] for name in ("secretary of another committee", "focal point of another institution",
                                            "member of an institution's group chat", "secretary of two committees")]
    actors = able * 3 + list(world.actors.values())
    blobs = files()
    failures = Failures()
    logging.getLogger("handlers.errors").addHandler(failures)
    faults, kinds, acted = [], {}, 0
    try:
        for step in generated(STEPS):
            person, chat = actors[step.actor % len(actors)]
            kinds[step.kind] = kinds.get(step.kind, 0) + 1
            if step.kind == "command":
                calls = await person.send(f"/{step.name} {step.words}".strip(), chat=chat)
            elif step.kind == "text":
                calls = await person.send(step.words or "hola", chat=chat)
            elif step.kind == "reply":
                mine = [m for m in telegram.api.messages_with_buttons(chat.id)] or [None]
                calls = await person.send(step.words or "listo", chat=chat, reply_to=mine[step.pick % len(mine)])
            elif step.kind == "press":
                keyboards = telegram.api.messages_with_buttons(chat.id)
                if not keyboards:
                    continue
                message = keyboards[step.pick % len(keyboards)]
                buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row
                           if "callback_data" in b]
                if not buttons:
                    continue
                calls = await person.press_data(buttons[step.pick % len(buttons)]["callback_data"], message,
                                                chat=chat)
            elif step.kind == "file":
                name = sorted(blobs)[step.pick % len(blobs)]
                calls = await person.send_document(name, blobs[name], chat=chat)
            else:  # time passes; the outbox's round sends what fell due (reminders with their buttons)
                clock.advance(hours=step.pick % 72)
                await rounds.run()
                continue
            acted += bool(said(calls)) and "⛔" not in said(calls)
            where = f"{step.kind} {step.name} {step.words!r} by {person.first_name}"
            if GENERIC_ERROR in said(calls):
                faults.append(f"{where}: the generic error")
            faults += [f"{where}: {record.getMessage()}" for record in failures.records]
            failures.records.clear()
    finally:
        logging.getLogger("handlers.errors").removeHandler(failures)
    print(f"\nrandom use: {sum(kinds.values())} steps ({kinds}), {acted} answered without a refusal; "
          f"{len(faults)} faults")
    assert faults == [], "\n".join(faults[:20])
    assert await half_written(sessions) == []


async def half_written(sessions) -> list[str]:
    """Rows that only a write stopped halfway, or a value out of its range, could leave."""
    problems = []
    async with sessions() as db:
        orphans = await db.scalar(select(func.count(Agreement.id)).where(~Agreement.assignments.any()))
        if orphans:
            problems.append(f"{orphans} agreements without a responsible")
        crossed = await db.scalar(select(func.count(Assignment.id)).join(Agreement).join(
            Institution, Institution.id == Assignment.institution_id).where(
            Institution.committee_id != Agreement.committee_id))
        if crossed:
            problems.append(f"{crossed} responsibilities of another committee's institution")
        percents = await db.scalar(select(func.count(StatusUpdate.id)).where(
            (StatusUpdate.percent < 0) | (StatusUpdate.percent > 100)))
        if percents:
            problems.append(f"{percents} percents out of 0–100")
        for agreement, held_on in (await db.execute(select(Agreement, Session.held_on).join(Session))).all():
            if held_on < EARLIEST_SESSION:
                problems.append(f"session of {held_on}")
            if agreement.deadline and not held_on <= agreement.deadline <= latest_deadline(held_on):
                problems.append(f"{agreement.code}: deadline {agreement.deadline} for a session of {held_on}")
    return problems
