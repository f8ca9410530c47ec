"""Receiving in webhook mode: Telegram posts each update to WEBHOOK_PATH with the secret header; the update is
stored in the inbox, and only then answered 200 (an error answer makes Telegram send it again). Any instance behind
a load balancer may receive: the inbox drops an update_id it has already."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, Update
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as Routes
from tornado.web import RequestHandler

from bot.inbox import store

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"  # stable: every instance and every start register the same URL
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_url(public_url: str) -> str:
    return f"{public_url.rstrip('/')}{WEBHOOK_PATH}"


async def register(bot: Bot, public_url: str, secret: str) -> None:
    """Tell Telegram where to post, with the configured secret: the same call from every instance and every start,
    so registering again changes nothing."""
    await bot.set_webhook(url=webhook_url(public_url), secret_token=secret, allowed_updates=Update.ALL_TYPES,
                          drop_pending_updates=False)
    log.info("webhook registered at %s", webhook_url(public_url))


class _Updates(RequestHandler):
    def initialize(self, sessions: async_sessionmaker[AsyncSession], secret: str,
                   on_stored: Callable[[int], None]) -> None:
        self.sessions, self.secret, self.on_stored = sessions, secret, on_stored

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook: a request without the right secret was refused")
            self.set_status(403)
            return
        try:
            payload = json.loads(self.request.body)
            int(payload["update_id"])
        except (ValueError, TypeError, KeyError):
            self.set_status(400)
            return
        # An error here answers 500: Telegram sends the update again later.
        self.on_stored(await store.store(self.sessions, [payload]))
        self.set_status(200)


class WebhookServer:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], secret: str, on_stored: Callable[[int], None]):
        self.routes = Routes([(WEBHOOK_PATH, _Updates, {"sessions": sessions, "secret": secret,
                                                        "on_stored": on_stored})],
                             log_function=lambda handler: None)
        self._http: HTTPServer | None = None
        self.port: int | None = None

    def listen(self, port: int, address: str) -> None:
        self._http = HTTPServer(self.routes)
        sockets = bind_sockets(port, address=address)
        self._http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]  # the one chosen, for port 0 (the tests)
        log.info("webhook listening on %s:%d%s", address, self.port, WEBHOOK_PATH)

    async def stop(self) -> None:
        if self._http is not None:
            self._http.stop()
            await self._http.close_all_connections()
            self._http = None
