"""Who is linked to a committee, and ending a link: the secretary lists (/miembros) and revokes (/revocar), a chat
leaves (/salir), the operator does both from the command line. A revoked chat is a stranger at once."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import func, select

from bot import committees
from bot.cli import main
from models import queries
from models.db import create_engine, session_factory
from models.entities import AuditEntry, CommitteeKind, Member, Reminder, Status, StatusUpdate
from tests.support.clock import lima
from tests.support.progress import run_notices, status_of
from tests.support.reminders import many_reminders, sent_rows
from tests.support.scenarios import followed_agreement, invitation_code


def link(text: str) -> str:
    return re.search(r"start=([A-Za-z0-9_-]+)", text).group(1)


async def member(sessions, name: str, committee: str = "CORESEC Moquegua") -> Member:
    async with sessions() as db:
        found = await queries.committee_by_name(db, committee)
        return await db.scalar(select(Member).where(Member.display_name == name, Member.committee_id == found.id))


def alert(telegram) -> str:
    """The pop-up answer to the last button pressed."""
    return telegram.api.sent(method="answerCallbackQuery")[-1].params.get("text") or ""


async def second_committee(telegram, sessions, clock):
    """COPROSEC Ilo, below Moquegua: Pedro is its secretary and Diana the focal point of its Municipalidad."""
    async with sessions.begin() as db:
        await committees.add_committee(db, name="COPROSEC Ilo", kind=CommitteeKind.COPROSEC, parent="CORESEC Moquegua",
                                       timezone="America/Lima", now=clock.now())
    pedro, diana = telegram.person("Pedro"), telegram.person("Diana")
    await pedro.send(f"/start {await invitation_code(sessions, clock, 'COPROSEC Ilo')}")
    await pedro.send("/instituciones agregar Municipalidad")
    await pedro.send("/invitar Municipalidad")
    await diana.send(f"/start {link(pedro.last())}")
    return pedro, diana


async def test_the_secretary_lists_who_is_linked(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await rosa.send("/instituciones agregar Prefectura")
    await rosa.send("/invitar observador")
    await telegram.person("Tomás").send(f"/start {link(rosa.last())}")

    await rosa.send("/miembros")
    listing = rosa.last()
    ids = {name: (await member(sessions, name)).id for name in ("Rosa", "Carlos", "CEM Moquegua", "Tomás")}
    assert listing.splitlines()[0] == "👥 <b>Miembros de CORESEC Moquegua</b> (4)"
    assert listing.index("<b>Secretaría Técnica</b>") < listing.index("<b>Puntos focales</b>") \
        < listing.index("<b>Observadores</b>")
    assert f"• N° <b>{ids['Rosa']}</b> · Rosa · desde el 27/03/2026" in listing
    assert f"🏛 PNP\n• N° <b>{ids['Carlos']}</b> · Carlos · desde el 27/03/2026" in listing
    assert f"🏛 Warmi Ñan\n• N° <b>{ids['CEM Moquegua']}</b> · CEM Moquegua (grupo) · desde el 27/03/2026" in listing
    assert "🏛 Prefectura: <i>sin punto focal</i>" in listing
    assert f"<b>Observadores</b>\n• N° <b>{ids['Tomás']}</b> · Tomás" in listing
    assert f"<code>/revocar {ids['Carlos']}</code>" in listing

    await carlos.send("/miembros")
    assert "Solo la Secretaría Técnica del comité puede usar /miembros" in carlos.last()
    await rosa.send("/revocar Carlos")
    assert "Uso: <code>/revocar 12</code>" in rosa.last()


async def test_revoking_a_focal_point_makes_its_chat_a_stranger_at_once(telegram, sessions, clock, committee, rounds):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await rounds.travel(lima("2026-03-30 09:00"))
    reminder = telegram.api.messages_with_buttons(carlos.chat.id)[-1]
    assert "Recordatorio de acuerdo" in reminder["text"]
    carlos_id = (await member(sessions, "Carlos")).id

    await rosa.send(f"/revocar {carlos_id}")
    assert "¿Retiro a <b>Carlos</b> (punto focal de PNP) de <b>CORESEC Moquegua</b>?" in rosa.last()
    await rosa.press("Cancelar")
    assert rosa.last() == "Listo, cancelado." and (await member(sessions, "Carlos")).active

    await rosa.send(f"/revocar N° {carlos_id}")
    confirm = telegram.api.messages_with_buttons(rosa.chat.id)[-1]
    revoke_data = confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await rosa.press("✅ Revocar")
    assert rosa.last().startswith("✅ Retiré a <b>Carlos</b> (punto focal de PNP) de CORESEC Moquegua.")
    assert "PNP quedó <b>sin punto focal</b>: invita a otro con <code>/invitar PNP</code>" in rosa.last()
    assert carlos.last() == ("ℹ️ La Secretaría Técnica de CORESEC Moquegua retiró a este chat como punto focal de "
                             "PNP. Ya no recibirás sus mensajes.")
    revoked = await member(sessions, "Carlos")
    assert (revoked.active, revoked.inactive_reason) == (False, "revocado por Rosa")
    assert revoked.inactive_since == lima("2026-03-30 09:00")
    async with sessions() as db:
        entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "member_revoked"))
        assert (entry.entity_id, entry.actor, entry.details["institution"]) == (carlos_id, f"telegram:{rosa.id}", "PNP")
        assert not await db.scalar(select(func.count(Reminder.id)).where(
            Reminder.member_id == carlos_id, Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None)))
    await rosa.press_data(revoke_data, confirm)  # pressed again: nothing more happens
    assert "ya no está vinculado a CORESEC Moquegua. No cambié nada." in rosa.last()

    # The old reminder's buttons change nothing, its commands are a stranger's.
    for button, refused in (("✅", "no es de tu institución"), ("⏳", "no es de tu institución"),
                            ("⚠️", "no es de tu institución"), ("🕒", "no es de tu institución")):
        await carlos.press(button)
        assert refused in alert(telegram)
    await carlos.send("Se envió el oficio", reply_to=reminder)
    assert carlos.last() == "⛔ Ese acuerdo no es de tu institución."
    await carlos.send("/pendientes")
    assert "no es punto focal de ninguna institución" in carlos.last()
    await carlos.send("/avance 3.1 50% Avanzamos")
    assert "no es punto focal de ninguna institución" in carlos.last()
    async with sessions() as db:
        assert not (await db.scalars(select(StatusUpdate))).all()

    # No more reminders for the PNP's old contact; Warmi Ñan's group goes on.
    await rounds.travel(lima("2026-04-09 10:00"))
    chats = [row.chat_id for row in await sent_rows(sessions) if row.sent_at > lima("2026-03-30 09:00")]
    assert carlos.id not in chats and group.id in chats
    await rosa.send("/miembros")
    assert "🏛 PNP: <i>sin punto focal</i>" in rosa.last() and "Carlos" not in rosa.last()


async def test_a_revoked_secretary_can_no_longer_decide(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await rosa.send("/invitar secretaria")
    ana = telegram.person("Ana")
    await ana.send(f"/start {link(rosa.last())}")
    await lucia.send("/avance 3.1 100% listo", chat=group)
    await lucia.press("Reportar cumplido", chat=group)
    await lucia.answer("Oficio N° 12-2026-CEM", chat=group)
    assert await run_notices(telegram, sessions, clock) == 2

    await ana.send(f"/revocar {(await member(sessions, 'Rosa')).id}")
    await ana.press("✅ Revocar")
    assert "✅ Retiré a <b>Rosa</b> (Secretaría Técnica) de CORESEC Moquegua." in ana.last()
    assert "retiró a este chat como Secretaría Técnica" in rosa.last()
    await rosa.press("Verificar")
    assert "Solo la Secretaría Técnica" in alert(telegram)
    await rosa.press("Observar")
    assert "Solo la Secretaría Técnica" in alert(telegram)
    assert await status_of(sessions, "3.1", "Warmi Ñan") == Status.REPORTADO
    await rosa.send("/miembros")
    assert "Solo la Secretaría Técnica del comité puede usar /miembros" in rosa.last()
    await rosa.send("/verificar 3.1 Warmi Ñan")
    assert "Solo la Secretaría Técnica" in rosa.last()

    await carlos.send("/pendientes")
    await carlos.press("⚠️ 3.1")
    await carlos.send("Falta presupuesto")
    told_rosa = len(rosa.said())
    assert await run_notices(telegram, sessions, clock) == 1
    assert len(rosa.said()) == told_rosa and "Novedades" in ana.last()
    # Rosa's command menu is everyone's again.
    menu = telegram.api.sent(method="setMyCommands")[-1]
    assert menu.params["scope"]["chat_id"] == rosa.id
    assert [c["command"] for c in menu.params["commands"]] == ["start", "ayuda", "help"]


async def test_the_last_secretary_is_never_revoked_nor_leaves(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    rosa_id = (await member(sessions, "Rosa")).id

    await rosa.send(f"/revocar {rosa_id}")
    assert rosa.last() == ("⛔ Rosa es la única Secretaría Técnica activa de CORESEC Moquegua: no puedo retirarla. "
                           "Primero invita a otra con <code>/invitar secretaria</code>.")
    await rosa.send("/salir")
    assert "Eres la única Secretaría Técnica activa de CORESEC Moquegua" in rosa.last()
    assert "<code>/invitar secretaria</code>" in rosa.last()
    message = telegram.api.sent(rosa.id, "sendMessage")[-1]
    await rosa.press_data(f"v1:m:r:{rosa_id}", telegram.api.message(rosa.id, message.message_id))
    await rosa.press_data(f"v1:m:l:{rosa_id}", telegram.api.message(rosa.id, message.message_id))
    assert "única Secretaría Técnica activa" in rosa.last()
    assert (await member(sessions, "Rosa")).active

    # With a second secretary, Rosa may go.
    await rosa.send("/invitar secretaria")
    await telegram.person("Ana").send(f"/start {link(rosa.last())}")
    await rosa.send("/salir")
    assert "¿Seguro que quieres dejar de ser Secretaría Técnica de <b>CORESEC Moquegua</b>?" in rosa.last()
    await rosa.press("✅ Salir")
    assert rosa.last() == "✅ Listo: ya no eres Secretaría Técnica de CORESEC Moquegua."
    left = await member(sessions, "Rosa")
    assert (left.active, left.inactive_reason) == (False, "salió del comité (Rosa)")


async def test_an_id_of_another_committee_changes_nothing(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    pedro, diana = await second_committee(telegram, sessions, clock)
    diana_id = (await member(sessions, "Diana", "COPROSEC Ilo")).id

    await rosa.send(f"/revocar {diana_id}")
    assert rosa.last() == (f"❌ No encuentro al miembro N° {diana_id} en CORESEC Moquegua. "
                           "Mira los números con /miembros.")
    await rosa.send("/revocar 999999999")
    assert "No encuentro al miembro N° 999999999" in rosa.last()

    await rosa.send(f"/revocar {(await member(sessions, 'Carlos')).id}")
    offered = telegram.api.messages_with_buttons(rosa.chat.id)[-1]
    for forged in (f"v1:m:r:{diana_id}", f"v1:m:l:{diana_id}", f"v1:m:s:{diana_id}"):
        await rosa.press_data(forged, offered)
        assert alert(telegram).startswith("⛔ Ese botón ya no es válido.")
    # Diana pressing Rosa's own button for Carlos is a stranger to CORESEC Moquegua.
    await diana.press_data(offered["reply_markup"]["inline_keyboard"][0][0]["callback_data"], offered)
    assert alert(telegram) == "⛔ Ese botón ya no es válido. Empieza de nuevo con /miembros."
    assert (await member(sessions, "Diana", "COPROSEC Ilo")).active and (await member(sessions, "Carlos")).active
    async with sessions() as db:
        assert not await db.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.entity == "member",
                                                                          AuditEntry.action != "member_linked"))


async def test_leaving_one_of_two_committees(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    pedro, diana = await second_committee(telegram, sessions, clock)
    await pedro.send("/invitar observador")
    await carlos.send(f"/start {link(pedro.last())}")  # Carlos also observes COPROSEC Ilo

    await carlos.send("/salir")
    assert carlos.last() == "¿De cuál quieres salir?"
    options = [b["text"] for row in telegram.api.messages_with_buttons(carlos.chat.id)[-1]["reply_markup"]
               ["inline_keyboard"] for b in row]
    assert options == ["punto focal de PNP · CORESEC Moquegua", "observador · COPROSEC Ilo"]
    await carlos.press("observador · COPROSEC Ilo")
    assert "¿Seguro que quieres dejar de ser observador de <b>COPROSEC Ilo</b>?" in carlos.last()
    await carlos.press("Cancelar")
    assert carlos.last() == "Listo, cancelado."

    await carlos.send("/salir")
    await carlos.press("observador · COPROSEC Ilo")
    await carlos.press("✅ Salir")
    assert carlos.last() == "✅ Listo: ya no eres observador de COPROSEC Ilo."
    assert pedro.last() == "ℹ️ Carlos dejó de ser observador de COPROSEC Ilo (usó /salir)."
    assert not (await member(sessions, "Carlos", "COPROSEC Ilo")).active
    assert (await member(sessions, "Carlos")).active
    menu = telegram.api.sent(method="setMyCommands")[-1]
    assert menu.params["scope"]["chat_id"] == carlos.id
    assert {"pendientes", "avance", "salir"} <= {c["command"] for c in menu.params["commands"]}
    assert "acuerdos" not in {c["command"] for c in menu.params["commands"]}
    await carlos.send("/pendientes")
    assert "Pendientes de PNP" in carlos.last()

    await carlos.send("/salir")  # one link left: straight to the question
    assert "¿Seguro que quieres dejar de ser punto focal de PNP de <b>CORESEC Moquegua</b>?" in carlos.last()


async def test_a_group_leaves_only_by_an_administrator_or_who_linked_it(telegram, sessions, clock, committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    marco = telegram.person("Marco")

    await marco.send("/salir", chat=group)
    assert marco.last(chat=group) == ("⛔ Solo un administrador de este grupo, o quien lo vinculó con la "
                                      "invitación, puede sacarlo de CORESEC Moquegua.")
    telegram.api.admins.add((group.id, marco.id))
    await marco.send("/salir", chat=group)
    assert "¿Seguro que este grupo deja de ser punto focal de Warmi Ñan de <b>CORESEC Moquegua</b>?" \
        in marco.last(chat=group)
    await marco.press("✅ Salir", chat=group)
    assert marco.last(chat=group) == "✅ Listo: este grupo ya no es punto focal de Warmi Ñan de CORESEC Moquegua."
    assert rosa.last().startswith("ℹ️ CEM Moquegua (grupo) dejó de ser punto focal de Warmi Ñan de CORESEC Moquegua")
    assert "Warmi Ñan quedó <b>sin punto focal</b>" in rosa.last()
    await lucia.send("/pendientes", chat=group)
    assert "no es punto focal de ninguna institución" in lucia.last(chat=group)
    await lucia.send("/salir", chat=group)
    assert "Este grupo no está vinculado a ningún comité" in lucia.last(chat=group)


async def test_telling_a_revoked_chat_that_blocked_the_bot_does_not_stop_the_revocation(telegram, sessions, clock,
                                                                                       committee):
    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    telegram.api.fail("sendMessage", 403, chat_id=carlos.id)
    await rosa.send(f"/revocar {(await member(sessions, 'Carlos')).id}")
    await rosa.press("✅ Revocar")
    assert "✅ Retiré a <b>Carlos</b>" in rosa.last()
    assert not (await member(sessions, "Carlos")).active


def linked(database_url: str, code: str, user_id: int, name: str) -> None:
    """Someone opens an invitation the operator printed."""
    async def accept() -> None:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine).begin() as db:
                await committees.accept_invitation(db, code=code, chat_id=user_id, user_id=user_id, is_group=False,
                                                   display_name=name, now=lima("2026-03-27 10:00"))
        finally:
            await engine.dispose()

    asyncio.run(accept())


def active(database_url: str) -> dict[str, bool]:
    async def read() -> dict[str, bool]:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as db:
                return dict((await db.execute(select(Member.display_name, Member.active))).all())
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_the_operator_lists_and_revokes_members(operator_env, database_url, capsys):
    committee = ["--committee", "CORESEC Moquegua"]
    assert main(["committee", "add", "CORESEC Moquegua", "--kind", "CORESEC"]) == 0
    for role, institution, user_id, name in (("secretary", None, 11, "Rosa"), ("implementer", "PNP", 12, "Carlos")):
        extra = ["--institution", institution] if institution else []
        assert main(["invite", *committee, "--role", role, *extra]) == 0
        linked(database_url, link(capsys.readouterr().out), user_id, name)
    assert main(["invite", *committee, "--role", "implementer", "--institution", "Prefectura"]) == 0
    capsys.readouterr()

    assert main(["members", *committee]) == 0
    out = capsys.readouterr().out
    assert out.startswith("👥 Miembros de CORESEC Moquegua (2)\n") and "<b>" not in out
    assert "• N° 1 · Rosa · desde el 27/03/2026" in out and "🏛 PNP\n• N° 2 · Carlos" in out
    assert "🏛 Prefectura: sin punto focal" in out and "/revocar" not in out

    assert main(["members", "revoke", *committee, "--id", "2"]) == 0
    printed = capsys.readouterr()
    assert printed.out == "Would revoke N° 2 Carlos (punto focal de PNP) of CORESEC Moquegua.\n"
    assert "--yes" in printed.err and active(database_url)["Carlos"]
    assert main(["members", "revoke", *committee, "--id", "2", "--yes"]) == 0
    assert capsys.readouterr().out == "Revoked N° 2 Carlos (punto focal de PNP) of CORESEC Moquegua.\n"
    assert active(database_url) == {"Rosa": True, "Carlos": False}

    # The operator may take out the last secretary, to repair a committee, and is warned.
    assert main(["members", "revoke", *committee, "--id", "1", "--yes"]) == 0
    printed = capsys.readouterr()
    assert "warning: N° 1 Rosa (Secretaría Técnica) of CORESEC Moquegua is its last active secretary" in printed.err
    assert "acuerdos-bot invite --committee 'CORESEC Moquegua' --role secretary" in printed.err
    assert not active(database_url)["Rosa"]

    assert main(["members", "revoke", *committee, "--id", "2", "--yes"]) == 1
    assert "is no longer active" in capsys.readouterr().err
    assert main(["members", "revoke", *committee, "--id", "7"]) == 1
    assert "error: No member 7 in this committee" in capsys.readouterr().err
    assert main(["members", "revoke", "--committee", "Nadie", "--id", "1"]) == 1
    assert main(["members"]) == 1
    assert "--committee" in capsys.readouterr().err


async def test_a_long_list_comes_in_several_messages(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await many_reminders(sessions, clock, committee.id, [-1000 - n for n in range(60)])

    calls = await rosa.send("/miembros")
    pieces = [c.text for c in calls if c.method == "sendMessage"]
    assert 1 < len(pieces) <= 3 and all(len(piece) <= 4096 for piece in pieces)  # more would go as a file
    assert pieces[0].startswith("👥 <b>Miembros de CORESEC Moquegua</b> (61)")
    assert sum(piece.count("(grupo)") for piece in pieces) == 60 and "/revocar" in pieces[-1]


async def test_a_question_asked_before_the_revocation_is_not_answered_after(telegram, sessions, clock, committee,
                                                                             rounds):
    from models.entities import StatusUpdate, Waiting

    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)
    await rounds.travel(lima("2026-03-30 09:00"))
    await carlos.press("⏳")
    assert "comentario" in carlos.last().lower() or "avance" in carlos.last().lower()
    await rosa.send(f"/revocar {(await member(sessions, 'Carlos')).id}")
    await rosa.press("✅ Revocar")
    async with sessions() as db:
        assert await db.scalar(select(Waiting.id).where(Waiting.user_id == carlos.id)) is None
    await carlos.send("Se envió el oficio a la comisaría")
    async with sessions() as db:
        assert await db.scalar(select(StatusUpdate.id).where(StatusUpdate.note.like("%oficio a la comisaría%"))) is None
    assert "oficio a la comisaría" not in "".join(rosa.said())
