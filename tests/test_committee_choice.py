"""A chat linked to several committees always knows which one it acts in."""

from __future__ import annotations

from bot import committees
from models.entities import CommitteeKind
from tests.support.scenarios import invitation_code


async def test_a_secretary_of_two_committees_chooses_and_every_answer_names_the_committee(telegram, sessions,
                                                                                        clock, committee):
    async with sessions.begin() as db:
        await committees.add_committee(db, name="CODISEC Ilo", kind=CommitteeKind.CODISEC, parent=None,
                                       timezone="America/Lima", now=clock.now())
    sara = telegram.person("Sara")
    await sara.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await sara.send(f"/start {await invitation_code(sessions, clock, 'CODISEC Ilo')}")

    # Which committee "/sesion ordinaria 1 …" is for is asked, and nothing is registered yet.
    await sara.send("/sesion ordinaria 1 25/02/2026")
    assert "Estás en varios comités" in sara.last() and "/sesion ordinaria 1 25/02/2026" in sara.last()
    assert [text for text, _ in telegram.api.sent(sara.id)[-1].buttons] == ["CODISEC Ilo", "CORESEC Moquegua"]
    await sara.press("CODISEC Ilo")
    assert sara.last() == "✅ Ahora trabajas en <b>CODISEC Ilo</b>. Vuelve a enviar <code>/sesion ordinaria 1 " \
                          "25/02/2026</code>."
    await sara.send("/sesion ordinaria 1 25/02/2026")
    assert sara.last().startswith("🏛 <b>CODISEC Ilo</b>\n")
    await sara.send("/instituciones agregar PNP")
    assert sara.last().startswith("🏛 <b>CODISEC Ilo</b>\n") and "CODISEC Ilo" in sara.last()

    # /comite changes it; the list says where it is.
    await sara.send("/comite")
    await sara.press("CORESEC Moquegua")
    assert sara.last() == "✅ Ahora trabajas en <b>CORESEC Moquegua</b>."
    await sara.send("/instituciones")
    assert sara.last().startswith("🏛 <b>CORESEC Moquegua</b>\n") and "PNP" not in sara.last()


async def test_a_chat_in_one_committee_is_not_asked(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/instituciones")
    assert not rosa.last().startswith("🏛 <b>CORESEC Moquegua</b>\n")
    await rosa.send("/comite")
    assert rosa.last() == "🏛 Este chat trabaja en un solo comité: <b>CORESEC Moquegua</b>."
