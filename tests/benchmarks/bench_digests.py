"""One national morning round of reminders, before and after digests, against a local fake Bot API that enforces
Telegram's limits (30 a second, 1 a second per chat; 429 with retry_after beyond).

The national database (tests/benchmarks/national_data.py) is copied, upgraded and given focal points: one contact
per institution of each committee, and one in five of those in a district or a province also answering for the
institution of the same name in its province's and its region's committee (the same chat). The round is what the
planner makes due on Monday 1 June 2026 at 08:00, for the committees of the first `--regions` regions (26: the whole
country). The same round is sent twice from the same copy: one message per reminder (before), then with digests.

Run: python tests/benchmarks/bench_digests.py --regions 2 --scale 0.02     (a Telegram second lasts 20 ms)
Prints, per run: the reminders due, the messages needed, the most to one chat, the time at 30 a second (what the
round takes on Telegram: messages / 30, or longer when one chat's queue is the slowest), the time the fake API
measured (scaled back to Telegram's seconds), 429s, duplicates and lost reminders.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, insert, select, update  # noqa: E402
from telegram.ext import ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.outbox.dispatcher import Dispatcher, telegram_send  # noqa: E402
from bot.outbox.kinds import POLICIES  # noqa: E402
from bot.outbox.pacing import Limits, Pacer  # noqa: E402
from bot.reminders.digest import DIGEST_AFTER  # noqa: E402
from bot.reminders.locking import chunked  # noqa: E402
from bot.reminders.planner import plan  # noqa: E402
from models.db import create_engine, session_factory, upgrade  # noqa: E402
from models.entities import (  # noqa: E402
    ANSWERABLE_KINDS,
    Agreement,
    Assignment,
    Committee,
    Institution,
    Member,
    Reminder,
    Role,
)
from tests.benchmarks.national_data import NOW, build, sqlite_url  # noqa: E402
from tests.support.clock import FakeClock  # noqa: E402
from tests.support.fakebot import TOKEN, FakeBotAPI  # noqa: E402
from tests.support.reminders import one_message_per_row  # noqa: E402

CONTACTS = 30_000_000  # a focal point's chat: this plus its first institution's id
SHARED = 5  # one in five also answers for the same institution above


async def prepare(url: str, regions: int) -> tuple[int, int]:
    """Focal points linked, reminders planned; returns (contacts, chats)."""
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    async with sessions.begin() as db:
        await db.execute(update(Reminder).where(Reminder.sent_at.is_(None)).values(cancelled_at=NOW))
        parents = dict((await db.execute(select(Committee.id, Committee.parent_id))).all())
        kept = {cid for cid, parent in parents.items() if parent == 1 and cid < 2 + regions}
        while True:
            below = {cid for cid, parent in parents.items() if parent in kept} - kept
            if not below:
                break
            kept |= below
        institutions = (await db.execute(select(Institution.id, Institution.committee_id, Institution.name)
                                         .where(Institution.committee_id.in_(kept)))).all()
        by_name = {(committee, name): iid for iid, committee, name in institutions}
        members = []
        for iid, committee, name in institutions:
            chat = CONTACTS + iid
            members.append((committee, iid, chat))
            if iid % SHARED == 0:  # also for the same institution in the committees above (not CONASEC)
                above = parents.get(committee)
                while above and above != 1:
                    if (above, name) in by_name:
                        members.append((above, by_name[(above, name)], chat))
                    above = parents.get(above)
        await db.execute(insert(Member), [dict(committee_id=c, role=Role.IMPLEMENTER, institution_id=i, chat_id=chat,
                                               user_id=chat, is_group=False, display_name=f"Punto focal {chat}",
                                               active=True, created_at=NOW) for c, i, chat in members])
        assignments = list(await db.scalars(select(Assignment.id).join(Agreement)
                                            .where(Agreement.committee_id.in_(kept))))
    for batch in chunked(assignments, 500):
        async with sessions.begin() as db:
            await plan(db, batch, NOW)
    await engine.dispose()
    return len(members), len({chat for _, _, chat in members})


async def round_of(url: str, scale: float, digests: bool) -> dict:
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as db:
        due = Counter(await db.scalars(select(Reminder.chat_id).where(
            Reminder.kind.in_(ANSWERABLE_KINDS), Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
            Reminder.due_at <= NOW)))
    needed = {chat: 1 if digests and count > DIGEST_AFTER else count for chat, count in due.items()}
    api = FakeBotAPI(enforce_limits=True, time_scale=scale)
    await api.start()
    bot = ExtBot(TOKEN, base_url=f"{api.base_url}/bot", request=HTTPXRequest(connection_pool_size=128))
    dispatcher = Dispatcher(sessions, telegram_send(bot), FakeClock(NOW), Pacer(Limits().scaled(scale)), "bench",
                            policies=POLICIES if digests else one_message_per_row())
    async with bot:
        started = time.monotonic()
        result = await dispatcher.run()
        wall = time.monotonic() - started
    await api.stop()
    async with sessions() as db:
        unsent = await db.scalar(select(func.count(Reminder.id)).where(
            Reminder.kind.in_(ANSWERABLE_KINDS), Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None),
            Reminder.due_at <= NOW))
        recorded = Counter(await db.scalars(select(Reminder.chat_id).where(
            Reminder.kind.in_(ANSWERABLE_KINDS), Reminder.message_id.is_not(None))))
    await engine.dispose()
    got = Counter(chat for _, chat in api.deliveries)
    arrivals = [at for at, _ in api.deliveries]
    messages = sum(needed.values())
    return dict(
        run="after: digests" if digests else "before: one per reminder", reminders=sum(due.values()),
        chats=len(due), messages=messages, most_to_a_chat=max(got.values(), default=0),
        at_30=max(messages / 30, max(needed.values(), default=0)),
        measured=(arrivals[-1] - arrivals[0]) / scale if len(arrivals) > 1 else 0.0,
        too_many=api.too_many, duplicates=sum(max(0, got[c] - needed.get(c, 0)) for c in got),
        lost=sum(max(0, needed[c] - got[c]) for c in needed) + sum(max(0, due[c] - recorded[c]) for c in due)
        + unsent, sent=result.sent, wall=wall)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regions", type=int, default=26, help="the first N regions' committees (26: all)")
    parser.add_argument("--scale", type=float, default=1.0, help="length of a Telegram second, in seconds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    source = sqlite_url()
    await build(source)  # only when it is not there yet
    with tempfile.TemporaryDirectory() as directory:
        prepared = Path(directory) / "prepared.db"
        shutil.copy(source.split("///", 1)[1], prepared)
        started = time.monotonic()
        contacts, chats = await prepare(f"sqlite+aiosqlite:///{prepared}", args.regions)
        print(f"{args.regions} region(s): {contacts:,} contacts in {chats:,} chats; planned in "
              f"{time.monotonic() - started:.0f} s", flush=True)
        print("| run | reminders due | chats | messages | most to one chat | s at 30/s | s measured | 429s | "
              "duplicates | lost | wall s |\n|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
        for digests in (False, True):
            copy = Path(directory) / f"round-{digests}.db"
            shutil.copy(prepared, copy)
            f = await round_of(f"sqlite+aiosqlite:///{copy}", args.scale, digests)
            print(f"| {f['run']} | {f['reminders']:,} | {f['chats']:,} | {f['messages']:,} | {f['most_to_a_chat']} | "
                  f"{f['at_30']:.0f} | {f['measured']:.0f} | {f['too_many']} | {f['duplicates']} | {f['lost']} | "
                  f"{f['wall']:.0f} |", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
