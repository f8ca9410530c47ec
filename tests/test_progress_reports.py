"""Institutions report progress with evidence; the secretary verifies, observes or cancels."""

from __future__ import annotations

import dataclasses
import hashlib
from sqlalchemy import select

from models.entities import Assignment, Evidence, Reminder, Status
from tests.support.progress import committee_with_agreement, run_notices, status_of, updates
from tests.support.scenarios import invitation_code

PDF = b"%PDF-1.4\n% informe de la PNP\n"


async def a_reminder(telegram, sessions, clock, person, code: str, institution: str) -> dict:
    """A reminder as the dispatcher leaves it: a message in the person's chat and a row with its id."""
    from models import queries

    async with sessions.begin() as db:
        agreement = await queries.find_agreement(db, 1, code)
        assignment = next(a for a in agreement.assignments if a.institution.name == institution)
        message = telegram.api._store_message({"chat_id": person.chat.id}, {"text": f"⏰ Recordatorio {code}"})
        db.add(Reminder(assignment_id=assignment.id, committee_id=1, chat_id=person.chat.id, kind="due",
                        due_at=clock.now(), sent_at=clock.now(), message_id=message["message_id"], payload={},
                        created_at=clock.now()))
    return message


async def test_pendientes_lists_open_assignments_with_their_light(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    listing = carlos.last()
    assert "Pendientes de PNP</b> (2)" in listing
    assert listing.index("<b>2.1</b>") < listing.index("<b>3</b>")  # 11/03 before 30/04
    assert "🟢 <b>2.1</b>" in listing and "🟢 <b>3</b>" in listing
    buttons = telegram.api.sent(carlos.id, "sendMessage")[-1].buttons
    assert [text for text, _ in buttons][:3] == ["✅ 2.1", "⏳ 2.1", "⚠️ 2.1"]
    clock.advance(days=5)  # 2.1 is due in 4 days
    await carlos.send("/pendientes")
    assert "🟡 <b>2.1</b>" in carlos.last() and "🟢 <b>3</b>" in carlos.last()
    clock.advance(days=5)  # 2.1 is one day late
    await carlos.send("/pendientes")
    assert "🔴 <b>2.1</b>" in carlos.last() and "vencido hace 1 día" in carlos.last()
    await rosa.send("/pendientes")
    assert "no es punto focal" in rosa.last()


async def test_avance_in_one_line_and_its_rules(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/avance 3 60% Se remitió el oficio N° 123-2026")
    assert "Anotado: <b>3</b> (PNP) — en proceso · 60%" in carlos.last()
    await carlos.send("/avance 3 150% demasiado")
    assert "0% a 100%" in carlos.last()
    await carlos.send("/avance 3 40%")
    assert "último avance fue 60%" in carlos.last()
    await carlos.send("/avance 3 40% Se anuló la licitación")
    assert "40%" in carlos.last()
    await carlos.send("/avance 9.9 algo")
    assert "No tienes un acuerdo pendiente con el código <b>9.9</b>" in carlos.last()
    await carlos.send("/avance")
    assert "Uso:" in carlos.last()
    assert [(u.status, u.percent) for u in await updates(sessions)] == [(Status.EN_PROCESO, 60), (Status.EN_PROCESO, 40)]


async def test_a_hundred_percent_offers_to_report_it_done(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/avance 3 100% Se recibió la lista de la DREMO")
    assert "en proceso · 100%" in carlos.last() and "¿Ya está cumplido?" in carlos.last()
    assert await status_of(sessions, "3", "PNP") == Status.EN_PROCESO  # not cumplido without the evidence
    await carlos.press("Reportar cumplido")
    assert "envía la <b>evidencia</b>" in carlos.last()
    await carlos.send("Oficio N° 077-2026-REGPOL-MOQ")
    assert "Reportado como cumplido: <b>3</b> (PNP)" in carlos.last()
    await carlos.send("/avance 3 50% algo")
    assert "No tienes un acuerdo pendiente" not in carlos.last() and "está reportado" in carlos.last()


async def test_a_person_for_two_institutions_chooses_with_buttons(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await rosa.send("/invitar Warmi Ñan")
    await carlos.send(f"/start {rosa.last().split('start=')[1].split()[0]}")
    await carlos.send("/avance 2.1 Coordinamos con el CEM")
    assert "¿A cuál se refiere" in carlos.last()
    await carlos.press("Warmi Ñan")
    assert "Anotado: <b>2.1</b> (Warmi Ñan)" in carlos.last()
    assert len(await updates(sessions)) == 1


async def test_the_same_code_in_two_sessions_is_asked_with_buttons(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await rosa.send("/sesion ordinaria 2 25/03/2026")
    await rosa.send("/nuevo 3 | La PNP informará sobre los operativos en colegios | PNP | 30 de abril")
    await carlos.send("/avance 3 20% Se programaron los operativos")
    assert "¿A cuál se refiere" in carlos.last()
    buttons = [text for text, _ in telegram.api.sent(carlos.id, "sendMessage")[-1].buttons]
    assert buttons == ["3 · PNP · S1 25/02", "3 · PNP · S2 25/03"]
    await carlos.press("S2 25/03")
    assert "Anotado: <b>3</b> (PNP) — en proceso · 20%" in carlos.last()
    async with sessions() as db:
        reported = await db.scalar(select(Assignment).join(Assignment.agreement).where(Assignment.percent == 20))
        await db.refresh(reported, ["agreement"])
    assert "operativos en colegios" in reported.agreement.text


async def test_buttons_ask_and_a_button_pressed_twice_records_once(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    await carlos.press("⏳ 3")
    assert "¿algún comentario" in carlos.last()
    skip = [m for m in telegram.api.messages_with_buttons(carlos.id) if "Sin comentario" in str(m["reply_markup"])][0]
    data = skip["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await carlos.press("Sin comentario")
    await carlos.press_data(data, skip)  # the same button again, from a slow phone
    assert len(await updates(sessions)) == 1

    await carlos.press("⚠️ 3")
    await carlos.send("No llega la respuesta de la UGEL")
    assert "con dificultades" in carlos.last()
    assert await status_of(sessions, "3", "PNP") == Status.CON_DIFICULTADES


async def test_cumplido_needs_evidence(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    await carlos.press("✅ 3")
    assert "envía la <b>evidencia</b>" in carlos.last()
    await carlos.send("ya está hecho")
    assert "necesito un archivo o un número de oficio" in carlos.last()
    assert await status_of(sessions, "3", "PNP") == Status.PENDIENTE
    await carlos.send("Oficio N° 045-2026-REGPOL-MOQ")
    assert "Reportado como cumplido" in carlos.last()
    assert await status_of(sessions, "3", "PNP") == Status.REPORTADO


async def test_reminder_reply_with_a_pdf_to_verified_cumplido(telegram, sessions, clock, committee, tmp_path):
    services = telegram.application.bot_data["services"]
    services.settings = dataclasses.replace(services.settings, evidence_dir=str(tmp_path / "evidencias"))
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    reminder = await a_reminder(telegram, sessions, clock, carlos, "3", "PNP")

    await carlos.send_document("oficio-045.pdf", PDF, mime_type="application/pdf", reply_to=reminder)
    assert "Recibí «oficio-045.pdf»" in carlos.last() and "¿Con esto el acuerdo queda cumplido?" in carlos.last()
    await carlos.press("Sí, está cumplido")
    assert "Reportado como cumplido: <b>3</b> (PNP)" in carlos.last()
    async with sessions() as db:
        evidence = await db.scalar(select(Evidence))
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() and evidence.name == "oficio-045.pdf"
    assert evidence.size == len(PDF) and (tmp_path / "evidencias" / f"{evidence.sha256}.pdf").read_bytes() == PDF

    assert await run_notices(telegram, sessions, clock) == 1
    assert "<b>3</b> · PNP reporta <b>cumplido</b>" in rosa.last() and "📎 oficio-045.pdf" not in rosa.last()
    await rosa.press("Verificar 3")
    assert "Verificado: <b>3</b> · PNP queda <b>cumplido</b>" in rosa.last()
    assert "🎉" in rosa.last()
    assert "verificó el acuerdo <b>3</b>" in carlos.last()
    assert await status_of(sessions, "3", "PNP") == Status.CUMPLIDO

    # An old button of the reminder for a closed assignment changes nothing.
    before = len(await updates(sessions))
    await carlos.press("✅ 3") if any("✅ 3" in t for t, _ in telegram.api.sent(carlos.id)[-1].buttons) else None
    from bot.callbacks import ReminderAnswer

    async with sessions() as db:
        assignment_id = (await db.scalar(select(Assignment.id).where(Assignment.status == Status.CUMPLIDO)))
    await carlos.press_data(ReminderAnswer("p", assignment_id, 1).data(), reminder)
    assert "ya está cumplido" in telegram.api.sent(method="answerCallbackQuery")[-1].params["text"]
    await rosa.press("Verificar 3")
    assert len(await updates(sessions)) == before


async def test_a_photo_or_a_voice_note_in_reply_to_a_reminder_is_kept_as_evidence(telegram, sessions, clock,
                                                                                   committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    reminder = await a_reminder(telegram, sessions, clock, carlos, "3", "PNP")
    await carlos.send_photo(b"\xff\xd8 foto de la reunion", caption="50% Reunión con la DREMO", reply_to=reminder)
    assert "Recibí «foto.jpg» para <b>3</b> (PNP)" in carlos.last()
    await carlos.press("No, es un avance")
    assert "Anotado como avance" in carlos.last()
    await carlos.send_voice(b"OggS nota de voz", reply_to=reminder)
    assert "Recibí «nota de voz»" in carlos.last()
    await carlos.press("Sí, está cumplido")
    assert "Reportado como cumplido: <b>3</b> (PNP)" in carlos.last()

    async with sessions() as db:
        evidence = (await db.scalars(select(Evidence).order_by(Evidence.id))).all()
    assert [(e.kind, e.mime_type, e.sha256) for e in evidence] == [
        ("photo", "image/jpeg", hashlib.sha256(b"\xff\xd8 foto de la reunion").hexdigest()),
        ("voice", "audio/ogg", hashlib.sha256(b"OggS nota de voz").hexdigest())]
    assert [(u.status, u.percent, u.note) for u in await updates(sessions)] == [
        (Status.EN_PROCESO, 50, "Reunión con la DREMO"), (Status.EN_PROCESO, None, ""),
        (Status.REPORTADO, 100, "Evidencia: nota de voz")]


async def test_difficulties_and_reports_reach_the_secretary_in_one_message(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/pendientes")
    await carlos.press("⚠️ 2.1")
    await carlos.send("Falta presupuesto para la movilidad")
    await lucia.send("/pendientes")
    await lucia.press("✅ 2.1")
    await lucia.send("Oficio N° 12-2026-CEM")
    before = len(rosa.said())
    assert await run_notices(telegram, sessions, clock) == 1
    assert len(rosa.said()) == before + 1
    notice = rosa.last()
    assert "<b>2.1</b> · PNP tiene <b>dificultades</b>" in notice and "Falta presupuesto" in notice
    assert "<b>2.1</b> · Warmi Ñan reporta <b>cumplido</b>" in notice
    assert await run_notices(telegram, sessions, clock) == 0


async def test_observe_sends_the_reason_and_the_institution_reports_again(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await lucia.send("/avance 2.1 Oficio N° 12-2026-CEM") 
    await lucia.send("/pendientes")
    await lucia.press("✅ 2.1")
    await lucia.send("Oficio N° 12-2026-CEM")
    await rosa.send("/observar 2.1 Warmi Ñan El oficio no adjunta el informe psicológico")
    assert "<b>2.1</b> · Warmi Ñan queda <b>observado</b>" in rosa.last()
    assert "observó el reporte del acuerdo <b>2.1</b>: El oficio no adjunta el informe psicológico" in lucia.last()
    assert "Queda <b>observado</b>" in lucia.last() and "en proceso" not in lucia.last()
    assert await status_of(sessions, "2.1", "Warmi Ñan") == Status.OBSERVADO
    await lucia.send("/pendientes")
    assert "observado" in lucia.last()  # one word for one state, in the answer and in the lists
    await rosa.send("/verificar 2.1 Warmi Ñan")
    assert "está observado" in rosa.last()
    await lucia.send("/avance 2.1 80% Se solicitó el informe al CEM")
    assert await status_of(sessions, "2.1", "Warmi Ñan") == Status.EN_PROCESO
    await rosa.send("/observar 2.1 Warmi Ñan")
    assert "Uso:" in rosa.last()
    await rosa.send("/verificar 2.1 Prefectura")
    assert "no tiene a «Prefectura» como responsable" in rosa.last()


async def test_cancel_an_agreement(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await rosa.send("/anular 2.1 Se acordó en sesión dejarlo sin efecto")
    assert "Anulé el acuerdo <b>2.1</b> (2 responsable(s))" in rosa.last()
    assert "anuló el acuerdo <b>2.1</b>" in carlos.last() and "anuló el acuerdo <b>2.1</b>" in lucia.last()
    await carlos.send("/avance 2.1 algo")
    assert "No tienes un acuerdo pendiente" in carlos.last()
    await rosa.send("/anular 2.1 otra vez")
    assert "ya está anulado" in rosa.last()
    await carlos.send("/anular 3 no")
    assert "Solo la Secretaría Técnica" in carlos.last()


async def test_nobody_touches_another_institution_or_committee(telegram, sessions, clock, committee):
    from bot import committees as committee_ops
    from bot.callbacks import ReminderAnswer, Verify
    from models.entities import CommitteeKind

    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    async with sessions() as db:
        pnp_3 = await db.scalar(select(Assignment.id).join(Assignment.institution).where(
            Assignment.institution.has(name="PNP"), Assignment.agreement.has(code="3")))
    await lucia.send("/pendientes")
    message = [m for m in telegram.api.messages_with_buttons(lucia.id)][0]
    await lucia.press_data(ReminderAnswer("c", pnp_3).data(), message)
    assert telegram.api.sent(method="answerCallbackQuery")[-1].params["text"] == "⛔ Ese acuerdo no es de tu institución."
    await lucia.send("/avance 3 50% intento")
    assert "No tienes un acuerdo pendiente" in lucia.last()

    # Carlos is also the secretary of another committee: that gives him nothing over this one.
    async with sessions.begin() as db:
        await committee_ops.add_committee(db, name="CODISEC Ilo", kind=CommitteeKind.CODISEC, parent=None,
                                          timezone="America/Lima", now=clock.now())
    await carlos.send(f"/start {await invitation_code(sessions, clock, 'CODISEC Ilo')}")
    await carlos.send("/verificar 3 PNP")
    assert "No encuentro el acuerdo <b>3</b> en CODISEC Ilo" in carlos.last()
    await carlos.press_data(Verify(pnp_3).data(), message)
    assert "Solo la Secretaría Técnica" in telegram.api.sent(method="answerCallbackQuery")[-1].params["text"]
    assert await updates(sessions) == []


async def test_a_file_over_20_mb_is_refused(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    reminder = await a_reminder(telegram, sessions, clock, carlos, "3", "PNP")
    file_id, unique = telegram.api.add_file(b"x")
    message = carlos._message(None, reminder, document={"file_id": file_id, "file_unique_id": unique,
                                                         "file_name": "video.mp4", "file_size": 25 * 1024 * 1024})
    await telegram.deliver({"message": message})
    assert "más de 20 MB" in carlos.last()
    assert await updates(sessions) == []


async def test_acuerdo_shows_the_full_history(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await carlos.send("/avance 3 30% Se pidió la lista a la DREMO")
    clock.advance(days=1)
    reminder = await a_reminder(telegram, sessions, clock, carlos, "3", "PNP")
    await carlos.send_document("lista.pdf", PDF, reply_to=reminder)
    await carlos.press("Sí, está cumplido")
    await rosa.send("/verificar 3 PNP")
    await rosa.send("/acuerdo 3")
    detail = rosa.last()
    history = detail[detail.index("Historial</b>"):]
    lines = [line for line in history.splitlines() if line.startswith("•")]
    assert len(lines) == 4
    assert "Carlos: en proceso 30% — Se pidió la lista a la DREMO" in lines[0]
    assert "📎 lista.pdf" in lines[1]
    assert "reportado" in lines[2] and "Rosa: cumplido" in lines[3]


async def test_reminder_reply_with_a_pdf_then_verified_and_no_more_reminders(telegram, sessions, clock, committee,
                                                                              rounds):
    from tests.support.clock import lima
    from tests.support.reminders import sent_rows
    from tests.support.scenarios import followed_agreement

    rosa, carlos, lucia, group = await followed_agreement(telegram, sessions, clock)  # 3.1, due Monday 06/04
    await rounds.travel(lima("2026-03-30 09:00"))
    reminder_call = [c for c in telegram.api.sent(carlos.id, "sendMessage") if "Recordatorio" in c.text][-1]
    reminder = telegram.api.message(carlos.id, reminder_call.message_id)

    await carlos.send_document("oficio-210-2026.pdf", PDF, mime_type="application/pdf", reply_to=reminder)
    await carlos.press("Sí, está cumplido")
    assert "Reportado como cumplido: <b>3.1</b> (PNP)" in carlos.last()
    await run_notices(telegram, sessions, clock)
    await rosa.press("Verificar 3.1")
    assert "Verificado: <b>3.1</b> · PNP queda <b>cumplido</b>" in rosa.last() and "🎉" not in rosa.last()

    verified_at = clock.now()
    await rounds.travel(lima("2026-04-14 12:00"))
    after = [r for r in await sent_rows(sessions) if r.sent_at > verified_at]
    assert [r.chat_id for r in after if r.chat_id == carlos.id] == []
    # Warmi Ñan, still pending, goes on being reminded: D-2 (01/04), D (06/04), then 09/04 and 13/04.
    assert len([r for r in after if r.chat_id == group.id]) == 4
