"""Sending text the way Telegram accepts it: never over 4,096 characters in one message."""

from __future__ import annotations

import warnings
from contextlib import nullcontext
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Message
from telegram.error import RetryAfter
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

TELEGRAM_LIMIT = 4096


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cut text into pieces of at most `limit` characters, on line boundaries where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return pieces or [""]


async def send_text(bot: ExtBot, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None,
                    reply_to: int | None = None, pacer=None) -> Message:
    """Send a possibly long text; the keyboard goes on the last piece. Returns the last message.

    Messages nobody is waiting for (summaries, notices) pass the bot's pacer (bot.reminders.pacing.Pacer), so
    that together with the reminders they stay within Telegram's limits."""
    pieces = split_message(text)
    message = None
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        async with pacer.slot(chat_id) if pacer is not None else nullcontext():
            message = await bot.send_message(chat_id, piece, reply_markup=reply_markup if last else None,
                                             reply_to_message_id=reply_to if index == 0 else None)
    return message


def retry_after(limited: RetryAfter) -> timedelta:
    """How long Telegram asked the bot to wait after a 429."""
    # PTB 22 warns that the attribute becomes a timedelta in its next major version; either is fine here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = limited.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=value)
