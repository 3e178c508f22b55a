"""Draft and live copies, publication and revisions, for every kind of record.

Each content model registers a ``ContentOps`` for its record kind; the
functions here then work on any record without knowing its fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa

from tracker.extensions import db
from tracker.modelbase import utcnow
from tracker.records import signals
from tracker.records.models import Publication, Record, RecordKind, Revision


@dataclass(frozen=True)
class Check:
    """One publishing precondition: what it asks, and what is wrong (nothing: it passes)."""

    label: str
    problems: tuple[str, ...] = ()
    #: the editor's field to fix it in (an anchor on the edit page), if any
    field: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ContentOps:
    """How to copy, snapshot and restore one kind of content row."""

    #: the content model class (a Base subclass that mixes in ContentCopy)
    model: Any
    snapshot: Callable[[Any], dict[str, Any]]
    clone: Callable[[Any], Any]
    apply: Callable[[Any, dict[str, Any]], None]
    #: called after a copy becomes live, e.g. to mark mappings published
    on_publish: Optional[Callable[[Any], None]] = None
    #: why a copy may not be published yet (readable sentences; empty: it may)
    publication_problems: Optional[Callable[[Any], list[str]]] = None
    #: the same, as named checks for the checklist (without it, one check wraps the above)
    publication_checks: Optional[Callable[[Any], list[Check]]] = None
    #: field-by-field comparison of two snapshots (tracker.records.diff.FieldChange list);
    #: without it, ``diff.generic_compare`` describes the fields from the snapshots
    compare: Optional[Callable[[Optional[dict[str, Any]], Optional[dict[str, Any]]], list[Any]]] = (
        None
    )
    #: the jurisdiction codes a copy concerns (government contacts may reply on them)
    jurisdictions: Optional[Callable[[Any], set[str]]] = None
    #: the kind's fields (tracker.records.diff.FieldSpec), for comments anchored to a field;
    #: without them, the fields are read off a snapshot
    fields: tuple[Any, ...] = ()


_registry: dict[RecordKind, ContentOps] = {}


def register(kind: RecordKind, ops: ContentOps) -> None:
    _registry[kind] = ops


def ops_for(record: Record) -> ContentOps:
    return _registry[record.kind]


def ops_for_kind(kind: RecordKind) -> ContentOps:
    return _registry[kind]


def publication_checks(record: Record, content: Any) -> list[Check]:
    """The kind's publishing preconditions for ``content``, each passed or failed."""
    ops = ops_for(record)
    if content is None:
        return []
    if ops.publication_checks:
        return list(ops.publication_checks(content))
    problems = tuple(ops.publication_problems(content)) if ops.publication_problems else ()
    return [Check("Ready to publish", problems)]


def publication_problems(record: Record, content: Any) -> list[str]:
    """The kind's own checks before publication, as sentences (empty: it may be published)."""
    return [p for check in publication_checks(record, content) for p in check.problems]


def compare(
    record: Record, old: Optional[dict[str, Any]], new: Optional[dict[str, Any]]
) -> list[Any]:
    """Field-by-field comparison of two snapshots of ``record`` (its kind's, or a generic one)."""
    from tracker.records.diff import generic_compare

    custom = ops_for(record).compare
    return custom(old, new) if custom else generic_compare(old, new)


def field_specs(record: Record, snapshot: Optional[dict[str, Any]]) -> list[Any]:
    """The fields of ``record``'s kind (name, label ...), without looking anything up."""
    from tracker.records.diff import generic_specs

    return list(ops_for(record).fields) or generic_specs(None, snapshot)


def content_jurisdictions(record: Record, content: Any) -> set[str]:
    describe = ops_for(record).jurisdictions
    return set(describe(content)) if describe and content is not None else set()


def label(content: Any) -> str:
    """How a content row names itself (a measure's short name, a paper's title ...)."""
    return _label(content)


def working_copy(record: Record) -> Any:
    """The copy staff edit and review (None only for a record being created)."""
    model = ops_for(record).model
    return db.session.scalar(sa.select(model).where(model.record_id == record.id, model.is_draft))


def live_copy(record: Record) -> Any:
    """The copy the public sees, or None when the record is not published."""
    model = ops_for(record).model
    return db.session.scalar(sa.select(model).where(model.record_id == record.id, model.is_live))


def editable_copy(record: Record) -> Any:
    """The working copy, split off from the live copy first if they are the same row.

    After this, changes to the returned row cannot reach the public until the
    record is published again.
    """
    draft = working_copy(record)
    if draft is not None and draft.is_live:
        new = ops_for(record).clone(draft)
        draft.is_draft = False
        db.session.flush()  # free the partial unique index before the new draft lands
        new.is_draft = True
        new.is_live = False
        db.session.add(new)
        db.session.flush()
        return new
    return draft


def has_unpublished_changes(record: Record) -> bool:
    draft = working_copy(record)
    return draft is not None and not draft.is_live


def publish(record: Record, summary: str = "") -> Any:
    """Make the working copy the live copy, in the caller's transaction.

    The record's state is the workflow's to write (tracker.review.workflow): call this
    through a workflow step, or ``workflow.publish_unreviewed`` for loaders.

    ``summary`` is the public note on the change (shown in /changes and the feed).
    """
    ops = ops_for(record)
    draft = working_copy(record)
    if draft is None:
        raise ValueError("record has no working copy to publish")
    live = live_copy(record)
    previous = ops.snapshot(live) if live is not None else None
    if live is not None and live is not draft:
        db.session.delete(live)
        db.session.flush()
    draft.is_live = True
    if ops.on_publish:
        ops.on_publish(draft)
    record.published_at = utcnow()
    db.session.add(
        Publication(
            record_id=record.id,
            kind=record.kind,
            action="updated" if previous is not None else "published",
            at=record.published_at,
            label=_label(draft),
            summary=summary,
        )
    )
    signals.record_published.send(record, content=draft, previous=previous)
    return draft


def withdraw(record: Record) -> None:
    """Take the record off the public site; the working copy stays for staff (the state is
    the workflow's to write, as for ``publish``)."""
    live = live_copy(record)
    previous = ops_for(record).snapshot(live) if live is not None else None
    if live is not None:
        if live.is_draft:
            live.is_live = False
        else:
            db.session.delete(live)
    if live is not None:
        db.session.add(
            Publication(
                record_id=record.id, kind=record.kind, action="withdrawn", label=_label(live)
            )
        )
    signals.record_withdrawn.send(record, content=live, previous=previous)


def _label(content: Any) -> str:
    return str(getattr(content, "label", None) or getattr(content, "title", None) or "")[:1000]


def next_revision_number(record: Record) -> int:
    current = db.session.scalar(
        sa.select(sa.func.max(Revision.number)).where(Revision.record_id == record.id)
    )
    return (current or 0) + 1


def write_revision(
    record: Record,
    content: Any,
    *,
    action: str,
    summary: str = "",
    author_id: Optional[int] = None,
    at: Optional[dt.datetime] = None,
) -> Revision:
    """Append a snapshot of ``content`` to the record's history (same transaction)."""
    db.session.flush()
    revision = Revision(
        record_id=record.id,
        number=next_revision_number(record),
        action=action,
        summary=summary,
        author_id=author_id,
        state=record.state,
        snapshot=ops_for(record).snapshot(content),
        created_at=at or utcnow(),
    )
    db.session.add(revision)
    return revision


def soft_delete(record: Record, author_id: Optional[int] = None) -> None:
    record.deleted_at = utcnow()
    content = working_copy(record) or live_copy(record)
    write_revision(record, content, action="delete", summary="Deleted", author_id=author_id)
    signals.record_deleted.send(record, content=live_copy(record), previous=None)


def undelete(record: Record, author_id: Optional[int] = None) -> None:
    record.deleted_at = None
    content = working_copy(record) or live_copy(record)
    write_revision(record, content, action="undelete", summary="Restored", author_id=author_id)
    signals.record_undeleted.send(record, content=live_copy(record), previous=None)
