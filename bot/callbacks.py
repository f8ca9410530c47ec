"""Every button's data, as a small class per kind that packs it, parses it and matches it.

Data reads `v1:<kind>:<field>:…` and never passes Telegram's 64 bytes. `parse` gives None for anything that is
not exactly a button of that kind: another version, a missing or extra field, a number out of range, an action the
kind does not have. So a handler gets typed values or nothing, and a forged or damaged button reaches the one
handler that answers «Ese botón ya no es válido» (`handlers/common.py`). Buttons already in people's chats keep
working: the layouts are the ones `v1` always had.

Whether the person who pressed may touch what the values name is not the button's business: that is the gate's
(`bot/access.py`).
"""

from __future__ import annotations

import re
from dataclasses import astuple, dataclass
from typing import Any, Callable, ClassVar, TypeVar

from models.entities import Status

VERSION = "v1"
MAX_ID = 2**31 - 1  # ids are INTEGER columns
MAX_PAGE = 10_000
MAX_BYTES = 64

B = TypeVar("B", bound="Button")
_NUMBER = re.compile(r"[0-9]{1,10}")


def _number(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not _NUMBER.fullmatch(text) or not low <= int(text) <= high:
            raise ValueError(text)
        return int(text)
    return parse


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(text)
        return text
    return parse


def _optional_id(text: str) -> int | None:
    """0 stands for «none» (an unfiltered list)."""
    return _number(0, MAX_ID)(text) or None


def _optional_status(text: str) -> str | None:
    return None if text == "-" else _choice(*(s.value for s in Status))(text)


def _pack(value: Any) -> str:
    return "0" if value is None else str(value)


ID = _number(1, MAX_ID)


class Button:
    """A kind of button: KIND is its data's second part; FIELDS parse the rest, in the dataclass's order."""

    KIND: ClassVar[str]
    FIELDS: ClassVar[tuple[Callable[[str], Any], ...]]

    def data(self) -> str:
        data = ":".join([VERSION, self.KIND, *(self._packed())])
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"button data over {MAX_BYTES} bytes: {data}")
        return data

    def _packed(self) -> list[str]:
        return [_pack(value) for value in astuple(self)]

    @classmethod
    def parse(cls: type[B], data: object) -> B | None:
        if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
            return None
        version, _, rest = data.partition(":")
        prefix = f"{cls.KIND}:"
        if version != VERSION or not rest.startswith(prefix):
            return None
        parts = rest[len(prefix):].split(":")
        if len(parts) != len(cls.FIELDS):
            return None
        try:
            return cls(*(parse(part) for parse, part in zip(cls.FIELDS, parts)))
        except ValueError:
            return None

    @classmethod
    def matches(cls, data: object) -> bool:
        """For `CallbackQueryHandler(pattern=…)`."""
        return cls.parse(data) is not None


@dataclass(frozen=True)
class ListPage(Button):
    """A page of a committee's /acuerdos, with its filters. (The first layout, "l", had no committee: a chat in
    two committees could not tell which list it was; those buttons are now refused as no longer valid.)"""

    KIND = "p"
    FIELDS = (ID, _number(1, MAX_PAGE), _optional_id, _optional_status)
    committee_id: int
    page: int
    institution_id: int | None
    status: str | None

    def _packed(self) -> list[str]:
        return [str(self.committee_id), str(self.page), str(self.institution_id or 0), self.status or "-"]


# The guided /nuevo.

@dataclass(frozen=True)
class DraftSession(Button):
    KIND = "n:s"
    FIELDS = (ID,)
    session_id: int


@dataclass(frozen=True)
class DraftInstitution(Button):
    """Marks or unmarks one institution as responsible."""

    KIND = "n:i"
    FIELDS = (ID,)
    institution_id: int


@dataclass(frozen=True)
class DraftStep(Button):
    """done = the institutions are chosen, nodl = sin plazo, ok = register it, x = cancel."""

    KIND = "n"
    FIELDS = (_choice("done", "nodl", "ok", "x"), _choice(""))
    action: str
    blank: str = ""  # the layout `v1` always had: "v1:n:done:"


# An institution's answers: on a reminder (with its row) and on /pendientes (reminder 0).

@dataclass(frozen=True)
class ReminderAnswer(Button):
    """c = cumplido, p = en proceso, d = con dificultades, s = recordar en 3 días."""

    KIND = "r"
    ACTIONS: ClassVar[tuple[str, ...]] = ("c", "p", "d")
    FIELDS = (_choice(*ACTIONS), ID, _number(0, MAX_ID))
    action: str
    assignment_id: int
    reminder_id: int = 0


@dataclass(frozen=True)
class Snooze(Button):
    KIND = "r:s"
    FIELDS = (ID, ID)
    assignment_id: int
    reminder_id: int


@dataclass(frozen=True)
class ChooseAssignment(Button):
    """Which of several responsibilities a report is about."""

    KIND = "a"
    FIELDS = (ID,)
    assignment_id: int


@dataclass(frozen=True)
class DoneQuestion(Button):
    """«¿Era el cumplimiento?» after evidence: y = yes, report it done; n = no, it was progress."""

    KIND = "e"
    FIELDS = (_choice("y", "n"), ID)
    answer: str
    update_id: int


@dataclass(frozen=True)
class SkipNote(Button):
    KIND = "k"
    FIELDS = (ID,)
    assignment_id: int


# The secretary's decisions on a report of completion.

@dataclass(frozen=True)
class Verify(Button):
    KIND = "v"
    FIELDS = (ID,)
    assignment_id: int


@dataclass(frozen=True)
class Observe(Button):
    KIND = "o"
    FIELDS = (ID,)
    assignment_id: int


@dataclass(frozen=True)
class ImportAnswer(Button):
    """Under an acta's preview: ok = register it, x = cancel; the preview's number tells stale buttons apart."""

    KIND = "i"
    FIELDS = (_choice("ok", "x"), _number(0, MAX_ID))
    action: str
    preview: int


@dataclass(frozen=True)
class MemberButton(Button):
    """/revocar and /salir: r = revoke, s = choose a link to leave, l = leave, x = cancel (member 0); the member's
    id is checked again against whoever presses."""

    KIND = "m"
    FIELDS = (_choice("r", "s", "l", "x"), _number(0, MAX_ID))
    action: str
    member_id: int = 0


@dataclass(frozen=True)
class CommitteeChoice(Button):
    """The committee a chat linked to several acts in, from now on."""

    KIND = "c"
    FIELDS = (ID,)
    committee_id: int


@dataclass(frozen=True)
class DigestItem(Button):
    """One item of a digest: its reminder's row, checked against whoever presses."""

    KIND = "dg:i"
    FIELDS = (ID,)
    reminder_id: int


@dataclass(frozen=True)
class DigestPage(Button):
    """A page of a digest: the row the digest went as, and the page."""

    KIND = "dg:p"
    FIELDS = (ID, _number(1, MAX_PAGE))
    reminder_id: int
    page: int


@dataclass(frozen=True)
class FollowChoice(Button):
    """/seguir or /dejar (f = follow, u = unfollow) of an agreement whose code several committees have."""

    KIND = "f"
    FIELDS = (_choice("f", "u"), ID)
    action: str
    agreement_id: int


KINDS: tuple[type[Button], ...] = (ListPage, DraftSession, DraftInstitution, DraftStep, ReminderAnswer, Snooze,
                                   ChooseAssignment, DoneQuestion, SkipNote, Verify, Observe, ImportAnswer,
                                   MemberButton, CommitteeChoice, DigestItem, DigestPage, FollowChoice)


def parse_any(data: object) -> Button | None:
    """The button this data is, of whatever kind."""
    return next((button for kind in KINDS if (button := kind.parse(data)) is not None), None)
