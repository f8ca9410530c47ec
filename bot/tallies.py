"""Each committee's own semáforo counts, kept in `committee_tally` for the national roll-up and the public site.

A committee's lights change only when its data change (every change is audited with its committee, and a reminder
sent counts towards "sin respuesta") or when its day turns. Its fingerprint says both: the committee's last audit
entry, its last reminder sent, and its local date. A stored row whose fingerprint still holds is the truth; the
others are judged again from `rollup.facts`. Reads never write: only `refresh` (the publishing job, the command
line) stores what it judged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import summaries
from models.entities import AuditEntry, CommitteeTally, Reminder, Status
from models.semaforo import Tally

CHUNK = 200  # committees judged at once, so that memory stays flat under CONASEC's 100,000 agreements
VERSION = "1"  # a new way of counting invalidates every stored row


async def fingerprints(db: AsyncSession, committees: Sequence, now: datetime) -> dict[int, str]:
    """Per committee (rows with id and timezone): what its lights depend on, as one string; two statements."""
    ids = [c.id for c in committees]
    audited = dict((await db.execute(select(AuditEntry.committee_id, func.max(AuditEntry.id))
                                     .where(AuditEntry.committee_id.in_(ids))
                                     .group_by(AuditEntry.committee_id))).all())
    sent = dict((await db.execute(select(Reminder.committee_id, func.max(Reminder.sent_at))
                                  .where(Reminder.committee_id.in_(ids), Reminder.sent_at.is_not(None))
                                  .group_by(Reminder.committee_id))).all())
    days: dict[str, str] = {}
    for c in committees:
        if c.timezone not in days:
            days[c.timezone] = now.astimezone(ZoneInfo(c.timezone)).date().isoformat()
    return {c.id: f"{VERSION}|{days[c.timezone]}|{audited.get(c.id, 0)}|{sent.get(c.id) or ''}" for c in committees}


async def judged(db: AsyncSession, committees: Sequence, now: datetime) -> dict[int, tuple[int, int, int, int, int]]:
    """Judge these committees' agreements now: (green, yellow, red, grey, done) each, in chunks."""
    counts: dict[int, tuple[int, int, int, int, int]] = {c.id: (0, 0, 0, 0, 0) for c in committees}
    for first in range(0, len(committees), CHUNK):
        chunk = committees[first:first + CHUNK]
        for committee_id, states in (await summaries.agreement_states(db, chunk, now, now)).items():
            tally = Tally.of(a.light for a in states if a.light is not None)
            done = sum(1 for a in states if a.light is not None and a.status == Status.CUMPLIDO)
            counts[committee_id] = (tally.green, tally.yellow, tally.red, tally.grey, done)
    return counts


async def tallies(db: AsyncSession, committees: Sequence, now: datetime,
                  fingerprint: dict[int, str] | None = None) -> tuple[dict[int, tuple], list]:
    """Each committee's own (green, yellow, red, grey, done): stored where its fingerprint holds, judged otherwise.
    Also gives the committees judged, for `refresh` to store."""
    fingerprint = fingerprint or await fingerprints(db, committees, now)
    ids = [c.id for c in committees]
    stored = {row.committee_id: row for row in (await db.execute(
        select(CommitteeTally).where(CommitteeTally.committee_id.in_(ids)))).scalars()}
    counts: dict[int, tuple] = {}
    stale = []
    for c in committees:
        row = stored.get(c.id)
        if row is not None and row.fingerprint == fingerprint[c.id]:
            counts[c.id] = (row.green, row.yellow, row.red, row.grey, row.done)
        else:
            stale.append(c)
    counts.update(await judged(db, stale, now))
    return counts, stale


def as_tally(counts: tuple) -> Tally:
    return Tally(*counts[:4])


async def refresh(sessions, committees: Sequence, now: datetime) -> int:
    """Judge again the committees whose fingerprint moved, in a read session, and store their counts in a short
    transaction of its own; how many were stored. The fingerprint is read before the facts: a row labelled with
    an older fingerprint than its facts is only judged once more, never trusted wrongly."""
    async with sessions() as db:
        fingerprint = await fingerprints(db, committees, now)
        counts, stale = await tallies(db, committees, now, fingerprint)
    if not stale:
        return 0
    rows = [dict(committee_id=c.id, fingerprint=fingerprint[c.id], green=counts[c.id][0], yellow=counts[c.id][1],
                 red=counts[c.id][2], grey=counts[c.id][3], done=counts[c.id][4])
            for c in sorted(stale, key=lambda c: c.id)]  # one order, so two writers never wait in a circle
    async with sessions.begin() as db:
        insert = postgresql_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
        statement = insert(CommitteeTally)
        statement = statement.on_conflict_do_update(
            index_elements=[CommitteeTally.committee_id],
            set_={name: statement.excluded[name] for name in ("fingerprint", "green", "yellow", "red", "grey",
                                                                "done")})
        for first in range(0, len(rows), 500):
            await db.execute(statement, rows[first:first + 500])
    return len(rows)
