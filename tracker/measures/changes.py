"""Changes to measure records, each written with its revision in the caller's transaction.

Every change takes the record ``version`` the editor saw (optimistic locking): if
the record changed since, ``StaleVersion`` is raised and nothing is written. The
record row is updated (and so its version checked and bumped by SQLAlchemy's
``version_id_col``) *before* any content is touched, so two concurrent saves of
the same record serialise on that row; the loser gets a ``StaleDataError`` at
flush, which callers treat like ``StaleVersion``. The caller commits.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.models import User
from tracker.db import utcnow
from tracker.extensions import db
from tracker.measures import services
from tracker.measures.history import change_summary
from tracker.measures.models import Measure
from tracker.records import services as records
from tracker.records.models import Record, RecordKind, Revision, WorkflowState
from tracker.review import workflow

__all__ = ["StaleDataError", "StaleVersion", "NoChanges", "NotAllowedNow"]


class StaleVersion(Exception):
    """The record changed after the editor loaded it."""

    def __init__(self, record: Record) -> None:
        super().__init__(f"record {record.id} is at version {record.version}")
        self.record = record


class NoChanges(Exception):
    """The submitted content equals the working copy: nothing to save."""


class NotAllowedNow(Exception):
    """The change does not fit the record's current state; the message says why."""


def _check(record: Record, expected_version: int | None) -> None:
    if expected_version is None or record.version != expected_version:
        raise StaleVersion(record)


def _touch(record: Record, expected_version: int | None, author_id: int | None) -> None:
    """Check the version, then claim the record row (version bump) before any other write."""
    _check(record, expected_version)
    record.updated_at = utcnow()
    record.updated_by_id = author_id
    db.session.flush()


def _reload_children(measure: Measure) -> None:
    # Children come back in their canonical order (events by date, sources by position),
    # so that a snapshot taken now matches one taken after a reload.
    db.session.flush()
    db.session.expire(measure, ["events", "sources", "topics", "relations", "mappings"])


def latest_revision(record: Record) -> Revision | None:
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.record_id == record.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def new_record(*, author_id: int | None, key: str | None = None) -> Record:
    """An empty draft measure record (the import reserves all its records first, so that
    rows of one file can relate to each other)."""
    record = Record(
        kind=RecordKind.MEASURE,
        state=WorkflowState.DRAFT,
        key=key,
        created_by_id=author_id,
        updated_by_id=author_id,
    )
    db.session.add(record)
    db.session.flush()
    return record


def create(
    data: dict[str, Any],
    *,
    author_id: int | None,
    record: Record | None = None,
    action: str = "create",
    summary: str = "Created",
) -> Record:
    """A new draft measure record (or content for one from ``new_record``) with its
    working copy and revision 1."""
    record = record or new_record(author_id=author_id)
    measure = Measure(record_id=record.id, is_draft=True, is_live=False)
    db.session.add(measure)
    services.apply(measure, data)
    _reload_children(measure)
    records.write_revision(record, measure, action=action, summary=summary, author_id=author_id)
    return record


def update(
    record: Record,
    data: dict[str, Any],
    *,
    expected_version: int | None,
    author_id: int | None,
    action: str = "edit",
    summary_prefix: str = "",
) -> Revision:
    """Apply ``data`` (a snapshot) to the working copy, splitting it off the live copy first."""
    if record.deleted_at is not None:
        raise NotAllowedNow("This measure is deleted. Restore it before changing it.")
    _check(record, expected_version)
    current = records.working_copy(record)
    before = services.snapshot(current) if current is not None else None
    approved_before = workflow.approvers(record)
    # A published record gets a new draft; an approved one goes back to review (its
    # approvals were for the revision this edit replaces).
    record.state = workflow.state_after_edit(record.state)
    _touch(record, expected_version, author_id)
    copy = records.editable_copy(record)
    services.apply(copy, data)
    _reload_children(copy)
    after = services.snapshot(copy)
    if after == before:
        raise NoChanges()
    summary = change_summary(before, after)
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
    record: Record, number: int, *, expected_version: int | None, author_id: int | None
) -> Revision:
    revision = db.session.scalar(
        sa.select(Revision).where(Revision.record_id == record.id, Revision.number == number)
    )
    if revision is None:
        raise NotAllowedNow(f"There is no revision {number} of this measure.")
    try:
        return update(
            record,
            revision.snapshot,
            expected_version=expected_version,
            author_id=author_id,
            action="restore",
            summary_prefix=f"Restored revision {number}",
        )
    except ValueError as exc:  # e.g. a mapping to a commitment that no longer exists
        raise NotAllowedNow(f"Revision {number} cannot be restored: {exc}.") from None


def delete(record: Record, *, expected_version: int | None, author_id: int | None) -> None:
    if record.deleted_at is not None:
        raise NotAllowedNow("This measure is deleted already.")
    _touch(record, expected_version, author_id)
    records.soft_delete(record, author_id=author_id)


def undelete(record: Record, *, expected_version: int | None, author_id: int | None) -> None:
    if record.deleted_at is None:
        raise NotAllowedNow("This measure is not deleted.")
    _touch(record, expected_version, author_id)
    records.undelete(record, author_id=author_id)
