"""Comments on a record's revisions: threads (a comment and its replies), optionally on
one field of the snapshot, resolvable by an editor or by the comment's author.

Anyone who may see the record before publication may comment: editors,
administrators, members of the reviewing working group, and government contacts
for a jurisdiction the record concerns (the right of reply). Commenting never
changes the record's state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.accounts.permissions import Permission, has_permission, may_see_unpublished
from tracker.extensions import db
from tracker.modelbase import utcnow
from tracker.records import services as records
from tracker.records.models import Record
from tracker.review import notify
from tracker.review.models import Comment
from tracker.review.status import review_status

#: the longest comment accepted (characters)
MAX_BODY = 5000


class CommentError(ValueError):
    """A comment cannot be written or resolved; the message says why."""

    status = 422


def field_labels(record: Record) -> dict[str, str]:
    """The fields of the record's kind a comment may be anchored to: name -> label."""
    if records.ops_for(record).fields:
        return {spec.name: spec.label for spec in records.field_specs(record, None)}
    content = records.working_copy(record) or records.live_copy(record)
    snapshot = records.ops_for(record).snapshot(content) if content is not None else {}
    return {spec.name: spec.label for spec in records.field_specs(record, snapshot)}


def may_comment(user: Any, record: Record) -> bool:
    return record.deleted_at is None and may_see_unpublished(user, record.id)


def may_resolve(user: Any, comment: Comment) -> bool:
    """Editors resolve any thread; a commenter resolves their own."""
    return has_permission(user, Permission.EDIT) or (
        comment.author_id is not None and comment.author_id == user.id
    )


def clean_body(body: str | None) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise CommentError("Write a comment first: it is empty.")
    if len(text) > MAX_BODY:
        raise CommentError(
            f"A comment may have at most {MAX_BODY} characters; this one has {len(text)}."
        )
    return text


def check_field(record: Record, name: str | None) -> str | None:
    if not name:
        return None
    labels = field_labels(record)
    if name not in labels:
        raise CommentError(f"This record has no field {name!r} to comment on.")
    return name


def add(
    record: Record,
    user: Any,
    body: str | None,
    *,
    field: str | None = None,
    parent_id: int | None = None,
    action: str | None = None,
    notify_people: bool = True,
) -> Comment:
    """Write a comment (or, with ``parent_id``, a reply in that thread). Raises CommentError."""
    if not may_comment(user, record):
        raise CommentError("You may not comment on this record.")
    text = clean_body(body)
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.record_id != record.id:
            raise CommentError("The comment you replied to does not exist on this record.")
        parent = parent.parent or parent  # threads are one level deep
        field = parent.field
    else:
        field = check_field(record, field)
    status = review_status(record.id)
    comment = Comment(
        record_id=record.id,
        revision_number=status.revision or 0,
        parent=parent,
        field=field,
        body=text,
        action=action,
        author_id=user.id,
    )
    db.session.add(comment)
    if parent is not None and parent.resolved_at is not None:
        # A reply reopens the discussion.
        parent.resolved_at = None
        parent.resolved_by_id = None
    if notify_people:
        _notify(record, user, comment, parent, status)
    return comment


def _notify(
    record: Record, user: Any, comment: Comment, parent: Comment | None, status: Any
) -> None:
    label = records.label(records.working_copy(record) or records.live_copy(record))
    participants = set(
        db.session.scalars(sa.select(Comment.author_id).where(Comment.record_id == record.id))
    )
    where = f" ({field_labels(record).get(comment.field, comment.field)})" if comment.field else ""
    verb = "replied" if parent is not None else "commented"
    excerpt = comment.body if len(comment.body) <= 160 else comment.body[:157] + "…"
    notify.notify(
        participants | status.authors | status.submitters,
        record,
        "comment",
        f"{user.display_name} {verb} on “{label}”{where}: {excerpt}",
        actor_id=user.id,
        subject=f"Comment on “{label}”",
    )


def set_resolved(comment: Comment, user: Any, resolved: bool) -> None:
    if comment.parent_id is not None:
        raise CommentError("Resolve the thread, not a single reply.")
    if not may_resolve(user, comment):
        raise CommentError("Only an editor or the person who wrote the comment can resolve it.")
    if resolved:
        if comment.resolved_at is None:
            comment.resolved_at = utcnow()
            comment.resolved_by_id = user.id
    else:
        comment.resolved_at = None
        comment.resolved_by_id = None


@dataclass
class Threads:
    """A record's comment threads, by field (None: about the whole record)."""

    by_field: dict[str | None, list[Comment]] = field(default_factory=lambda: defaultdict(list))

    @property
    def general(self) -> list[Comment]:
        return self.by_field.get(None, [])

    def on(self, name: str) -> list[Comment]:
        return self.by_field.get(name, [])

    @property
    def fields(self) -> set[str]:
        return {f for f in self.by_field if f}

    @property
    def open_count(self) -> int:
        return sum(1 for threads in self.by_field.values() for t in threads if not t.is_resolved)


def threads(record_id: int) -> Threads:
    """Every thread of a record, oldest first, with authors and replies loaded (three queries)."""
    roots = db.session.scalars(
        sa.select(Comment)
        .where(Comment.record_id == record_id, Comment.parent_id.is_(None))
        .options(
            selectinload(Comment.author),
            selectinload(Comment.resolved_by),
            selectinload(Comment.replies).selectinload(Comment.author),
        )
        .order_by(Comment.created_at, Comment.id)
    )
    out = Threads()
    for root in roots:
        out.by_field[root.field].append(root)
    return out


def open_counts(record_ids: list[int]) -> dict[int, int]:
    """Unresolved threads per record (the queue)."""
    if not record_ids:
        return {}
    rows = db.session.execute(
        sa.select(Comment.record_id, sa.func.count())
        .where(
            Comment.record_id.in_(record_ids),
            Comment.parent_id.is_(None),
            Comment.resolved_at.is_(None),
        )
        .group_by(Comment.record_id)
    )
    return {rid: n for rid, n in rows}  # noqa: C416
