"""The one periodic job: plan what is due, alert the secretaries, then send. Everything it needs is in the
database, so a restart loses nothing and the first round after it catches up."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

from telegram.ext import Application

from bot.context import AppContext
from bot.reminders import outbox
from bot.reminders.alerts import escalate_due
from bot.reminders.dispatcher import Dispatcher, RoundResult, telegram_send
from bot.reminders.pacing import Limits, Pacer
from bot.reminders.planner import plan_due

log = logging.getLogger(__name__)

ROUND_SECONDS = 30
# Besides what changed, every open assignment is planned again this often (and in the first round after a start):
# it collapses steps missed while the bot was down or a committee was closed, and repairs what no hook replanned.
FULL_PLAN_EVERY = timedelta(hours=6)
RUNTIME = "reminders"


@dataclass
class Runtime:
    """What rounds share in one process: the pacer (its windows and 429 pauses outlive a round) and who we are."""

    pacer: Pacer
    worker: str = field(default_factory=lambda: f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid4().hex[:8]}")
    read_timeout: float | None = None
    last_full_plan: datetime | None = None
    busy: bool = False


def start_reminders(application: Application) -> None:
    """Share the pacer and run a round every ROUND_SECONDS."""
    services = AppContext(application).services
    application.bot_data[RUNTIME] = Runtime(Pacer(Limits().with_overall(services.settings.send_rate)))
    # The first round waits one interval too: a start is not held up, and a test's conversation is not interrupted.
    application.job_queue.run_repeating(reminder_round, interval=ROUND_SECONDS, first=ROUND_SECONDS,
                                        name="reminders", job_kwargs={"max_instances": 2, "coalesce": True})


def shared_pacer(application: Application) -> Pacer | None:
    """The pacer every sender of this process shares (None before the reminders started)."""
    runtime = application.bot_data.get(RUNTIME)
    return runtime.pacer if runtime is not None else None


async def reminder_round(context: AppContext) -> None:
    """Plan, escalate and send what is due (a round still running makes this one return at once)."""
    await run_round(context.application)


async def run_round(application: Application) -> RoundResult | None:
    runtime: Runtime = application.bot_data[RUNTIME]
    if runtime.busy:
        return None
    runtime.busy = True
    try:
        services = AppContext(application).services
        now = services.clock.now()
        everything = runtime.last_full_plan is None or now - runtime.last_full_plan >= FULL_PLAN_EVERY
        planned = await plan_due(services.sessions, now, everything=everything)
        if everything:
            runtime.last_full_plan = now
        alerted = await escalate_due(services.sessions, now)
        await outbox.mark_in_doubt(services.sessions, now)
        dispatcher = Dispatcher(services.sessions, telegram_send(application.bot, runtime.read_timeout),
                                services.clock, runtime.pacer, runtime.worker,
                                keep_going=lambda: application.running)
        result = await dispatcher.run()
        if planned or alerted or result.sent or result.retried or result.gone or result.given_up:
            log.info("reminders: %d planned, %d escalated, %s", planned, alerted, result)
        return result
    finally:
        runtime.busy = False
