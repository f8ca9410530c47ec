"""Wrong input gets a short Spanish answer with a correct example, and nothing is half-written."""

from __future__ import annotations

from sqlalchemy import func, select

from models.entities import Agreement, Assignment, Member
from tests.support.scenarios import invitation_code


async def secretary_with_session(telegram, sessions, clock):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones agregar Prefectura, PNP")
    await rosa.send("/sesion ordinaria 1 25/02/2026")
    return rosa


async def count(sessions, entity) -> int:
    async with sessions() as db:
        return await db.scalar(select(func.count()).select_from(entity))


async def test_unknown_used_and_expired_invitations(telegram, sessions, clock, committee):
    stranger = telegram.person("Pedro")
    await stranger.send("/start NoExisteEsteCodigo")
    assert "no existe" in stranger.last() and "start=" in stranger.last()

    code = await invitation_code(sessions, clock, "CORESEC Moquegua", days=7)
    clock.advance(days=8)
    await stranger.send(f"/start {code}")
    assert "venció el 09/03/2026" in stranger.last()

    fresh = await invitation_code(sessions, clock, "CORESEC Moquegua")
    await stranger.send(f"/start {fresh}")
    other = telegram.person("Ana")
    await other.send(f"/start {fresh}")
    assert "ya fue usada" in other.last()
    assert await count(sessions, Member) == 1


async def test_start_without_code_explains_the_bot(telegram, committee):
    newcomer = telegram.person("Juan")
    await newcomer.send("/start")
    assert "enlace de invitación" in newcomer.last()


async def test_a_date_dateparser_cannot_read(telegram, sessions, clock, committee):
    rosa = await secretary_with_session(telegram, sessions, clock)
    await rosa.send("/nuevo 2.5 | La Prefectura ejecutará mecanismos | Prefectura | cuando se pueda tal vez")
    assert "No entendí el plazo" in rosa.last() and "30 de abril" in rosa.last()

    await rosa.send("/nuevo")
    await rosa.send("3")
    await rosa.send("Texto del acuerdo")
    await rosa.press("PNP")
    await rosa.press("Listo")
    await rosa.send("el día del arquero")
    assert "No entendí el plazo" in rosa.last()
    await rosa.send("/cancelar")
    assert "no registré nada" in rosa.last()
    assert await count(sessions, Agreement) == 0 and await count(sessions, Assignment) == 0


async def test_a_code_that_already_exists(telegram, sessions, clock, committee):
    rosa = await secretary_with_session(telegram, sessions, clock)
    await rosa.send("/nuevo 2.5 | La Prefectura ejecutará mecanismos | Prefectura | 24 horas")
    await rosa.send("/nuevo 2.5. | Otro texto | PNP")
    assert "Ya existe el acuerdo <b>2.5</b>" in rosa.last()

    await rosa.send("/nuevo")
    await rosa.send("2.5")
    assert "Ya existe el acuerdo <b>2.5</b>" in rosa.last()
    assert await count(sessions, Agreement) == 1 and await count(sessions, Assignment) == 1


async def test_bad_codes_unknown_institutions_and_usage(telegram, sessions, clock, committee):
    rosa = await secretary_with_session(telegram, sessions, clock)
    await rosa.send("/nuevo 2.x | texto | PNP")
    assert "no es un código de acuerdo" in rosa.last()
    await rosa.send("/nuevo 4 | texto | Municipalidad de Ilo")
    assert "No encuentro la institución «Municipalidad de Ilo»" in rosa.last()
    assert "/instituciones agregar Municipalidad de Ilo" in rosa.last()
    await rosa.send("/nuevo solo un texto")
    assert "Uso:" in rosa.last()
    await rosa.send("/sesion mañana quizás")
    assert "/sesion ordinaria 1 25/02/2026" in rosa.last()
    await rosa.send("/plazo 9.9 30 de abril")
    assert "No encuentro el acuerdo <b>9.9</b>" in rosa.last()
    await rosa.send("/nuevo 5 | texto | PNP | 20/02/2026")
    assert "anterior a la sesión" in rosa.last()
    await rosa.send("/comando_que_no_existe")
    assert "/ayuda" in rosa.last()
    assert await count(sessions, Agreement) == 0


async def test_a_non_secretary_calling_nuevo(telegram, sessions, clock, committee):
    rosa = await secretary_with_session(telegram, sessions, clock)
    await rosa.send("/invitar PNP")
    carlos = telegram.person("Carlos")
    code = rosa.last().split("start=")[1].split()[0]
    await carlos.send(f"/start {code}")

    for command in ("/nuevo", "/nuevo 3 | texto | PNP", "/sesion ordinaria 2 hoy", "/instituciones agregar X",
                    "/plazo 2.1 30 de abril", "/invitar PNP"):
        await carlos.send(command)
        assert "Solo la Secretaría Técnica" in carlos.last(), command
    stranger = telegram.person("Nadie")
    await stranger.send("/acuerdos")
    assert "Solo la Secretaría Técnica" in stranger.last()
    assert await count(sessions, Agreement) == 0


async def test_a_secretary_never_sees_another_committee(telegram, sessions, clock, committee):
    from bot import committees
    from models.entities import CommitteeKind

    async with sessions.begin() as db:
        await committees.add_committee(db, name="CODISEC Ilo", kind=CommitteeKind.CODISEC, parent="CORESEC Moquegua",
                                       timezone="America/Lima", now=clock.now())
    rosa = await secretary_with_session(telegram, sessions, clock)
    await rosa.send("/nuevo 2.5 | La Prefectura ejecutará mecanismos | Prefectura | 24 horas")

    mario = telegram.person("Mario")
    await mario.send(f"/start {await invitation_code(sessions, clock, 'CODISEC Ilo')}")
    await mario.send("/acuerdos")
    assert "No hay acuerdos" in mario.last()
    await mario.send("/acuerdo 2.5")
    assert "No encuentro el acuerdo" in mario.last()
    await mario.send("/plazo 2.5 30 de abril")
    assert "No encuentro el acuerdo" in mario.last()
    await mario.send("/instituciones")
    assert "Prefectura" not in mario.last()


async def test_long_answers_are_split_and_never_rejected(telegram, sessions, clock, committee):
    rosa = await secretary_with_session(telegram, sessions, clock)
    names = [f"Municipalidad Distrital número {i} de la provincia de Mariscal Nieto en la región Moquegua" for i in range(120)]
    for start in range(0, 120, 30):
        await rosa.send("/instituciones agregar " + ", ".join(names[start:start + 30]))
    calls = await rosa.send("/instituciones")
    messages = [c for c in calls if c.method == "sendMessage"]
    assert len(messages) >= 3
    assert all(len(c.text) <= 4096 for c in messages)
    assert not [c for c in telegram.api.calls if c.method == "sendMessage" and c.message_id is None]
    listed = "\n".join(c.text for c in messages)
    assert all(name in listed for name in names)


async def test_html_in_user_text_is_escaped(telegram, sessions, clock, committee):
    rosa = await secretary_with_session(telegram, sessions, clock)
    await rosa.send("/nuevo 7 | Revisar <script> & los <b>oficios</b> | PNP | sin plazo")
    assert "Registré el acuerdo <b>7</b>" in rosa.last()
    await rosa.send("/acuerdo 7")
    assert "&lt;script&gt; &amp; los &lt;b&gt;oficios&lt;/b&gt;" in rosa.last()
    assert not [c for c in telegram.api.calls if c.method == "sendMessage" and c.message_id is None]


async def test_dates_out_of_range_are_refused_with_what_is_allowed(telegram, sessions, clock, committee):
    from models.entities import Session

    rosa = await secretary_with_session(telegram, sessions, clock)
    for date_typed in ("31/12/9999", "01/01/0001", "31/12/1999"):
        await rosa.send(f"/sesion ordinaria 2 {date_typed}")
        assert "no es posible para una sesión" in rosa.last() and "entre el 01/01/2000 y el" in rosa.last()
    await rosa.send("/sesion ordinaria ² hoy")  # a superscript digit is not a number
    assert "/sesion ordinaria 1" in rosa.last()
    assert await count(sessions, Session) == 1

    await rosa.send("/nuevo 3.2 | Patrullaje permanente | PNP | 31/12/9999")
    assert "más de diez años después de la sesión (25/02/2026)" in rosa.last() and "25/02/2036" in rosa.last()
    await rosa.send("/nuevo 3.2 | Patrullaje permanente | PNP | en 99999 años")
    assert "No entendí el plazo «en 99999 años»" in rosa.last()
    assert await count(sessions, Agreement) == 0

    await rosa.send("/nuevo 3.2 | Patrullaje permanente | PNP | 30 de abril")
    await rosa.send("/plazo 3.2 31/12/9999")
    assert "más de diez años después de la sesión" in rosa.last()
    await rosa.send("/plazo 3.2 25/02/2036")  # the last day allowed
    assert "25/02/2036" in rosa.last() and "más de diez años" not in rosa.last()


async def test_an_acta_with_an_impossible_deadline_registers_it_without_one(telegram, sessions, clock, committee):
    from bot import importer
    from bot.acta import read_acta_text
    from models import queries

    text = ("ACTA DE LA PRIMERA SESIÓN ORDINARIA\nFecha: 25/02/2026\n"
            "N°\tAcuerdo\tResponsable\tPlazo\n"
            "1\tPatrullaje en el mercado\tPNP\t31/12/9999\n"
            "2\tCharlas en colegios\tPNP\t30/04/2026\n")
    async with sessions.begin() as db:
        found = await queries.committee_by_name(db, "CORESEC Moquegua")
        plan = await importer.plan_import(db, found, read_acta_text(text), today=clock.now().date())
        assert plan.can_register and not plan.problems
        preview = importer.render_preview(plan)
        assert "1: el plazo 31/12/9999 es más de diez años después de la sesión; queda sin plazo." in preview
        await importer.apply_import(db, found, plan, clock.now(), "test")
    async with sessions() as db:
        deadlines = dict((await db.execute(select(Agreement.code, Agreement.deadline))).all())
    assert deadlines["1"] is None and deadlines["2"].isoformat() == "2026-04-30"


async def test_a_percent_that_is_not_a_whole_number_from_0_to_100_is_refused_with_an_example(telegram, sessions,
                                                                                              clock, committee):
    from models.entities import StatusUpdate
    from tests.support.progress import committee_with_agreement

    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    for written in ("-1%", "60,5%", "1e3%", "99999%", "²%", "101%"):
        await carlos.send(f"/avance 3 {written} Se remitió el oficio")
        assert "El porcentaje va de 0% a 100%" in carlos.last() and "/avance 2.1 60%" in carlos.last(), written
    assert await count(sessions, StatusUpdate) == 0
    await carlos.send("/avance 3 60% Se remitió el oficio")
    assert await count(sessions, StatusUpdate) == 1


async def test_names_and_codes_are_read_as_people_meant_them(telegram, sessions, clock, committee):
    from bot import importer
    from bot.acta import read_acta_text
    from models import queries
    from models.entities import Institution

    rosa = await secretary_with_session(telegram, sessions, clock)  # Prefectura and PNP
    await rosa.send("/instituciones agregar РNP, P\u200bNP, ..., 🚓, de la")
    answer = rosa.last()
    assert answer.count("ya está registrada (como «PNP»)") == 2  # a Cyrillic Р, a zero-width space
    assert answer.count("no es un nombre de institución") == 3
    async with sessions() as db:
        assert sorted(await db.scalars(select(Institution.name))) == ["PNP", "Prefectura"]

    await rosa.send("/nuevo ４.１ | Patrullaje en el mercado | РNP | 30 de abril")
    assert "Registré el acuerdo <b>4.1</b>" in rosa.last()
    await rosa.send("/acuerdo 4.1")
    assert "Patrullaje en el mercado" in rosa.last()

    text = ("ACTA DE LA PRIMERA SESIÓN ORDINARIA\nFecha: 25/02/2026\nN°\tAcuerdo\tResponsable\tPlazo\n"
            "1000\tPatrullaje en el mercado\tPNP\t30/04/2026\n1000.1\tCharlas\tPNP\t30/04/2026\n")
    async with sessions() as db:
        found = await queries.committee_by_name(db, "CORESEC Moquegua")
        plan = await importer.plan_import(db, found, read_acta_text(text), today=clock.now().date())
    # The acta's reader takes them as codes; what Confirmar could not register is not offered.
    assert [a.parsed.code for a in plan.to_register] == ["1000", "1000.1"]
    assert not plan.can_register and sum("código que no se puede registrar" in p for p in plan.problems) == 2
