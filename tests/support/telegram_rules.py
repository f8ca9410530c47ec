"""What Telegram's Bot API checks in a message (HTML entities, length) and how it speaks HTTP (form posts, errors)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                "span", "blockquote", "tg-emoji"}
MESSAGE_LIMIT = 4096
RAW_FIELDS = {"text", "caption", "callback_query_id", "url", "description", "short_description", "name",
              "title", "query_id"}


class ApiError(Exception):
    def __init__(self, description: str, code: int = 400):
        super().__init__(description)
        self.description = description
        self.code = code


def error_response(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


async def read_params(request: web.Request) -> dict[str, Any]:
    """Decode PTB's form posts: JSON-encoded values, and files in multipart bodies."""
    if request.content_type == "application/json":
        return await request.json()
    if request.method == "GET" or not request.can_read_body:
        raw = dict(request.query)
    else:
        raw = dict(await request.post())
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, web.FileField):
            params[key] = (value.filename, value.file.read())
        elif key in RAW_FIELDS:
            params[key] = value
        else:
            try:
                params[key] = json.loads(value)
            except (TypeError, ValueError):
                params[key] = value
    return params


class _EntityChecker(HTMLParser):
    """What Telegram's HTML parse mode rejects: unknown tags, unbalanced tags, stray '<'."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problem = f"Unsupported start tag \"{tag}\""
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problem = f"Unexpected end tag \"{tag}\""

    def handle_data(self, data):
        self.visible.append(data)


def check_text(text: str, parse_mode: str | None, limit: int = MESSAGE_LIMIT, allow_empty: bool = False) -> None:
    visible = text
    if parse_mode == "HTML":
        checker = _EntityChecker()
        checker.feed(text)
        checker.close()
        if checker.problem or checker.stack:
            raise ApiError(f"Bad Request: can't parse entities: {checker.problem or 'unclosed tag'}")
        visible = "".join(checker.visible)
        if visible.count("<") > text.count("&lt;"):
            raise ApiError("Bad Request: can't parse entities: unescaped '<'")
    if not visible.strip() and not allow_empty:
        raise ApiError("Bad Request: message text is empty")
    if len(visible) > limit:
        raise ApiError("Bad Request: message is too long")
