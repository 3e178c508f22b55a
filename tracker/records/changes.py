"""Changes to records of any kind, each written with its revision in the caller's transaction.

The content is read and written through the kind's registered ``ContentOps``
(tracker.records.services), and change summaries come from its ``HistorySpec``
(tracker.records.history), so this one path serves measures, papers and attributions:

* every change takes the record ``version`` the editor saw (optimistic locking);
  a changed record raises ``StaleVersion`` and nothing is written;
* the record row is updated (version checked and bumped by SQLAlchemy's
  ``version_id_col``) before any content is touched, so concurrent saves
  serialise on that row and the loser gets ``StaleDataError`` at flush, which
  callers treat like ``StaleVersion``;
* the caller commits.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.modelbase import utcnow
from tracker.records import history
from tracker.records import services as records
from tracker.records.models import Record, RecordKind, Revision
from tracker.review import workflow

__all__ = [
    "NoChanges",
    "NotAllowedNow",
    "StaleDataError",
    "StaleVersion",
    "create",
    "delete",
    "latest_revision",
    "new_record",
    "restore_revision",
    "undelete",
    "update",
]


class StaleVersion(Exception):
    """The record changed after the editor loaded it."""

    def __init__(self, record: Record) -> None:
        super().__init__(f"record {record.id} is at version {record.version}")
        self.record = record


class NoChanges(Exception):
    """The submitted content equals the working copy: nothing to save."""


class NotAllowedNow(Exception):
    """The change does not fit the record's current state; the message says why."""


def latest_revision(record: Record) -> Revision | None:
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.record_id == record.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def _check(record: Record, expected_version: int | None) -> None:
    if expected_version is None or record.version != expected_version:
        raise StaleVersion(record)


def _touch(record: Record, expected_version: int | None, author_id: int | None) -> None:
    """Check the version, then claim the record row (version bump) before any other write."""
    _check(record, expected_version)
    record.updated_at = utcnow()
    record.updated_by_id = author_id
    db.session.flush()


def _reload() -> None:
    # Write everything, then forget it: children come back from the database in their
    # canonical order, so a snapshot taken now matches one taken in a later request.
    db.session.flush()
    db.session.expire_all()


def new_record(kind: RecordKind, *, author_id: int | None, key: str | None = None) -> Record:
    """An empty draft record (the measure import reserves all its records first, so that
    rows of one file can relate to each other). Every record starts as a draft (the
    column's default); from then on only tracker.review.workflow writes its state."""
    record = Record(
        kind=kind,
        key=key,
        created_by_id=author_id,
        updated_by_id=author_id,
    )
    db.session.add(record)
    db.session.flush()
    return record


def create(
    kind: RecordKind,
    data: dict[str, Any],
    *,
    author_id: int | None,
    record: Record | None = None,
    action: str = "create",
    summary: str = "Created",
) -> Record:
    """A new draft record of ``kind`` (or content for one from ``new_record``) with its
    working copy and revision 1.

    Raises ValueError (from the kind's ``apply``) when the data refers to something unknown.
    """
    record = record or new_record(kind, author_id=author_id)
    ops = records.ops_for(record)
    content = ops.model(record_id=record.id, is_draft=True, is_live=False)
    db.session.add(content)
    ops.apply(content, data)
    _reload()
    records.write_revision(record, content, action=action, summary=summary, author_id=author_id)
    return record


def update(
    record: Record,
    data: dict[str, Any],
    *,
    expected_version: int | None,
    author_id: int | None,
    noun: str = "record",
    action: str = "edit",
    summary_prefix: str = "",
    refusal: str = "This cannot be saved",
) -> Revision:
    """Apply ``data`` (a snapshot) to the working copy, splitting it off the live copy first."""
    if record.deleted_at is not None:
        raise NotAllowedNow(f"This {noun} is deleted. Restore it before changing it.")
    _check(record, expected_version)
    ops = records.ops_for(record)
    current = records.working_copy(record)
    before = ops.snapshot(current) if current is not None else None
    # A published record gets a new draft; an approved one goes back to review (its
    # approvals were for the revision this edit replaces).
    approved_before = workflow.begin_edit(record)
    _touch(record, expected_version, author_id)
    copy = records.editable_copy(record)
    try:
        ops.apply(copy, data)
    except ValueError as exc:
        raise NotAllowedNow(f"{refusal}: {exc}.") from None
    _reload()
    after = ops.snapshot(copy)
    if not history.differs(record.kind, before, after):
        raise NoChanges()
    summary = history.change_summary(record.kind, before, after)
    if summary_prefix:
        summary = f"{summary_prefix}: {summary[0].lower()}{summary[1:]}"
    revision = records.write_revision(
        record, copy, action=action, summary=summary, author_id=author_id
    )
    workflow.after_edit(
        record, revision, db.session.get(User, author_id) if author_id else None, approved_before
    )
    return revision


def restore_revision(
    record: Record,
    number: int,
    *,
    expected_version: int | None,
    author_id: int | None,
    noun: str = "record",
) -> Revision:
    """Make the working copy hold revision ``number`` again, as a new revision."""
    snapshot = db.session.scalar(
        sa.select(Revision.snapshot).where(
            Revision.record_id == record.id, Revision.number == number
        )
    )
    if snapshot is None:
        raise NotAllowedNow(f"There is no revision {number} of this {noun}.")
    return update(
        record,
        snapshot,
        expected_version=expected_version,
        author_id=author_id,
        noun=noun,
        action="restore",
        summary_prefix=f"Restored revision {number}",
        refusal=f"Revision {number} cannot be restored",
    )


def delete(
    record: Record, *, expected_version: int | None, author_id: int | None, noun: str = "record"
) -> None:
    if record.deleted_at is not None:
        raise NotAllowedNow(f"This {noun} is deleted already.")
    _touch(record, expected_version, author_id)
    records.soft_delete(record, author_id=author_id)


def undelete(
    record: Record, *, expected_version: int | None, author_id: int | None, noun: str = "record"
) -> None:
    if record.deleted_at is None:
        raise NotAllowedNow(f"This {noun} is not deleted.")
    _touch(record, expected_version, author_id)
    records.undelete(record, author_id=author_id)
