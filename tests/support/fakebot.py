"""A fake Telegram Bot API server on 127.0.0.1 that the real PTB Application talks to over HTTP.

It keeps every call the bot makes, hands updates to the bot through getUpdates, checks what Telegram
checks (message length, HTML entities, callback answers) and answers with errors on demand (403, 429, 5xx).
With `enforce_limits=True` it also answers 429 to a bot that breaks Telegram's flood limits (sliding windows).

Groups are in privacy mode, as Telegram puts every bot by default: of what people send in a group, the bot gets only
commands addressed to it (`/cmd@AcuerdosTestBot`), general commands (`/cmd`) when the bot sent the group's last
message, replies to the bot's own messages, and service messages (new members, a migration). The rest is kept in
`not_delivered`. A bot made administrator of a group (`reads_all`), or `group_privacy=False`, gets everything.
Telegram's own rule for general commands is "the last *bot* to write in the group"; this one is stricter, so a
dialogue that works here works there.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.telegram_rules import ApiError, check_text, error_response, read_params

BOT_ID = 777000
BOT_USERNAME = "AcuerdosTestBot"
TOKEN = f"{BOT_ID}:TEST-token-for-the-fake-bot-api-000000"
# Telegram's flood limits: messages overall per second, per chat per second, per group per minute.
SEND_METHODS = {"sendMessage", "sendDocument", "sendPhoto", "sendVoice", "sendVideo", "sendAudio", "sendMediaGroup",
                "copyMessage", "forwardMessage"}
OVERALL_PER_SECOND, CHAT_PER_SECOND, GROUP_PER_MINUTE = 30, 1, 20
# What a message says that nobody typed: privacy mode lets it through.
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
SERVICE_FIELDS = {"new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo", "group_chat_created",
                  "supergroup_chat_created", "migrate_to_chat_id", "migrate_from_chat_id", "pinned_message"}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float
    message_id: int | None = None
    answered_at: float | None = None  # when the bot got Telegram's answer (later than `at` for a slow call)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    @property
    def reply_to(self) -> int | None:
        """The message this one answers (PTB sends it as reply_parameters)."""
        replied = self.params.get("reply_parameters") or {}
        value = replied.get("message_id", self.params.get("reply_to_message_id"))
        return int(value) if value is not None else None

    @property
    def force_reply(self) -> dict | None:
        """The ForceReply markup, if the message asks for an answer that way."""
        markup = self.params.get("reply_markup") or {}
        return markup if markup.get("force_reply") else None

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Fault:
    method: str
    error_code: int
    description: str
    chat_id: int | None = None
    times: int = 1
    retry_after: int | None = None
    delay: float = 0.0


@dataclass
class FakeBotAPI:
    """Start with `await api.start()`; `api.base_url` is what the bot's TELEGRAM_API_BASE_URL should be.

    `enforce_limits`: answer 429 (with retry_after) to a send that breaks a flood limit, and to every send while
    that retry_after runs; `time_scale` shrinks the windows (0.01: a "second" lasts 10 ms).
    """

    calls: list[Call] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # a file's size as Telegram knows it, when not its bytes'
    admins: set[tuple[int, int]] = field(default_factory=set)  # (chat, user): getChatMember says "administrator"
    enforce_limits: bool = False
    time_scale: float = 1.0
    group_privacy: bool = True  # BotFather's default; False: the bot reads every group message
    reads_all: set[int] = field(default_factory=set)  # groups where the bot is an administrator
    not_delivered: list[dict] = field(default_factory=list)  # group messages privacy mode kept from the bot
    garbled: list = field(default_factory=list)  # items handed out once, ahead of the next getUpdates' updates

    def __post_init__(self) -> None:
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Condition()
        self._polled = asyncio.Condition()
        self._offset = 0
        self._answered_queries: set[str] = set()
        self._faults: list[Fault] = []
        self._messages: dict[tuple[int, int], dict] = {}
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.base_url = ""
        self._overall: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}
        self._per_group: dict[int, deque[float]] = {}
        self._blocked_until = 0.0
        self.deliveries: list[tuple[float, int]] = []  # (arrival, chat) of every send flood control let through
        self.send_attempts: list[float] = []  # arrival of every send, accepted or refused
        self.too_many = 0  # 429s answered for breaking a limit
        self._last_sender: dict[int, int] = {}  # group → who sent its last message
        self._force_replies: set[tuple[int, int]] = set()  # (chat, message) sent with ForceReply
        self._polling: asyncio.Future | None = None  # the getUpdates waiting now: a newer one ends it with 409
        self.conflicts: list[float] = []  # when each 409 Conflict was answered to a getUpdates
        self.poll_times: list[float] = []  # when each getUpdates arrived
        self.webhook: dict | None = None  # what setWebhook last registered

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def release_polls(self) -> None:
        """Answer every waiting getUpdates now, so that the bot can stop without waiting for the long poll."""
        async with self._new_update:
            self._closing = True
            self._new_update.notify_all()

    def reopen_polls(self) -> None:
        """After `release_polls`, let getUpdates wait again: another bot (a restart) polls the same server."""
        self._closing = False

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    # What the tests do -------------------------------------------------------------------------------

    def fail(self, method: str, error_code: int, description: str = "", *, chat_id: int | None = None,
             times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next `times` calls of `method` (to `chat_id`, if given) with an error."""
        default = {403: "Forbidden: bot was blocked by the user", 429: "Too Many Requests: retry after 1",
                   400: "Bad Request", 500: "Internal Server Error", 502: "Bad Gateway"}
        self._faults.append(Fault(method, error_code, description or default.get(error_code, "Error"),
                                  chat_id, times, retry_after))

    def hang(self, method: str, seconds: float, *, chat_id: int | None = None, times: int = 1) -> None:
        """The next `times` calls get no answer for `seconds` (the bot times out first), and are not carried out."""
        self._faults.append(Fault(method, 504, "Gateway Timeout", chat_id, times, delay=seconds))

    def forget(self) -> None:
        """Drop the calls and messages recorded so far (a benchmark's phases start alike)."""
        self.calls.clear()
        self._messages.clear()
        self.deliveries.clear()
        self.send_attempts.clear()

    def limit_floods(self, time_scale: float) -> None:
        """From now on answer 429, as Telegram does, to a send that breaks a flood limit (windows scaled as the bot's
        pacer is in the test)."""
        self.enforce_limits, self.time_scale = True, time_scale

    def documents(self, chat_id: int | None = None) -> list[tuple[str, bytes]]:
        """(file name, bytes) of every document the bot sent (to this chat) that Telegram accepted."""
        return [c.params["document"] for c in self.sent(chat_id, "sendDocument") if c.message_id is not None]

    def slow(self, method: str, seconds: float, *, chat_id: int | None = None, times: int = 1) -> None:
        """The next `times` calls are carried out, but answered `seconds` late (Telegram far away)."""
        self._faults.append(Fault(method, 0, "", chat_id, times, delay=seconds))

    def delivered(self, chat_id: int | None = None) -> list[Call]:
        """Messages that reached the chat: sends Telegram accepted (not the refused or failed ones)."""
        return [c for c in self.sent(chat_id) if c.method in SEND_METHODS and c.message_id is not None]

    def most_in_window(self, seconds: float, chat_id: int | None = None, *, attempted: bool = False) -> int:
        """The most sends accepted (or `attempted`) within any `seconds` (scaled), overall or to one chat."""
        times = self.send_attempts if attempted else [at for at, c in self.deliveries if chat_id in (None, c)]
        length, most, start = seconds * self.time_scale, 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= length:
                start += 1
            most = max(most, end - start + 1)
        return most

    async def push(self, update: dict) -> int | None:
        """Queue an update for the bot's next getUpdates; returns its update_id, or None when privacy mode keeps a
        group's message from the bot (it is then in `not_delivered`)."""
        if not self.reaches_bot(update):
            self.not_delivered.append(update)
            return None
        update_id = next(self._update_ids)
        async with self._new_update:
            self._updates.append({"update_id": update_id, **update})
            self._new_update.notify_all()
        return update_id

    async def wait_delivered(self, update_id: int, timeout: float = 10) -> None:
        """Wait until the bot has taken the update and asked for the next ones (so it is in PTB's queue)."""
        async with self._polled:
            await asyncio.wait_for(self._polled.wait_for(lambda: self._offset > update_id), timeout)

    def reaches_bot(self, update: dict) -> bool:
        """Whether Telegram hands this update to the bot; a group's message also becomes the group's last."""
        message = update.get("message") or update.get("edited_message")
        if message is None or message["chat"]["type"] not in ("group", "supergroup"):
            return True
        chat = message["chat"]["id"]
        bot_spoke_last = self._last_sender.get(chat) == BOT_ID
        if "message" in update:
            self._last_sender[chat] = message["from"]["id"]
        if not self.group_privacy or chat in self.reads_all or SERVICE_FIELDS & message.keys():
            return True
        replied = message.get("reply_to_message") or {}
        if replied.get("from", {}).get("id") == BOT_ID:
            return True
        words = (message.get("text") or message.get("caption") or "").split()
        if not words or not words[0].startswith("/"):
            return False
        _, at, username = words[0].partition("@")
        return username.lower() == BOT_USERNAME.lower() if at else bot_spoke_last

    def new_message_id(self) -> int:
        return next(self._message_ids)

    def add_file(self, content: bytes) -> tuple[str, str]:
        """Store a file the way Telegram would; returns (file_id, file_unique_id)."""
        unique = hashlib.sha256(content).hexdigest()[:16]
        file_id = f"file-{unique}-{len(self.files)}"
        self.files[file_id] = content
        return file_id, unique

    def message(self, chat_id: int, message_id: int) -> dict:
        """A message as the chat sees it now (after any edits)."""
        return self._messages[(chat_id, message_id)]

    def questions(self, chat_id: int) -> list[dict]:
        """The bot's messages in a chat sent with ForceReply (the person's reply box opened on them), newest first."""
        return sorted((m for key, m in self._messages.items() if key[0] == chat_id and key in self._force_replies),
                      key=lambda m: m["message_id"], reverse=True)

    def messages_with_buttons(self, chat_id: int) -> list[dict]:
        """The chat's bot messages that still show buttons, newest first."""
        found = [m for (chat, _), m in self._messages.items() if chat == chat_id and m.get("reply_markup")]
        return sorted(found, key=lambda m: m["message_id"], reverse=True)

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)]

    # The Bot API ----------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await read_params(request)
        if request.match_info["token"] != TOKEN:
            return error_response(401, "Unauthorized")
        call = Call(method, params, time.monotonic())
        if method != "getUpdates":
            self.calls.append(call)
        fault = self._take_fault(method, params)
        if fault:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.error_code:
                return error_response(fault.error_code, fault.description, fault.retry_after)
        if self.enforce_limits and method in SEND_METHODS and params.get("chat_id") is not None:
            self.send_attempts.append(call.at)
            retry_after = self._flood_wait(int(params["chat_id"]), call.at)
            if retry_after:
                self.too_many += 1
                return error_response(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return error_response(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except ApiError as error:
            return error_response(error.code, error.description)
        if isinstance(result, dict) and "message_id" in result:
            call.message_id = result["message_id"]
        call.answered_at = time.monotonic()
        return web.json_response({"ok": True, "result": result})

    def _flood_wait(self, chat_id: int, at: float) -> int:
        """0 if this send is within every limit (and then it counts); else the seconds Telegram would ask to wait."""
        second, minute = self.time_scale, 60 * self.time_scale
        if at < self._blocked_until:
            return max(1, math.ceil((self._blocked_until - at) / second))
        windows = [(self._overall, OVERALL_PER_SECOND, second),
                   (self._per_chat.setdefault(chat_id, deque()), CHAT_PER_SECOND, second)]
        if chat_id < 0:
            windows.append((self._per_group.setdefault(chat_id, deque()), GROUP_PER_MINUTE, minute))
        waits = []
        for window, limit, length in windows:
            while window and window[0] <= at - length:
                window.popleft()
            if len(window) >= limit:
                waits.append(window[0] + length - at)
        if waits:
            self._blocked_until = at + max(waits)
            return max(1, math.ceil(max(waits) / second))
        for window, _, _ in windows:
            window.append(at)
        self.deliveries.append((at, chat_id))
        return 0

    def _take_fault(self, method: str, params: dict) -> Fault | None:
        for fault in self._faults:
            chat = params.get("chat_id")
            if fault.method == method and (fault.chat_id is None or (chat is not None and int(chat) == fault.chat_id)):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    async def _api_getMe(self, params: dict) -> dict:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Acuerdos", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def _api_getUpdates(self, params: dict) -> list[dict]:
        """As Telegram: the offset confirms what came before it; a getUpdates arriving while another waits ends the
        waiting one with 409 Conflict (two bots polling with one token)."""
        self.poll_times.append(time.monotonic())
        async with self._new_update:
            if self._polling is not None and not self._polling.done():
                self._polling.set_result(True)
                self._new_update.notify_all()
            ended = self._polling = asyncio.get_running_loop().create_future()
        offset = int(params.get("offset") or 0)
        async with self._polled:
            self._offset = max(self._offset, offset)
            self._polled.notify_all()
        timeout = min(float(params.get("timeout") or 0), 1.0)
        async with self._new_update:
            try:
                await asyncio.wait_for(
                    self._new_update.wait_for(
                        lambda: self._closing or ended.done() or any(u["update_id"] >= offset
                                                                     for u in self._updates)), timeout)
            except asyncio.TimeoutError:
                pass
            if ended.done():
                self.conflicts.append(time.monotonic())
                raise ApiError(CONFLICT, 409)
            ended.set_result(False)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            garbled, self.garbled = self.garbled, []
            return garbled + list(self._updates[: int(params.get("limit") or 100)])

    async def _api_setWebhook(self, params: dict) -> bool:
        self.webhook = dict(params)
        return True

    async def _api_getWebhookInfo(self, params: dict) -> dict:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def _api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = None
        return True

    async def _api_setMyCommands(self, params: dict) -> bool:
        for command in params.get("commands", []):
            if not (1 <= len(command["command"]) <= 32 and 1 <= len(command["description"]) <= 256):
                raise ApiError("Bad Request: BOT_COMMAND_INVALID")
        return True

    async def _api_deleteMyCommands(self, params: dict) -> bool:
        return True

    async def _api_answerCallbackQuery(self, params: dict) -> bool:
        if len(params.get("text") or "") > 200:
            raise ApiError("Bad Request: MESSAGE_TOO_LONG")
        # Telegram takes one answer per press.
        if params["callback_query_id"] in self._answered_queries:
            raise ApiError("Bad Request: query is too old and response timeout expired or query id is invalid")
        self._answered_queries.add(params["callback_query_id"])
        return True

    async def _api_sendMessage(self, params: dict) -> dict:
        check_text(params.get("text") or "", params.get("parse_mode"))
        return self._store_message(params, {"text": params["text"]})

    async def _api_sendDocument(self, params: dict) -> dict:
        check_text(params.get("caption") or "", params.get("parse_mode"), limit=1024, allow_empty=True)
        name, content = params.get("document", ("document", b""))
        file_id, unique = self.add_file(content)
        return self._store_message(params, {"document": {"file_id": file_id, "file_unique_id": unique,
                                                         "file_name": name, "file_size": len(content)}})

    async def _api_sendPhoto(self, params: dict) -> dict:
        check_text(params.get("caption") or "", params.get("parse_mode"), limit=1024, allow_empty=True)
        _, content = params.get("photo", ("photo", b""))
        file_id, unique = self.add_file(content)
        return self._store_message(params, {"photo": [{"file_id": file_id, "file_unique_id": unique,
                                                       "width": 800, "height": 600, "file_size": len(content)}]})

    async def _api_editMessageText(self, params: dict) -> dict:
        check_text(params.get("text") or "", params.get("parse_mode"))
        message = self._message(params)
        message["text"] = params["text"]
        message["reply_markup"] = params.get("reply_markup")
        return message

    async def _api_editMessageReplyMarkup(self, params: dict) -> dict:
        message = self._message(params)
        message["reply_markup"] = params.get("reply_markup")
        return message

    async def _api_getChatMember(self, params: dict) -> dict:
        chat, user = int(params["chat_id"]), int(params["user_id"])
        who = {"id": user, "is_bot": False, "first_name": f"Usuario {user}"}
        if (chat, user) in self.admins:
            return {"status": "creator", "user": who, "is_anonymous": False}
        return {"status": "member", "user": who}

    async def _api_getFile(self, params: dict) -> dict:
        file_id = params["file_id"]
        if file_id not in self.files:
            raise ApiError("Bad Request: invalid file_id")
        size = self.sizes.get(file_id, len(self.files[file_id]))
        if size > 20 * 1024 * 1024:
            raise ApiError("Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": hashlib.sha256(self.files[file_id]).hexdigest()[:16],
                "file_size": size, "file_path": f"documents/{file_id}"}

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].split("/")[-1]
        if request.match_info["token"] != TOKEN or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    def _store_message(self, params: dict, content: dict) -> dict:
        chat_id = int(params["chat_id"])
        message = {"message_id": self.new_message_id(), "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup",
                            **({} if chat_id > 0 else {"title": "Grupo"})},
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "Acuerdos", "username": BOT_USERNAME},
                   **content}
        markup = params.get("reply_markup") or {}
        if markup.get("inline_keyboard"):
            message["reply_markup"] = markup
        elif markup.get("force_reply"):  # Telegram's Message shows only inline keyboards
            self._force_replies.add((chat_id, message["message_id"]))
        self._messages[(chat_id, message["message_id"])] = message
        if chat_id < 0:
            self._last_sender[chat_id] = BOT_ID
        return message

    def _message(self, params: dict) -> dict:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self._messages:
            raise ApiError("Bad Request: message to edit not found")
        return self._messages[key]
