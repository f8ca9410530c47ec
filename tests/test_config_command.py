"""/config: the secretary reads and changes the committee's hours, cadence, semáforo and summary."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.committee_settings import BadSetting, SettingChange, parse
from models.entities import AuditEntry, Committee
from tests.support.fakebot import BOT_USERNAME
from tests.support.scenarios import invitation_code


@pytest.mark.parametrize("typed, change", [
    ("horario 08:00-17:00", SettingChange("reminders", {"opens": "08:00", "closes": "17:00"})),
    ("horario 7-16:30", SettingChange("reminders", {"opens": "07:00", "closes": "16:30"})),
    ("antes 7,2", SettingChange("reminders", {"days_before": [7, 2]})),
    ("antes 10 y 3", SettingChange("reminders", {"days_before": [10, 3]})),
    ("vencido 3", SettingChange("reminders", {"overdue_every": 3})),
    ("sin_plazo 14", SettingChange("reminders", {"silent_every": 14})),
    ("escalar 2", SettingChange("reminders", {"escalate_after": 2})),
    ("amarillo 5", SettingChange("semaforo", {"yellow_days_before": 5})),
    ("silencio 10", SettingChange("semaforo", {"silent_days": 10})),
    ("sinrespuesta 3", SettingChange("semaforo", {"unanswered_for_red": 3})),
    ("resumen viernes 17", SettingChange("summary", {"weekday": 4, "hour": 17})),
    ("resumen miércoles 08:00", SettingChange("summary", {"weekday": 2, "hour": 8})),
])
def test_settings_the_secretary_types(typed, change):
    assert parse(typed.split()) == change


@pytest.mark.parametrize("typed", ["horario 18-08", "horario mañana", "antes 0", "antes siete", "vencido 0",
                                   "amarillo mucho", "resumen feriado 8", "resumen lunes 25", "color rojo", ""])
def test_settings_that_make_no_sense(typed):
    with pytest.raises(BadSetting):
        parse(typed.split())


async def test_the_secretary_reads_and_changes_the_settings(telegram, sessions, clock, committee):
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    await rosa.send("/config")
    shown = rosa.last()
    assert "horario: 08:00-18:00" in shown and "antes del plazo: 7,2 días" in shown
    assert "Resumen semanal</b>: lunes 08:00" in shown

    await rosa.send("/config horario 08:00-17:00")
    assert "Listo: horario = 08:00-17:00" in rosa.last()
    await rosa.send("/config amarillo 5")
    await rosa.send("/config")
    assert "horario: 08:00-17:00" in rosa.last() and "amarillo: 5 días" in rosa.last()

    await rosa.send("/config horario de día")
    assert "No entendí «horario de día»" in rosa.last()
    await rosa.send("/config grupo")
    assert "dentro del grupo del comité" in rosa.last()
    group = telegram.group("CORESEC Moquegua")
    await rosa.send(f"/config@{BOT_USERNAME} grupo", chat=group)  # the bot has not written there yet
    assert "Este grupo recibirá el resumen semanal" in rosa.last(chat=group)

    async with sessions() as db:
        saved = await db.get(Committee, committee.id)
        changes = (await db.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ["settings_changed", "group_changed"])))).all()
    assert saved.settings["reminders"] == {"opens": "08:00", "closes": "17:00"}
    assert saved.settings["semaforo"] == {"yellow_days_before": 5}
    assert saved.group_chat_id == group.id and saved.settings["summary"]["to_group"] is True
    assert len(changes) == 3

    carlos = telegram.person("Carlos")
    await carlos.send("/config vencido 1")
    assert "Solo la Secretaría Técnica" in carlos.last()
