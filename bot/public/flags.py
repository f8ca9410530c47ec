"""What a secretary decides about the public site: whether the committee is published, and which agreements are
reserved. Each change is audited in its own transaction, like the other secretary actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from models.entities import Agreement, Committee


def set_published(db: AsyncSession, committee: Committee, published: bool, *, now: datetime, actor: str) -> bool:
    """Publish the committee, or take it off the site; whether anything changed."""
    if committee.published == published:
        return False
    audit.record(db, at=now, actor=actor, action="publication_changed", entity="committee", entity_id=committee.id,
                 committee_id=committee.id, old=committee.published, new=published)
    committee.published = published
    return True


def set_reserved(db: AsyncSession, agreement: Agreement, reserved: bool, *, now: datetime, actor: str) -> bool:
    """Keep the agreement off the site (`reserved`), or show it again; whether anything changed."""
    if agreement.reserved == reserved:
        return False
    audit.record(db, at=now, actor=actor, action="agreement_reserved" if reserved else "agreement_unreserved",
                 entity="agreement", entity_id=agreement.id, committee_id=agreement.committee_id)
    agreement.reserved = reserved
    return True
