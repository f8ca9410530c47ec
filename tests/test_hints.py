"""Every hint, refusal and error is worded for the person who gets it: never a command that would refuse them."""

from __future__ import annotations

from bot import texts
from handlers import agreements, reports
from tests.support.progress import committee_with_agreement


async def test_a_message_nobody_asked_for_gets_a_hint_for_the_persons_role(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    stranger = telegram.person("Pedro")
    await rosa.send("Buenos días")
    assert "/acuerdos" in rosa.last() and "/pendientes" not in rosa.last()
    await carlos.send("Buenos días")
    assert "/pendientes" in carlos.last()
    await stranger.send("Buenos días")
    assert "enlace de invitación" in stranger.last() and "/pendientes" not in stranger.last()


async def test_an_observers_invitation_speaks_of_an_observer_and_no_group(telegram, sessions, clock, committee):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)
    await rosa.send("/invitar observador")
    assert "Invitación para un observador de <b>CORESEC Moquegua</b>" in rosa.last()
    assert "grupo" not in rosa.last()
    await rosa.send("/invitar PNP")
    assert "Invitación para el punto focal de PNP" in rosa.last() and "grupo de la institución" in rosa.last()


async def test_the_generic_error_points_each_role_to_what_it_can_check(telegram, sessions, clock, committee,
                                                                       monkeypatch, caplog):
    rosa, carlos, lucia = await committee_with_agreement(telegram, sessions, clock)

    async def broken(*args, **kwargs):
        raise RuntimeError("a fault of the test")

    monkeypatch.setattr(reports.progress, "implementer_assignments", broken)
    monkeypatch.setattr(agreements.queries, "agreements_page", broken)
    await carlos.send("/pendientes")
    assert texts.ERROR in carlos.last() and "/pendientes" in carlos.last() and "/acuerdos" not in carlos.last()
    await rosa.send("/acuerdos")
    assert texts.ERROR in rosa.last() and "/acuerdos" in rosa.last() and "/pendientes" not in rosa.last()
    assert "update" in caplog.text and "failed" in caplog.text
