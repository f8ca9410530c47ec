"""Text as people meant it: what enters the bot is stored in NFC, without the invisible characters phones and
copies from Word or a PDF slip in, and otherwise as written ("N.º 5" stays "N.º 5")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from sqlalchemy import String, Text, TypeDecorator

# Invisible, yet not format (Cf) characters: the combining grapheme joiner and the Hangul fillers.
_ALSO_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0")
# Line breaks other than "\n" (Windows and old Mac ends of line, page breaks, Unicode's own separators) become "\n".
_LINE_BREAKS = re.compile("\r\n|[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def invisible(char: str) -> bool:
    """Whether a character shows nothing and means nothing to a reader: format (Cf) and control (Cc) characters,
    lone surrogates, and a few more; "\\n" is not."""
    return char != "\n" and (unicodedata.category(char) in ("Cc", "Cf", "Cs") or char in _ALSO_INVISIBLE)


def clean_text(text: str) -> str:
    """What people wrote, in NFC, without invisible characters (a NUL included), tabs as spaces, and every line break
    as "\\n"; not NFKC, so "N.º" and "²" stay as written. Idempotent."""
    if text.isascii() and text.isprintable():
        return text
    text = _invisibles().sub("", _LINE_BREAKS.sub("\n", text).replace("\t", " "))
    # Removed before composing: an invisible character between a letter and its accent kept them apart.
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1)
def _invisibles() -> re.Pattern[str]:
    """Every invisible character, as one character class (built once: a regular expression is fast on long actas)."""
    planes = (range(0x10000), range(0x10000, 0x20000), range(0xE0000, 0xE1000))  # the other planes have none
    found = [code for plane in planes for code in plane if invisible(chr(code))]
    ranges, start = [], found[0]
    for previous, code in zip(found, [*found[1:], None]):
        if code != previous + 1:
            ranges.append(re.escape(chr(start)) + (f"-{re.escape(chr(previous))}" if previous > start else ""))
            start = code
    return re.compile(f"[{''.join(ranges)}]+")


class CleanText(TypeDecorator):
    """A text column whose values are stored cleaned (`clean_text`), whatever path wrote them."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return clean_text(value) if isinstance(value, str) else value


class CleanString(CleanText):
    """A bounded text column, cleaned like `CleanText`: CleanString(200)."""

    impl = String
    cache_ok = True
