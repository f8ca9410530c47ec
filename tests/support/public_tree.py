"""A tree of committees for the public site's tests: CONASEC → CORESEC Moquegua → COPROSEC Ilo → CODISEC Ilo
published, CODISEC Reservado not; a marker planted in everything that must never leave."""

from __future__ import annotations

from datetime import timedelta

from bot import committees
from bot.clock import local_today
from models.entities import (
    Agreement,
    Assignment,
    Committee,
    CommitteeKind,
    Evidence,
    Member,
    Role,
    Session,
    SessionKind,
    Status,
    StatusUpdate,
)

SECRET = "ZQXSECRETO"  # never on the site: planted in private fields and in what is not published
TREE = (  # name, kind, parent, published
    ("CONASEC", CommitteeKind.CONASEC, None, True),
    ("CORESEC Moquegua", CommitteeKind.CORESEC, "CONASEC", True),
    ("COPROSEC Ilo", CommitteeKind.COPROSEC, "CORESEC Moquegua", True),
    ("CODISEC Ilo", CommitteeKind.CODISEC, "COPROSEC Ilo", True),
    (f"CODISEC {SECRET}", CommitteeKind.CODISEC, "COPROSEC Ilo", False),
    ("CORESEC Tacna", CommitteeKind.CORESEC, "CONASEC", False),
)


async def seed_public_tree(sessions, clock) -> dict[str, int]:
    """The tree, with agreements of every light in CODISEC Ilo (and one reserved); the committees' ids by name."""
    today = local_today(clock, "America/Lima")
    now = clock.now()
    ids = {}
    async with sessions.begin() as db:
        for name, kind, parent, published in TREE:
            committee = await committees.add_committee(db, name=name, kind=kind, parent=parent,
                                                       timezone="America/Lima", now=now)
            committee.published = published
            ids[name] = committee.id
            hidden = "" if published else f" {SECRET}"
            pnp, _ = await committees.add_institution(db, committee=committee, name=f"PNP{hidden}", now=now,
                                                      actor="t")
            serenazgo, _ = await committees.add_institution(db, committee=committee, name="Serenazgo", now=now,
                                                            actor="t")
            db.add(Member(committee_id=committee.id, role=Role.SECRETARY, chat_id=900 + committee.id,
                          user_id=900 + committee.id, display_name=f"Rosa {SECRET}", created_at=now))
            session = Session(committee_id=committee.id, kind=SessionKind.ORDINARIA, number=1,
                              held_on=today - timedelta(days=40), created_at=now)
            rows = [  # code, text, deadline, [(institution, status, updated)]
                ("1", f"Patrullaje integrado en el mercado{hidden}", today - timedelta(days=5),
                 [(pnp, Status.EN_PROCESO, True)]),
                ("2", f"Recuperar el parque{hidden}", today + timedelta(days=3),
                 [(pnp, Status.CON_DIFICULTADES, True), (serenazgo, Status.EN_PROCESO, True)]),
                ("3", f"Cámaras de videovigilancia{hidden}", today + timedelta(days=40),
                 [(serenazgo, Status.EN_PROCESO, True)]),
                ("4", f"Mapa del delito{hidden}", None, [(pnp, Status.PENDIENTE, False)]),
                ("5", f"Alumbrado público{hidden}", today - timedelta(days=2), [(serenazgo, Status.CUMPLIDO, True)]),
                ("6", f"Acuerdo reservado {SECRET}", today + timedelta(days=20), [(pnp, Status.EN_PROCESO, True)]),
                ("7", f"Acuerdo anulado{hidden}", None, [(pnp, Status.ANULADO, True)]),
            ]
            for code, text, deadline, responsibles in rows:
                agreement = Agreement(committee_id=committee.id, session=session, code=code, text=text,
                                      problem=f"Problema {SECRET}", deadline=deadline, created_at=now,
                                      reserved=code == "6",
                                      cancelled_at=now if code == "7" else None,
                                      cancel_reason=f"Motivo {SECRET}" if code == "7" else None)
                for institution, status, updated in responsibles:
                    agreement.assignments.append(Assignment(
                        institution=institution, status=status, percent=50, created_at=now - timedelta(days=30),
                        last_update_at=now - timedelta(days=3) if updated else None))
                db.add(agreement)
                await db.flush()
                for assignment, (_, status, updated) in zip(agreement.assignments, responsibles):
                    if not updated:
                        continue
                    update = StatusUpdate(assignment_id=assignment.id, status=status, percent=50,
                                          note=f"Oficio N° 12 {SECRET}", author_name=f"Carlos {SECRET}",
                                          created_at=now - timedelta(days=3))
                    db.add(update)
                    await db.flush()
                    db.add(Evidence(status_update_id=update.id, kind="document", file_id=f"f{SECRET}",
                                    file_unique_id=f"u{assignment.id}", name=f"{SECRET}.pdf", created_at=now))
    return ids


async def committee_of(sessions, name: str) -> Committee:
    from models import queries

    async with sessions() as db:
        return await queries.committee_by_name(db, name)


async def add_many_agreements(sessions, clock, committee_id: int, count: int) -> None:
    """`count` more agreements in the committee, each with the longest text a page shows, three institutions and a
    history of changes: a committee whose page would weigh several times 100 KB."""
    today = local_today(clock, "America/Lima")
    now = clock.now()
    statuses = [Status.PENDIENTE, Status.EN_PROCESO, Status.CON_DIFICULTADES, Status.REPORTADO, Status.CUMPLIDO]
    async with sessions.begin() as db:
        committee = await db.get(Committee, committee_id)
        institutions = []
        for name in ("Gobierno Local", "Ministerio Público", "UGEL"):
            institution, _ = await committees.add_institution(db, committee=committee, name=name, now=now,
                                                              actor="t")
            institutions.append(institution)
        session = Session(committee_id=committee_id, kind=SessionKind.ORDINARIA, number=2,
                          held_on=today - timedelta(days=90), created_at=now)
        for number in range(1, count + 1):
            agreement = Agreement(committee_id=committee_id, session=session, code=f"9.{number}",
                                  text=f"Acuerdo 9.{number}: " + "coordinar el patrullaje y remitir el informe. " * 8,
                                  deadline=today + timedelta(days=number % 60 - 20) if number % 7 else None,
                                  created_at=now)
            for institution in institutions:
                agreement.assignments.append(Assignment(
                    institution=institution, status=statuses[number % 5], percent=number % 101,
                    created_at=now - timedelta(days=80), last_update_at=now - timedelta(days=number % 30)))
            db.add(agreement)
            await db.flush()
            for assignment in agreement.assignments:
                for step, status in enumerate(statuses[:number % 5 + 1]):
                    db.add(StatusUpdate(assignment_id=assignment.id, status=status, percent=20 * step,
                                        note="Oficio", author_name="Carlos",
                                        created_at=now - timedelta(days=70 - 10 * step)))
