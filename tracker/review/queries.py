"""The review queues: what waits for each reviewer, and what each editor has in hand.

A queue is built in a fixed number of queries whatever its length: the records,
their working copies (one query per kind), their review status (revisions and
approvals) and their open comment threads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.accounts.permissions import Permission, has_permission
from tracker.extensions import db
from tracker.records import services as records
from tracker.records.models import Record, RecordKind, Revision, WorkflowState
from tracker.review import access, comments
from tracker.review.status import NON_CONTENT_ACTIONS, ReviewStatus, review_statuses
from tracker.workinggroups.models import WorkingGroup

S = WorkflowState
#: states in which a record has work pending before (re)publication
OPEN_STATES = (S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.WITHDRAWN)
REVIEW_STATES = (S.IN_REVIEW, S.APPROVED)


@dataclass
class Item:
    """One record in a queue, with what the queue shows about it."""

    record: Record
    content: Any
    status: ReviewStatus
    open_threads: int = 0

    @property
    def label(self) -> str:
        return (
            records.label(self.content) if self.content is not None else f"Record {self.record.id}"
        )

    @property
    def jurisdictions(self) -> set[str]:
        return records.content_jurisdictions(self.record, self.content)


@dataclass
class Queue:
    """The sections of /review/ for one user (empty lists are not shown)."""

    to_review: list[Item] = field(default_factory=list)
    sent_back: list[Item] = field(default_factory=list)
    right_of_reply: list[Item] = field(default_factory=list)
    changes_requested: list[Item] = field(default_factory=list)
    ready: list[Item] = field(default_factory=list)
    in_review: list[Item] = field(default_factory=list)
    drafts: list[Item] = field(default_factory=list)
    others: list[Item] = field(default_factory=list)
    groups: list[WorkingGroup] = field(default_factory=list)
    contact_codes: set[str] = field(default_factory=set)


def _alive(*states: WorkflowState) -> sa.Select[Any]:
    return (
        sa.select(Record)
        .where(Record.deleted_at.is_(None), Record.state.in_(states))
        .options(selectinload(Record.working_group))
        .order_by(Record.updated_at.desc(), Record.id.desc())
    )


def _working_copies(found: list[Record]) -> dict[int, Any]:
    by_kind: dict[RecordKind, list[int]] = defaultdict(list)
    for record in found:
        by_kind[record.kind].append(record.id)
    out: dict[int, Any] = {}
    for kind, ids in by_kind.items():
        model: Any = records.ops_for_kind(kind).model
        row: Any
        for row in db.session.scalars(
            sa.select(model).where(model.record_id.in_(ids), model.is_draft)
        ):
            out[row.record_id] = row
    return out


def items(found: list[Record]) -> list[Item]:
    ids = [r.id for r in found]
    copies = _working_copies(found)
    statuses = review_statuses(ids)
    threads = comments.open_counts(ids)
    return [Item(r, copies.get(r.id), statuses[r.id], threads.get(r.id, 0)) for r in found]


def _mine_clause(user_id: int) -> sa.ColumnElement[bool]:
    """Records the user wrote or submitted since their last publication."""
    last_publication = (
        sa.select(sa.func.max(Revision.number))
        .where(
            Revision.record_id == Record.id,
            Revision.state == S.PUBLISHED,
            sa.or_(Revision.action == "publish", Revision.action.not_in(NON_CONTENT_ACTIONS)),
        )
        .correlate(Record)
        .scalar_subquery()
    )
    wrote = (
        sa.select(Revision.id)
        .where(
            Revision.record_id == Record.id,
            Revision.author_id == user_id,
            sa.or_(Revision.action == "submit", Revision.action.not_in(NON_CONTENT_ACTIONS)),
            Revision.number > sa.func.coalesce(last_publication, 0),
        )
        .correlate(Record)
    )
    return wrote.exists()


def queue_for(user: Any) -> Queue:
    queue = Queue()
    reviewer = has_permission(user, Permission.REVIEW)
    editor = has_permission(user, Permission.PUBLISH)
    sees_all = has_permission(user, Permission.VIEW_ALL_DRAFTS)
    group_ids = access.group_ids_of(user.id)
    queue.groups = (
        list(db.session.scalars(sa.select(WorkingGroup).where(WorkingGroup.id.in_(group_ids))))
        if group_ids
        else []
    )
    queue.contact_codes = access.contact_codes_of(user.id)

    if reviewer:
        stmt = _alive(*REVIEW_STATES, S.CHANGES_REQUESTED)
        if not sees_all:
            stmt = stmt.where(Record.working_group_id.in_(group_ids or [-1]))
        for item in items(list(db.session.scalars(stmt))):
            if queue.contact_codes & item.jurisdictions and not sees_all:
                queue.right_of_reply.append(item)  # their own government: reply, not review
            elif item.record.state is S.CHANGES_REQUESTED:
                queue.sent_back.append(item)
            else:
                queue.to_review.append(item)
    if queue.contact_codes and not sees_all:
        stmt = _alive(*REVIEW_STATES, S.CHANGES_REQUESTED).where(
            Record.working_group_id.is_not(None)
        )
        if group_ids:
            stmt = stmt.where(Record.working_group_id.not_in(group_ids))
        queue.right_of_reply += [
            i
            for i in items(list(db.session.scalars(stmt)))
            if queue.contact_codes & i.jurisdictions
        ]
    if editor:
        mine = _mine_clause(user.id)
        for item in items(list(db.session.scalars(_alive(*OPEN_STATES).where(mine)))):
            {
                S.CHANGES_REQUESTED: queue.changes_requested,
                S.APPROVED: queue.ready,
                S.IN_REVIEW: queue.in_review,
                S.DRAFT: queue.drafts,
                S.WITHDRAWN: queue.drafts,
            }[item.record.state].append(item)
        queue.others = items(
            list(
                db.session.scalars(
                    _alive(S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.DRAFT)
                    .where(sa.not_(mine))
                    .limit(200)
                )
            )
        )
    return queue
