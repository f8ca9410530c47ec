"""What the import preview offers to confirm always registers: generated actas, read, planned, confirmed.

Hypothesis writes the actas a tired secretary or a careless template would: odd codes (1000.1, ４.１, 0), texts that
start with "=" or hold HTML, names that are look-alikes, long, or only dots, deadlines out of range. Whatever the
preview says, Confirmar either registers exactly what it listed or was never offered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot import importer, texts
from bot.acta import ActaError, read_acta_text
from bot.cli import main
from models.entities import Agreement, Committee
from models.rules import code_key
from tests.support.scenarios import invitation_code

TODAY = date(2026, 3, 2)
HEADERS = [
    "N°\tPROBLEMÁTICA\tACUERDO\tRESPONSABLE DE IMPLEMENTACIÓN\tRESPONSABLE DE SEGUIMIENTO\tPLAZO",
    "Nro\tProblema\tAcuerdos\tResponsables\tSeguimiento\tFecha límite",
    "#\tPROBLEMÁTICA\tACUERDO\tRESPONSABLE\tRESPONSABLE DE SEGUIMIENTO\tPLAZO",
]
# Mostly what works, sometimes what should not: each acta has a fair chance to be offered whole.
GOOD_CODES = ["01", "02", "1", "2.1", "2.2", "2.10", "10", "99", "100", "999", "0", "1.0", "3.2.1", "99.99.99",
              "４.１", "２", "1.", "", "2.1.", "12.5"]
CODES = GOOD_CODES * 6 + ["1000", "1000.1", "A", "1.2.3.4.5", "00"]
NAMES = ["PNP", "Policía Nacional del Perú", "РNP", "P\u200bNP", "Gobiernos Locales", "la Comisaría de Ilo",
         "Ministerio de la Mujer y Poblaciones Vulnerables", "Warmi Ñan", "Prefectura", "...", "🚓", "-",
         "Gerencia de Transporte & Tránsito <GTT>", "Secretaría Técnica del CORESEC", "N.º 5 Juntas Vecinales",
         "=HYPERLINK(\"x\")", "$x$", "Serenazgo / Fiscalía"] * 3 + ["Institución " + "muy " * 60 + "larga"]
DEADLINES = ["", "30 días", "31/12/9999", "01/01/0001", "29/02/2027", "29/02/2028", "15/03/2026", "la siguiente sesión",
             "hasta el 31/12/2030", "01/03/2020", "60 días calendario", "mañana", "diciembre 2026", "99/99/99",
             "Permanente", "32/01/2026"]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\t\r\n\x00"),
               min_size=0, max_size=60)
AGREEMENT_TEXT = st.one_of(TEXT, st.sampled_from(["=WEBSERVICE(\"http://x\")", "<b>Patrullaje</b> & control",
                                                  "Realizar operativos conjuntos 2.3. Disponer patrullaje",
                                                  "Coordinar con la PNP hasta el 31/12/9999", "   "]))


@dataclass(frozen=True)
class Row:
    code: str
    problem: str
    text: str
    implementers: tuple[str, ...]
    followup: str
    deadline: str

    def line(self) -> str:
        return "\t".join([self.code, self.problem, self.text, ", ".join(self.implementers), self.followup,
                          self.deadline])


@dataclass(frozen=True)
class Acta:
    number: int
    held_on: date
    header: str
    rows: tuple[Row, ...]

    def text(self) -> str:
        heading = f"SESIÓN ORDINARIA N° {self.number}\nFecha: {self.held_on:%d/%m/%Y}"
        return "\n".join([heading, self.header, *(row.line() for row in self.rows)])


ROWS = st.builds(Row, st.sampled_from(CODES), st.sampled_from(["", "Inseguridad", "Violencia & robos"]),
                 AGREEMENT_TEXT, st.lists(st.sampled_from(NAMES), max_size=3).map(tuple),
                 st.sampled_from(["", *NAMES]), st.sampled_from(DEADLINES))
ACTAS = st.builds(Acta, st.integers(1, 40),
                  st.sampled_from([date(2026, 2, 25), date(2026, 3, 1)] * 4 + [date(1999, 12, 31), date(2030, 1, 1)]),
                  st.sampled_from(HEADERS),
                  st.lists(ROWS, min_size=1, max_size=5, unique_by=lambda row: code_key(row.code)).map(tuple))


def generated(count: int) -> list[Acta]:
    cases: list[Acta] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None)
    @given(ACTAS)
    def collect(acta: Acta) -> None:
        cases.append(acta)

    collect()
    return cases


async def registered(sessions) -> int:
    async with sessions() as db:
        return await db.scalar(select(func.count(Agreement.id)))


async def test_a_planned_acta_always_registers(sessions, clock, committee: Committee):
    offered = refused = unreadable = 0
    reasons = Counter()
    now = datetime(2026, 3, 2, 14, tzinfo=timezone.utc)
    for acta in generated(300):
        try:
            parsed = read_acta_text(acta.text())
        except ActaError:
            unreadable += 1
            continue
        async with sessions() as db:
            plan = await importer.plan_import(db, committee, parsed, None, TODAY)
            texts.plain(importer.render_preview(plan))  # the preview renders whatever the acta says
        if not plan.can_register:
            refused += 1
            reasons.update(problem[:30] for problem in plan.problems)
            continue
        before = await registered(sessions)
        async with sessions.begin() as db:
            plan = await importer.plan_import(db, committee, parsed, None, TODAY)
            result = await importer.apply_import(db, committee, plan, now, "test")
        assert len(result.agreements) == len(plan.to_register), acta.text()
        assert await registered(sessions) == before + len(plan.to_register)
        offered += 1
    print(f"\n{offered} actas registered, {refused} refused in the preview, {unreadable} unreadable; why refused: "
          f"{reasons.most_common(8)}")
    assert offered > 100 and refused > 50  # the generator reaches both sides


async def test_confirmar_in_the_chat_always_registers_what_it_showed(telegram, sessions, clock, committee):
    clock.set(datetime(2026, 3, 2, 14, tzinfo=timezone.utc))
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Moquegua')}")
    offered = 0
    for acta in generated(25):
        before = await registered(sessions)
        calls = await rosa.send("/importar\n" + acta.text())
        answers = [c for c in calls if c.method == "sendMessage"]
        assert answers and all(texts.ERROR not in c.text for c in answers), acta.text()
        if not any(texts.BUTTON_CONFIRM in (label for label, _ in c.buttons) for c in answers):
            await rosa.send("/cancelar")
            assert await registered(sessions) == before
            continue
        confirmed = await rosa.press(texts.BUTTON_CONFIRM)
        said = "\n".join(c.text for c in confirmed if c.method == "sendMessage")
        assert "✅ Registré" in said, (acta.text(), said)
        assert await registered(sessions) > before or "no los repito" in said
        offered += 1
    assert offered > 5


def test_the_command_line_registers_what_its_preview_offered(operator_env, database_url, tmp_path, capsys):
    assert main(["committee", "add", "CORESEC Moquegua", "--kind", "CORESEC"]) == 0
    offered = 0
    for index, acta in enumerate(generated(20)):
        path = tmp_path / f"acta-{index}.txt"
        path.write_text(acta.text(), encoding="utf-8")
        preview = main(["import", str(path), "--committee", "CORESEC Moquegua"])
        out, err = capsys.readouterr()
        assert "Traceback" not in err and "error: bad" not in err, err
        if preview != 0 or "--yes" not in err:
            continue
        assert main(["import", str(path), "--committee", "CORESEC Moquegua", "--yes"]) == 0, capsys.readouterr()
        assert "✅ Registré" in capsys.readouterr().out
        offered += 1
    assert offered > 3
