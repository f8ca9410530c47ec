"""Benchmark: 5,000 `/avance` updates from 500 people through the real Application on SQLite, against a no-op
handler that parses and replies, both talking HTTP to the fake Bot API in the same run.

    python tests/benchmarks/bench_progress.py [--updates 5000] [--people 500] [--rate 50]

Prints updates/s of both and their ratio (goal ≥ 0.40), then p50/p95 handling latency with updates offered at
--rate per second (goal p95 ≤ 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, CommandHandler  # noqa: E402

from bot import agreements, committees  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.deadlines import Deadline  # noqa: E402
from models.db import create_engine, session_factory, upgrade  # noqa: E402
from models.entities import CommitteeKind, Member, Role, SessionKind  # noqa: E402
from tests.fakebot import TOKEN, FakeBotAPI  # noqa: E402

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
INSTITUTIONS = 50
AGREEMENTS_PER_INSTITUTION = 10


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def build_committee(sessions, people: int) -> None:
    """One committee, 50 institutions with 10 agreements each, and `people` focal points spread over them."""
    async with sessions.begin() as db:
        committee = await committees.add_committee(db, name="CORESEC Benchmark", kind=CommitteeKind.CORESEC,
                                                   parent=None, timezone="America/Lima", now=NOW)
        session, _ = await committees.register_session(db, committee=committee, kind=SessionKind.ORDINARIA, number=1,
                                                       held_on=date(2026, 2, 25), now=NOW, actor="bench")
        institutions = []
        for i in range(INSTITUTIONS):
            institution, _ = await committees.add_institution(db, committee=committee, name=f"Institución {i}",
                                                              now=NOW, actor="bench")
            institutions.append(institution)
            for n in range(AGREEMENTS_PER_INSTITUTION):
                await agreements.register_agreement(
                    db, committee=committee, session=session, code=f"{i + 1}.{n + 1}", text=f"Acuerdo {i}.{n}",
                    institutions=[institution], deadline=Deadline(date(2026, 4, 30)), now=NOW, actor="bench")
        for person in range(people):
            user_id = 10_000 + person
            db.add(Member(committee_id=committee.id, role=Role.IMPLEMENTER,
                          institution_id=institutions[person % INSTITUTIONS].id, chat_id=user_id, user_id=user_id,
                          is_group=False, display_name=f"Persona {person}", active=True, created_at=NOW))


def avance_updates(count: int, people: int) -> list[dict]:
    """Each person reports on their institution's agreements with a rising percent."""
    updates = []
    for index in range(count):
        person = index % people
        turn = index // people
        institution = person % INSTITUTIONS
        code = f"{institution + 1}.{turn % AGREEMENTS_PER_INSTITUTION + 1}"
        text = f"/avance {code} {min(100, 10 + turn)}% Se remitió el oficio N° {index}-2026"
        user = {"id": 10_000 + person, "is_bot": False, "first_name": f"Persona {person}"}
        updates.append({"update_id": index + 1, "message": {
            "message_id": index + 1, "date": int(NOW.timestamp()), "from": user, "text": text,
            "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
            "entities": [{"type": "bot_command", "offset": 0, "length": len("/avance")}]}})
    return updates


async def noop_avance(update: Update, context) -> None:
    """The baseline: parse the same arguments and reply, nothing else."""
    code, rest = context.args[0], " ".join(context.args[1:])
    await context.bot.send_message(update.effective_chat.id, f"Anotado {code}: {rest[:20]}")


async def throughput(application, payloads: list[dict]) -> float:
    started = time.perf_counter()
    for payload in payloads:
        await application.process_update(Update.de_json(payload, application.bot))
    return len(payloads) / (time.perf_counter() - started)


async def latencies(application, payloads: list[dict], rate: float) -> list[float]:
    """Offer updates at `rate` per second, each handled as it arrives; the time each one took."""
    results: list[float] = []

    async def handle(payload: dict) -> None:
        started = time.perf_counter()
        await application.process_update(Update.de_json(payload, application.bot))
        results.append(time.perf_counter() - started)

    tasks = []
    start = time.perf_counter()
    for index, payload in enumerate(payloads):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(handle(payload)))
    await asyncio.gather(*tasks)
    return results


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--profile", action="store_true", help="profile the real handler's throughput run")
    args = parser.parse_args()

    api = FakeBotAPI()
    await api.start()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
        await upgrade(engine)
        sessions = session_factory(engine)
        await build_committee(sessions, args.people)
        settings = Settings(token=TOKEN, api_base_url=api.base_url)
        real = build_application(settings, sessions, FixedClock())
        noop = ApplicationBuilder().token(TOKEN).base_url(f"{api.base_url}/bot").build()
        noop.add_handler(CommandHandler("avance", noop_avance))

        payloads = avance_updates(args.updates, args.people)
        async with real, noop:
            # As run_polling() does: the reminders' planner joins every report, as in the running bot.
            await real.post_init(real)
            noop_rate = await throughput(noop, payloads)
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            real_rate = await throughput(real, payloads)
            if args.profile:
                profiler.disable()
                profiler.dump_stats("bench_progress.prof")
            offered = avance_updates(min(args.updates, 1000), args.people)
            for payload in offered:
                # New messages (a message delivered twice is recorded once), with a percent that keeps rising.
                payload["update_id"] += args.updates
                payload["message"]["message_id"] += args.updates
                payload["message"]["text"] = payload["message"]["text"].replace("% Se", "% Otra vez se")
            measured = await latencies(real, offered, args.rate)
        recorded = await count_updates(sessions)
        await engine.dispose()
    await api.stop()

    print(f"updates sent: {args.updates} from {args.people} people (SQLite)")
    print(f"no-op handler:      {noop_rate:8.1f} updates/s")
    print(f"real /avance:       {real_rate:8.1f} updates/s")
    print(f"ratio real/no-op:   {real_rate / noop_rate:8.2f}   (goal ≥ 0.40)")
    print(f"latency at {args.rate:.0f}/s offered ({len(measured)} updates): "
          f"p50 {percentile(measured, 50) * 1000:.1f} ms, p95 {percentile(measured, 95) * 1000:.1f} ms (goal p95 ≤ 50 ms)")
    print(f"status updates recorded: {recorded}")


async def count_updates(sessions) -> int:
    from sqlalchemy import func, select

    from models.entities import StatusUpdate

    async with sessions() as db:
        return await db.scalar(select(func.count()).select_from(StatusUpdate))


if __name__ == "__main__":
    asyncio.run(main())
