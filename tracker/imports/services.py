"""Storing an upload and committing it: every row a draft measure, in one transaction.

``commit`` claims the upload first (``committed_at`` set with an UPDATE that only
matches an uncommitted upload), so two concurrent commits of one file cannot both
write; then it checks every row again against the database as it is now, and
refuses (``CommitRefused``, nothing written) if any row has an error, or has a
likely duplicate the editor did not accept. Records are created through
``tracker.records.changes`` (the editor's creation path): each gets its working
copy and a revision ("Imported"), enters the review workflow as a draft, and the
whole import is one audit event. The caller commits, or rolls back on an error.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tracker.accounts import audit
from tracker.accounts.models import AuditAction
from tracker.extensions import db
from tracker.imports.models import ImportUpload
from tracker.imports.parsing import ParsedFile
from tracker.imports.validation import Check, Context, check_rows, resolve_target
from tracker.modelbase import utcnow
from tracker.records import changes
from tracker.records.models import RecordKind


class CommitRefused(Exception):
    """The upload cannot be committed now; the message says why (nothing was written)."""

    def __init__(self, message: str, check: Check | None = None) -> None:
        super().__init__(message)
        self.check = check


class AlreadyCommitted(Exception):
    """The upload was committed before (perhaps by a concurrent request): nothing more was done."""


@dataclass
class Outcome:
    record_ids: list[int]
    check: Check


def store(
    parsed: ParsedFile, *, filename: str, data: bytes, uploader_id: int | None
) -> ImportUpload:
    upload = ImportUpload(
        uploader_id=uploader_id,
        filename=filename[:255],
        format=parsed.format,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        header=parsed.header,
        rows=parsed.rows,
        created=[],
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def check(upload: ImportUpload) -> Check:
    return check_rows(upload.rows)


def _claim(upload: ImportUpload, user_id: int | None) -> None:
    claimed = db.session.execute(
        sa.update(ImportUpload)
        .where(ImportUpload.id == upload.id, ImportUpload.committed_at.is_(None))
        .values(committed_at=utcnow(), committed_by_id=user_id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyCommitted()
    db.session.refresh(upload)


def commit(upload: ImportUpload, *, user_id: int | None, allow_duplicates: bool) -> Outcome:
    """Create every row of ``upload`` as a draft measure, or raise and write nothing."""
    if upload.is_committed:
        raise AlreadyCommitted()
    ctx = Context()
    result = check_rows(upload.rows, ctx)
    if result.has_errors:
        n = sum(1 for r in result.rows if r.errors)
        raise CommitRefused(
            f"Nothing was imported: {n} row{'s' if n != 1 else ''} {'have' if n != 1 else 'has'} "
            "errors. "
            "Fix them in the spreadsheet and upload it again.",
            result,
        )
    if result.has_duplicates and not allow_duplicates:
        raise CommitRefused(
            "Nothing was imported: some rows look like measures the tracker already has. "
            'Remove them from the file, or tick "Import the likely duplicates too".',
            result,
        )
    _claim(upload, user_id)

    # First every record (so that rows can relate to each other), then the content.
    records = []
    file_keys: dict[str, int] = {}
    for row in result.rows:
        key = row.key if row.key and not any(d.same_key for d in row.duplicates) else None
        record = changes.new_record(RecordKind.MEASURE, author_id=user_id, key=key)
        records.append(record)
        if row.key and row.key not in file_keys:
            file_keys[row.key] = record.id
    for row, record in zip(result.rows, records, strict=True):
        assert row.data is not None
        data: dict[str, Any] = dict(row.data)
        data["relations"] = [
            {
                "kind": r["kind"],
                "target_record_id": resolve_target(r["target"], file_keys, ctx),
                "target_key": None,
                "note": r["note"],
            }
            for r in row.relations
        ]
        for event in data.get("events", []):
            key = row.successors.get((event["kind"], event["date"]))
            if key:
                event["successor_record_id"] = resolve_target(key, file_keys, ctx)
        changes.create(
            RecordKind.MEASURE,
            data,
            author_id=user_id,
            record=record,
            action="import",
            summary=f"Imported from {upload.filename[:120]}, row {row.number}",
        )
    upload.created = [
        {"row": row.number, "record_id": record.id}
        for row, record in zip(result.rows, records, strict=True)
    ]
    audit.record_event(
        AuditAction.MEASURES_IMPORTED,
        subject=f"import:{upload.id}",
        actor_id=user_id,
        filename=upload.filename[:120],
        sha256=upload.sha256,
        count=len(records),
        records=[r.id for r in records][:500],
    )
    db.session.flush()
    return Outcome([r.id for r in records], result)
