"""Evidence: the files institutions send with their reports, downloaded through the Bot API, hashed and kept."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.entities import Evidence, StatusUpdate

MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


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


async def fetch_file(bot, ref: FileRef, storage: Path | None) -> FileRef:
    """Download the file through the Bot API to hash it (and keep a copy when a directory is configured)."""
    if ref.size is not None and ref.size > MAX_FILE_BYTES:
        raise FileTooBig(ref.size)
    telegram_file = await bot.get_file(ref.file_id)
    content = bytes(await telegram_file.download_as_bytearray())
    if len(content) > MAX_FILE_BYTES:
        raise FileTooBig(len(content))
    ref.size = len(content)
    # Hashing and writing 20 MB would hold every other chat's update: off the event loop.
    ref.sha256 = await asyncio.to_thread(lambda: hashlib.sha256(content).hexdigest())
    if storage is not None:
        suffix = Path(ref.name).suffix[:10] if ref.name else ""
        ref.stored_path = str(await asyncio.to_thread(_keep, storage / f"{ref.sha256}{suffix}", content))
    return ref


def _keep(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(content)
    return path


def evidence_rows(files: list[FileRef], now: datetime) -> list[Evidence]:
    """The Evidence rows of an update, cut to the columns' sizes."""
    return [Evidence(kind=f.kind, file_id=f.file_id, file_unique_id=f.file_unique_id, name=f.name[:255],
                     mime_type=f.mime_type[:255], size=f.size, sha256=f.sha256, stored_path=f.stored_path,
                     created_at=now) for f in files]


async def evidence_of(db: AsyncSession, update_id: int, assignment_id: int) -> list[Evidence]:
    """The files of an earlier update of the same assignment (none if it belongs to another)."""
    update = await db.get(StatusUpdate, update_id, options=[selectinload(StatusUpdate.evidence)])
    return list(update.evidence) if update and update.assignment_id == assignment_id else []
