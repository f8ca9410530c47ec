"""The audit bundle of a committee (`acuerdos-bot export --format zip`): the Informe, every status update and audit
entry as CSV, the evidence files, and a SHA-256 manifest a third party checks with `sha256sum -c SHA256SUMS`.

Rows are read in batches and files streamed into the zip, so memory stays bounded whatever the committee holds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import exports, informe, texts
from bot.evidence import file_name, stored_file
from models.entities import Agreement, Assignment, AuditEntry, Committee, Evidence, Institution, Session, StatusUpdate

BATCH = 500  # rows read at a time
CHUNK = 1024 * 1024  # bytes of a file read at a time


@dataclass
class Bundle:
    """What was written: counts, and the manifest's lines (hash, path relative to the bundle's folder)."""

    folder: str
    updates: int = 0
    audit_entries: int = 0
    files: int = 0
    missing: list[str] = field(default_factory=list)
    manifest: list[tuple[str, str]] = field(default_factory=list)


class _Member:
    """One file of the zip, written in pieces and hashed on the way."""

    def __init__(self, archive: zipfile.ZipFile, bundle: Bundle, path: str):
        self.bundle, self.path = bundle, path
        self.digest = hashlib.sha256()
        self.raw = archive.open(f"{bundle.folder}/{path}", "w", force_zip64=True)

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.raw.write(data)

    def __enter__(self) -> _Member:
        return self

    def __exit__(self, *exc) -> None:
        self.raw.close()
        self.bundle.manifest.append((self.digest.hexdigest(), self.path))


class _Csv:
    """A CSV member as the exports write them (UTF-8 with a BOM, semicolons), flushed every BATCH rows."""

    def __init__(self, member: _Member | BinaryIO, columns: Iterable[str]):
        self.member, self.buffer = member, io.StringIO()
        self.writer = csv.writer(self.buffer, delimiter=";", lineterminator="\r\n")
        self.member.write("\ufeff".encode())
        self.row(columns)

    def row(self, values: Iterable[object]) -> None:
        self.writer.writerow([exports.csv_cell(value) for value in values])
        if self.buffer.tell() > CHUNK:
            self.flush()

    def flush(self) -> None:
        self.member.write(self.buffer.getvalue().encode("utf-8"))
        self.buffer.seek(0)
        self.buffer.truncate()


async def write_bundle(db: AsyncSession, committee: Committee, now: datetime, evidence_folder: Path,
                       out: Path) -> Bundle:
    """Write the committee's audit bundle to `out` (a zip holding one folder)."""
    report = await informe.build_report(db, committee, now)
    bundle = Bundle(texts.plain(texts.t(texts.BUNDLE_FOLDER, committee=exports.slug(committee.name),
                                        date=report.summary.today.isoformat())))
    xlsx_name = exports.filename(report, "xlsx")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        with _Member(archive, bundle, texts.BUNDLE_README_FILE) as member:
            member.write(texts.BUNDLE_README.format(committee=committee.name, xlsx=xlsx_name,
                                                    date=now.strftime("%Y-%m-%d %H:%M")).encode())
        with _Member(archive, bundle, xlsx_name) as member:
            member.write(exports.xlsx(report))
        await _updates(db, committee, archive, bundle)
        await _audit(db, committee, archive, bundle)
        await _evidence(db, committee, evidence_folder, archive, bundle)
        if bundle.missing:
            with _Member(archive, bundle, texts.BUNDLE_MISSING_FILE) as member:
                member.write("".join(f"{line}\n" for line in bundle.missing).encode())
        # sha256sum's own format: the hash, two spaces, the path; checked from the bundle's folder.
        archive.writestr(f"{bundle.folder}/SHA256SUMS", "".join(f"{digest}  {path}\n"
                                                                for digest, path in bundle.manifest))
    return bundle


def _of_committee(query, committee: Committee):
    return (query.join(Assignment, Assignment.id == StatusUpdate.assignment_id)
            .join(Agreement, Agreement.id == Assignment.agreement_id)
            .where(Agreement.committee_id == committee.id))


async def _updates(db: AsyncSession, committee: Committee, archive: zipfile.ZipFile, bundle: Bundle) -> None:
    files = (select(func.count(Evidence.id)).where(Evidence.status_update_id == StatusUpdate.id)
             .correlate(StatusUpdate).scalar_subquery())
    columns = (StatusUpdate.id, StatusUpdate.created_at, Session.kind, Session.number, Session.held_on,
               Agreement.code, Institution.name, StatusUpdate.status, StatusUpdate.percent, StatusUpdate.note,
               StatusUpdate.author_name, StatusUpdate.author_user_id, files)
    query = (_of_committee(select(*columns), committee)
             .join(Session, Session.id == Agreement.session_id)
             .join(Institution, Institution.id == Assignment.institution_id)
             .order_by(StatusUpdate.id).execution_options(yield_per=BATCH))
    tz = ZoneInfo(committee.timezone)
    with _Member(archive, bundle, texts.BUNDLE_UPDATES_FILE) as member:
        table = _Csv(member, texts.BUNDLE_UPDATE_COLUMNS)
        async for (id_, at, kind, number, held_on, code, institution, status, percent, note, author, author_id,
                   count) in await db.stream(query):
            table.row((id_, at.isoformat(timespec="seconds"), at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                       f"{kind.value} {number}", held_on, code, institution, texts.STATUS[status.value], percent,
                       note, author, author_id, count))
            bundle.updates += 1
        table.flush()


async def _audit(db: AsyncSession, committee: Committee, archive: zipfile.ZipFile, bundle: Bundle) -> None:
    query = (select(AuditEntry).where(AuditEntry.committee_id == committee.id).order_by(AuditEntry.id)
             .execution_options(yield_per=BATCH))
    with _Member(archive, bundle, texts.BUNDLE_AUDIT_FILE) as member:
        table = _Csv(member, texts.BUNDLE_AUDIT_COLUMNS)
        async for entry in await db.stream_scalars(query):
            table.row((entry.id, entry.at.isoformat(timespec="seconds"), entry.actor, entry.action, entry.entity,
                       entry.entity_id, json.dumps(entry.details, ensure_ascii=False, sort_keys=True, default=str)))
            bundle.audit_entries += 1
        table.flush()


async def _evidence(db: AsyncSession, committee: Committee, folder: Path, archive: zipfile.ZipFile,
                    bundle: Bundle) -> None:
    query = (_of_committee(select(Evidence).join(StatusUpdate, StatusUpdate.id == Evidence.status_update_id),
                           committee)
             .order_by(Evidence.id).execution_options(yield_per=BATCH))
    written: set[str] = set()
    # The zip takes one member at a time: the list waits in a temporary file while the files go in.
    with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as listing:
        table = _Csv(listing, texts.BUNDLE_EVIDENCE_COLUMNS)
        async for row in await db.stream_scalars(query):
            inside, why = _file_of(row, folder, archive, bundle, written)
            if why:
                bundle.missing.append(texts.plain(texts.t(
                    texts.BUNDLE_MISSING_LINE, id=row.id, update=row.status_update_id, name=row.name or row.kind,
                    file_id=row.file_id, why=texts.BUNDLE_MISSING_WHY[why])))
            table.row((row.id, row.status_update_id, row.kind, row.name, row.mime_type, row.size, row.sha256, inside,
                       row.file_id))
        table.flush()
        listing.seek(0)
        with _Member(archive, bundle, texts.BUNDLE_EVIDENCE_FILE) as member:
            while chunk := listing.read(CHUNK):
                member.write(chunk)


def _file_of(row: Evidence, folder: Path, archive: zipfile.ZipFile, bundle: Bundle,
             written: set[str]) -> tuple[str, str | None]:
    """Put the row's file in the bundle (once per file); the path inside it, or why it is missing."""
    path = stored_file(folder, row.stored_path)
    if path is None and row.sha256:  # kept under its hash by another row, or before its row was updated
        path = folder / file_name(row.sha256, row.name)
    if path is None:
        return "", "not_kept"
    try:
        digest = _sha256(path)
    except OSError:
        return "", "not_found"
    if row.sha256 and digest != row.sha256:
        return "", "mismatch"
    inside = f"{texts.BUNDLE_EVIDENCE_FOLDER}/{file_name(digest, row.name)}"
    if inside not in written:
        with _Member(archive, bundle, inside) as member, path.open("rb") as source:
            while chunk := source.read(CHUNK):
                member.write(chunk)
        written.add(inside)
        bundle.files += 1
    return inside, None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


