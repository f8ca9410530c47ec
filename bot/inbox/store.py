"""The inbox's reads and writes, each in its own short transaction (but `mark_in`, which joins the handler's).

A row goes: stored (handled_at empty) → claimed with a lease (claimed_by, claimed_until, in real time) → handled
(handled_at, its payload emptied; error when the handling itself failed) → deleted KEEP_HANDLED later. A chat's
rows are claimed together and only while none of its waiting rows is claimed by anyone: one instance at a time
handles a chat, in update_id order.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import takewhile
from typing import Any, Iterable

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.entities import InboxUpdate

KEEP_HANDLED = timedelta(days=7)
# A handled row keeps only its update_id (duplicates are dropped by it), not what the person wrote: an invitation
# code in a /start stays in the database only until the update is handled (docs/design.md, "Invitation codes").
HANDLED: dict[str, Any] = {}
PICK_WINDOW = 500  # waiting rows read at a time to pick the chats to claim
NO_CHAT = 0  # the chat key of an update with neither chat nor person: they wait for one another


def real_now() -> datetime:
    """Leases and handled_at are in real time, not the business clock: other instances read them."""
    return datetime.now(timezone.utc)


def chat_of(payload: dict[str, Any]) -> int:
    """The chat an update's handling waits for, read from its JSON as bot/concurrency.py's chat_key reads the
    Update: the message's chat, or else the person's id."""
    for value in payload.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict) and "id" in chat:
                return int(chat["id"])
    for value in payload.values():
        if isinstance(value, dict):
            person = value.get("from") or value.get("user")
            if isinstance(person, dict) and "id" in person:
                return int(person["id"])
    return NO_CHAT


async def store(sessions: async_sessionmaker[AsyncSession], payloads: list[dict[str, Any]]) -> int:
    """Store a getUpdates answer (or a webhook's update) in one transaction; an update_id already stored is
    dropped. Returns how many were new."""
    if not payloads:
        return 0
    async with sessions.begin() as db:
        return await _insert(db, payloads, real_now())


async def store_and_claim(sessions: async_sessionmaker[AsyncSession], payloads: list[dict[str, Any]], *,
                          worker: str, chats: int, per_chat: int, lease: timedelta,
                          skip_chats: Iterable[int] = ()) -> tuple[int, Claimed]:
    """`store`, and in the same transaction `claim` for `worker`: on SQLite's one connection an update then takes
    two turns instead of three (stored and claimed, handled)."""
    if not payloads:
        return 0, Claimed()
    now = real_now()
    async with sessions.begin() as db:
        new = await _insert(db, payloads, now)
        claimed = await _claim_in(db, now, worker, chats, per_chat, lease, set(skip_chats)) if chats > 0 \
            else Claimed()
    return new, claimed


async def _insert(db: AsyncSession, payloads: list[dict[str, Any]], now: datetime) -> int:
    rows = [{"update_id": int(p["update_id"]), "chat_id": chat_of(p), "payload": p, "received_at": now}
            for p in payloads]
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await db.execute(insert(InboxUpdate).values(rows).on_conflict_do_nothing(
        index_elements=[InboxUpdate.update_id]))
    return max(result.rowcount, 0)


@dataclass(frozen=True)
class Row:
    update_id: int
    chat_id: int
    payload: dict[str, Any]


def _waiting():
    return InboxUpdate.handled_at.is_(None)


class Claimed(dict[int, list[Row]]):
    """{chat: rows in update_id order}; `left`: waiting rows were seen and not taken (their chat was held or skipped,
    or there were more than asked for), so another claim may find work once a chat is free."""

    left: bool = False


async def claim(sessions: async_sessionmaker[AsyncSession], *, worker: str, chats: int, per_chat: int,
                lease: timedelta, skip_chats: Iterable[int] = ()) -> Claimed:
    """Take the first waiting rows of up to `chats` chats that nobody holds (the chats whose first row came
    first), at most `per_chat` each."""
    now = real_now()
    async with sessions.begin() as db:
        return await _claim_in(db, now, worker, chats, per_chat, lease, set(skip_chats))


async def _claim_in(db: AsyncSession, now: datetime, worker: str, chats: int, per_chat: int, lease: timedelta,
                    skip: set[int]) -> Claimed:
    claimed = Claimed()
    picked, claimed.left = await _pick(db, now, chats, per_chat, skip)
    if not picked:
        return claimed
    ids = [u for rows in picked.values() for u in rows]
    if db.get_bind().dialect.name == "postgresql":
        # Another instance may have picked the same chat: keep only each chat's rows from its first one on,
        # without a gap, that this transaction could lock and that are still free.
        free = or_(InboxUpdate.claimed_until.is_(None), InboxUpdate.claimed_until <= now)
        locked = set(await db.scalars(select(InboxUpdate.update_id)
                                      .where(InboxUpdate.update_id.in_(ids), _waiting(), free)
                                      .with_for_update(skip_locked=True)))
        claimed.left |= not locked.issuperset(ids)
        picked = {chat: prefix for chat, rows in picked.items()
                  if (prefix := list(takewhile(locked.__contains__, rows)))}
        ids = [u for rows in picked.values() for u in rows]
        if not ids:
            return claimed
    payloads = dict((await db.execute(update(InboxUpdate).where(InboxUpdate.update_id.in_(ids))
                                      .values(claimed_by=worker, claimed_until=now + lease)
                                      .returning(InboxUpdate.update_id, InboxUpdate.payload)
                                      .execution_options(synchronize_session=False))).all())
    claimed.update({chat: [Row(u, chat, payloads[u]) for u in rows] for chat, rows in picked.items()})
    return claimed


async def _pick(db: AsyncSession, now: datetime, chats: int, per_chat: int,
                skip: set[int]) -> tuple[dict[int, list[int]], bool]:
    """Read the waiting rows in update_id order, a window at a time (the index on handled_at, update_id: a backlog
    of thousands costs no more than a few): a chat whose first waiting row is claimed and its lease not run out is
    held by someone; a chat is picked at its first row, and keeps the rows that follow it, free, up to `per_chat`.
    Returns the picked rows, and whether any waiting row was left."""
    seen: set[int] = set()
    picked: dict[int, list[int]] = {}
    closed: set[int] = set()  # picked chats whose run of free rows ended
    left = False
    after = None
    while True:
        window = select(InboxUpdate.update_id, InboxUpdate.chat_id, InboxUpdate.claimed_until).where(_waiting())
        if after is not None:
            window = window.where(InboxUpdate.update_id > after)
        rows = (await db.execute(window.order_by(InboxUpdate.update_id).limit(PICK_WINDOW))).all()
        for update_id, chat, until in rows:
            held = until is not None and until > now
            # A held row is someone's work in hand; a free row not taken is work left for a later claim.
            if chat in picked:
                if chat in closed or held or len(picked[chat]) >= per_chat:
                    closed.add(chat)
                    left |= not held
                else:
                    picked[chat].append(update_id)
            elif chat not in seen:
                seen.add(chat)
                if not held and chat not in skip and len(picked) < chats:
                    picked[chat] = [update_id]
                else:
                    left |= not held
            else:
                left |= not held
        if len(rows) < PICK_WINDOW:
            return picked, left
        if len(picked) >= chats:
            return picked, True
        after = rows[-1].update_id


async def renew(sessions: async_sessionmaker[AsyncSession], *, worker: str, lease: timedelta) -> None:
    """Our rows in hand keep their lease."""
    async with sessions.begin() as db:
        await db.execute(update(InboxUpdate).where(InboxUpdate.claimed_by == worker, _waiting())
                         .values(claimed_until=real_now() + lease).execution_options(synchronize_session=False))


async def mark_handled(sessions: async_sessionmaker[AsyncSession], update_id: int, *,
                       error: str | None = None) -> None:
    """Handled (after the handlers ran, whether or not they wrote): never handled again."""
    async with sessions.begin() as db:
        await db.execute(update(InboxUpdate).where(InboxUpdate.update_id == update_id, _waiting())
                         .values(handled_at=real_now(), claimed_until=None, payload=HANDLED,
                                 error=error[:500] if error else None)
                         .execution_options(synchronize_session=False))


async def release(sessions: async_sessionmaker[AsyncSession], ids: list[int], *, worker: str) -> None:
    """Give back rows claimed but not handled (the bot is stopping), so that nobody waits for their lease."""
    if ids:
        async with sessions.begin() as db:
            await db.execute(update(InboxUpdate).where(InboxUpdate.update_id.in_(ids),
                                                       InboxUpdate.claimed_by == worker, _waiting())
                             .values(claimed_by=None, claimed_until=None)
                             .execution_options(synchronize_session=False))


async def purge(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Delete the rows handled more than KEEP_HANDLED ago."""
    async with sessions.begin() as db:
        result = await db.execute(delete(InboxUpdate).where(InboxUpdate.handled_at < real_now() - KEEP_HANDLED)
                                  .execution_options(synchronize_session=False))
    return result.rowcount


async def waiting_count(db: AsyncSession) -> int:
    return await db.scalar(select(func.count()).select_from(InboxUpdate).where(_waiting())) or 0


@dataclass
class Handling:
    """The inbox row whose update this task is handling: the handler's first transaction marks it handled."""

    update_id: int
    marked: bool = False
    done: bool = False  # handling is over: a task it started and that writes later marks nothing


CURRENT: ContextVar[Handling | None] = ContextVar("inbox_row", default=None)


class AlreadyHandled(Exception):
    """Another instance (after this one's lease ran out) or an earlier run handled this update and wrote."""


async def mark_in(db: AsyncSession) -> Handling | None:
    """In a handler's transaction: mark the update's row handled, in the same commit as what the handler writes.
    Returns the row this transaction marked (the caller records it once committed); raises AlreadyHandled if
    someone else did."""
    handling = CURRENT.get()
    if handling is None or handling.marked or handling.done:
        return None
    result = await db.execute(update(InboxUpdate).where(InboxUpdate.update_id == handling.update_id, _waiting())
                              .values(handled_at=real_now(), claimed_until=None, payload=HANDLED)
                              .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        raise AlreadyHandled(handling.update_id)
    return handling
