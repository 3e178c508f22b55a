"""A reviewer's rounds on one record: which revision they last reviewed, and what the
last publication was (when, by whom, with which approvals).

The review page compares the working copy with the revision the reader last commented
on or approved ("changes since my last review"), and after a publication says what
happened instead of showing the counters of a round that is over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa

from tracker.extensions import db
from tracker.records.models import Revision
from tracker.review.models import Approval, Comment
from tracker.review.status import NON_CONTENT_ACTIONS


def last_reviewed_revision(record_id: int, user_id: int) -> Optional[int]:
    """The latest content revision ``user_id`` commented on or approved, if any."""
    commented = sa.select(sa.func.max(Comment.revision_number)).where(
        Comment.record_id == record_id, Comment.author_id == user_id
    )
    approved = sa.select(sa.func.max(Approval.revision_number)).where(
        Approval.record_id == record_id, Approval.user_id == user_id
    )
    numbers = [db.session.scalar(commented), db.session.scalar(approved)]
    found = [n for n in numbers if n is not None]
    return max(found) if found else None


def revision_snapshot(record_id: int, number: int) -> Optional[dict[str, Any]]:
    snapshot: Optional[dict[str, Any]] = db.session.scalar(
        sa.select(Revision.snapshot).where(
            Revision.record_id == record_id, Revision.number == number
        )
    )
    return snapshot


@dataclass
class Publication:
    """The last publication of a record, as the review page tells it."""

    at: dt.datetime
    by: str
    #: approvals of the round that ended in this publication
    approvals: int
    required: int


def last_publication(record_id: int, required: int) -> Optional[Publication]:
    """The record's last ``publish`` step and the approvals given in the round before it."""
    step = db.session.scalars(
        sa.select(Revision)
        .where(Revision.record_id == record_id, Revision.action == "publish")
        .order_by(Revision.number.desc())
        .limit(1)
    ).first()
    if step is None:
        return None
    before = db.session.scalar(
        sa.select(sa.func.max(Revision.number)).where(
            Revision.record_id == record_id,
            Revision.action == "publish",
            Revision.number < step.number,
        )
    )
    published = db.session.scalar(
        sa.select(sa.func.max(Revision.number)).where(
            Revision.record_id == record_id,
            Revision.number < step.number,
            Revision.action.not_in(NON_CONTENT_ACTIONS),
        )
    )
    # Approvals that counted: of the content revision published, given in this round.
    approvals = db.session.scalar(
        sa.select(sa.func.count(Approval.id)).where(
            Approval.record_id == record_id,
            Approval.revision_number == published,
            Approval.step_revision < step.number,
            Approval.step_revision > (before or 0),
        )
    )
    return Publication(
        at=step.created_at,
        by=step.author.display_name if step.author else "an editor",
        approvals=int(approvals or 0),
        required=required,
    )
