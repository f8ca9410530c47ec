"""The rows of an acta's agreements table, whatever file they came from, as agreements."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from bot import texts
from bot.acta.limits import LIMITS, Limits
from bot.deadlines import Deadline, find_deadline_in_text, parse_date, parse_deadline
from models.names import institution_key, split_institutions
from models.text import clean_text


class ActaError(Exception):
    """Message: a short Spanish sentence saying what was wrong and what is expected."""


@dataclass
class ParsedAgreement:
    code: str  # "01", "2.1", "2.5": as written, without a trailing dot
    problem: str
    text: str
    implementers: list[str]  # institution names as written
    followup: list[str]
    deadline: Deadline | None


@dataclass
class ParsedActa:
    title: str | None
    session_number: int | None
    session_kind: str | None
    session_date: date | None  # the day deadlines were counted from
    agreements: list[ParsedAgreement]
    warnings: list[str]  # Spanish, one per oddity met while reading


@dataclass
class _Group:
    """A numbered row ("02") whose problem its sub-agreements ("2.1", "2.2") share."""

    number: str
    problem: str
    more: dict[str, None] = field(default_factory=dict)  # the problem cells of its later rows, each once
    largest_minor: int = 0  # of its agreements' codes, for the next one without a number
    has_agreement: bool = False


@dataclass
class _Draft:
    code: str
    group: _Group
    texts: list[str]
    implementers: list[str] = field(default_factory=list)
    followup: list[str] = field(default_factory=list)
    deadline_cell: str = ""


_SUB_CODE = r"\d{1,2}(?:\.\d{1,2})+"
_LEADING_CODE = re.compile(rf"(?:(?P<sub>{_SUB_CODE})\.?|(?P<top>\d{{1,2}})[.)])(?:\s+|$)")
# Several sub-agreements in one cell: "… correspondiente. 2.3. Disponer …".
_INNER_CODE = re.compile(rf"(?<=[.;:])\s+(?P<sub>{_SUB_CODE})\.?(?:\s+|$)")
_ORDINAL_STEMS = {
    "primer": 1, "segund": 2, "tercer": 3, "cuart": 4, "quint": 5, "sext": 6, "septim": 7,
    "setim": 7, "octav": 8, "noven": 9, "decim": 10, "undecim": 11, "duodecim": 12, "vigesim": 20,
}
_ORDINAL = "|".join(sorted(_ORDINAL_STEMS, key=len, reverse=True))
_SESSION_NUMBER = re.compile(
    rf"\b(?P<ordinal>(?:(?:decim|vigesim)[oa]?\s*)?(?:{_ORDINAL})[oa]?)\s+sesion"
    r"|\b(?P<digits>\d{1,2})\s*(?:ra|da|ta|ma|va|na|er|°|o|a)?\.?\s+sesion"
    r"|sesion\s+(?:(?:ordinaria|extraordinaria)\s+)?(?:(?:nro|n)\s*[°o.]*\s*)?(?P<after>\d{1,2})\b"
)
_SESSION_KIND = re.compile(r"sesion\s+(?P<kind>ordinaria|extraordinaria)")


def parse_rows(rows: list[list[str]], session_date: date | None = None, limits: Limits = LIMITS) -> ParsedActa:
    """Read the header lines and the agreements table (header row included) of an acta."""
    check_size(rows, limits)
    rows = [[_cell(value) for value in row] for row in rows]
    header_at = find_header(rows)
    if header_at is None:
        raise ActaError(texts.ACTA_NO_AGREEMENT_COLUMN)
    lines = [" ".join(cell for cell in row if cell) for row in rows[:header_at]]
    lines = [line for line in lines if line]
    warnings: list[str] = []
    written_date = _session_date(lines)
    if session_date and written_date and written_date != session_date:
        warnings.append(
            texts.plain(texts.t(texts.ACTA_OTHER_SESSION_DATE, found=_ddmmyyyy(written_date),
                                used=_ddmmyyyy(session_date)))
        )
    session_date = session_date or written_date
    if session_date is None:
        warnings.append(texts.ACTA_NO_SESSION_DATE)
    drafts = _drafts(rows[header_at], rows[header_at + 1:], warnings, limits.agreements)
    agreements = [_agreement(draft, session_date, warnings) for draft in drafts]
    agreements = [agreement for agreement in agreements if agreement]
    if not agreements:
        raise ActaError(texts.ACTA_NO_AGREEMENTS)
    codes = Counter(agreement.code for agreement in agreements)
    warnings += [texts.plain(texts.t(texts.ACTA_REPEATED_CODE, code=c)) for c, n in codes.items() if n > 1]
    title = next((line for line in lines if not _fold(line).startswith("fecha")), None)
    number, kind = _session_number_and_kind(" ".join(lines))
    return ParsedActa(title, number, kind, session_date, agreements, warnings)


def check_rows(count: int, limits: Limits = LIMITS) -> None:
    """Refuse a file with more rows than an acta has, before reading them."""
    if count > limits.rows:
        raise ActaError(texts.plain(texts.t(texts.ACTA_TOO_MANY_ROWS, max=limits.rows)))


def check_size(rows: list[list], limits: Limits = LIMITS) -> None:
    """Refuse a table with more rows or columns than an acta has, before reading its cells."""
    check_rows(len(rows), limits)
    if any(len(row) > limits.columns and any(row[limits.columns:]) for row in rows):
        raise ActaError(texts.plain(texts.t(texts.ACTA_TOO_WIDE, max=limits.columns)))


def find_header(rows: list[list[str]]) -> int | None:
    """Index of the table's title row: it names the agreement column and at least one other."""
    for index, row in enumerate(rows):
        roles = [role for role in map(_column_role, row) if role]
        if "text" in roles and len(set(roles)) > 1:
            return index
    return None


def _column_role(title: str) -> str | None:
    key = institution_key(title)
    first = key.split()[0] if key else ""
    if first.startswith("acuerdo"):
        return "text"
    if first.startswith("problem"):
        return "problem"
    if "seguimiento" in key:
        return "followup"
    if first.startswith("responsable") or "implementacion" in key:
        return "implementers"
    if first in ("plazo", "fecha") and len(key.split()) <= 3:
        return "deadline"
    if key in ("n", "no", "nro", "num", "numero", "item", "codigo") or title.strip() == "#":
        return "number"
    return None


def _drafts(header: list[str], rows: list[list[str]], warnings: list[str], most: int) -> list[_Draft]:
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        columns.setdefault(_column_role(title) or "", index)

    def cell(row: list[str], role: str) -> str:
        index = columns.get(role)
        return row[index] if index is not None and index < len(row) else ""

    drafts: list[_Draft] = []
    groups: list[_Group] = []
    previous: list[str] = []
    largest_major = 0  # of every code so far, for the next top-level agreement without a number
    for row in rows:
        if not any(row) or _squeeze(row) == _squeeze(header):  # blank, or the header again
            continue
        number = cell(row, "number").rstrip(".").strip()
        text = " ".join(cell(row, "text").split())
        implementers = split_institutions(cell(row, "implementers"))
        followup = split_institutions(cell(row, "followup"))
        group, opens = _group_of(groups, number, " ".join(cell(row, "problem").split()))
        repeated = text == " ".join(cell(previous, "text").split())
        previous_row, previous = previous, row
        # An empty or repeated cell is a merged one: the row only adds responsables.
        if not text or (repeated and drafts and not opens):
            if drafts and not opens:
                _add_names(drafts[-1].implementers, implementers)
                _add_names(drafts[-1].followup, followup)
            continue
        pieces = _pieces(text)
        code = pieces[0][0]
        if opens and not (_is_sub(code) and _major(code) == _major(number)):
            pieces = [(number, text)]
        elif code is None and drafts and (
            not implementers or cell(row, "implementers") == cell(previous_row, "implementers")
        ):
            # The rest of the cell above, cut by a page break in the original.
            drafts[-1].texts.append(pieces.pop(0)[1])
            _add_names(drafts[-1].followup, followup)
        for code, piece in pieces:
            if code is None:
                code = _next_code(group, largest_major)
                warnings.append(texts.plain(texts.t(texts.ACTA_NUMBER_GIVEN, code=code)))
            names = (implementers[:], followup[:])
            drafts.append(_Draft(code, group, [piece], *names, cell(row, "deadline")))
            group.has_agreement = True
            group.largest_minor = max(group.largest_minor, _minor(code))
            largest_major = max(largest_major, _major(code) or 0)
            if len(drafts) > most:
                raise ActaError(texts.plain(texts.t(texts.ACTA_TOO_MANY_AGREEMENTS, max=most)))
    for group in groups:
        group.problem = " ".join([group.problem, *group.more]).strip()
        if group.number and not group.has_agreement:
            warnings.append(texts.plain(texts.t(texts.ACTA_NO_TEXT, code=group.number)))
    return drafts


def _group_of(groups: list[_Group], number: str, problem: str) -> tuple[_Group, bool]:
    """The group a row belongs to, and whether its number cell starts a new agreement."""
    group = groups[-1] if groups else None
    opens = bool(number) and (group is None or number != group.number)
    in_group = group is not None and _is_sub(number) and _major(number) == _major(group.number)
    if group is None or (opens and not in_group):
        group = _Group(number, problem)
        groups.append(group)
    elif problem and problem != group.problem and problem not in group.more:
        group.more[problem] = None  # joined once at the end: appending to a string would grow quadratically
    return group, opens


def _pieces(text: str) -> list[tuple[str | None, str]]:
    """The agreements a cell holds, with the code each starts with (None when it has none)."""
    leading = _LEADING_CODE.match(text)
    if not leading:
        return [(None, text)]
    pieces: list[tuple[str | None, str]] = []
    code = leading.group("sub") or leading.group("top")
    start = leading.end()
    for inner in _INNER_CODE.finditer(text, start):
        sub = inner.group("sub")
        # Only "2.3" after "2.2" splits; "D.S. 4.1" or a cited number stays in the text.
        if _major(sub) == _major(code) and _minor(sub) > _minor(code):
            pieces.append((code, text[start: inner.start()].strip()))
            code, start = sub, inner.end()
    pieces.append((code, text[start:].strip()))
    return pieces


def _agreement(
    draft: _Draft, session_date: date | None, warnings: list[str]
) -> ParsedAgreement | None:
    text = " ".join(part for part in draft.texts if part)
    if not text:
        warnings.append(texts.plain(texts.t(texts.ACTA_NO_TEXT, code=draft.code)))
        return None
    deadline = None
    if draft.deadline_cell.strip() and session_date:
        deadline = parse_deadline(draft.deadline_cell, session_date)
        if deadline is None:
            warnings.append(texts.plain(texts.t(texts.ACTA_UNREADABLE_DEADLINE, words=draft.deadline_cell,
                                                code=draft.code)))
    if deadline is None and session_date:
        deadline = find_deadline_in_text(text, session_date)
    elif deadline is None:
        # Without a session date only "la siguiente sesión" can be trusted; the base is a dummy.
        found = find_deadline_in_text(text, date(2000, 1, 1))
        deadline = found if found and found.next_session else None
    return ParsedAgreement(
        draft.code, draft.group.problem, text, draft.implementers, draft.followup, deadline
    )


def _add_names(names: list[str], more: list[str]) -> None:
    keys = {institution_key(name) for name in names}
    names.extend(name for name in more if institution_key(name) not in keys)


def _next_code(group: _Group, largest_major: int) -> str:
    if group.number and _major(group.number) is not None:
        return f"{_major(group.number)}.{group.largest_minor + 1}"
    return f"{largest_major + 1:02d}"


def _session_date(lines: list[str]) -> date | None:
    dated = sorted(lines, key=lambda line: not _fold(line).startswith("fecha"))
    return next((found for found in map(parse_date, dated) if found), None)


def _session_number_and_kind(header: str) -> tuple[int | None, str | None]:
    folded = _fold(header)
    kind = _SESSION_KIND.search(folded)
    found = _SESSION_NUMBER.search(folded)
    number = None
    if found and found.group("ordinal"):
        number = sum(_ORDINAL_STEMS[stem] for stem in re.findall(_ORDINAL, found.group("ordinal")))
    elif found:
        number = int(found.group("digits") or found.group("after"))
    return number, kind.group("kind") if kind else None


def _is_sub(code: str | None) -> bool:
    return bool(code and re.fullmatch(_SUB_CODE, code))


def _major(code: str | None) -> int | None:
    digits = re.match(r"\d+", code or "")
    return int(digits.group()) if digits else None


def _minor(code: str | None) -> int:
    return int(code.split(".")[1]) if _is_sub(code) else 0


def _squeeze(row: list[str]) -> list[str]:
    return [" ".join(value.split()) for value in row]


def _cell(value: object) -> str:
    # Where an acta's text enters: as people wrote it, without the invisible characters of Word or a PDF.
    return "" if value is None else clean_text(str(value)).strip()


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return "".join(char for char in plain if not unicodedata.combining(char)).lower()


def _ddmmyyyy(day: date) -> str:
    return day.strftime("%d/%m/%Y")
