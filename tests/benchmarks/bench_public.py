"""Time the public site at national scale: python tests/benchmarks/bench_public.py

Builds the national data once (tests/benchmarks/national_data.py), copies it beside (the copy is migrated and every
committee published there, so the shared file stays as other branches expect it), then, in a child process whose
peak RSS is the memory figure (with its worker's, for the whole site): writes the whole site, publishes again with
nothing changed, then after one district's change; and times the national roll-up of a CONASEC observer's /resumen
with the counts kept and without them.
Goals: the whole site ≤ 30 s on SQLite, a republish after one change ≤ 2 s, the national roll-up ≤ 0.5 s, peak RSS
≤ 256 MiB (this process and its worker together), every page ≤ 100 KB.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import delete, select, update  # noqa: E402

from bot import audit, summaries, summary_render, tallies  # noqa: E402
from bot.public import data, site  # noqa: E402
from models.db import create_engine, session_factory, upgrade  # noqa: E402
from models.entities import Committee, CommitteeKind, CommitteeTally  # noqa: E402
from tests.benchmarks.national_data import NOW, SQLITE_FILE  # noqa: E402

COPY = Path("/tmp/acuerdos-bench-public") / SQLITE_FILE.name


async def child(out: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{COPY}")
    sessions = session_factory(engine)
    publisher = site.Publisher(out)
    started, cpu = time.perf_counter(), _cpu_seconds()
    result = await publisher.publish(sessions, NOW)
    print(f"whole site: {result.written} committees in {time.perf_counter() - started:.1f} s "
          f"({_cpu_seconds() - cpu:.1f} s of CPU, this process and its workers)")
    started = time.perf_counter()
    await publisher.publish(sessions, NOW)
    print(f"republish, nothing changed: {time.perf_counter() - started:.2f} s")
    async with sessions.begin() as db:
        district = await db.scalar(select(Committee.id).where(Committee.kind == CommitteeKind.CODISEC).limit(1))
        audit.record(db, at=NOW, actor="bench", action="deadline_changed", entity="agreement", entity_id=None,
                     committee_id=district)
    started = time.perf_counter()
    result = await publisher.publish(sessions, NOW)
    print(f"republish after one district changed: {result.written} committees in "
          f"{time.perf_counter() - started:.2f} s")
    pages = sorted(out.rglob("*.html"), key=lambda path: path.stat().st_size)
    print(f"pages: {len(pages)}, largest {pages[-1].stat().st_size / 1024:.0f} KB; "
          f"site {sum(p.stat().st_size for p in out.rglob('*') if p.is_file()) / 2**20:.0f} MB")

    async with sessions.begin() as db:
        await db.execute(delete(CommitteeTally))
    async with sessions() as db:
        conasec = await db.scalar(select(Committee).where(Committee.kind == CommitteeKind.CONASEC))
        started = time.perf_counter()
        summary_render.render(await summaries.build_summary(db, conasec, NOW, below=True))
        print(f"national roll-up (a CONASEC observer's /resumen), no counts kept: "
              f"{time.perf_counter() - started:.2f} s")
    async with sessions() as db:
        rows = await data.committees(db)
    await tallies.refresh(sessions, rows, NOW)
    async with sessions() as db:
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            summary_render.render(await summaries.build_summary(db, conasec, NOW, below=True))
            timings.append(time.perf_counter() - started)
        print(f"national roll-up with the counts kept: best {min(timings):.2f} s, worst {max(timings):.2f} s")
    await engine.dispose()
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, "
          f"the largest worker's {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB")


def _cpu_seconds() -> float:
    """User and system time of this process and of its workers that have ended."""
    return sum(usage.ru_utime + usage.ru_stime for usage in (resource.getrusage(resource.RUSAGE_SELF),
                                                             resource.getrusage(resource.RUSAGE_CHILDREN)))


async def prepare() -> None:
    # A fresh copy each run: one left by another branch may stand at a migration this branch does not know.
    COPY.parent.mkdir(parents=True, exist_ok=True)
    for leftover in COPY.parent.glob(COPY.name + "*"):
        leftover.unlink()
    shutil.copyfile(SQLITE_FILE, COPY)
    engine = create_engine(f"sqlite+aiosqlite:///{COPY}")
    await upgrade(engine)
    async with session_factory(engine).begin() as db:
        await db.execute(update(Committee).values(published=True))
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(Path(args.child)))
        return
    subprocess.run([sys.executable, str(Path(__file__).with_name("national_data.py"))], check=True)
    asyncio.run(prepare())
    with tempfile.TemporaryDirectory(prefix="acuerdos-public-") as out:
        subprocess.run([sys.executable, __file__, "--child", out], check=True)


if __name__ == "__main__":
    main()
