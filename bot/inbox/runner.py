"""What `application.run_polling` / `run_webhook` did, with the inbox in place of PTB's Updater: initialize,
post_init, start, receive and handle until a stop is asked, then stop taking updates, finish those in hand, stop,
post_stop, shutdown, post_shutdown."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass

from telegram.ext import Application

from bot.context import AppContext
from bot.inbox.receiver import Receiver
from bot.inbox.webhook import WebhookServer, register
from bot.inbox.worker import start_worker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Webhook:
    public_url: str
    listen: str
    port: int
    secret: str


async def serve(application: Application, stop: asyncio.Event, webhook: Webhook | None = None) -> None:
    """Run the bot until `stop` is set: long polling by default, or the webhook."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        # What the bot loaded to start (modules, handlers, the ORM's mappers: some 270,000 objects) is left out of
        # the garbage collector's full collections from now on: each took 180–220 ms with them (bench_soak.py), and
        # every update in hand waited. Once a process (the tests serve many times in one).
        if not gc.get_freeze_count():
            gc.collect()
            gc.freeze()
        worker = start_worker(application)
        sessions = AppContext(application).services.sessions
        receiver: Receiver | None = None
        server: WebhookServer | None = None
        try:
            if webhook is None:
                receiver = Receiver(application, worker.wake, worker)
                receiver.start()
            else:
                server = WebhookServer(sessions, webhook.secret, worker.wake)
                server.listen(webhook.port, webhook.listen)
                await register(application.bot, webhook.public_url, webhook.secret)
            await stop.wait()
        finally:
            if receiver is not None:
                await receiver.stop()
            if server is not None:
                await server.stop()
            await worker.stop()
            if application.running:
                await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
