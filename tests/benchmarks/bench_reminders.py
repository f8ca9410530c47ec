"""Fan-out of reminders against a local fake Bot API that enforces Telegram's limits (sliding windows, 429 with
retry_after): the dispatcher with our pacer, then the same dispatcher with PTB's AIORateLimiter on the bot instead.

Run: python tests/benchmarks/bench_reminders.py
     (5,000 reminders to 5,000 chats, then 3,000 chats + 2,000 to 50 groups; each twice: about 13 minutes)
     python tests/benchmarks/bench_reminders.py --messages 600 --only ours     (a quick look)
Prints, per run: the reminders planned and the messages delivered (a chat with more than three due gets one digest:
each group's 40 are one message), messages/s from the first to the last delivery, the most delivered and the most
tried (429s included) in any 1 s window, the 429s the fake API answered, duplicates (a chat that got more messages
than it had reminders), lost reminders (not recorded sent, or recorded with a message id the fake never gave), and
the wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select  # noqa: E402
from telegram.ext import AIORateLimiter, ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot import committees  # noqa: E402
from bot.outbox.dispatcher import Dispatcher, telegram_send  # noqa: E402
from bot.outbox.pacing import Limits, Pacer  # noqa: E402
from bot.reminders.planner import plan_due  # noqa: E402
from models.db import create_engine, session_factory, upgrade  # noqa: E402
from models.entities import CommitteeKind, Reminder  # noqa: E402
from tests.support.clock import FakeClock  # noqa: E402
from tests.support.database import reset  # noqa: E402
from tests.support.fakebot import TOKEN, FakeBotAPI  # noqa: E402
from tests.support.reminders import many_reminders  # noqa: E402

# The dispatcher without our pacing: only what the AIORateLimiter on the bot does.
UNPACED = Limits(overall=10**6, per_chat=10**6, per_group=10**6)


@dataclass
class Figures:
    scenario: str
    sender: str
    planned: int
    delivered: int
    rate: float
    most_in_second: int
    most_tried_in_second: int
    too_many: int
    duplicates: int
    lost: int
    seconds: float

    def row(self) -> str:
        return (f"| {self.scenario} | {self.sender} | {self.planned} | {self.delivered} | {self.rate:.1f} | "
                f"{self.most_in_second} | {self.most_tried_in_second} | {self.too_many} | {self.duplicates} | "
                f"{self.lost} | {self.seconds:.0f} |")


HEADER = ("| scenario | sender | planned | delivered | msg/s | most delivered in 1 s | most tried in 1 s | 429s | "
          "duplicates | lost | wall s |\n|---|---|---|---|---|---|---|---|---|---|---|")


def scenarios(messages: int, groups: int) -> dict[str, list[int]]:
    """Every reminder to its own chat; and 40% of them to `groups` group chats (the rest to one chat each)."""
    in_groups = messages * 2 // 5
    mixed = [10_000 + n for n in range(messages - in_groups)] + \
            [-1_001_000_000_000 - n % groups for n in range(in_groups)]
    return {f"{messages:,} chats": [10_000 + n for n in range(messages)],
            f"{messages - in_groups:,} chats + {groups} groups": mixed}


async def fan_out(scenario: str, chats: list[int], sender: str, scale: float, database_url: str) -> Figures:
    api = FakeBotAPI(enforce_limits=True, time_scale=scale)
    await api.start()
    await reset(database_url)
    engine = create_engine(database_url)
    await upgrade(engine)
    sessions, clock = session_factory(engine), FakeClock()
    async with sessions.begin() as db:
        committee = await committees.add_committee(db, name="CORESEC Moquegua", kind=CommitteeKind.CORESEC,
                                                   parent=None, timezone="America/Lima", now=clock.now())
    await many_reminders(sessions, clock, committee.id, chats)
    await plan_due(sessions, clock.now(), everything=True)

    limits = Limits().scaled(scale)
    limiter = AIORateLimiter(overall_time_period=limits.second, group_time_period=limits.minute, max_retries=5) \
        if sender == "AIORateLimiter" else None
    bot = ExtBot(TOKEN, base_url=f"{api.base_url}/bot", request=HTTPXRequest(connection_pool_size=128),
                 rate_limiter=limiter)
    dispatcher = Dispatcher(sessions, telegram_send(bot), clock, Pacer(UNPACED if limiter else limits), "bench")
    async with bot:
        started = time.monotonic()
        await dispatcher.run()
        seconds = time.monotonic() - started
    async with sessions() as db:
        unsent = await db.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None)))
        recorded = set(await db.scalars(select(Reminder.message_id).where(Reminder.message_id.is_not(None))))
    await api.stop()
    await engine.dispose()

    # A chat with more than three reminders due gets them as one digest: a group's 40 are one message, and each
    # row is recorded sent with the digest's message id. Lost: a row not recorded sent, or recorded with a message
    # id the fake never gave; a duplicate: a chat that got more messages than it had reminders.
    accepted = {call.message_id for call in api.calls if call.message_id is not None}
    got, planned = Counter(chat for _, chat in api.deliveries), Counter(chats)
    arrivals = [at for at, _ in api.deliveries]
    span = (arrivals[-1] - arrivals[0]) / scale if len(arrivals) > 1 else 0
    return Figures(scenario, sender, len(chats), len(arrivals), (len(arrivals) - 1) / span if span else 0,
                   api.most_in_window(1), api.most_in_window(1, attempted=True), api.too_many,
                   duplicates=sum(max(0, got[c] - planned[c]) for c in got),
                   lost=unsent + len(recorded - accepted), seconds=seconds)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--only", choices=("ours", "ptb"))
    parser.add_argument("--scale", type=float, default=1.0, help="length of a Telegram second, in seconds")
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # It logs every 429 it gives up on; the table counts them.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    senders = {"ours": ["our pacer"], "ptb": ["AIORateLimiter"]}.get(args.only, ["our pacer", "AIORateLimiter"])
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory() as directory:
        for number, (scenario, chats) in enumerate(scenarios(args.messages, args.groups).items()):
            for sender in senders:
                url = args.database_url or f"sqlite+aiosqlite:///{directory}/bench-{number}-{sender[:3]}.db"
                print((await fan_out(scenario, chats, sender, args.scale, url)).row(), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
