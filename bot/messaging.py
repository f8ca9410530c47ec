"""Sending text the way Telegram accepts it: never over 4,096 characters in one message, every piece valid HTML,
one message a second per chat (through the pacer the outbox shares), and an answer that would take more than three
messages sent as one short message and a file with the whole."""

from __future__ import annotations

import asyncio
import re
import unicodedata
import warnings
from collections import deque
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Awaitable, Callable, TypeVar

from telegram import ForceReply, InlineKeyboardMarkup, Message
from telegram.error import RetryAfter
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot import texts

TELEGRAM_LIMIT = 4096
MAX_MESSAGES = 3  # an answer longer than this many messages goes as a file
T = TypeVar("T")

# A tag, an entity, a line break, a run of spaces, a word; a stray '<' or '&' is a character of its own.
_ATOM = re.compile(r"<[^<>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|\w+);|\n| +|[^<&\n ]+|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut HTML into pieces of at most `limit` characters, on line boundaries where possible, then between words.

    A cut never falls inside a tag or an entity; a tag open across a cut is closed before it and opened again (with
    its attributes) after it, so each piece is valid HTML on its own. A cut drops the line break or the spaces it is
    made at, nothing else."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    atoms = deque(_ATOM.findall(text))
    piece: list[str] = []  # this piece's atoms, starting with the tags it reopens
    size = 0
    opened: list[tuple[str, str]] = []  # (name, opening tag) of the tags open at the end of the piece
    breaks: dict[str, tuple[int, int, list]] = {}  # "\n" / " ": (atom index, size, open tags) of the latest
    seen = False  # the piece shows something already: a cut here leaves no empty message

    def closing(tags: list[tuple[str, str]]) -> int:
        return sum(len(name) + 3 for name, _ in tags)

    def cut(at: int, cut_size: int, tags: list[tuple[str, str]], drop: int) -> None:
        nonlocal piece, size, opened, breaks, seen
        pieces.append("".join(piece[:at]) + "".join(f"</{name}>" for name, _ in reversed(tags)))
        atoms.extendleft(reversed(piece[at + drop:]))
        piece = [tag for _, tag in tags]
        size, opened, breaks, seen = sum(map(len, piece)), list(tags), {}, False

    while atoms:
        atom = atoms.popleft()
        tags, tag = opened, _TAG.fullmatch(atom) if atom[0] == "<" else None
        if tag and tag.group(1) and opened and opened[-1][0] == tag.group(2).lower():
            tags = opened[:-1]
        elif tag and not tag.group(1):
            tags = [*opened, (tag.group(2).lower(), atom)]
        if size + len(atom) + (closing(tags) if tags else 0) <= limit:
            blank = atom.isspace()
            if blank and seen:
                breaks["\n" if atom == "\n" else " "] = (len(piece), size, list(opened))
            seen = seen or not (blank or tag)
            piece.append(atom)
            size += len(atom)
            opened = tags
            continue
        atoms.appendleft(atom)
        found = breaks.get("\n") or breaks.get(" ")
        if found:
            cut(found[0], found[1], found[2], drop=1)
        elif seen:
            cut(len(piece), size, opened, drop=0)
        else:  # one word longer than a piece: cut it where it fills the piece
            room = limit - size - closing(opened)
            if room <= 0 or tag or atom[0] == "&":
                raise ValueError("a piece cannot hold its own tags")
            atoms.popleft()
            atoms.extendleft([atom[room:], atom[:room]])
            piece.append(atoms.popleft())
            size += room
            cut(len(piece), size, opened, drop=0)
    if seen:
        pieces.append("".join(piece) + "".join(f"</{name}>" for name, _ in reversed(opened)))
    return pieces or [""]


@dataclass(frozen=True)
class Long:
    """An answer whose length grows with the data. When the whole takes more than MAX_MESSAGES messages (or
    `as_file` says so), the chat gets `short` (one message: what it is, the counts, what blocks) and the whole as a
    plain UTF-8 text file named `filename`."""

    text: str
    short: str
    filename: str
    as_file: bool | None = None  # None: decided by the whole's length

    def goes_as_file(self) -> bool:
        if self.as_file is not None:
            return self.as_file
        return len(self.text) > (MAX_MESSAGES + 1) * TELEGRAM_LIMIT or len(split_message(self.text)) > MAX_MESSAGES

    def prefixed(self, prefix: str) -> Long:
        return replace(self, text=f"{prefix}{self.text}", short=f"{prefix}{self.short}")

    def suffixed(self, suffix: str) -> Long:
        return replace(self, text=f"{self.text}{suffix}", short=f"{self.short}{suffix}")


def file_name(template: str, **values: str) -> str:
    """A file's name from a template of texts.py, each value folded to letters, digits and dashes ("PNP",
    "CORESEC-Moquegua", "Warmi-Nan")."""
    def fold(value: str) -> str:
        ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9.]+", "-", ascii_only).strip("-.")[:60] or "lista"

    return texts.plain(texts.t(template, **{key: fold(value) for key, value in values.items()}))


def as_document(text: str) -> bytes:
    """The whole answer as a file: UTF-8 plain text, no tags."""
    return (texts.plain(text).strip() + "\n").encode("utf-8")


async def paced(pacer, chat_id: int, request: Callable[[], Awaitable[T]]) -> T:
    """One request that sends to a chat: it waits for its place in the pacer (bot.outbox.pacing.Pacer), so that
    answers and the outbox together keep one message a second per chat; a 429 holds the pacer for its wait, as
    the outbox does, and the request goes once more."""
    for attempt in (1, 2):
        async with pacer.slot(chat_id, first=True) if pacer is not None else nullcontext():
            try:
                return await request()
            except RetryAfter as limited:
                if attempt == 2:
                    raise
                wait = retry_after(limited).total_seconds()
                if pacer is not None:
                    pacer.pause(wait)
        if pacer is None:
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")


async def send_text(bot: ExtBot, chat_id: int, text: str | Long, *,
                    reply_markup: InlineKeyboardMarkup | ForceReply | None = None,
                    reply_to: int | None = None, pacer=None) -> Message:
    """Send a possibly long text; the keyboard goes on the last piece. Returns the last message.

    A `Long` answer that would take more than MAX_MESSAGES messages goes as its file, then its short message with
    the keyboard, so the buttons stay at the bottom of the chat."""
    if isinstance(text, Long):
        if text.goes_as_file():
            await paced(pacer, chat_id, lambda: bot.send_document(
                chat_id, as_document(text.text), filename=text.filename, reply_to_message_id=reply_to))
            reply_to, text = None, text.short
        else:
            text = text.text
    pieces = split_message(text)
    message = None
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        message = await paced(pacer, chat_id, lambda: bot.send_message(
            chat_id, piece, reply_markup=reply_markup if last else None,
            reply_to_message_id=reply_to if index == 0 else None))
    return message


def retry_after(limited: RetryAfter) -> timedelta:
    """How long Telegram asked the bot to wait after a 429."""
    # PTB 22 warns that the attribute becomes a timedelta in its next major version; either is fine here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = limited.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=value)
