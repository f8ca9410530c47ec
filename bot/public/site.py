"""The public site as static files: a page per published committee, national open data and calendars.

`Publisher.publish` writes everything the first time, then only what changed: the committees whose fingerprint moved
(bot/tallies.py), the committees above them (their pages count what is below), and the national files. Files are
written under a temporary name and renamed, so a web server never serves half a page; nothing is written while a
transaction is open, and the rendering runs in a thread, so the bot keeps answering.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from bot import tallies, texts
from bot.public import calendar, data, opendata
from bot.public.data import CommitteeData, CommitteeRow
from bot.views import day
from models.db import create_engine, session_factory
from models.semaforo import EMOJI, SEVERITY, WORD, Light, Tally

log = logging.getLogger(__name__)

CHUNK = 100  # committees read and rendered at once: memory stays flat whatever the country's size
ROUND_SECONDS = 300  # how often the running bot publishes what changed
TEXT_ON_PAGE = 300  # characters of an agreement's text on its page; the CSV has it whole
PAGE_BYTES = 100 * 1024  # the most a page weighs, for a provincial 3G connection
BESIDE_BLOCKS = 16 * 1024  # room a committee's first page keeps for its counts, tables and links
INDEX_BYTES = 40  # what an agreement adds to the index per institution, for each of its institutions
ANCHOR = {"red": "critico", "yellow": "en-riesgo", "green": "al-dia", "grey": "sin-plazo", "none": "anulados"}
ORDER = [each.value for each in SEVERITY]


class Known(NamedTuple):
    """What a round remembers of a published committee: the fingerprint it was written at and its public counts."""

    fingerprint: str
    tally: Tally
    done: int
    cutoff: str


class Link(NamedTuple):
    name: str
    link: str
    tally: Tally


@dataclass
class Result:
    written: int = 0  # committees whose pages were written
    removed: int = 0  # committees no longer published, whose folder went
    seconds: float = 0.0


@dataclass
class Publisher:
    out: Path
    known: dict[int, Known] = field(default_factory=dict)
    rows: dict[int, CommitteeRow] = field(default_factory=dict)
    fingerprints: dict[int, str] = field(default_factory=dict)

    async def publish(self, sessions, now: datetime, *, everything: bool = False) -> Result:
        """Write what changed since the last call (everything the first time, or when asked)."""
        started = time.perf_counter()
        async with sessions() as db:
            rows = await data.committees(db)
            fingerprint = await tallies.fingerprints(db, rows, now)
        moved = {row.id for row in rows if everything or self.fingerprints.get(row.id) != fingerprint[row.id]}
        moved |= set(self.rows) - {row.id for row in rows}
        self.rows = {row.id: row for row in rows}
        result = Result()
        if not moved and (self.out / "index.html").exists():
            return result
        todo = set()
        for committee_id in moved:
            todo |= self._with_ancestors(committee_id)
        for committee_id in list(self.known):
            row = self.rows.get(committee_id)
            if row is None or not row.published:
                del self.known[committee_id]
                result.removed += 1
                await asyncio.to_thread(shutil.rmtree, self.out / "comite" / str(committee_id), True)
        published = [self.rows[c] for c in sorted(todo) if c in self.rows and self.rows[c].published]
        levels: dict[int, list[CommitteeRow]] = {}
        for row in published:
            levels.setdefault(self._depth(row.id), []).append(row)
        workers = _workers(sessions, len(published))
        try:
            for depth in sorted(levels, reverse=True):  # children before their parents: a page counts those below
                level = levels[depth]  # in as many chunks as hands at least: the 26 regions are two chunks
                size = min(CHUNK, -(-len(level) // (1 + (workers.count if workers else 0))))
                chunks = [level[first:first + size] for first in range(0, len(level), size)]
                for committee_id, tally, done, cutoff in await self._write_level(sessions, now, chunks, workers):
                    self.known[committee_id] = Known(fingerprint[committee_id], tally, done, cutoff)
                    result.written += 1
        finally:
            if workers:  # in a thread: the workers end their chunk first, and the bot keeps answering
                await asyncio.to_thread(workers.pool.shutdown)
        self.fingerprints = fingerprint
        await asyncio.to_thread(self._write_national, now)
        result.seconds = time.perf_counter() - started
        return result

    async def _write_level(self, sessions, now: datetime, chunks: list[list[CommitteeRow]],
                           workers: Workers | None) -> list[tuple]:
        """Read and write these chunks of one level of the tree: here, in a thread, and in the worker processes
        (each reading its chunk from the database itself) when there are any; what each committee counts."""
        counts: list[tuple] = []

        async def here() -> None:
            while chunks:
                chunk = chunks.pop()
                async with sessions() as db:
                    read = await data.read(db, chunk, now)
                counts.extend(await asyncio.to_thread(self._write_committees, read))

        async def aside(workers: Workers) -> None:
            loop = asyncio.get_running_loop()
            while chunks:
                ids = [row.id for row in chunks.pop()]
                counts.extend(await loop.run_in_executor(workers.pool, _write_aside, workers.url, self.out,
                                                         self.rows, self.known, ids, now))

        # Each goes on until the chunks run out, even when another failed: nothing is left writing after the round.
        for outcome in await asyncio.gather(here(), *(aside(workers) for _ in range(workers.count if workers else 0)),
                                            return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome
        return counts

    async def _read_and_write(self, url: str, ids: list[int], now: datetime) -> list[tuple]:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as db:
                read = await data.read(db, [self.rows[committee_id] for committee_id in ids], now)
        finally:
            await engine.dispose()
        return self._write_committees(read)

    def _with_ancestors(self, committee_id: int) -> set[int]:
        found, current = set(), committee_id
        while current is not None and current not in found:
            found.add(current)
            row = self.rows.get(current)
            current = row.parent_id if row else None
        return found

    def _depth(self, committee_id: int) -> int:
        return len(self._with_ancestors(committee_id))

    def _children(self, committee_id: int | None) -> tuple[list[Link], int]:
        """The published committees right below, with their published subtree's counts, and how many are not."""
        links, hidden = [], 0
        below = [row for row in self.rows.values() if row.parent_id == committee_id]
        for row in sorted(below, key=lambda r: r.name.casefold()):
            if row.id in self.known:
                links.append(Link(row.name, f"{_root(committee_id)}comite/{row.id}/index.html",
                                  self._subtree(row.id)))
            else:
                hidden += 1
        return links, hidden

    def _subtree(self, committee_id: int) -> Tally:
        tally = self.known[committee_id].tally if committee_id in self.known else Tally()
        for row in self.rows.values():
            if row.parent_id == committee_id:
                tally = tally + self._subtree(row.id)
        return tally

    def _write_committees(self, read: list[CommitteeData]) -> list[tuple]:
        """Write these committees' files; what each counts, for the pages above it and the national files."""
        for each in read:
            self._write_committee(each)
        return [(each.committee.id, each.tally, each.done, each.cutoff.isoformat(timespec="minutes"))
                for each in read]

    def _write_committee(self, each: CommitteeData) -> None:
        c = each.committee
        folder = self.out / "comite" / str(c.id)
        folder.mkdir(parents=True, exist_ok=True)
        children, hidden = self._children(c.id)
        below = self._subtree(c.id) if children else None
        crumbs = []
        parent = c.parent_id
        while parent is not None and parent in self.rows:
            if self.rows[parent].published:  # written in this round if not before: children go first
                crumbs.insert(0, Link(self.rows[parent].name, f"../{parent}/index.html", Tally()))
            parent = self.rows[parent].parent_id
        by_institution: dict[int, list] = {}
        for a in each.agreements:
            for r in a.responsibles:
                by_institution.setdefault(r.institution_id, []).append(a)
        values = dict(root="../../", c=c, crumbs=crumbs, cutoff=_moment(each.cutoff, ZoneInfo(c.timezone)),
                      tally=each.tally, below=below, done=each.done, reserved=each.reserved,
                      cancelled=each.cancelled, children=children, hidden=hidden, institutions=each.institutions)
        pages = _pages(each, by_institution, values)
        for number, page in enumerate(pages, 1):
            write(folder / _page_name(number), page)
        for old in folder.glob("pagina-*.html"):
            if int(old.stem.split("-")[1]) > len(pages):
                old.unlink(missing_ok=True)
        write(folder / opendata.AGREEMENTS, (opendata.header(opendata.AGREEMENTS)
                                             + opendata.agreement_lines(each)).encode())
        write(folder / opendata.RESPONSIBLES, (opendata.header(opendata.RESPONSIBLES)
                                               + opendata.responsible_lines(each)).encode())
        write(folder / opendata.COMMITTEES, (opendata.header(opendata.COMMITTEES)
                                             + opendata.committee_line(each)).encode())
        events = {a.id: calendar.event(due, c.name, each.cutoff) for a in each.agreements
                  if (due := _due(a)).listed}
        write(folder / "plazos.ics", calendar.assemble(texts.plain(texts.t(texts.CALENDAR_NAME, name=c.name)),
                                                       events.values()))
        calendars = set()
        for line in each.institutions:
            name = f"institucion-{line.id}.ics"
            calendars.add(name)
            title = texts.plain(texts.t(texts.CALENDAR_NAME_INSTITUTION, institution=line.name, committee=c.name))
            mine = [events[a.id] for a in by_institution.get(line.id, []) if a.id in events]
            write(folder / name, calendar.assemble(title, mine))
        for old in folder.glob("institucion-*.ics"):
            if old.name not in calendars:
                old.unlink(missing_ok=True)

    def _write_national(self, now: datetime) -> None:
        folder = self.out / "datos"
        folder.mkdir(parents=True, exist_ok=True)
        tally = Tally()
        for known in self.known.values():
            tally = tally + known.tally
        roots, hidden = self._children(None)
        tz = ZoneInfo("America/Lima")
        write(self.out / "index.html", _page("index.html", root="", cutoff=_moment(now, tz), tally=tally,
                                             children=roots, hidden=hidden).encode())
        write(folder / "diccionario.html", _page("dictionary.html", root="../", files=opendata.FILES).encode())
        lines = [opendata.header(opendata.COMMITTEES)]
        for committee_id in sorted(self.known):
            known = self.known[committee_id]
            lines.append(opendata.counts_line(self.rows[committee_id], known.tally, known.done, known.cutoff))
        write(folder / opendata.COMMITTEES, "".join(lines).encode())
        for name in (opendata.AGREEMENTS, opendata.RESPONSIBLES):
            parts = [self.out / "comite" / str(committee_id) / name for committee_id in sorted(self.known)]
            _concatenate(folder / name, opendata.header(name).encode(), parts)


def _pages(each: CommitteeData, by_institution: dict[int, list], values: dict) -> list[bytes]:
    """The committee's page, or its numbered pages when its agreements do not fit in PAGE_BYTES: each agreement's
    block is drawn once, then the blocks are laid in order of light over as many pages as needed, every page with the
    anchors per light and per institution of what it holds."""
    blocks = {light: [] for light in ORDER + ["none"]}
    badges = environment().globals["badge"]
    for a in each.agreements:
        blocks[a.light or "none"].append((a, _block(a, badges)))
    counts = {light: len(found) for light, found in blocks.items()}
    links = {a.id: texts.t(texts.PUBLIC_LINK, id=a.id, code=a.code) for a in each.agreements}
    budget = PAGE_BYTES - BESIDE_BLOCKS
    while True:
        layout = _lay_out(blocks, budget)
        pages = [_committee_page(each, by_institution, values, layout, counts, links, number)
                 for number in range(1, len(layout) + 1)]
        if all(len(page) <= PAGE_BYTES for page in pages) or budget < PAGE_BYTES // 4:
            return pages
        budget -= PAGE_BYTES // 10  # a page with many institutions: less room for the blocks


def _block(a: data.PublicAgreement, badges: dict) -> str:
    """An agreement's block: texts.t, not Jinja, as it is drawn 100,000 times (a fifth of the Jinja's time)."""
    t, status = texts.t, texts.STATUS
    responsibles = "".join(t(texts.PUBLIC_RESPONSIBLE, institution=r.institution, light=badges[r.light],
                             why=opendata.why(r), status=status[r.status], percent=r.percent)
                           for r in a.responsibles)
    lines = "".join(t(texts.PUBLIC_HISTORY_LINE, institution=r.institution, steps=texts.Html(
        texts.PUBLIC_STEPS_JOIN.join(_step(s) for s in r.history)))
        for r in a.responsibles if r.history)
    return t(texts.PUBLIC_AGREEMENT, id=a.id, code=a.code, session=a.session, text=_short(a.text),
             status=status[a.status], percent=a.percent, deadline=_deadline(a), updated=_date(a.last_update),
             responsibles=texts.Html(responsibles),
             history=t(texts.PUBLIC_HISTORY, lines=texts.Html(lines)) if lines else texts.Html(""))


@cache
def _step(step: data.Step) -> str:
    return texts.t(texts.PUBLIC_STEP, on=day(step.on), status=texts.STATUS[step.status])  # days repeat: drawn once


def _short(text: str) -> str:
    return text if len(text) <= TEXT_ON_PAGE else text[:TEXT_ON_PAGE] + "…"


def _lay_out(blocks: dict[str, list], budget: int) -> list[list[tuple[str, bool, list]]]:
    """Pages of (light, continued from the page before, [(agreement, block)]): a new page when the next block would
    pass the budget; a light without agreements keeps its (empty) section where it falls."""
    pages: list[list[tuple[str, bool, list]]] = [[]]
    used = 0
    for light in ORDER + ["none"]:
        section = (light, False, [])
        pages[-1].append(section)
        for a, block in blocks[light]:
            size = len(block.encode()) + INDEX_BYTES * len(a.responsibles)
            if used and used + size > budget:
                section = (light, True, [])
                pages.append([section])
                used = 0
            section[2].append((a, block))
            used += size
    return pages


def _committee_page(each: CommitteeData, by_institution: dict[int, list], values: dict, layout: list, counts: dict,
                    links: dict[int, str], number: int) -> bytes:
    where = {a.id: page for page, sections in enumerate(layout, 1) for _, _, found in sections for a, _ in found}
    starts = {}
    for page, sections in enumerate(layout, 1):
        for light, continued, _ in sections:
            if not continued:
                starts[light] = "" if page == number else _page_name(page)
    index = []
    for line in each.institutions:
        mine = by_institution.get(line.id, [])
        here = Markup(texts.PUBLIC_LINKS_JOIN.join(links[a.id] for a in mine if where[a.id] == number))
        elsewhere = sorted({where[a.id] for a in mine} - {number})
        index.append((line, here, elsewhere))
    sections = [(light, continued, Markup("".join(block for _, block in found)))
                for light, continued, found in layout[number - 1]] if each.agreements else []
    return _page("committee.html", **values, number=number, pages=len(layout), counts=counts, starts=starts,
                 sections=sections, index=index).encode()


def _page_name(number: int) -> str:
    return "index.html" if number == 1 else f"pagina-{number}.html"


class Workers(NamedTuple):
    url: str  # the database's, for each worker to read its chunks
    pool: ProcessPoolExecutor
    count: int


def _workers(sessions, committees: int) -> Workers | None:
    """Worker processes for a large round (the whole site, after each day's turn): one per CPU but the one this
    process works on, each reading its chunks itself. None for a few committees, or on one CPU."""
    engine = sessions.kw.get("bind")
    count = min(_cpus() - 1, committees // CHUNK)
    if count < 1 or engine is None:
        return None
    url = engine.url.render_as_string(hide_password=False)
    return Workers(url, ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn")), count)


def _cpus() -> int:
    return len(os.sched_getaffinity(0))  # the CPUs this process may run on, not all the machine has


def _write_aside(url: str, out: Path, rows: dict[int, CommitteeRow], known: dict[int, Known], ids: list[int],
                 now: datetime) -> list[tuple]:
    """In a worker process: read these committees and write their files."""
    return asyncio.run(Publisher(out, known, rows)._read_and_write(url, ids, now))


def write(path: Path, content: bytes) -> None:
    """Write a whole file or nothing: a temporary file beside it, renamed over it."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _concatenate(path: Path, header: bytes, parts: list[Path]) -> None:
    """A national CSV: the header, then each committee's file without its own header."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as target:
        target.write(header)
        for part in parts:
            with part.open("rb") as source:
                source.readline()
                shutil.copyfileobj(source, target)
    os.replace(temporary, path)


def _root(committee_id: int | None) -> str:
    return "" if committee_id is None else "../../"


def _due(a: data.PublicAgreement, institution_id: int | None = None) -> calendar.Due:
    return calendar.Due(a.id, a.code, a.session, a.text, a.deadline, a.status,
                        [r.institution for r in a.responsibles
                         if institution_id is None or r.institution_id == institution_id])


def _moment(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def _deadline(a: data.PublicAgreement) -> str:
    if a.deadline is not None:
        return day(a.deadline)
    return texts.NEXT_SESSION if a.next_session else texts.NO_DEADLINE


def _date(value: date | None) -> str:
    return day(value) if value else "sin avances"


_environment: Environment | None = None


def environment() -> Environment:
    global _environment
    if _environment is None:
        env = Environment(loader=PackageLoader("bot.public", "templates"), autoescape=select_autoescape(default=True),
                          trim_blocks=True, lstrip_blocks=True)
        env.filters["fecha"] = _date
        env.globals.update(emoji={light.value: EMOJI[light] for light in Light},
                           words={light.value: WORD[light] for light in Light}, order=ORDER, anchors=ANCHOR,
                           status=texts.STATUS, deadline=_deadline, why=opendata.why, page_name=_page_name,
                           badge={},
                           short=_short)
        env.globals["badge"] = _badges(env)
        _environment = env
    return _environment


def _badges(env: Environment) -> dict[str | None, texts.Html]:
    """Each light's badge (macros.html), drawn once for the blocks of every agreement."""
    luz = env.get_template("macros.html").module.luz
    return {light: texts.Html(luz(light)) for light in [each.value for each in Light] + [None]}


def _page(template: str, **values) -> str:
    return environment().get_template(template).render(**values)


async def publish_round(context) -> None:
    """The job: publish what changed into ACUERDOS_PUBLIC_DIR, and keep the roll-up's counts (bot/tallies.py)."""
    services = context.application.bot_data["services"]
    now = services.clock.now()
    try:
        async with services.sessions() as db:
            rows = await data.committees(db)
        await tallies.refresh(services.sessions, rows, now)
        if services.settings.public_dir:
            publisher = context.application.bot_data.setdefault(PUBLISHER,
                                                                Publisher(Path(services.settings.public_dir)))
            result = await publisher.publish(services.sessions, now)
            if result.written or result.removed:
                log.info("Public site: %d committee(s) written, %d removed in %.1f s", result.written,
                         result.removed, result.seconds)
    except Exception:
        log.exception("The public site's round failed; the next one tries again")


PUBLISHER = "public_publisher"


def start_publishing(application) -> None:
    application.job_queue.run_repeating(publish_round, interval=ROUND_SECONDS, first=60, name="public site")
