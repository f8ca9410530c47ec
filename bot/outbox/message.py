"""What the dispatcher sends for one outbox row, as its renderer made it."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup


@dataclass(frozen=True)
class Outgoing:
    reminder_id: int
    chat_id: int
    kind: str
    text: str | None  # None: nothing to say any more, and `silence` says why
    keyboard: InlineKeyboardMarkup | None = None
    silence: str = "everything it listed was answered"
    # A digest: the other rows it stands for, recorded as sent with it (reminder_id is the row it goes as).
    companions: tuple[int, ...] = ()

    @property
    def rows(self) -> tuple[int, ...]:
        return (self.reminder_id, *self.companions)
