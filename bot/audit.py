"""The audit trail: one entry per change, written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.entities import AuditEntry


def record(db: AsyncSession, *, at: datetime, actor: str, action: str, entity: str, entity_id: int | None,
           committee_id: int | None, **details: Any) -> None:
    db.add(AuditEntry(at=at, actor=actor, action=action, entity=entity, entity_id=entity_id,
                      committee_id=committee_id, details=details))


def telegram_actor(user_id: int) -> str:
    return f"telegram:{user_id}"
