"""The bot's metrics, in a Prometheus registry of each application's own (tests and several applications in one
process never share a series). Counters are counted where the work happens; the outbox's gauges are read from the
database when /metrics is scraped (`bot/admin/server.py`)."""

from __future__ import annotations

from typing import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from telegram import Update

from bot.commands import COMMANDS

METRICS = "metrics"  # the application's Metrics, in bot_data
OTHER = "other"
COMMAND_NAMES = frozenset(command.name for command in COMMANDS)
# An answer is expected within 50 ms (docs/performance.md); an acta's preview may take seconds.
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# What became of a message of the outbox: bot.outbox.dispatcher.RoundResult's fields.
RESULTS = ("sent", "retried", "rate_limited", "gone", "given_up", "in_doubt", "set_aside", "skipped")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages = Counter("acuerdos_outbox_messages", "Messages of the outbox by kind and what became of them "
                                "(sent, retried, rate_limited, gone, given_up, in_doubt, set_aside, skipped)",
                                ("kind", "result"), registry=self.registry)
        self.updates = Counter("acuerdos_updates", "Updates handled, by the command they carry (other: anything "
                               "else)", ("command",), registry=self.registry)
        for name in (*sorted(COMMAND_NAMES), OTHER):
            self.updates.labels(name)
        self.update_seconds = Histogram("acuerdos_update_handling_seconds", "Time to handle one update, its "
                                        "answers to Telegram included", buckets=UPDATE_BUCKETS, registry=self.registry)
        self.oldest_due = Gauge("acuerdos_outbox_oldest_due_seconds", "Age of the oldest row of the outbox that is "
                                "due and free to be sent (0: none)", registry=self.registry)
        self.rows = Gauge("acuerdos_outbox_rows", "Rows of the outbox an operator looks into: set aside (rendering "
                          "failed) and in doubt (maybe delivered, never sent again)", ("state",),
                          registry=self.registry)
        self.database_up = Gauge("acuerdos_database_up", "1 when the database answered the last read of the outbox's "
                                 "gauges in time, else 0 (the gauges keep their previous values)",
                                 registry=self.registry)
        self._rate_limits = _RateLimits()
        self.registry.register(self._rate_limits)

    def message(self, kind: str, result: str) -> None:
        """One message of the outbox came to `result` (one of RESULTS)."""
        self.messages.labels(kind, result).inc()

    def update_handled(self, update: object, seconds: float) -> None:
        self.updates.labels(command_of(update)).inc()
        self.update_seconds.observe(seconds)

    def read_rate_limits(self, read: Callable[[], int]) -> None:
        """Where the 429s are counted: every one holds the shared pacer (bot/outbox/pacing.py), answers' included."""
        self._rate_limits.read = read


class _RateLimits(Collector):
    def __init__(self) -> None:
        self.read: Callable[[], int] = lambda: 0

    def collect(self) -> Iterator[CounterMetricFamily]:
        yield CounterMetricFamily("acuerdos_telegram_rate_limited", "429 answers from Telegram (each holds every "
                                  "send of the process for the wait it asks)", value=self.read())


def metrics_of(application) -> Metrics:
    """The application's metrics (made the first time they are asked for, by an application built elsewhere)."""
    found = application.bot_data.get(METRICS)
    if found is None:
        found = application.bot_data[METRICS] = Metrics()
    return found


def command_of(update: object) -> str:
    """The command a message carries, if it is one of the command table's; never what people typed otherwise."""
    message = update.message if isinstance(update, Update) else None
    text = message.text if message is not None else None
    if not text or not text.startswith("/"):
        return OTHER
    name = text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
    return name if name in COMMAND_NAMES else OTHER
