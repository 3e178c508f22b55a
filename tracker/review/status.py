"""Facts about a record's review read off its revisions: which revision is under review,
who wrote it, who submitted it, and which approvals count.

Workflow steps write revisions too (action ``submit``, ``approve`` ...), but only
*content* revisions (create, edit, restore, import ...) change what is reviewed.
An approval binds to the content revision it was given for: after any edit the
content revision moves on and the approval no longer counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.records.models import Revision, WorkflowState
from tracker.review.models import Approval

#: revision actions that do not change content (every workflow action, deletion and its undoing)
NON_CONTENT_ACTIONS = frozenset(
    {"submit", "request_changes", "approve", "publish", "withdraw", "reopen", "delete", "undelete"}
)


def approvals_required() -> int:
    return int(current_app.config["REVIEW_APPROVALS_REQUIRED"])


@dataclass
class ReviewStatus:
    """One record's review, as its revisions and approvals tell it."""

    record_id: int
    #: the content revision the working copy is at (what reviewers approve)
    revision: int | None = None
    #: the last revision that was (or made) the published version; 0 if never published
    published_revision: int = 0
    #: users who wrote content revisions since the last publication
    authors: set[int] = field(default_factory=set)
    #: users who submitted it for review since the last publication
    submitters: set[int] = field(default_factory=set)
    #: every approval since the last publication, oldest first
    approvals: list[Approval] = field(default_factory=list)
    required: int = 1

    @property
    def valid(self) -> list[Approval]:
        """Approvals that count: of the current revision, by someone who did not write it."""
        return [
            a
            for a in self.approvals
            if a.revision_number == self.revision and a.user_id not in self.authors
        ]

    @property
    def outdated(self) -> list[Approval]:
        """Approvals of earlier revisions (reset by an edit since)."""
        return [a for a in self.approvals if a.revision_number != self.revision]

    @property
    def missing(self) -> int:
        return max(0, self.required - len(self.valid))

    @property
    def enough(self) -> bool:
        return self.missing == 0

    def approved_by(self, user_id: int) -> bool:
        return any(a.user_id == user_id for a in self.valid)


def _statuses(record_ids: Iterable[int]) -> dict[int, ReviewStatus]:
    ids = sorted(set(record_ids))
    required = approvals_required()
    out = {rid: ReviewStatus(rid, required=required) for rid in ids}
    if not ids:
        return out
    rows = db.session.execute(
        sa.select(
            Revision.record_id, Revision.number, Revision.action, Revision.state, Revision.author_id
        )
        .where(Revision.record_id.in_(ids))
        .order_by(Revision.record_id, Revision.number)
    ).all()
    by_record: dict[int, list[sa.Row]] = {}
    for row in rows:
        by_record.setdefault(row.record_id, []).append(row)
    for rid, revs in by_record.items():
        status = out[rid]
        content = [r for r in revs if r.action not in NON_CONTENT_ACTIONS]
        status.revision = content[-1].number if content else None
        published = [
            r.number
            for r in revs
            if r.state is WorkflowState.PUBLISHED
            and (r.action == "publish" or r.action not in NON_CONTENT_ACTIONS)
        ]
        status.published_revision = published[-1] if published else 0
        since = [r for r in revs if r.number > status.published_revision]
        status.authors = {
            r.author_id for r in since if r.action not in NON_CONTENT_ACTIONS and r.author_id
        }
        status.submitters = {r.author_id for r in since if r.action == "submit" and r.author_id}
    approvals = db.session.scalars(
        sa.select(Approval)
        .where(Approval.record_id.in_(ids))
        .options(selectinload(Approval.user))
        .order_by(Approval.id)
    )
    for approval in approvals:
        status = out[approval.record_id]
        if approval.step_revision > status.published_revision:
            status.approvals.append(approval)
    return out


def review_status(record_id: int) -> ReviewStatus:
    return _statuses([record_id])[record_id]


def review_statuses(record_ids: Iterable[int]) -> dict[int, ReviewStatus]:
    """``review_status`` for many records in two queries (the queue)."""
    return _statuses(record_ids)
