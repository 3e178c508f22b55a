"""Approvals, comments and notifications of the review workflow."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import Base, utcnow

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.records.models import Record


class Approval(Base):
    """A reviewer approved one revision of a record's working copy.

    It counts only while that revision is the record's latest content revision:
    any edit after it writes a new revision, and the approval no longer counts.
    """

    __tablename__ = "review_approvals"
    __table_args__ = (sa.UniqueConstraint("record_id", "revision_number", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    #: the content revision (``revisions.number``) the reviewer saw and approved
    revision_number: Mapped[int]
    #: the revision that recorded the approval (tells review rounds apart after a publication)
    step_revision: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()


class Comment(Base):
    """A comment on a revision of a record, optionally on one field; replies form a thread.

    A thread is a comment without ``parent_id`` and its replies (one level: a reply
    to a reply joins the same thread). Threads are resolved as a whole.
    """

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    #: the content revision shown when the comment was written
    revision_number: Mapped[int]
    parent_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("review_comments.id", ondelete="CASCADE"), index=True
    )
    #: a field name of the record's snapshot (e.g. "sources"), or None for the whole record
    field: Mapped[Optional[str]] = mapped_column(sa.String(64))
    body: Mapped[str] = mapped_column(sa.Text)
    #: set when the comment came with a workflow step ("request_changes", "approve")
    action: Mapped[Optional[str]] = mapped_column(sa.String(32))
    author_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True))
    resolved_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    author: Mapped[Optional[User]] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[Optional[User]] = relationship(foreign_keys=[resolved_by_id])
    replies: Mapped[list[Comment]] = relationship(
        order_by="Comment.id", cascade="all, delete-orphan", back_populates="parent"
    )
    parent: Mapped[Optional[Comment]] = relationship(back_populates="replies", remote_side=[id])

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class Notification(Base):
    """Something a user should know about a record (shown in the app, also e-mailed)."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    record_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: what happened: submitted, changes_requested, approved, ready, published, comment ...
    event: Mapped[str] = mapped_column(sa.String(32))
    #: one plain-text line ("Anna requested changes to NIS2UmsuCG")
    message: Mapped[str] = mapped_column(sa.String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, index=True
    )
    read_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True))

    record: Mapped[Optional[Record]] = relationship()
    actor: Mapped[Optional[User]] = relationship(foreign_keys=[actor_id])
