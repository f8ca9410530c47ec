"""The pacer alone: how long an answer waits for its place while a fan-out takes the rest of Telegram's 30 a second.

    python tests/benchmarks/bench_pacer.py [--seconds 60] [--rate 20] [--chats 500] [--scale 0.2]

No database and no HTTP: the outbox is 100 messages in flight at a time (the dispatcher's pipeline), each request
lasting --request ms, and answers arrive at --rate a second (Poisson) from the chats in turn, ahead of the outbox
(`first=True`). The same run measures the pacer as it is and, as the baseline, without the places it keeps free for
answers (the reserve). People write for two seconds before the fan-out starts; the answers of the fan-out's time are
measured. Both variants report the most messages any window of a second held, overall and to one chat (Telegram's
30 and 1). Time is scaled by --scale (0.2: a minute of the bot's in 12 s); figures are in the bot's seconds. This
isolates the pacer from the CPU: the soak (bench_soak.py) measures the same with the whole bot, whose time to handle a
report adds to it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.outbox.pacing import Limits, Pacer  # noqa: E402

WARM_UP = 2  # the bot's seconds of answers alone before the fan-out starts (not measured)


@dataclass(frozen=True)
class NoReserve(Limits):
    """The baseline: answers go first, and the outbox takes every place they leave."""

    def reserve(self, answers: int, writing: bool) -> int:
        return 0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def most_in_a_window(starts: list[float], length: float) -> int:
    window: deque[float] = deque()
    most = 0
    for at in sorted(starts):
        window.append(at)
        while window[0] <= at - length:
            window.popleft()
        most = max(most, len(window))
    return most


async def run(limits: Limits, args: argparse.Namespace, seed: int) -> dict:
    pacer = Pacer(limits)
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    second = limits.second
    starts: list[tuple[float, int]] = []
    waits: list[float] = []
    outbox_sent = 0
    began = loop.time()
    measured_from = began + WARM_UP * second  # people were writing before the fan-out began
    ending = measured_from + args.seconds * second

    async def send(chat_id: int, first: bool) -> None:
        asked = loop.time()
        async with pacer.slot(chat_id, first=first):
            starts.append((loop.time(), chat_id))
            if first and asked >= measured_from:
                waits.append((loop.time() - asked) / second)
            await asyncio.sleep(args.request / 1000 * second)

    async def outbox() -> None:
        nonlocal outbox_sent
        in_flight: set[asyncio.Task] = set()
        chat = 0
        await asyncio.sleep(WARM_UP * second)
        while loop.time() < ending:
            while len(in_flight) < 100:
                chat = (chat + 1) % args.chats
                in_flight.add(asyncio.create_task(send(100_000 + chat, False)))
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            outbox_sent += len(done)
        for task in in_flight:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)

    async def answers() -> None:
        tasks = []
        person = 0
        while loop.time() < ending:
            await asyncio.sleep(rng.expovariate(args.rate) * second)
            person = (person + 1) % args.chats  # each person writes every chats/rate seconds, as in the soak
            tasks.append(asyncio.create_task(send(100_000 + person, True)))
        await asyncio.gather(*tasks)

    await asyncio.gather(outbox(), answers())
    by_chat: dict[int, list[float]] = {}
    for at, chat in starts:
        by_chat.setdefault(chat, []).append(at)
    return {"answers": len(waits), "p50": percentile(waits, 0.5) * 1000, "p95": percentile(waits, 0.95) * 1000,
            "max": max(waits, default=0) * 1000, "outbox": outbox_sent / args.seconds,
            "overall": most_in_a_window([at for at, _ in starts], second * 0.999),
            "chat": max(most_in_a_window(ats, second * 0.999) for ats in by_chat.values())}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="the bot's seconds each variant runs")
    parser.add_argument("--rate", type=float, default=20, help="answers a second")
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--request", type=float, default=20, help="ms a request to Telegram takes")
    parser.add_argument("--scale", type=float, default=0.2, help="real seconds per bot second")
    args = parser.parse_args()
    limits = Limits().scaled(args.scale)
    print(f"pacer: answers at {args.rate:g}/s to {args.chats} chats, the outbox 100 in flight, requests of "
          f"{args.request:g} ms, {args.seconds:g} s each")
    print(f"{'variant':<34} {'answers':>7} {'wait p50':>9} {'p95':>7} {'max':>7} {'outbox/s':>9} "
          f"{'most in 1 s':>11} {'to a chat':>9}")
    for name, variant in (("baseline: answers first, no reserve", NoReserve(**vars(limits))),
                          ("the pacer (places kept for answers)", limits)):
        figures = await run(variant, args, seed=7)
        print(f"{name:<34} {figures['answers']:>7} {figures['p50']:>7.1f}ms {figures['p95']:>5.1f}ms "
              f"{figures['max']:>5.0f}ms {figures['outbox']:>9.1f} {figures['overall']:>11} {figures['chat']:>9}")


if __name__ == "__main__":
    asyncio.run(main())
