"""How the bot's requests reach Telegram: python-telegram-bot's request interface over aiohttp's client.

PTB's default (HTTPXRequest) spent 1.5 ms of Python on each request against a local server, aiohttp 0.4 ms (both
measured with PTB's Bot.send_message, one after another): an update costs two requests (its share of getUpdates and
its answer), and on one event loop that time is taken from every other update's answer. Same defaults as PTB's:
5 s to connect, to write and to read, 1 s waiting for a free connection, 20 s to write a file; Telegram's errors
and HTTP failures become PTB's TimedOut and NetworkError as before. Proxies come from the environment
(HTTPS_PROXY, NO_PROXY), as httpx took them, read once per host: aiohttp's own `trust_env` reads them, and the
netrc file, on every request (another millisecond each).
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT = BaseRequest.DEFAULT_NONE


class AiohttpRequest(BaseRequest):
    def __init__(self, connection_pool_size: int = 256, *, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0):
        self._pool_size = connection_pool_size
        self._defaults = {"read": read_timeout, "write": write_timeout, "connect": connect_timeout,
                          "pool": pool_timeout}
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}  # (scheme, host) → the proxy to go through

    @property
    def read_timeout(self) -> float | None:
        return self._defaults["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _proxy(self, url: str) -> str | None:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            found = getproxies_environment()
            proxy = found.get(parts.scheme) or found.get("all")
            self._proxies[key] = None if not proxy or proxy_bypass_environment(key[1], found) else proxy
        return self._proxies[key]

    def _timeout(self, files: bool, read, write, connect, pool) -> aiohttp.ClientTimeout:
        read = self._defaults["read"] if read is DEFAULT else read
        connect = self._defaults["connect"] if connect is DEFAULT else connect
        pool = self._defaults["pool"] if pool is DEFAULT else pool
        if write is DEFAULT:
            write = self._media_write_timeout if files else self._defaults["write"]
        # aiohttp counts the wait for a free connection in `connect` and has no write timeout of its own: the
        # whole request gets at most the sum, so that a stalled upload ends too.
        parts = (read, write, connect, pool)
        return aiohttp.ClientTimeout(
            total=None if None in parts else sum(parts),
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect, sock_read=read)

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=DEFAULT, write_timeout=DEFAULT, connect_timeout=DEFAULT,
                         pool_timeout=DEFAULT) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = bool(request_data and request_data.contains_files)
        data: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            if files:
                form = aiohttp.FormData(quote_fields=False)
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, mimetype) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            else:
                data = request_data.json_parameters
        timeout = self._timeout(files, read_timeout, write_timeout, connect_timeout, pool_timeout)
        try:
            async with self._session.request(method, url, data=data, timeout=timeout,
                                             proxy=self._proxy(url)) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
