"""`acuerdos-bot db backup FILE`: a consistent copy of the database while the bot runs.

SQLite's online backup API copies the file under one read transaction: in WAL mode the bot keeps writing meanwhile,
and the copy holds the database as it was when the copy started. PostgreSQL has its own tool, pg_dump.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class NotSqlite(Exception):
    """The database is not a SQLite file: the message is the command to use instead."""


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite DATABASE_URL; None for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise OSError("DATABASE_URL is an in-memory SQLite database: there is no file to back up")
    return Path(url.database)


def pg_dump_command(database_url: str, target: str) -> str:
    """The pg_dump command that backs up this PostgreSQL database, without its password (pg_dump asks for it, or
    reads PGPASSWORD or ~/.pgpass)."""
    given = make_url(database_url)
    url = URL.create("postgresql", username=given.username, host=given.host, port=given.port,
                     database=given.database, query=given.query)
    return f"pg_dump --format=custom {shlex.quote(f'--file={target}')} {shlex.quote(url.render_as_string())}"


def backup(database_url: str, target: Path) -> int:
    """Copy the SQLite database to `target` (replaced only once the copy is whole and checked); returns its size."""
    source_path = sqlite_path(database_url)
    if source_path is None:
        raise NotSqlite(pg_dump_command(database_url, str(target)))
    if not source_path.is_file():
        raise FileNotFoundError(f"{source_path} does not exist")
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(descriptor)
    try:
        # Read-only: the backup never writes to the bot's file, nor waits for its writers.
        source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(temporary)
        try:
            source.backup(copy)  # all pages in one step: one read transaction, one consistent moment
            # A single file that opens by itself: no WAL beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            problem = copy.execute("PRAGMA quick_check").fetchone()[0]
            if problem != "ok":
                raise sqlite3.DatabaseError(f"the copy failed its check: {problem}")
        finally:
            copy.close()
            source.close()
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target.stat().st_size
