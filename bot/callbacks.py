"""Callback data of every button: short, versioned strings (Telegram allows 64 bytes)."""

from __future__ import annotations

from dataclasses import dataclass

VERSION = "v1"


def new_agreement(action: str, value: int | str = "") -> str:
    """Buttons of the guided /nuevo: s=session, i=institution, done, nodl=no deadline, ok, x=cancel."""
    return _join("n", action, value)


NEW_AGREEMENT_PATTERN = rf"^{VERSION}:n:"


@dataclass(frozen=True)
class ListPage:
    page: int
    institution_id: int | None
    status: str | None

    def data(self) -> str:
        return _join("l", self.page, self.institution_id or 0, self.status or "-")

    @classmethod
    def parse(cls, data: str) -> ListPage:
        _, _, page, institution, status = data.split(":")
        return cls(int(page), int(institution) or None, None if status == "-" else status)


LIST_PAGE_PATTERN = rf"^{VERSION}:l:\d+:\d+:[a-z_-]+$"


def reminder_button(action: str, assignment_id: int, reminder_id: int = 0) -> str:
    """Buttons on a reminder (and on /pendientes, with reminder 0): c=cumplido, p=en proceso,
    d=con dificultades, s=recordar en 3 días."""
    return _join("r", action, assignment_id, reminder_id)


REMINDER_REPORT_PATTERN = rf"^{VERSION}:r:[cpd]:\d+:\d+$"
REMINDER_SNOOZE_PATTERN = rf"^{VERSION}:r:s:\d+:\d+$"


def parse_reminder_button(data: str) -> tuple[str, int, int]:
    _, _, action, assignment_id, reminder_id = data.split(":")
    return action, int(assignment_id), int(reminder_id)


def report(kind: str, *values: int | str) -> str:
    """Buttons of progress reports: a=choose assignment, e=evidence was the completion, k=skip the note,
    v=secretary verifies, o=secretary observes."""
    return _join(kind, *values)


def parse_report(data: str) -> tuple[str, list[str]]:
    _, kind, *values = data.split(":")
    return kind, values


def import_acta(action: str, preview: int) -> str:
    """Buttons under an acta's preview: ok=confirm, x=cancel; the preview's number tells stale buttons apart."""
    return _join("i", action, preview)


IMPORT_PATTERN = rf"^{VERSION}:i:(ok|x):\d+$"


def parse_import_acta(data: str) -> tuple[str, int]:
    _, _, action, preview = data.split(":")
    return action, int(preview)


@dataclass(frozen=True)
class MemberButton:
    """Buttons of /revocar and /salir: r=revoke, s=choose a link to leave, l=leave, x=cancel; the member's id is
    checked again against whoever presses."""

    action: str
    member_id: int = 0

    def data(self) -> str:
        return _join("m", self.action, self.member_id)

    @classmethod
    def parse(cls, data: str) -> MemberButton:
        _, _, action, member_id = data.split(":")
        return cls(action, int(member_id))


MEMBER_PATTERN = rf"^{VERSION}:m:[rslx]:\d{{1,9}}$"


def parse_new_agreement(data: str) -> tuple[str, str]:
    _, _, action, value = data.split(":", 3)
    return action, value


def _join(*parts: object) -> str:
    data = ":".join([VERSION, *map(str, parts)])
    assert len(data.encode()) <= 64, data
    return data
