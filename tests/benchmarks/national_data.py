"""A national-scale database for the summary benchmark, the same on every run (seeded).

2,100 committees with agreements (26 CORESEC, 196 COPROSEC, 1,878 CODISEC) under one CONASEC; 100,000 agreements,
250,000 assignments, 1,000,000 status updates, about 100,000 sent reminders and four weeks of weekly summaries,
over the year before Monday 1 June 2026. Written with Core inserts (executemany), not the ORM.

    python tests/benchmarks/national_data.py [--postgres URL]   # builds it unless it is already there
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from models.db import create_engine, upgrade  # noqa: E402
from models.entities import (  # noqa: E402
    Agreement,
    Assignment,
    AuditEntry,
    Committee,
    CommitteeKind,
    Institution,
    Member,
    Reminder,
    Role,
    Session,
    SessionKind,
    Status,
    StatusUpdate,
)

VERSION = 1
SEED = 2026
NOW = datetime(2026, 6, 1, 13, 0, tzinfo=timezone.utc)  # Monday 1 June 2026, 08:00 in Lima
LONG_AGO = NOW - timedelta(days=400)
SQLITE_FILE = Path("/tmp/acuerdos-bench") / f"national-v{VERSION}.db"
REGIONS, PROVINCES, DISTRICTS = 26, 196, 1878
AGREEMENTS, ASSIGNMENTS, UPDATES = 100_000, 250_000, 1_000_000
INSTITUTIONS = ("PNP", "Gobierno Local", "Warmi Ñan", "Prefectura", "Ministerio Público", "DIRESA", "UGEL",
                "Juntas Vecinales", "Serenazgo", "Poder Judicial", "INABIF", "Defensoría del Pueblo")
FINAL = ((Status.PENDIENTE, 25), (Status.EN_PROCESO, 30), (Status.CON_DIFICULTADES, 8), (Status.REPORTADO, 7),
         (Status.OBSERVADO, 5), (Status.CUMPLIDO, 22), (Status.ANULADO, 3))
BATCH = 20_000
MARKER = "benchmark_data"


def spread(total: int, count: int, low: int, high: int, rng: random.Random) -> list[int]:
    """`count` random integers in [low, high] that add up to exactly `total`."""
    values = [rng.randint(low, high) for _ in range(count)]
    difference = total - sum(values)
    step = 1 if difference > 0 else -1
    while difference:
        index = rng.randrange(count)
        if low <= values[index] + step <= high:
            values[index] += step
            difference -= step
    return values


class Writer:
    """Buffers rows per table and writes them with one executemany per table, parents before children."""

    ORDER = [entity.__table__ for entity in (Committee, Member, Institution, Session, Agreement, Assignment,
                                              StatusUpdate, Reminder, AuditEntry)]

    def __init__(self, connection):
        self.connection = connection
        self.rows: dict = {table: [] for table in self.ORDER}
        self.written: dict[str, int] = {}

    async def add(self, table, row: dict) -> None:
        self.rows[table].append(row)
        if len(self.rows[table]) >= BATCH:
            await self.flush()

    async def flush(self) -> None:
        for table in self.ORDER:
            if self.rows[table]:
                await self.connection.execute(insert(table), self.rows[table])
                self.written[table.name] = self.written.get(table.name, 0) + len(self.rows[table])
                self.rows[table] = []


def tree(rng: random.Random) -> list[tuple[int, str, CommitteeKind, int | None]]:
    committees = [(1, "CONASEC", CommitteeKind.CONASEC, None)]
    regions = [(2 + n, f"CORESEC Región {n + 1:02d}", CommitteeKind.CORESEC, 1) for n in range(REGIONS)]
    provinces = [(len(committees) + REGIONS + n + 1, f"COPROSEC Provincia {n + 1:03d}", CommitteeKind.COPROSEC,
                  regions[n % REGIONS][0]) for n in range(PROVINCES)]
    first_district = len(committees) + REGIONS + PROVINCES + 1
    districts = [(first_district + n, f"CODISEC Distrito {n + 1:04d}", CommitteeKind.CODISEC,
                  provinces[rng.randrange(PROVINCES)][0]) for n in range(DISTRICTS)]
    return committees + regions + provinces + districts


async def generate(url: str) -> dict[str, int]:
    rng = random.Random(SEED)
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    committees = tree(rng)
    weight = {CommitteeKind.CORESEC: 3.0, CommitteeKind.COPROSEC: 1.5, CommitteeKind.CODISEC: 1.0}
    followed = [c for c in committees if c[2] != CommitteeKind.CONASEC]
    shares = [weight[c[2]] * rng.uniform(0.3, 1.7) for c in followed]
    per_committee = [max(1, round(AGREEMENTS * s / sum(shares))) for s in shares]
    per_committee[-1] += AGREEMENTS - sum(per_committee)
    per_agreement = spread(ASSIGNMENTS, AGREEMENTS, 1, 4, rng)
    statuses = rng.choices([s for s, _ in FINAL], weights=[w for _, w in FINAL], k=ASSIGNMENTS)
    updated = [n for n, status in enumerate(statuses) if status != Status.PENDIENTE]
    updates_of = dict(zip(updated, spread(UPDATES, len(updated), 1, 10, rng)))

    async with engine.begin() as connection:
        writer = Writer(connection)
        ids = {"institution": 0, "session": 0, "agreement": 0, "assignment": 0, "update": 0, "reminder": 0}
        for committee_id, name, kind, parent in committees:
            await writer.add(Committee.__table__, dict(id=committee_id, name=name, kind=kind, parent_id=parent,
                                                       timezone="America/Lima", settings={}, created_at=LONG_AGO))
            chat = 10_000_000 + committee_id
            await writer.add(Member.__table__, dict(committee_id=committee_id, role=Role.SECRETARY, chat_id=chat,
                                                    user_id=chat, is_group=False, display_name="Secretaría",
                                                    active=True, created_at=LONG_AGO))
        await writer.flush()
        agreement_index = assignment_index = 0
        for (committee_id, _, _, _), count in zip(followed, per_committee):
            institutions = []
            for name in rng.sample(INSTITUTIONS, rng.randint(6, len(INSTITUTIONS))):
                ids["institution"] += 1
                institutions.append(ids["institution"])
                await writer.add(Institution.__table__, dict(id=ids["institution"], committee_id=committee_id,
                                                             name=name, key=name.lower(), created_at=LONG_AGO))
            sessions = []
            for number, days_ago in enumerate((360, 270, 180, 90), start=1):
                ids["session"] += 1
                held_on = (NOW - timedelta(days=days_ago + rng.randint(0, 20))).date()
                sessions.append((ids["session"], held_on))
                await writer.add(Session.__table__, dict(id=ids["session"], committee_id=committee_id,
                                                         kind=SessionKind.ORDINARIA, number=number, held_on=held_on,
                                                         created_at=LONG_AGO))
            for code in range(1, count + 1):
                session_id, held_on = rng.choice(sessions)
                created = datetime.combine(held_on + timedelta(days=1), datetime.min.time(), timezone.utc) \
                    + timedelta(hours=14)
                roll = rng.random()
                deadline = held_on + timedelta(days=rng.randint(7, 150)) if roll < 0.45 else None
                ids["agreement"] += 1
                await writer.add(Agreement.__table__, dict(
                    id=ids["agreement"], committee_id=committee_id, session_id=session_id, code=str(code),
                    problem="", text=f"Acuerdo {code}: coordinar acciones de prevención del delito y remitir "
                                     "el informe de avance a la Secretaría Técnica.",
                    deadline=deadline, deadline_next_session=0.45 <= roll < 0.5, created_at=created))
                for institution_id in rng.sample(institutions, per_agreement[agreement_index]):
                    await assignment(writer, rng, ids, institution_id, committee_id, created, deadline,
                                     statuses[assignment_index], updates_of.get(assignment_index, 0))
                    assignment_index += 1
                agreement_index += 1
            for weeks_ago in range(4, 0, -1):
                monday = NOW - timedelta(weeks=weeks_ago)
                ids["reminder"] += 1
                await writer.add(Reminder.__table__, dict(
                    id=ids["reminder"], assignment_id=None, committee_id=committee_id,
                    chat_id=10_000_000 + committee_id, kind="summary",
                    payload={"weekday": 0, "hour": 8}, due_at=monday, sent_at=monday, attempts=1, created_at=monday))
        await writer.add(AuditEntry.__table__, dict(at=NOW, actor="benchmark", action=MARKER, entity="database",
                                                    details={"version": VERSION, "seed": SEED}))
        await writer.flush()
        if engine.dialect.name == "postgresql":
            for table in ("committee", "institution", "session", "agreement", "assignment", "status_update",
                          "reminder", "member", "audit_entry"):
                await connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    async with engine.begin() as connection:  # the planner's statistics, as PostgreSQL's autovacuum would gather
        await connection.execute(text("ANALYZE"))
    await engine.dispose()
    return writer.written


async def assignment(writer: Writer, rng: random.Random, ids: dict, institution_id: int, committee_id: int,
                     created: datetime, deadline: date | None, status: Status, updates: int) -> None:
    ids["assignment"] += 1
    assignment_id = ids["assignment"]
    span = max((NOW - created).total_seconds(), 3600)
    moments = sorted(created + timedelta(seconds=rng.uniform(0, span)) for _ in range(updates))
    percent, updates_rows = 0, []
    for index, moment in enumerate(moments):
        last = index == len(moments) - 1
        done = last and status in (Status.REPORTADO, Status.CUMPLIDO)
        percent = 100 if done else min(95, percent + rng.randint(5, 30))
        ids["update"] += 1
        updates_rows.append(dict(
            id=ids["update"], assignment_id=assignment_id, author_name="Punto focal",
            status=status if last else Status.EN_PROCESO, percent=percent, note="Se remitió el oficio de avance.",
            created_at=moment))
    await writer.add(Assignment.__table__, dict(
        id=assignment_id, agreement_id=ids["agreement"], institution_id=institution_id, status=status,
        percent=percent, last_update_at=moments[-1] if moments else None, created_at=created))
    for row in updates_rows:
        await writer.add(StatusUpdate.__table__, row)
    if status not in (Status.CUMPLIDO, Status.ANULADO) and deadline is not None and rng.random() < 0.6:
        for _ in range(rng.randint(1, 3)):
            moment = NOW - timedelta(days=rng.uniform(0.5, 30))
            ids["reminder"] += 1
            await writer.add(Reminder.__table__, dict(
                id=ids["reminder"], assignment_id=assignment_id, committee_id=committee_id,
                chat_id=20_000_000 + institution_id, kind="reminder", payload={}, due_at=moment, sent_at=moment,
                attempts=1, created_at=moment))


async def present(url: str) -> bool:
    """Whether this version of the data is already in the database."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(select(func.count()).select_from(AuditEntry)
                                            .where(AuditEntry.action == MARKER))
            details = await connection.scalar(select(AuditEntry.details).where(AuditEntry.action == MARKER))
        return bool(found) and details == {"version": VERSION, "seed": SEED}
    except Exception:
        return False
    finally:
        await engine.dispose()


async def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL if it does not exist yet, tuned as for an SSD."""
    parsed = make_url(url)
    engine = create_engine(parsed.set(database="postgres").render_as_string(hide_password=False),
                           isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            if not await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                           {"name": parsed.database}):
                await connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
            # The usual setting when the data sits in memory or on an SSD (the default, 4, assumes spinning disks).
            await connection.execute(text(f'ALTER DATABASE "{parsed.database}" SET random_page_cost = 1.1'))
    finally:
        await engine.dispose()


def sqlite_url() -> str:
    return f"sqlite+aiosqlite:///{SQLITE_FILE}"


async def build(url: str) -> None:
    if url.startswith("postgresql"):
        await ensure_database(url)
    if await present(url):
        print(f"Benchmark data v{VERSION} already in {make_url(url).render_as_string()}", file=sys.stderr)
        return
    if not url.startswith("postgresql"):
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        for leftover in SQLITE_FILE.parent.glob(SQLITE_FILE.name + "*"):
            leftover.unlink()
    started = asyncio.get_running_loop().time()
    written = await generate(url)
    print(f"Built the national data in {asyncio.get_running_loop().time() - started:.0f} s: "
          + ", ".join(f"{count:,} {table}" for table, count in sorted(written.items())), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="build in this PostgreSQL database instead of SQLite")
    args = parser.parse_args()
    asyncio.run(build(args.postgres or sqlite_url()))


if __name__ == "__main__":
    main()
