"""How much reading one acta may take: every limit in one place, each answered in Spanish when it is reached."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024
MAX_BYTES = 20 * MIB  # what Telegram's getFile hands over to a bot
READERS_AT_ONCE = 2  # actas read side by side; the next ones wait their turn


@dataclass(frozen=True)
class Limits:
    """What one reading may use. The worker process gets them from the bot, so a test may pass smaller ones."""

    seconds: float = 15  # wall time of the worker, from its start until it answers
    memory: int = 512 * MIB  # the worker's address space (RLIMIT_AS)
    agreements: int = 2000
    columns: int = 64
    rows: int = 20_000  # of a sheet or a file, headings included
    line: int = 1_000_000  # characters of one line of a text file or a paste
    inflated: int = 50 * MIB  # a zip's (.xlsx, .docx) contents once decompressed


LIMITS = Limits()
