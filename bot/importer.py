"""Registering a whole acta: read it, match its names to the committee's institutions, preview, then apply at once."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import agreements, audit, committees, texts
from bot.acta import MAX_BYTES, ActaError, ParsedActa, ParsedAgreement, worker
from bot.acta.parser import find_header
from bot.acta.readers import too_big
from bot.deadlines import Deadline
from bot.views import day, deadline_text, session_name, shorten
from models import queries
from models.entities import (
    Agreement,
    Committee,
    Institution,
    InstitutionAlias,
    Session,
    SessionKind,
)
from models.names import institution_key, join_known
from models.rules import (
    EARLIEST_SESSION,
    MAX_AGREEMENT_TEXT,
    MAX_NAME,
    clean_code,
    code_key,
    latest_deadline,
    latest_session,
)

NO_DEADLINE = "no_deadline"
NO_FOLLOWUP = "no_followup"
NO_IMPLEMENTER = "no_implementer"  # registered with the follow-up responsible as implementer
DEADLINE_BEFORE_SESSION = "deadline_before_session"  # registered without a deadline
DEADLINE_TOO_LATE = "deadline_too_late"  # more than ten years after the session: registered without a deadline
SHORT_LINES = 5  # problems named in a preview's short message; the file has them all

# Agreements planned or registered between two turns of the event loop: other chats wait at most one turn.
TURN = 50


@dataclass(frozen=True)
class Source:
    """What the secretary sent: a file's name and bytes, or pasted text (filename None) in one or more pieces."""

    filename: str | None
    data: bytes | str
    pieces: int = 1


@dataclass(frozen=True)
class SessionKey:
    kind: SessionKind
    number: int
    held_on: date


@dataclass
class NameMatch:
    written: str  # the first spelling met in the acta
    institution: Institution | None  # None: a new institution will be created
    near: bool = False  # matched by shared words only: confirming learns the spelling as an alias

    @property
    def key(self) -> str:
        return institution_key(self.written)


@dataclass
class PlannedAgreement:
    parsed: ParsedAgreement
    implementers: list[NameMatch]
    followup: NameMatch | None
    deadline: Deadline | None
    exists: bool
    notes: list[str] = field(default_factory=list)  # NO_DEADLINE, NO_FOLLOWUP, …
    problems: list[str] = field(default_factory=list)  # Spanish sentences; any of them stops the import


@dataclass
class ImportPlan:
    parsed: ParsedActa
    session: SessionKey | None  # None: the acta does not say which session, ask
    existing_session: Session | None
    agreements: list[PlannedAgreement]
    names: list[NameMatch]  # of the agreements to register, each institution once
    problems: list[str]  # Spanish sentences; any of them stops the import
    notes: list[str]  # Spanish sentences met while reading or planning

    @property
    def to_register(self) -> list[PlannedAgreement]:
        return [a for a in self.agreements if not a.exists]

    @property
    def existing(self) -> list[PlannedAgreement]:
        return [a for a in self.agreements if a.exists]

    @property
    def can_register(self) -> bool:
        return self.session is not None and not self.problems and bool(self.to_register)

    def decisions(self) -> tuple:
        """What the secretary confirms: if it differs when re-planned at confirmation, ask again."""
        return (self.session, self.existing_session.id if self.existing_session else None,
                tuple(a.parsed.code for a in self.to_register), tuple(self.problems),
                tuple((m.key, m.institution.id if m.institution else None, m.near) for m in self.names))


@dataclass
class ImportResult:
    session: Session
    session_created: bool
    agreements: list[Agreement]
    assignments: int
    new_institutions: list[str]
    aliases: list[tuple[str, str]]  # (spelling learnt, institution)
    skipped: list[str]  # codes that were already registered


def check_size(size: int | None) -> None:
    """Refuse a file over 20 MB before downloading it (the Bot API would not hand it over anyway)."""
    if size and size > MAX_BYTES:
        raise ActaError(too_big(size))


def too_big_to_download() -> ActaError:
    """A file sent without its size, that the Bot API refused to hand over ("file is too big")."""
    return ActaError(texts.ACTA_TOO_BIG_UNKNOWN)


def pasted(previous: Source | None, text: str) -> Source:
    """A pasted message: Telegram splits long pastes, so table rows without the title row continue the paste
    before."""
    if (previous and previous.filename is None and has_title_row(previous.data)
            and "\t" in text and not has_title_row(text)):
        return Source(None, f"{previous.data}\n{text}", previous.pieces + 1)
    return Source(None, text)


def has_title_row(text: str) -> bool:
    """Whether pasted text holds the table's title row (N° | ACUERDO | RESPONSABLE…)."""
    return find_header([line.split("\t") for line in text.splitlines()]) is not None


def read(source: Source, session: SessionKey | None = None) -> ParsedActa:
    """The acta, its deadlines counted from the session's date when the session is known; ActaError if unreadable
    or past a limit (bot/acta/limits.py). Read in a worker process; blocks the caller (the command line)."""
    return worker.read_isolated(source.filename, source.data, session.held_on if session else None)


async def read_aside(source: Source, session: SessionKey | None = None) -> ParsedActa:
    """`read`, awaited by the bot: other chats are served while the worker reads."""
    return await worker.read_aside(source.filename, source.data, session.held_on if session else None)


def session_key(words: str, today: date) -> SessionKey | None:
    """`ordinaria 1 25/02/2026`, as /sesion reads it."""
    try:
        parsed = committees.parse_session_args(words.split(), today)
    except committees.SessionDateOutOfRange:
        return None
    return SessionKey(*parsed) if parsed else None


async def plan_import(db: AsyncSession, committee: Committee, parsed: ParsedActa,
                      session_override: SessionKey | None = None, today: date | None = None) -> ImportPlan:
    """What registering this acta would do, without writing anything. `today` bounds the session's date (a year
    ahead at most), as registering it will."""
    session = session_override or await _session_of(db, committee, parsed)
    existing_session = await _find_session(db, committee, session) if session else None
    registered = set()
    if existing_session is not None:
        codes = await db.scalars(select(Agreement.code).where(Agreement.session_id == existing_session.id))
        registered = {code_key(code) for code in codes}
    names = _Names(db, committee)
    planned = []
    for index, agreement in enumerate(parsed.agreements):
        if index % TURN == TURN - 1:
            await asyncio.sleep(0)  # a long acta lets the other chats' updates in, between its agreements
        planned.append(await _plan_agreement(agreement, names, session, registered))
    new = [a for a in planned if not a.exists]
    used = list({m.key: m for a in new for m in [*a.implementers, *filter(None, [a.followup])]}.values())
    problems = [problem for a in new for problem in a.problems] + _repeated_codes(new) + [
        texts.plain(texts.t(texts.IMPORT_NAME_TOO_LONG, name=shorten(m.written, 60), max=MAX_NAME))
        for m in used if (m.institution is None or m.near) and len(m.written) > MAX_NAME]
    if session and existing_session is None and (session.held_on < EARLIEST_SESSION or (
            today is not None and session.held_on > latest_session(today))):
        problems.append(texts.plain(texts.t(texts.SESSION_DATE_OUT_OF_RANGE, date=day(session.held_on),
                                            latest=day(latest_session(today or session.held_on)))))
    notes = [warning for warning in parsed.warnings if warning not in problems]
    if session and existing_session is None:
        notes += await _same_number_other_day(db, committee, session)
    return ImportPlan(parsed, session, existing_session, planned, used, problems, notes)


async def apply_import(db: AsyncSession, committee: Committee, plan: ImportPlan, now: datetime,
                       actor: str) -> ImportResult:
    """Register the plan in the caller's transaction: institutions, aliases, session and agreements, or nothing."""
    if not plan.can_register:
        raise committees.Refused("the acta cannot be registered as planned")
    session, session_created = await committees.register_session(
        db, committee=committee, kind=plan.session.kind, number=plan.session.number,
        held_on=plan.session.held_on, now=now, actor=actor)
    institutions: dict[str, Institution] = {}
    new_names, aliases = [], []
    for match in plan.names:
        institution = match.institution
        if institution is None:
            institution, created = await committees.add_institution(
                db, committee=committee, name=match.written, now=now, actor=actor)
            if created:
                new_names.append(institution.name)
        elif match.near:
            db.add(InstitutionAlias(committee_id=committee.id, institution_id=institution.id,
                                    alias=match.written, key=match.key))
            audit.record(db, at=now, actor=actor, action="alias_learnt", entity="institution",
                         entity_id=institution.id, committee_id=committee.id, alias=match.written)
            aliases.append((match.written, institution.name))
        institutions[match.key] = institution
    registered = []
    for index, planned in enumerate(plan.to_register):
        if index % TURN == TURN - 1:
            await asyncio.sleep(0)
        registered.append(await agreements.register_agreement(
            db, committee=committee, session=session, code=planned.parsed.code, text=planned.parsed.text,
            institutions=[institutions[m.key] for m in planned.implementers], deadline=planned.deadline,
            now=now, actor=actor, problem=planned.parsed.problem,
            followup=institutions[planned.followup.key] if planned.followup else None))
    skipped = [a.parsed.code for a in plan.existing]
    audit.record(db, at=now, actor=actor, action="acta_imported", entity="session", entity_id=session.id,
                 committee_id=committee.id, title=plan.parsed.title, codes=[a.code for a in registered],
                 skipped=skipped, new_institutions=new_names, aliases=[alias for alias, _ in aliases])
    return ImportResult(session, session_created, registered, sum(len(a.assignments) for a in registered),
                        new_names, aliases, skipped)


def _heading(plan: ImportPlan, title: str) -> list[str]:
    """The first lines of both previews: the acta's title, its session, and what registering it would add."""
    lines = [texts.t(texts.IMPORT_PREVIEW_HEADER, title=title)]
    if plan.session is not None:
        lines.append(texts.t(texts.IMPORT_PREVIEW_SESSION, session=session_name(plan.session),
                             state=texts.IMPORT_SESSION_KNOWN if plan.existing_session else texts.IMPORT_SESSION_NEW))
    if new := plan.to_register:
        lines.append(texts.t(texts.IMPORT_PREVIEW_COUNTS, agreements=_count(len(new), texts.IMPORT_AGREEMENTS),
                             assignments=_count(sum(len(a.implementers) for a in new), texts.IMPORT_ASSIGNMENTS)))
    return lines


def render_preview(plan: ImportPlan) -> str:
    """What the acta says and what registering it would do, with the quality warnings, in HTML."""
    lines = _heading(plan, plan.parsed.title or texts.IMPORT_NO_TITLE)
    new = plan.to_register
    if new:
        lines.append("")
    for planned in new:
        lines.append(texts.t(
            texts.IMPORT_AGREEMENT_LINE, code=planned.parsed.code, text=shorten(planned.parsed.text, 120),
            institutions=", ".join(_shown_name(m) for m in planned.implementers),
            deadline=deadline_text(planned.deadline.due if planned.deadline else None,
                                   bool(planned.deadline and planned.deadline.next_session)),
            followup=_shown_name(planned.followup) if planned.followup else texts.IMPORT_NOBODY))
    lines += _institution_lines(plan.names)
    lines += _quality_lines(plan)
    if plan.existing:
        lines.append(texts.t(texts.IMPORT_EXISTING, count=len(plan.existing),
                             codes=", ".join(a.parsed.code for a in plan.existing)))
    if plan.problems:
        lines.append(texts.IMPORT_PROBLEMS_HEADER)
        lines += [texts.t(texts.IMPORT_LINE, text=problem) for problem in plan.problems]
    elif not new:
        lines.append(texts.IMPORT_NOTHING_NEW)
    lines.append("\n" + texts.IMPORT_HOW_TO_FIX)
    return "\n".join(lines)


def render_preview_short(plan: ImportPlan, filename: str) -> str:
    """The preview in one message, for an acta whose whole preview goes as a file: what it is, the counts, and the
    problems that stop it (the first few)."""
    lines = _heading(plan, shorten(plan.parsed.title or texts.IMPORT_NO_TITLE, 200))
    new = plan.to_register
    if plan.names:
        lines.append(texts.t(texts.IMPORT_SHORT_INSTITUTIONS,
                             known=len({m.institution.id for m in plan.names if m.institution and not m.near}),
                             near=sum(m.near for m in plan.names), new=sum(m.institution is None for m in plan.names)))
    counts = [(sum(note in a.notes for a in new), template) for note, template in (
        (NO_DEADLINE, texts.IMPORT_SHORT_NO_DEADLINE), (NO_FOLLOWUP, texts.IMPORT_SHORT_NO_FOLLOWUP),
        (NO_IMPLEMENTER, texts.IMPORT_SHORT_NO_IMPLEMENTER))]
    counts.append((sum(DEADLINE_BEFORE_SESSION in a.notes or DEADLINE_TOO_LATE in a.notes for a in new),
                   texts.IMPORT_SHORT_DEADLINE_DROPPED))
    counts.append((len(plan.notes), texts.IMPORT_SHORT_NOTES))
    if items := [texts.t(template, count=count) for count, template in counts if count]:
        lines.append(texts.t(texts.IMPORT_SHORT_QUALITY, items=texts.Html(", ".join(items))))
    if plan.existing:
        lines.append(texts.t(texts.IMPORT_SHORT_EXISTING, count=len(plan.existing)))
    if plan.problems:
        lines.append(texts.t(texts.IMPORT_SHORT_PROBLEMS, count=len(plan.problems)))
        lines += [texts.t(texts.IMPORT_LINE, text=shorten(problem, 200)) for problem in plan.problems[:SHORT_LINES]]
        if len(plan.problems) > SHORT_LINES:
            lines.append(texts.t(texts.LONG_MORE, count=len(plan.problems) - SHORT_LINES))
    elif not new:
        lines.append(texts.IMPORT_NOTHING_NEW)
    lines.append("\n" + texts.t(texts.LONG_IN_FILE, filename=filename))
    lines.append(texts.IMPORT_HOW_TO_FIX)
    return "\n".join(lines)


def render_result_short(result: ImportResult, filename: str) -> str:
    """The summary after registering, in one message, for an acta whose whole summary goes as a file."""
    lines = [texts.t(texts.IMPORT_SAVED, agreements=_count(len(result.agreements), texts.IMPORT_AGREEMENTS),
                     assignments=_count(result.assignments, texts.IMPORT_ASSIGNMENTS),
                     session=session_name(result.session))]
    if result.new_institutions:
        lines.append(texts.t(texts.IMPORT_SAVED_NEW_COUNT, institutions=_count(len(result.new_institutions),
                                                                               texts.IMPORT_NEW_INSTITUTIONS)))
    if result.skipped:
        lines.append(texts.t(texts.IMPORT_SAVED_SKIPPED_COUNT, count=len(result.skipped)))
    lines.append(texts.t(texts.LONG_IN_FILE, filename=filename))
    lines.append(texts.IMPORT_SAVED_NEXT)
    return "\n".join(lines)


def render_result(result: ImportResult) -> str:
    """The summary after registering, in HTML."""
    lines = [texts.t(texts.IMPORT_SAVED, agreements=_count(len(result.agreements), texts.IMPORT_AGREEMENTS),
                     assignments=_count(result.assignments, texts.IMPORT_ASSIGNMENTS),
                     session=session_name(result.session))]
    if result.new_institutions:
        lines.append(texts.t(texts.IMPORT_SAVED_NEW,
                             institutions=_count(len(result.new_institutions), texts.IMPORT_NEW_INSTITUTIONS),
                             names=", ".join(result.new_institutions)))
    if result.aliases:
        lines.append(texts.t(texts.IMPORT_SAVED_ALIASES,
                             pairs=", ".join(texts.plain(texts.t(texts.IMPORT_ALIAS_PAIR, alias=alias, name=name))
                                             for alias, name in result.aliases)))
    if result.skipped:
        lines.append(texts.t(texts.IMPORT_SAVED_SKIPPED, codes=", ".join(result.skipped)))
    lines.append(texts.IMPORT_SAVED_NEXT)
    return "\n".join(lines)


class _Names:
    """Matches the acta's spellings to the committee's institutions, each spelling looked up once. The committee's
    names and learnt spellings are read in two queries, not two per spelling: an acta may name thousands."""

    def __init__(self, db: AsyncSession, committee: Committee):
        self._db, self._committee = db, committee
        self._found: dict[str, NameMatch] = {}
        self._all: list[tuple[Institution, set[str]]] | None = None  # each with the words of its key
        self._by_key: dict[str, Institution] = {}
        self._spellings: list[str] | None = None

    async def whole(self, names: list[str]) -> list[str]:
        """The acta's names with the pieces of an institution's full name the parser split joined again."""
        if self._spellings is None:
            self._spellings = await queries.institution_spellings(self._db, self._committee.id)
        return join_known(names, self._spellings)

    async def match(self, written: str) -> NameMatch | None:
        key = institution_key(written)
        if not key:
            return None
        if key not in self._found:
            await self._load()
            institution = self._by_key.get(key)
            near = None if institution else self._near(key)
            self._found[key] = NameMatch(written, institution or near, near is not None)
        return self._found[key]

    async def _load(self) -> None:
        """The committee's institutions by key, then by learnt spelling (a name wins over an alias, as in
        `queries.find_institution`)."""
        if self._all is not None:
            return
        committee_id = self._committee.id
        institutions = list(await self._db.scalars(select(Institution)
                                                   .where(Institution.committee_id == committee_id)))
        self._all = [(institution, set(institution.key.split())) for institution in institutions]
        self._by_key = {institution.key: institution for institution in institutions}
        by_id = {institution.id: institution for institution in institutions}
        aliases = await self._db.execute(select(InstitutionAlias.key, InstitutionAlias.institution_id)
                                         .where(InstitutionAlias.committee_id == committee_id))
        for key, institution_id in aliases:
            if institution_id in by_id:
                self._by_key.setdefault(key, by_id[institution_id])

    def _near(self, key: str) -> Institution | None:
        """The one institution whose words contain the spelling's, or are contained in them
        ("Región Policial" and "Región Policial Moquegua"); none when several could be meant."""
        words = set(key.split())
        candidates = [i for i, its_words in self._all if words <= its_words or its_words <= words]
        return candidates[0] if len(candidates) == 1 else None


async def _plan_agreement(parsed: ParsedAgreement, names: _Names, session: SessionKey | None,
                          registered: set[str]) -> PlannedAgreement:
    implementers = _unique([m for n in await names.whole(parsed.implementers) if (m := await names.match(n))])
    followups = [m for n in await names.whole(parsed.followup) if (m := await names.match(n))]
    followup = followups[0] if followups else None
    notes, problems = [], []
    if clean_code(parsed.code) is None:  # what Confirmar could not register is not offered
        problems.append(texts.plain(texts.t(texts.IMPORT_BAD_CODE, code=parsed.code)))
    if not implementers and followup:
        implementers, notes = [followup], [NO_IMPLEMENTER]
    elif not implementers:
        problems.append(texts.plain(texts.t(texts.IMPORT_NO_RESPONSIBLE, code=parsed.code)))
    deadline = parsed.deadline
    if deadline and deadline.due and session and deadline.due < session.held_on:
        notes.append(DEADLINE_BEFORE_SESSION)
        deadline = None
    elif deadline and deadline.due and session and deadline.due > latest_deadline(session.held_on):
        notes.append(DEADLINE_TOO_LATE)
        deadline = None
    if deadline is None:
        notes.append(NO_DEADLINE)
    if followup is None:
        notes.append(NO_FOLLOWUP)
    if len(parsed.text) > MAX_AGREEMENT_TEXT:
        problems.append(texts.plain(texts.t(texts.IMPORT_TEXT_TOO_LONG, code=parsed.code, length=len(parsed.text),
                                            max=MAX_AGREEMENT_TEXT)))
    return PlannedAgreement(parsed, implementers, followup, deadline, code_key(parsed.code) in registered, notes,
                            problems)


def _repeated_codes(agreements: list[PlannedAgreement]) -> list[str]:
    seen, repeated = set(), []
    for planned in agreements:
        key = code_key(planned.parsed.code)
        if key in seen:
            repeated.append(texts.plain(texts.t(texts.ACTA_REPEATED_CODE, code=planned.parsed.code)))
        seen.add(key)
    return repeated


def _unique(matches: list[NameMatch]) -> list[NameMatch]:
    """Each institution once, even when the acta spells it twice in one cell."""
    unique: dict[tuple, NameMatch] = {}
    for match in matches:
        unique.setdefault(("id", match.institution.id) if match.institution else ("new", match.key), match)
    return list(unique.values())


async def _session_of(db: AsyncSession, committee: Committee, parsed: ParsedActa) -> SessionKey | None:
    """The session the acta's heading names; with only a date, the committee's one session of that day."""
    if parsed.session_date is None:
        return None
    if parsed.session_kind and parsed.session_number:
        return SessionKey(SessionKind(parsed.session_kind), parsed.session_number, parsed.session_date)
    same_day = (await db.scalars(select(Session).where(Session.committee_id == committee.id,
                                                       Session.held_on == parsed.session_date))).all()
    return SessionKey(same_day[0].kind, same_day[0].number, same_day[0].held_on) if len(same_day) == 1 else None


async def _find_session(db: AsyncSession, committee: Committee, key: SessionKey) -> Session | None:
    return await db.scalar(select(Session).where(Session.committee_id == committee.id, Session.kind == key.kind,
                                                 Session.number == key.number, Session.held_on == key.held_on))


async def _same_number_other_day(db: AsyncSession, committee: Committee, key: SessionKey) -> list[str]:
    """A new session that repeats the kind and number of one that year is most often a mistyped date."""
    others = await db.scalars(select(Session).where(Session.committee_id == committee.id, Session.kind == key.kind,
                                                    Session.number == key.number))
    return [texts.plain(texts.t(texts.IMPORT_SAME_NUMBER, session=session_name(other))) for other in others
            if other.held_on.year == key.held_on.year]


def _institution_lines(names: list[NameMatch]) -> list[str]:
    known = list(dict.fromkeys(m.institution.name for m in names if m.institution and not m.near))
    new = [m.written for m in names if m.institution is None]
    lines = [texts.IMPORT_INSTITUTIONS_HEADER] if names else []
    if known:
        lines.append(texts.t(texts.IMPORT_KNOWN, names=", ".join(known)))
    lines += [texts.t(texts.IMPORT_NEAR, institution=m.institution.name, written=m.written) for m in names if m.near]
    if new:
        lines.append(texts.t(texts.IMPORT_NEW, count=len(new), names=", ".join(new)))
    return lines


def _quality_lines(plan: ImportPlan) -> list[str]:
    """The Defensoría's findings, made visible: no deadline, nobody to follow up, nobody to implement."""
    new = plan.to_register

    def codes(note: str) -> list[str]:
        return [a.parsed.code for a in new if note in a.notes]

    lines = []
    for note, template in ((NO_DEADLINE, texts.IMPORT_NO_DEADLINE), (NO_FOLLOWUP, texts.IMPORT_NO_FOLLOWUP)):
        if found := codes(note):
            lines.append(texts.t(template, count=len(found), total=len(new), codes=", ".join(found)))
    for planned in new:
        if NO_IMPLEMENTER in planned.notes:
            lines.append(texts.t(texts.IMPORT_NO_IMPLEMENTER, code=planned.parsed.code,
                                 followup=_shown_name(planned.followup)))
        if DEADLINE_BEFORE_SESSION in planned.notes:
            lines.append(texts.t(texts.IMPORT_DEADLINE_BEFORE, code=planned.parsed.code,
                                 deadline=day(planned.parsed.deadline.due)))
        if DEADLINE_TOO_LATE in planned.notes:
            lines.append(texts.t(texts.IMPORT_DEADLINE_TOO_LATE, code=planned.parsed.code,
                                 deadline=day(planned.parsed.deadline.due)))
    lines += [texts.t(texts.IMPORT_LINE, text=note) for note in plan.notes]
    return [texts.IMPORT_QUALITY_HEADER, *lines] if lines else []


def _shown_name(match: NameMatch) -> str:
    return match.institution.name if match.institution else match.written


def _count(n: int, words: tuple[str, str]) -> str:
    return f"{n} {words[0] if n == 1 else words[1]}"


def kept(parsed: ParsedActa, session: SessionKey | None, decisions: tuple) -> dict:
    """What a preview waiting for «Confirmar» keeps in the database (JSON): the acta as read, its session, and a
    digest of what the secretary is asked to confirm."""
    def deadline(value: Deadline | None) -> dict | None:
        return None if value is None else {"due": value.due.isoformat() if value.due else None,
                                           "next_session": value.next_session, "words": value.words}

    return {
        "parsed": {"title": parsed.title, "session_number": parsed.session_number,
                   "session_kind": parsed.session_kind,
                   "session_date": parsed.session_date.isoformat() if parsed.session_date else None,
                   "warnings": list(parsed.warnings),
                   "agreements": [{"code": a.code, "problem": a.problem, "text": a.text,
                                   "implementers": list(a.implementers), "followup": list(a.followup),
                                   "deadline": deadline(a.deadline)} for a in parsed.agreements]},
        "session": session_kept(session),
        "decisions": decisions_digest(decisions),
    }


def session_kept(session: SessionKey | None) -> dict | None:
    return None if session is None else {"kind": session.kind.value, "number": session.number,
                                         "held_on": session.held_on.isoformat()}


def session_restored(value: dict | None) -> SessionKey | None:
    return None if value is None else SessionKey(SessionKind(value["kind"]), value["number"],
                                                 date.fromisoformat(value["held_on"]))


def restored(value: dict) -> ParsedActa:
    """The acta `kept` stored, as read."""
    def deadline(d: dict | None) -> Deadline | None:
        return None if d is None else Deadline(date.fromisoformat(d["due"]) if d["due"] else None,
                                               d["next_session"], d["words"])

    return ParsedActa(value["title"], value["session_number"], value["session_kind"],
                      date.fromisoformat(value["session_date"]) if value["session_date"] else None,
                      [ParsedAgreement(a["code"], a["problem"], a["text"], a["implementers"], a["followup"],
                                       deadline(a["deadline"])) for a in value["agreements"]],
                      value["warnings"])


def decisions_digest(decisions: tuple) -> str:
    """A short, stable fingerprint of `ImportPlan.decisions()`, to tell at confirmation whether anything changed."""
    return hashlib.sha256(repr(decisions).encode()).hexdigest()
