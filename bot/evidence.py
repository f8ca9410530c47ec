"""Evidence: the files institutions send with their reports, downloaded through the Bot API, hashed and kept in
the evidence folder named by their SHA-256 (Telegram's file_id stays as a second copy)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackContext

from models.entities import Evidence, StatusUpdate

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
FETCH_PER_RUN = 20  # files one run of the fetching job downloads at most: 400 MB at worst, a few seconds usually


class FileTooBig(Exception):
    """The file is over what a bot may download from Telegram."""


@dataclass
class FileRef:
    """A file the person sent, as kept for evidence."""

    kind: str
    file_id: str
    file_unique_id: str
    name: str = ""
    mime_type: str = ""
    size: int | None = None
    sha256: str | None = None
    stored_path: str | None = None


async def fetch_file(bot, ref: FileRef, storage: Path) -> FileRef:
    """Download the file through the Bot API to hash it and keep a copy in `storage`, named by its hash.

    A file over what a bot may download is refused (FileTooBig). A download that fails otherwise, or a copy that
    cannot be written, leaves the file known by its file_id only: the report is still recorded, and the fetching
    job (`fetch_missing`) downloads and keeps it later."""
    if ref.size is not None and ref.size > MAX_FILE_BYTES:
        raise FileTooBig(ref.size)
    try:
        content = await _download(bot, ref.file_id)
    except (TelegramError, OSError) as error:
        log.warning("evidence %s kept by file_id only; it will be fetched later: %s", ref.kind, error)
        return ref
    ref.size = len(content)
    try:
        # Hashing and writing 20 MB would hold every other chat's update: off the event loop.
        ref.sha256, ref.stored_path = await asyncio.to_thread(keep, storage, content, ref.name)
    except OSError as error:
        ref.sha256 = await asyncio.to_thread(lambda: hashlib.sha256(content).hexdigest())
        log.error("could not keep evidence %s in %s; it will be fetched later: %s", ref.sha256, storage, error)
    return ref


async def _download(bot, file_id: str) -> bytes:
    try:
        telegram_file = await bot.get_file(file_id)
    except BadRequest as error:
        if "too big" in error.message.lower():
            raise FileTooBig(None) from error
        raise
    content = bytes(await telegram_file.download_as_bytearray())
    if len(content) > MAX_FILE_BYTES:
        raise FileTooBig(len(content))
    return content


def file_name(sha256: str, name: str) -> str:
    """The name a file is kept under: its SHA-256, and the extension it came with (letters and digits only)."""
    suffix = "".join(c for c in Path(name).suffix[1:11] if c.isascii() and c.isalnum()) if name else ""
    return f"{sha256}.{suffix.lower()}" if suffix else sha256


def keep(storage: Path, content: bytes, name: str) -> tuple[str, str]:
    """Write `content` into `storage` named by its SHA-256, atomically and never over a file already there;
    returns the hash and the name relative to `storage` (so that a moved folder keeps working)."""
    sha256 = hashlib.sha256(content).hexdigest()
    relative = file_name(sha256, name)
    target = storage / relative
    if target.exists():
        return sha256, relative
    storage.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".incoming-", dir=storage)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        try:
            # A link fails if the name exists (another instance kept the same file first): nothing is overwritten.
            os.link(temporary, target)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not target.exists():
                os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return sha256, relative


def stored_file(storage: Path, stored_path: str | None) -> Path | None:
    """Where an evidence row's copy is: relative to `storage`; a row written before paths were relative holds an
    absolute path, and is looked for there, then by its name in `storage`."""
    if not stored_path:
        return None
    path = Path(stored_path)
    if not path.is_absolute():
        return storage / path
    return path if path.exists() else storage / path.name


@dataclass
class Fetched:
    """What one run of `fetch_missing` did."""

    kept: int = 0
    failed: int = 0
    last_id: int = 0
    done: bool = False  # it reached the last row waiting: the next run starts again from the first


async def fetch_missing(bot, sessions: async_sessionmaker[AsyncSession], storage: Path, *, after_id: int = 0,
                        limit: int = FETCH_PER_RUN) -> Fetched:
    """Download into `storage` up to `limit` evidence files known only by their file_id, after `after_id`, and
    record each one's hash and path. One file that fails is logged and left for the next pass; the others go on.
    No transaction is held while Telegram answers."""
    async with sessions() as db:
        rows = (await db.execute(
            select(Evidence.id, Evidence.file_id, Evidence.name, Evidence.sha256)
            .where(Evidence.stored_path.is_(None), Evidence.id > after_id,
                   or_(Evidence.size.is_(None), Evidence.size <= MAX_FILE_BYTES))
            .order_by(Evidence.id).limit(limit))).all()
    result = Fetched(last_id=after_id, done=len(rows) < limit)
    for evidence_id, file_id, name, recorded in rows:
        result.last_id = evidence_id
        try:
            content = await _download(bot, file_id)
            sha256, relative = await asyncio.to_thread(keep, storage, content, name)
        except (TelegramError, OSError, FileTooBig) as error:
            result.failed += 1
            log.warning("evidence %d could not be fetched (tried again on the next pass): %r", evidence_id, error)
            continue
        if recorded and recorded != sha256:
            result.failed += 1
            log.error("evidence %d: Telegram's file does not match the SHA-256 recorded; not kept", evidence_id)
            continue
        async with sessions.begin() as db:
            await db.execute(update(Evidence).where(Evidence.id == evidence_id, Evidence.stored_path.is_(None))
                             .values(stored_path=relative, sha256=sha256, size=len(content)))
        result.kept += 1
    return result


def evidence_rows(files: list[FileRef], now: datetime) -> list[Evidence]:
    """The Evidence rows of an update, cut to the columns' sizes."""
    return [Evidence(kind=f.kind, file_id=f.file_id, file_unique_id=f.file_unique_id, name=f.name[:255],
                     mime_type=f.mime_type[:255], size=f.size, sha256=f.sha256, stored_path=f.stored_path,
                     created_at=now) for f in files]


async def evidence_of(db: AsyncSession, update_id: int, assignment_id: int) -> list[Evidence]:
    """The files of an earlier update of the same assignment (none if it belongs to another)."""
    update = await db.get(StatusUpdate, update_id, options=[selectinload(StatusUpdate.evidence)])
    return list(update.evidence) if update and update.assignment_id == assignment_id else []


FETCH_EVERY = 300  # seconds between runs of the fetching job
FETCHING = "evidence_fetching"  # bot_data's key for where the next run starts


def start_fetching(application: Application) -> None:
    """Fetch the evidence known only by file_id, a few files every FETCH_EVERY seconds, beside the outbox's round
    (a slow download never holds a reminder)."""
    application.bot_data[FETCHING] = 0
    application.job_queue.run_repeating(fetch_round, interval=FETCH_EVERY, first=FETCH_EVERY, name="evidence",
                                        job_kwargs={"max_instances": 1, "coalesce": True})


async def fetch_round(context: CallbackContext) -> Fetched:
    """One run: the next files after where the last run stopped, from the first again once every one was tried."""
    application = context.application
    services = application.bot_data["services"]
    fetched = await fetch_missing(application.bot, services.sessions, services.settings.evidence_folder,
                                  after_id=application.bot_data.get(FETCHING, 0))
    application.bot_data[FETCHING] = 0 if fetched.done else fetched.last_id
    if fetched.kept or fetched.failed:
        log.info("evidence: %d fetched into the folder, %d to try again", fetched.kept, fetched.failed)
    return fetched
