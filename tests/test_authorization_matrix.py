"""The walls between committees, as a hostile user meets them: every command of the command table and every kind of
button, used by every kind of actor against committee B's objects.

Committee B ("CODISEC ZZB") is seeded with marker strings. For each cell: no answer the bot gives contains one of
B's markers the actor did not type himself, nothing goes to B's chats, the answer is never the generic error, and
after each actor's row no row of B has changed. A command or a button added later joins the matrix by joining
`ARGUMENTS` (the test fails for a command of the table that is missing) or `callbacks.KINDS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from bot import callbacks, texts
from bot.commands import COMMANDS
from models.base import Base
from models.entities import Agreement, Assignment, Committee, Member, Reminder, Role, StatusUpdate
from tests.support.dialogue import Chat, Person, Telegram
from tests.support.fakebot import BOT_USERNAME, Call
from tests.support.scenarios import invitation_code

B_NAME = "CODISEC ZZB"
B_INSTITUTION = "Serenazgo Zeta"
B_CODE = "9.9"
MARKERS = ("ZZB", B_INSTITUTION, B_CODE)
GENERIC_ERROR = texts.plain(texts.ERROR)[:40]
READS_B = "observer inside its tree"  # may read B's markers; like everyone else, may not change B

# For each command of the table, one use that names B's objects (its code, its institution, a session of its).
ARGUMENTS = {
    "start": "{used_code}",
    "ayuda": "",
    "help": "",
    "instituciones": B_INSTITUTION,
    "invitar": B_INSTITUTION,
    "sesion": "ordinaria 9 02/03/2026",
    "nuevo": f"{B_CODE} | Otro texto | {B_INSTITUTION} | 30 de abril",
    "importar": "",
    "acuerdos": B_INSTITUTION,
    "acuerdo": B_CODE,
    "plazo": f"{B_CODE} 30 de abril",
    "verificar": f"{B_CODE} {B_INSTITUTION}",
    "observar": f"{B_CODE} {B_INSTITUTION} Falta el acta",
    "anular": f"{B_CODE} Se dejó sin efecto",
    "resumen": "",
    "reporte": "",
    "semaforo": "",
    "pendientes": "",
    "avance": f"{B_CODE} 50% Se remitió el oficio",
    "config": "publico si",
    "reservar": B_CODE,
    "publicar": B_CODE,
    "calendario": "",
    "cancelar": "",
    "miembros": "",
    "revocar": "{b_member}",
    "salir": "",
    "comite": "",
    "seguir": B_CODE,
    "dejar": B_CODE,
    "ausente": "hasta 15/04",
    "relevo": "",
}


@dataclass
class World:
    telegram: Telegram
    b: int  # committee B's id
    b_chats: set[int]
    ids: dict[str, int]  # B's objects by name: institution, session, assignment, reminder, update, member
    used_code: str
    actors: dict[str, tuple[Person, Chat]]


async def build(telegram: Telegram, sessions, clock) -> World:
    """Committee A (CORESEC Moquegua) with its people, and committee B, outside A's tree, with its own."""
    from bot import committees
    from models.entities import CommitteeKind

    async with sessions.begin() as db:
        # B sits below a province of its own, whose observer may read B (inside its tree) but not change it.
        for name, kind, parent in (("COPROSEC Padre", CommitteeKind.COPROSEC, None),
                                   (B_NAME, CommitteeKind.CODISEC, "COPROSEC Padre"),
                                   ("CODISEC Tercero", CommitteeKind.CODISEC, None)):
            await committees.add_committee(db, name=name, kind=kind, parent=parent, timezone="America/Lima",
                                           now=clock.now())

    def link(text: str) -> str:
        return text.split("start=")[1].split()[0]

    rosa = telegram.person("Rosa")  # A's secretary
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar PNP, Warmi Ñan")
    await rosa.send("/sesion ordinaria 1 25/02/2026")
    await rosa.send("/nuevo 2.1 | Fortalecer los informes psicológicos | PNP, Warmi Ñan | 30 de abril")
    carlos = telegram.person("Carlos")  # A's PNP focal point, in private
    await rosa.send("/invitar PNP")
    await carlos.send(f"/start {link(rosa.last())}")
    pablo, group = telegram.person("Pablo"), telegram.group("Warmi Ñan Moquegua")  # A's Warmi Ñan, a group chat
    await rosa.send("/invitar Warmi Ñan")
    await pablo.send(f"/start@{BOT_USERNAME} {link(rosa.last())}", chat=group)  # as Telegram's startgroup link
    olga = telegram.person("Olga")  # A's observer
    await olga.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua', Role.OBSERVER)}")
    pia = telegram.person("Pía")  # observer of the province above B
    await pia.send(f"/start {await invitation_code(sessions, clock, 'COPROSEC Padre', Role.OBSERVER)}")
    sara = telegram.person("Sara")  # secretary of A and of a third committee
    await sara.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await sara.send(f"/start {await invitation_code(sessions, clock, 'CODISEC Tercero')}")

    beto = telegram.person("Beto ZZB")  # B's secretary
    await beto.send(f"/start {await invitation_code(sessions, clock, B_NAME)}")
    await beto.send(f"/instituciones agregar {B_INSTITUTION}")
    await beto.send("/sesion ordinaria 9 02/03/2026")
    await beto.send(f"/nuevo {B_CODE} | Patrullaje ZZB en el mercado | {B_INSTITUTION} | 30 de abril")
    bea = telegram.person("Bea ZZB")  # B's focal point
    await beto.send(f"/invitar {B_INSTITUTION}")
    used_code = link(beto.last())
    await bea.send(f"/start {used_code}")
    await bea.send(f"/avance {B_CODE} 40% Oficio ZZB remitido")
    ximena = telegram.person("Ximena")  # was B's focal point; revoked
    await beto.send(f"/invitar {B_INSTITUTION}")
    await ximena.send(f"/start {link(beto.last())}")

    async with sessions.begin() as db:
        b = await db.scalar(select(Committee.id).where(Committee.name == B_NAME))
        revoked = await db.scalar(select(Member).where(Member.user_id == ximena.id))
        revoked.active = False
        assignment = await db.scalar(select(Assignment).join(Agreement).where(Agreement.committee_id == b))
        update = await db.scalar(select(StatusUpdate).where(StatusUpdate.assignment_id == assignment.id))
        reminder = Reminder(assignment_id=assignment.id, committee_id=b, chat_id=bea.id, kind="overdue",
                            due_at=clock.now(), sent_at=clock.now(), message_id=1, payload={},
                            created_at=clock.now())
        db.add(reminder)
        await db.flush()
        agreement = await db.get(Agreement, assignment.agreement_id)
        beto_member = await db.scalar(select(Member.id).where(Member.user_id == beto.id))
        ids = dict(institution=assignment.institution_id, session=agreement.session_id, assignment=assignment.id,
                   reminder=reminder.id, update=update.id, member=beto_member, committee=b, agreement=agreement.id)
    actors = {
        "stranger": (telegram.person("Nadie"), None),
        "focal point of another institution": (carlos, None),
        "secretary of another committee": (rosa, None),
        "observer outside its tree": (olga, None),
        "member of an institution's group chat": (pablo, group),
        "revoked member": (ximena, None),
        "secretary of two committees": (sara, None),
        READS_B: (pia, None),
    }
    actors = {name: (person, chat or person.chat) for name, (person, chat) in actors.items()}
    return World(telegram, b, {beto.id, bea.id}, ids, used_code, actors)


async def snapshot(sessions, b: int) -> dict[str, list]:
    """Every row that belongs to committee B, column by column."""
    async with sessions() as db:
        agreements = set(await db.scalars(select(Agreement.id).where(Agreement.committee_id == b)))
        assignments = set(await db.scalars(select(Assignment.id).where(Assignment.agreement_id.in_(agreements))))
        updates = set(await db.scalars(select(StatusUpdate.id).where(StatusUpdate.assignment_id.in_(assignments))))
        reminders = set(await db.scalars(select(Reminder.id).where(Reminder.committee_id == b)))
        rows: dict[str, list] = {}
        for table in Base.metadata.sorted_tables:
            columns = table.c
            if "committee_id" in columns:
                where = columns.committee_id == b
            elif table.name == "committee":
                where = columns.id == b
            elif table.name == "assignment":
                where = columns.id.in_(assignments)
            elif table.name == "status_update":
                where = columns.id.in_(updates)
            elif table.name == "evidence":
                where = columns.status_update_id.in_(updates)
            elif table.name == "following":
                where = columns.agreement_id.in_(agreements)
            elif table.name == "reminder_card":
                where = columns.reminder_id.in_(reminders)
            else:
                continue
            found = (await db.execute(select(table).where(where).order_by(*table.primary_key.columns))).all()
            rows[table.name] = [json.dumps([str(v) for v in row]) for row in found]
        return rows


def said(calls: list[Call]) -> str:
    """Everything the bot wrote in these calls: messages, edits, captions, answers to button presses."""
    return "\n".join(str(c.params.get(key, "")) for c in calls for key in ("text", "caption"))


def check(world: World, cell: str, calls: list[Call], typed: str = "") -> list[str]:
    """The cell's faults; a refusal is fine, a leak or the generic error is not."""
    words = said(calls)
    reads_b = cell.startswith(READS_B)
    faults = [f"{cell}: leaked {marker!r}" for marker in MARKERS
              if marker in words and marker not in typed and not reads_b]
    if GENERIC_ERROR in words:
        faults.append(f"{cell}: the generic error")
    faults += [f"{cell}: wrote to B's chat {c.chat_id}" for c in calls if c.chat_id in world.b_chats]
    return faults


def forged_buttons(ids: dict[str, int]) -> list[callbacks.Button]:
    """One button of every kind, naming B's objects."""
    made = {
        callbacks.ListPage: callbacks.ListPage(ids["committee"], 1, ids["institution"], None),
        callbacks.DraftSession: callbacks.DraftSession(ids["session"]),
        callbacks.DraftInstitution: callbacks.DraftInstitution(ids["institution"]),
        callbacks.DraftStep: callbacks.DraftStep("ok"),
        callbacks.ReminderAnswer: callbacks.ReminderAnswer("c", ids["assignment"], ids["reminder"]),
        callbacks.Snooze: callbacks.Snooze(ids["assignment"], ids["reminder"]),
        callbacks.ChooseAssignment: callbacks.ChooseAssignment(ids["assignment"]),
        callbacks.DoneQuestion: callbacks.DoneQuestion("y", ids["update"]),
        callbacks.SkipNote: callbacks.SkipNote(ids["assignment"]),
        callbacks.Verify: callbacks.Verify(ids["assignment"]),
        callbacks.Observe: callbacks.Observe(ids["assignment"]),
        callbacks.ImportAnswer: callbacks.ImportAnswer("ok", 1),
        callbacks.MemberButton: callbacks.MemberButton("r", ids["member"]),
        callbacks.CommitteeChoice: callbacks.CommitteeChoice(ids["committee"]),
        callbacks.DigestItem: callbacks.DigestItem(ids["reminder"]),
        callbacks.DigestPage: callbacks.DigestPage(ids["reminder"], 1),
        callbacks.FollowChoice: callbacks.FollowChoice("f", ids["agreement"]),
    }
    assert set(made) == set(callbacks.KINDS), "a new kind of button joins the matrix here"
    # Leaving is the member button's other use that names a member; leaving an agreement, the follow button's.
    return [*made.values(), callbacks.MemberButton("l", ids["member"]), callbacks.FollowChoice("u", ids["agreement"])]


async def press(world: World, person: Person, chat: Chat, data: str) -> list[Call]:
    """Press a button with this data on a message of the bot in the actor's chat."""
    message = world.telegram.api._store_message({"chat_id": chat.id}, {"text": "…"})
    return await person.press_data(data, message, chat=chat)


async def test_no_command_or_button_crosses_a_committees_wall(telegram, sessions, clock, committee):
    world = await build(telegram, sessions, clock)
    assert {command.name for command in COMMANDS} == set(ARGUMENTS), "every command joins the matrix"
    before = await snapshot(sessions, world.b)
    faults, cells, answered, refused = [], 0, 0, 0
    for actor, (person, chat) in world.actors.items():
        for command in COMMANDS:
            arguments = ARGUMENTS[command.name].format(used_code=world.used_code, b_member=world.ids["member"])
            text = f"/{command.name} {arguments}".strip()
            calls = await person.send(text, chat=chat)
            cells += 1
            answered += bool(said(calls))
            refused += "⛔" in said(calls)
            faults += check(world, f"{actor} · {text}", calls, typed=text)
            await person.send("/cancelar", chat=chat)  # leave whatever the command started
        for button in forged_buttons(world.ids):
            calls = await press(world, person, chat, button.data())
            cells += 1
            answered += any(c.method == "answerCallbackQuery" for c in calls)
            refused += "⛔" in said(calls)
            faults += check(world, f"{actor} · {type(button).__name__}", calls)
        if await snapshot(sessions, world.b) != before:
            faults.append(f"{actor}: changed committee B's rows")
            before = await snapshot(sessions, world.b)
    print(f"\nauthorization matrix: {len(world.actors)} actors × ({len(COMMANDS)} commands + "
          f"{len(callbacks.KINDS)} buttons) = {cells} cells; {answered} answered, {refused} of them with a ⛔ "
          f"refusal; {len(faults)} faults")
    assert faults == [], "\n".join(faults)
    assert answered == cells
    # The markers are there to be found: the observer of B's province reads them.
    reader, chat = world.actors[READS_B]
    await reader.send(f"/resumen {B_NAME}", chat=chat)
    assert "ZZB" in reader.last(chat=chat)


@dataclass(frozen=True)
class Forged:
    actor: str
    data: str


def forged_data(ids: dict[str, int]) -> st.SearchStrategy[str]:
    """Button data as a hostile user would make it: real kinds with random, B's or absurd values; other
    versions; garbage."""
    number = st.one_of(st.sampled_from(sorted(ids.values())), st.integers(-5, 2**31 + 5),
                       st.sampled_from([0, 1, 10**12]))
    text = st.one_of(number.map(str), st.sampled_from(["", "-", "c", "s", "ok", "x", "y", "done", "pendiente",
                                                        "con_dificultades", "١", " 1", "1e3", "%00"]),
                     st.text(max_size=8))

    def layout(kind: type[callbacks.Button]) -> st.SearchStrategy[str]:
        parts = st.lists(text, min_size=len(fields(kind)) - 1, max_size=len(fields(kind)) + 1)
        return st.tuples(st.sampled_from(["v1", "v1", "v0", "v2", ""]), parts).map(
            lambda vp: ":".join([vp[0], kind.KIND, *vp[1]]))

    return st.one_of(*(layout(kind) for kind in callbacks.KINDS), st.text(max_size=70))


async def test_forged_buttons_pressed_by_anyone_never_fail_and_never_reach_b(telegram, sessions, clock, committee):
    world = await build(telegram, sessions, clock)
    cases: list[Forged] = []

    @settings(max_examples=150, database=None, derandomize=True, deadline=None)
    @given(st.builds(Forged, st.sampled_from(sorted(world.actors)), forged_data(world.ids)))
    def collect(case: Forged) -> None:
        cases.append(case)

    collect()
    before = await snapshot(sessions, world.b)
    faults = []
    for case in cases:
        person, chat = world.actors[case.actor]
        data = case.data.encode()[:64].decode(errors="ignore")  # Telegram carries at most 64 bytes
        calls = await press(world, person, chat, data)
        faults += check(world, f"{case.actor} · {data!r}", calls)
        if not any(c.method == "answerCallbackQuery" for c in calls):
            faults.append(f"{case.actor} · {data!r}: the press was not answered")
    assert faults == [], "\n".join(faults)
    assert await snapshot(sessions, world.b) == before


def test_the_matrix_knows_every_table():
    # A table that holds a committee's rows and that `snapshot` does not read would escape the check.
    names = {table.name for table in Base.metadata.sorted_tables}
    covered = {name for name in names if "committee_id" in Base.metadata.tables[name].c}
    covered |= {"committee", "assignment", "status_update", "evidence", "following", "reminder_card"}
    # The inbox keeps what Telegram sent, of no committee, until it is handled (and a week after).
    assert names <= covered | {"alembic_version", "inbox"}, names - covered
    assert inspect(Committee).primary_key


async def test_an_old_keyboard_cannot_give_a_committees_agreement_to_another_committees_institution(
        telegram, sessions, clock, committee):
    world = await build(telegram, sessions, clock)
    rosa, _ = world.actors["secretary of another committee"]
    await rosa.send("/nuevo")
    await rosa.send("5.1")
    await rosa.send("Instalar cámaras en el mercado")
    keyboard = telegram.api.messages_with_buttons(rosa.id)[0]
    calls = await rosa.press_data(callbacks.DraftInstitution(world.ids["institution"]).data(), keyboard)
    assert [c.params["text"] for c in calls if c.method == "answerCallbackQuery"] == [texts.plain(texts.BUTTON_INVALID)]
    await rosa.press("PNP")
    await rosa.press(texts.BUTTON_DONE)
    await rosa.press(texts.BUTTON_NO_DEADLINE)
    await rosa.press(texts.BUTTON_CONFIRM)
    async with sessions() as db:
        agreement = await db.scalar(select(Agreement).where(Agreement.code == "5.1"))
        institutions = set(await db.scalars(select(Assignment.institution_id)
                                            .where(Assignment.agreement_id == agreement.id)))
    assert agreement.committee_id == 1 and world.ids["institution"] not in institutions and len(institutions) == 1
