"""Benchmark: reading actas at the limits, and hostile ones, while `/avance` reports arrive from other chats.

    python tests/benchmarks/bench_reading.py [--rate 50] [--people 500]

The real Application takes `/avance` reports at --rate per second from other chats (SQLite, the fake Bot API), twice
in the same run: once with nothing else to do (the baseline), then while actas are read one after another as
/importar reads them (in a worker process, then planned against the committee). Prints the reports' p50/p95
handling time of both phases (goal p95 ≤ 50 ms), then each file's size, reading time and outcome.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot import committees, importer  # noqa: E402
from bot.acta import ActaError  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.importer import Source  # noqa: E402
from bot.outbox.jobs import RUNTIME  # noqa: E402
from bot.outbox.pacing import Limits, Pacer  # noqa: E402
from bot.reminders.planner import plan_due  # noqa: E402
from models.db import create_engine, session_factory, upgrade  # noqa: E402
from models.entities import CommitteeKind  # noqa: E402
from tests.benchmarks.bench_progress import (  # noqa: E402
    FixedClock,
    avance_updates,
    latencies,
    percentile,
)
from tests.support.acta_files import (  # noqa: E402
    encrypted_pdf,
    inflating_docx,
    make_docx,
    make_pdf,
    make_xlsx,
    sparse_xlsx,
)
from tests.support.actas import HEADER, numbered_acta, seed_parts  # noqa: E402
from tests.support.bench_committee import NOW, build_committee  # noqa: E402
from tests.support.fakebot import TOKEN, FakeBotAPI  # noqa: E402

MIB = 1024 * 1024


def rows_of(text: str) -> tuple[list[str], list[list[str]]]:
    lines = text.split("\n")
    header_at = lines.index("\t".join(HEADER))
    return lines[:header_at], [line.split("\t") for line in lines[header_at:]]


def many_paragraphs_docx(inflated: int) -> bytes:
    """A Word file whose document.xml holds `inflated` bytes of empty paragraphs: just under the decompressed
    limit, but millions of elements for the XML parser."""
    return inflating_docx(*seed_parts(), inflated, filler=b"<w:p/>")


def files() -> list[tuple[str, str, bytes]]:
    """(what, filename, content): at the limits first, then the hostile ones."""
    at_limit = numbered_acta(2000)
    above, table = seed_parts()
    wide = make_xlsx(above, [row + [f"Columna {n}" for n in range(64 - len(row))] for row in table])
    rows_20k = "\n".join(["Fecha: 25/02/2026", "\t".join(HEADER)]
                         + [f"\t\tPatrullaje del sector {n}.\tInstitución {n}\tPrefectura" for n in range(19_998)])
    return [
        ("2,000 agreements, pasted", None, at_limit),
        ("2,000 agreements, .txt", "acta.txt", at_limit.encode()),
        ("2,000 agreements, .xlsx", "acta.xlsx", make_xlsx(*rows_of(at_limit))),
        ("2,000 agreements, .docx", "acta.docx", make_docx(*rows_of(at_limit))),
        ("300 agreements, .pdf", "acta.pdf", make_pdf(*rows_of(numbered_acta(300)), rows_per_page=12)),
        ("64 columns, .xlsx", "ancha.xlsx", wide),
        ("20,000 rows without numbers, .txt", "filas.txt", rows_20k.encode()),
        ("19 MB in one line, .txt", "una-linea.txt", b"x" * (19 * MIB)),
        ("one cell at XFD1048576, .xlsx", "dispersa.xlsx", sparse_xlsx(above, table)),
        ("zip bomb, .docx (0.5 GB inside)", "bomba.docx", inflating_docx(above, table, 500 * MIB)),
        ("49 MB of empty paragraphs, .docx", "parrafos.docx", many_paragraphs_docx(49 * MIB)),
        ("password, .pdf", "protegido.pdf", encrypted_pdf()),
    ]


async def read_all(sessions, committee, actas) -> list[tuple[str, int, float, str]]:
    """Each acta read as /importar reads it, then planned in a transaction when it could be read."""
    results = []
    for what, filename, content in actas:
        started = time.perf_counter()
        try:
            parsed = await importer.read_aside(Source(filename, content))
            async with sessions.begin() as db:
                plan = await importer.plan_import(db, committee, parsed)
            outcome = f"{len(plan.agreements)} agreements planned"
        except ActaError as error:
            outcome = f"refused: {str(error)[:60]}…"
        results.append((what, len(content), time.perf_counter() - started, outcome))
    return results


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--people", type=int, default=500)
    args = parser.parse_args()

    actas = files()
    api = FakeBotAPI()
    await api.start()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
        await upgrade(engine)
        sessions = session_factory(engine)
        await build_committee(sessions, args.people)
        await plan_due(sessions, NOW, everything=True)
        async with sessions.begin() as db:
            other = await committees.add_committee(db, name="CORESEC Lectura", kind=CommitteeKind.CORESEC,
                                                   parent=None, timezone="America/Lima", now=NOW)
        await importer.read_aside(Source(None, numbered_acta(5)))  # the readers' server starts once per bot
        settings = Settings(token=TOKEN, api_base_url=api.base_url)
        real = build_application(settings, sessions, FixedClock())
        async with real:
            await real.post_init(real)
            await real.start()
            # The outbox's rounds have their own benchmarks (bench_reminders.py): here they would only add the first
            # round's fan-out to 500 people to whichever phase it fell in.
            real.job_queue.scheduler.pause()
            # 50 answers a second is above Telegram's 30 a second for the whole bot: the pacer would queue them, and
            # this would measure Telegram's budget, not the reading. The pacer keeps its rules, in a world 100x faster.
            real.bot_data[RUNTIME].pacer = Pacer(Limits().scaled(0.01))
            await latencies(real, avance_updates(250, args.people, start=100_000), args.rate)  # warm-up, not counted
            baseline = await latencies(real, avance_updates(1000, args.people), args.rate)
            api.forget()
            gc.collect()
            reading = asyncio.ensure_future(read_all(sessions, other, actas))
            loaded: list[float] = []
            start = 1000
            while not reading.done():
                loaded += await latencies(real, avance_updates(250, args.people, start=start), args.rate)
                start += 250
            results = await reading
            await real.stop()
        await engine.dispose()
    await api.stop()

    print(f"/avance at {args.rate:.0f}/s from other chats ({args.people} people), SQLite:")
    for label, measured in (("nothing read (baseline)", baseline), ("while the actas below are read", loaded)):
        print(f"  {label:34} {len(measured):5} reports: p50 {percentile(measured, 50) * 1000:6.1f} ms, "
              f"p95 {percentile(measured, 95) * 1000:6.1f} ms (goal p95 ≤ 50 ms)")
    print("reading (worker process, then the plan), one after another:")
    for what, size, seconds, outcome in results:
        print(f"  {what:36} {size / 1024:9.0f} KB {seconds:7.2f} s  {outcome}")


if __name__ == "__main__":
    asyncio.run(main())
