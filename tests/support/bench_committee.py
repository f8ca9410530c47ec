"""The committee the progress benchmarks report on: 50 institutions with 10 agreements each, and their people."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bot import agreements, committees
from bot.deadlines import Deadline
from models.entities import CommitteeKind, Member, Role, SessionKind

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
INSTITUTIONS = 50
AGREEMENTS_PER_INSTITUTION = 10


async def build_committee(sessions, people: int) -> None:
    """One committee, 50 institutions with 10 agreements each, and `people` focal points spread over them."""
    async with sessions.begin() as db:
        committee = await committees.add_committee(db, name="CORESEC Benchmark", kind=CommitteeKind.CORESEC,
                                                   parent=None, timezone="America/Lima", now=NOW)
        session, _ = await committees.register_session(db, committee=committee, kind=SessionKind.ORDINARIA, number=1,
                                                       held_on=date(2026, 2, 25), now=NOW, actor="bench")
        institutions = []
        for i in range(INSTITUTIONS):
            institution, _ = await committees.add_institution(db, committee=committee, name=f"Institución {i}",
                                                              now=NOW, actor="bench")
            institutions.append(institution)
            for n in range(AGREEMENTS_PER_INSTITUTION):
                await agreements.register_agreement(
                    db, committee=committee, session=session, code=f"{i + 1}.{n + 1}", text=f"Acuerdo {i}.{n}",
                    institutions=[institution], deadline=Deadline(date(2026, 4, 30)), now=NOW, actor="bench")
        for person in range(people):
            user_id = 10_000 + person
            db.add(Member(committee_id=committee.id, role=Role.IMPLEMENTER,
                          institution_id=institutions[person % INSTITUTIONS].id, chat_id=user_id, user_id=user_id,
                          is_group=False, display_name=f"Persona {person}", active=True, created_at=NOW))
