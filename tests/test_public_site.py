"""The public site: a page per published committee, open data and calendars, and nothing private in any file."""

from __future__ import annotations

import csv
import io
import re

from icalendar import Calendar
from sqlalchemy import select, update

from bot import audit
from bot.public import site
from models.entities import Agreement, AuditEntry, Committee, Role
from tests.support.public_tree import SECRET, add_many_agreements, seed_public_tree
from tests.support.scenarios import invitation_code

PAGE_LIMIT = 100 * 1024


async def published(sessions, clock, tmp_path) -> tuple[site.Publisher, dict[str, int]]:
    ids = await seed_public_tree(sessions, clock)
    publisher = site.Publisher(tmp_path / "sitio")
    await publisher.publish(sessions, clock.now())
    return publisher, ids


async def test_nothing_of_an_unpublished_committee_a_reserved_agreement_or_a_person_leaves(sessions, clock, tmp_path):
    publisher, ids = await published(sessions, clock, tmp_path)
    files = [path for path in publisher.out.rglob("*") if path.is_file()]
    assert len(files) > 10
    leaks = [str(path.relative_to(publisher.out)) for path in files if SECRET in path.read_text("utf-8")]
    assert leaks == []
    # The markers are there to be found: the seed did plant them where they must not leave.
    assert not (publisher.out / "comite" / str(ids[f"CODISEC {SECRET}"])).exists()
    assert not (publisher.out / "comite" / str(ids["CORESEC Tacna"])).exists()


async def test_pages_go_down_the_tree_and_count_what_is_published(sessions, clock, tmp_path):
    publisher, ids = await published(sessions, clock, tmp_path)
    top = (publisher.out / "index.html").read_text("utf-8")
    assert '<html lang="es">' in top and "<script" not in top
    assert f'href="comite/{ids["CONASEC"]}/index.html"' in top
    conasec = page(publisher, ids["CONASEC"])
    assert f'href="../../comite/{ids["CORESEC Moquegua"]}/index.html"' in conasec
    assert "1 comité(s) de este nivel aún no publica(n)" in conasec  # CORESEC Tacna
    ilo = page(publisher, ids["CODISEC Ilo"])
    # 6 agreements in the semáforo of 7 (one reserved, one cancelled): 1 and 5 overdue/done, 2 at risk, …
    assert "1 acuerdo(s) reservado(s)" in ilo and "1 acuerdo(s) anulado(s)" in ilo
    assert re.search(r'<section id="critico">\s*<h2>🔴 Crítico \(1\)</h2>', ilo)
    assert re.search(r'<section id="en-riesgo">\s*<h2>🟡 En riesgo \(1\)</h2>', ilo)
    assert re.search(r'<section id="al-dia">\s*<h2>🟢 Al día \(2\)</h2>', ilo)
    assert re.search(r'<section id="sin-plazo">\s*<h2>⚪ Sin plazo \(1\)</h2>', ilo)
    assert "vencido hace 5 día(s)" in ilo and "con dificultades" in ilo and "Plazo: sin plazo" in ilo
    assert "<details><summary>Historial de estados</summary>" in ilo
    for path in publisher.out.rglob("*.html"):
        assert path.stat().st_size <= PAGE_LIMIT, path


async def test_open_data_and_calendars(sessions, clock, tmp_path):
    publisher, ids = await published(sessions, clock, tmp_path)
    national = list(csv.DictReader(io.StringIO((publisher.out / "datos" / "acuerdos.csv").read_text("utf-8"))))
    assert {row["comite_id"] for row in national} == {str(ids[name]) for name in
                                                      ("CONASEC", "CORESEC Moquegua", "COPROSEC Ilo", "CODISEC Ilo")}
    ilo = [row for row in national if row["comite_id"] == str(ids["CODISEC Ilo"])]
    assert sorted(row["codigo"] for row in ilo) == ["1", "2", "3", "4", "5", "7"]
    by_code = {row["codigo"]: row for row in ilo}
    assert by_code["1"]["semaforo"] == "Crítico" and by_code["4"]["tipo_plazo"] == "sin_plazo"
    assert by_code["7"]["semaforo"] == "" and by_code["7"]["estado"] == "anulado"
    committees = list(csv.DictReader(io.StringIO((publisher.out / "datos" / "comites.csv").read_text("utf-8"))))
    row = next(r for r in committees if r["comite"] == "CODISEC Ilo")
    assert (row["acuerdos"], row["critico"], row["en_riesgo"], row["al_dia"], row["sin_plazo"]) == \
        ("5", "1", "1", "2", "1")
    dictionary = (publisher.out / "datos" / "diccionario.html").read_text("utf-8")
    for name in ("comites.csv", "acuerdos.csv", "responsables.csv"):
        header = (publisher.out / "datos" / name).read_text("utf-8").split("\n")[0].split(",")
        assert all(f"<code>{column}</code>" in dictionary for column in header), name
    plazos = Calendar.from_ical((publisher.out / "comite" / str(ids["CODISEC Ilo"]) / "plazos.ics").read_bytes())
    events = sorted(str(event["summary"]) for event in plazos.walk("VEVENT"))
    assert events == ["Vence el acuerdo 1 · CODISEC Ilo", "Vence el acuerdo 2 · CODISEC Ilo",
                      "Vence el acuerdo 3 · CODISEC Ilo"]  # 4 has no date, 5 is done, 6 reserved


async def test_a_change_republishes_its_committee_and_those_above_it_only(sessions, clock, tmp_path):
    publisher, ids = await published(sessions, clock, tmp_path)
    again = await publisher.publish(sessions, clock.now())
    assert (again.written, again.removed) == (0, 0)
    async with sessions.begin() as db:
        audit.record(db, at=clock.now(), actor="t", action="deadline_changed", entity="agreement", entity_id=1,
                     committee_id=ids["CODISEC Ilo"])
    again = await publisher.publish(sessions, clock.now())
    assert again.written == 4  # CODISEC Ilo, COPROSEC Ilo, CORESEC Moquegua, CONASEC
    async with sessions.begin() as db:
        committee = await db.get(Committee, ids["CODISEC Ilo"])
        committee.published = False
        audit.record(db, at=clock.now(), actor="t", action="publication_changed", entity="committee",
                     entity_id=committee.id, committee_id=committee.id)
    again = await publisher.publish(sessions, clock.now())
    assert again.removed == 1 and not (publisher.out / "comite" / str(ids["CODISEC Ilo"])).exists()
    assert "2 comité(s) de este nivel aún no publica(n)" in page(publisher, ids["COPROSEC Ilo"])
    clock.advance(days=1)  # the lights depend on the day: everything is judged again
    again = await publisher.publish(sessions, clock.now())
    assert again.written == 3


async def test_a_secretary_publishes_the_committee_and_reserves_an_agreement(telegram, sessions, clock, tmp_path):
    ids = await seed_public_tree(sessions, clock)
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CORESEC Tacna')}")
    await rosa.send("/config")
    assert "Sitio público del semáforo</b>: no" in rosa.last()
    await rosa.send("/config publico si")
    assert "<b>CORESEC Tacna</b> se publicará en el sitio" in rosa.last()
    await rosa.send("/config publico tal vez")
    assert "<code>/config publico si</code>" in rosa.last()
    await rosa.send("/reservar 3")
    assert "El acuerdo <b>3</b> queda reservado" in rosa.last()
    await rosa.send("/reservar 3")
    assert "ya estaba reservado" in rosa.last()
    await rosa.send("/reservar")
    assert "<code>/reservar 2.1</code>" in rosa.last()
    await rosa.send("/publicar 9.9")
    assert "No encuentro el acuerdo <b>9.9</b>" in rosa.last()
    async with sessions() as db:
        actions = list(await db.scalars(select(AuditEntry.action).where(
            AuditEntry.committee_id == ids["CORESEC Tacna"], AuditEntry.actor.like("telegram:%"))))
    assert actions[-2:] == ["publication_changed", "agreement_reserved"]
    publisher = site.Publisher(tmp_path / "sitio")
    await publisher.publish(sessions, clock.now())
    tacna = page(publisher, ids["CORESEC Tacna"])
    assert "Cámaras de videovigilancia" not in tacna and "Recuperar el parque" in tacna


async def test_calendario_sends_the_institutions_deadlines(telegram, sessions, clock):
    await seed_public_tree(sessions, clock)
    carlos = telegram.person("Carlos")
    await carlos.send(f"/start {await invitation_code(sessions, clock, 'CODISEC Ilo', Role.IMPLEMENTER, 'Serenazgo')}")
    await carlos.send("/calendario")
    sent = telegram.api.sent(carlos.id, "sendDocument")[-1]
    name, content = sent.params["document"]
    assert name == "plazos-serenazgo.ics"
    events = sorted(str(e["summary"]) for e in Calendar.from_ical(content).walk("VEVENT"))
    assert events == ["Vence el acuerdo 2 · CODISEC Ilo", "Vence el acuerdo 3 · CODISEC Ilo"]
    # The secretary gets the committee's, reserved agreements included: the chat is not the public site.
    rosa = telegram.person("Rosa")
    await rosa.send(f"/start {await invitation_code(sessions, clock, 'CODISEC Ilo')}")
    await rosa.send("/calendario")
    name, content = telegram.api.sent(rosa.id, "sendDocument")[-1].params["document"]
    assert name == "plazos-codisec-ilo.ics" and len(Calendar.from_ical(content).walk("VEVENT")) == 4
    stranger = telegram.person("Olga")
    await stranger.send("/calendario")
    assert "no pertenece a ningún comité" in stranger.last()


async def test_a_committee_with_many_agreements_is_split_over_numbered_pages_of_at_most_100_kb(sessions, clock,
                                                                                               tmp_path):
    ids = await seed_public_tree(sessions, clock)
    await add_many_agreements(sessions, clock, ids["CODISEC Ilo"], 400)
    publisher = site.Publisher(tmp_path / "sitio")
    await publisher.publish(sessions, clock.now())
    for path in publisher.out.rglob("*.html"):
        assert path.stat().st_size <= PAGE_LIMIT, path
    folder = publisher.out / "comite" / str(ids["CODISEC Ilo"])
    names = ["index.html"] + [f"pagina-{n}.html" for n in range(2, 20) if (folder / f"pagina-{n}.html").exists()]
    pages = {name: (folder / name).read_text("utf-8") for name in names}
    assert len(pages) >= 4
    assert f"Página 1 de {len(pages)}" in pages["index.html"]
    assert f'<a href="pagina-{len(pages)}.html">Página {len(pages)}</a>' in pages["index.html"]
    assert '<a href="index.html">Página 1</a>' in pages["pagina-2.html"]
    # The counts per light and per institution on the first page only; every agreement on exactly one page.
    assert "<caption>Semáforo de sus acuerdos</caption>" in pages["index.html"]
    assert "<caption>Semáforo de sus acuerdos</caption>" not in pages["pagina-2.html"]
    shown = [found for text in pages.values() for found in re.findall(r'<article id="a-(\d+)">', text)]
    assert len(shown) == len(set(shown)) == 400 + 6  # 7 of the tree's, one of them reserved
    # Every link to an anchor, in the page or on another, lands on an element with that id; each page has the
    # anchors of its lights and of every institution.
    anchors = {name: set(re.findall(r' id="([^"]+)"', text)) for name, text in pages.items()}
    for name, text in pages.items():
        for target, anchor in re.findall(r'href="((?:index|pagina-\d+)\.html)?#([^"]+)"', text):
            assert anchor in anchors[target or name], (name, target, anchor)
        assert {f"inst-{i}" for i in re.findall(r'href="#inst-(\d+)"', pages["index.html"])} <= anchors[name]
        assert anchors[name] & {"critico", "en-riesgo", "al-dia", "sin-plazo", "anulados"}
    # Fewer agreements, fewer pages: the numbered pages left over go.
    async with sessions.begin() as db:
        await db.execute(update(Agreement).where(Agreement.code.like("9.%")).values(reserved=True))
        audit.record(db, at=clock.now(), actor="t", action="agreement_reserved", entity="agreement", entity_id=None,
                     committee_id=ids["CODISEC Ilo"])
    await publisher.publish(sessions, clock.now())
    assert sorted(path.name for path in folder.glob("*.html")) == ["index.html"]
    assert "Página 1 de" not in page(publisher, ids["CODISEC Ilo"])


async def test_the_whole_site_written_by_worker_processes_is_the_same(sessions, clock, tmp_path, monkeypatch):
    ids = await seed_public_tree(sessions, clock)
    await add_many_agreements(sessions, clock, ids["COPROSEC Ilo"], 150)
    alone = site.Publisher(tmp_path / "solo")
    await alone.publish(sessions, clock.now())
    monkeypatch.setattr(site, "CHUNK", 1)  # a chunk a committee, and a worker beside this process
    monkeypatch.setattr(site, "_cpus", lambda: 2)
    shared = site.Publisher(tmp_path / "repartido")
    await shared.publish(sessions, clock.now())
    files = sorted(path.relative_to(alone.out) for path in alone.out.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(shared.out) for path in shared.out.rglob("*") if path.is_file())
    assert all((alone.out / name).read_bytes() == (shared.out / name).read_bytes() for name in files)
    assert shared.known == alone.known


def page(publisher: site.Publisher, committee_id: int) -> str:
    return (publisher.out / "comite" / str(committee_id) / "index.html").read_text("utf-8")
