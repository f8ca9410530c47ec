"""Row locks that work the same on PostgreSQL and SQLite, and small helpers for batched statements."""

from __future__ import annotations

from typing import Iterable, Iterator, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")


def is_postgres(db: AsyncSession) -> bool:
    return db.get_bind().dialect.name == "postgresql"


async def lock(db: AsyncSession, column: InstrumentedAttribute, ids: list[int]) -> None:
    """Hold these rows until the transaction ends, so that two planners never plan the same rows at once."""
    if not ids:
        return
    if is_postgres(db):
        # Always in id order: two transactions locking overlapping sets cannot deadlock.
        await db.execute(select(column).where(column.in_(ids)).order_by(column).with_for_update())
    else:
        # SQLite has no row locks: a no-op write takes its one write lock now, before anything is read.
        await db.execute(update(column.class_).where(column.in_(ids)).values({column.key: column})
                         .execution_options(synchronize_session=False))


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
