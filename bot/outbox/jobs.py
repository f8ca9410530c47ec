"""The one periodic job: plan the reminders and the weekly summaries, alert the secretaries, then send everything
due. Everything it needs is in the database, so a restart loses nothing and the first round after it catches up.
A stage that fails is logged and the next one runs: nothing one committee holds stops the others' messages."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Awaitable, Callable, TypeVar
from uuid import uuid4

from telegram.ext import Application

from bot.admin.metrics import metrics_of
from bot.context import AppContext
from bot.inbox.worker import worker_of
from bot.outbox import store
from bot.outbox.dispatcher import Dispatcher, RoundResult, telegram_send
from bot.outbox.pacing import Limits, Pacer
from bot.reminders.alerts import escalate_due
from bot.reminders.planner import at_once, plan_due
from bot.summary_plan import plan_summaries

log = logging.getLogger(__name__)
T = TypeVar("T")

ROUND_SECONDS = 30
# Besides what changed, every open assignment is planned again this often (and in the first round after a start):
# it collapses steps missed while the bot was down or a committee was closed, and repairs what no hook replanned.
FULL_PLAN_EVERY = timedelta(hours=6)
RUNTIME = "outbox"
# Once a stop is asked, the requests already sent get this long to be answered and recorded; docker waits 10 s
# before it kills, and the updates being handled and the database's closing need the rest.
STOP_GRACE = 5.0


@dataclass
class Runtime:
    """What rounds share in one process: the pacer (its windows and 429 pauses outlive a round) and who we are."""

    pacer: Pacer
    worker: str = field(default_factory=lambda: f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid4().hex[:8]}")
    read_timeout: float | None = None
    last_full_plan: datetime | None = None
    busy: bool = False
    # The admin server's /readyz: the round is alive if one finished lately, or a long one records results.
    last_round_at: datetime | None = None
    last_result_at: datetime | None = None
    stop_by: float | None = None  # set when a stop is asked: the loop time after which sends in flight are dropped

    def going(self, application: Application) -> bool:
        """Whether rounds may claim and start sending: not once a stop is asked or the application stops."""
        return self.stop_by is None and application.running


def begin_stop(application: Application) -> None:
    """A stop was asked: nothing new is claimed or sent, and what is in flight has STOP_GRACE seconds to be answered
    and recorded; a request still unanswered then stays attempted, and the next start labels it in doubt."""
    runtime: Runtime | None = application.bot_data.get(RUNTIME)
    if runtime is not None and runtime.stop_by is None:
        runtime.stop_by = asyncio.get_running_loop().time() + STOP_GRACE


def start_outbox(application: Application) -> None:
    """Share the pacer and run a round every ROUND_SECONDS."""
    services = AppContext(application).services
    application.bot_data[RUNTIME] = Runtime(Pacer(Limits().with_overall(services.settings.send_rate)))
    # Read through the runtime: whoever replaces its pacer keeps the count going.
    metrics_of(application).read_rate_limits(lambda: application.bot_data[RUNTIME].pacer.pauses)
    # The first round waits one interval too: a start is not held up, and a test's conversation is not interrupted.
    application.job_queue.run_repeating(outbox_round, interval=ROUND_SECONDS, first=ROUND_SECONDS,
                                        name="outbox", job_kwargs={"max_instances": 2, "coalesce": True})


async def outbox_round(context: AppContext) -> None:
    """Plan, escalate and send what is due (a round still running makes this one return at once)."""
    await run_round(context.application)


async def run_round(application: Application) -> RoundResult | None:
    runtime: Runtime = application.bot_data[RUNTIME]
    if runtime.busy or not runtime.going(application):
        return None
    runtime.busy = True
    try:
        services = AppContext(application).services
        sessions, now = services.sessions, services.clock.now()
        people_first = _people_first(application)
        everything = runtime.last_full_plan is None or now - runtime.last_full_plan >= FULL_PLAN_EVERY
        planned = await _stage("planning the reminders",
                               plan_due(sessions, now, everything=everything, people_first=people_first)) or 0
        if everything:
            runtime.last_full_plan = now
        async with people_first():
            alerted = await _stage("escalating", escalate_due(sessions, now)) or 0
        async with people_first():
            await _stage("planning the weekly summaries", _plan_summaries(sessions, now))
        async with people_first():
            await _stage("labelling rows in doubt", store.mark_in_doubt(sessions, now))
        counted = metrics_of(application)

        def observe(kind: str, result: str) -> None:
            runtime.last_result_at = services.clock.now()
            counted.message(kind, result)

        dispatcher = Dispatcher(sessions, telegram_send(application.bot, runtime.read_timeout), services.clock,
                                runtime.pacer, runtime.worker, keep_going=lambda: runtime.going(application),
                                give_up_at=lambda: runtime.stop_by, observe=observe, people_first=people_first)
        result = await dispatcher.run()
        runtime.last_round_at = services.clock.now()
        if planned or alerted or result != RoundResult():
            log.info("outbox: %d planned, %d escalated, %s", planned, alerted, result)
        return result
    finally:
        runtime.busy = False


def _people_first(application: Application) -> Callable[[], AbstractAsyncContextManager[None]]:
    """On SQLite, the round's transactions wait for the people's updates in hand, and take their share of the
    connection's time (they share one connection); on PostgreSQL each has its own."""
    worker = worker_of(application)
    if worker is None or AppContext(application).services.sessions.kw["bind"].dialect.name != "sqlite":
        return at_once
    return worker.bots_turn


async def _plan_summaries(sessions, now: datetime) -> None:
    async with sessions.begin() as db:
        await plan_summaries(db, now)


async def _stage(name: str, work: Awaitable[T]) -> T | None:
    try:
        return await work
    except Exception:
        log.exception("%s failed; the round goes on", name)
        return None
