"""Record identity, workflow state and append-only revisions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tracker.modelbase import Base, LabelledEnum, enum_type, utcnow

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.workinggroups.models import WorkingGroup


class WorkflowState(LabelledEnum):
    #: being written; only staff see it
    DRAFT = ("draft", "Draft")
    #: submitted; reviewers may comment, request changes or approve
    IN_REVIEW = ("in_review", "In review")
    #: a reviewer sent it back to the editor
    CHANGES_REQUESTED = ("changes_requested", "Changes requested")
    #: enough approvals; an editor may publish it
    APPROVED = ("approved", "Approved")
    #: the working copy is the live copy
    PUBLISHED = ("published", "Published")
    #: taken off the public site
    WITHDRAWN = ("withdrawn", "Withdrawn")


class RecordKind(LabelledEnum):
    MEASURE = ("measure", "Measure")
    PAPER = ("paper", "Policy paper")
    ATTRIBUTION = ("attribution", "Attribution")


class Record(Base):
    """Identity and workflow of one reviewable record; its content lives elsewhere."""

    __tablename__ = "records"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RecordKind] = mapped_column(enum_type(RecordKind), index=True)
    #: stable external key (demo data and imports use it); unique when set
    key: Mapped[Optional[str]] = mapped_column(sa.String(120), unique=True)
    state: Mapped[WorkflowState] = mapped_column(
        enum_type(WorkflowState), default=WorkflowState.DRAFT, index=True
    )
    #: optimistic-locking counter, carried in edit forms
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True))
    deleted_at: Mapped[Optional[dt.datetime]] = mapped_column(
        sa.DateTime(timezone=True), index=True
    )
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    #: the working group that reviews it (chosen when an editor submits it for review)
    working_group_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("working_groups.id", ondelete="SET NULL"), index=True
    )

    working_group: Mapped[Optional[WorkingGroup]] = relationship()
    created_by: Mapped[Optional[User]] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[Optional[User]] = relationship(foreign_keys=[updated_by_id])
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="record", order_by="Revision.number", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The state is the workflow's (tracker.review.workflow); a published record has been
        # published at some moment. Which copies exist lives in the content tables, whose
        # rows are each the working copy, the live copy or both (``ContentCopy``).
        sa.CheckConstraint(
            "state <> 'published' OR published_at IS NOT NULL", name="published_has_date"
        ),
    )


class Revision(Base):
    """An append-only snapshot of a record's working copy, written with every save."""

    __tablename__ = "revisions"
    __table_args__ = (sa.UniqueConstraint("record_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    #: what happened: create, edit, restore, delete, undelete, publish, import ...
    action: Mapped[str] = mapped_column(sa.String(32))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    #: workflow state after this revision
    state: Mapped[WorkflowState] = mapped_column(enum_type(WorkflowState))
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    record: Mapped[Record] = relationship(back_populates="revisions")
    author: Mapped[Optional[User]] = relationship()


class Publication(Base):
    """A public change: a record published, republished or withdrawn.

    Written by records.services in the same transaction as the change; the public
    changelog and feed read only this table (never revisions, which hold drafts).
    """

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RecordKind] = mapped_column(enum_type(RecordKind))
    #: published (first time), updated (a new version published), withdrawn
    action: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    #: the record's label when the change was made (e.g. a measure's short name)
    label: Mapped[str] = mapped_column(sa.String(1000))
    summary: Mapped[str] = mapped_column(sa.Text, default="")

    record: Mapped[Record] = relationship()


class ContentCopy:
    """Columns every content model shares: which record it belongs to and which copy it is.

    At most one working copy and one live copy exist per record (partial unique indexes).
    """

    record_id: Mapped[int] = mapped_column(sa.ForeignKey("records.id", ondelete="CASCADE"))
    #: the working copy staff edit and review
    is_draft: Mapped[bool] = mapped_column(default=True)
    #: the copy the public sees (not indexed: nearly every row is live, and an index on it
    #: only misled SQLite's planner into scanning every live row before the selective ones)
    is_live: Mapped[bool] = mapped_column(default=False)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805 - SQLAlchemy passes the class
        table = cls.__tablename__  # type: ignore[attr-defined]
        return (
            *(
                sa.Index(
                    f"uq_{table}_record_{flag.removeprefix('is_')}",
                    "record_id",
                    unique=True,
                    sqlite_where=sa.text(flag),
                    postgresql_where=sa.text(flag),
                )
                for flag in ("is_draft", "is_live")
            ),
            # SQLite uses a partial index only when the query repeats its condition word for
            # word, and SQLAlchemy writes ``is_live`` as ``is_live = 1`` there: without this
            # one, finding a record's copy read every row (9 ms at 40,000 measures).
            sa.Index(f"ix_{table}_record_id", "record_id"),
            # A row that is neither copy is an orphan nobody edits or sees.
            sa.CheckConstraint("is_draft OR is_live", name="working_or_live"),
        )


class FormSubmission(Base):
    """A "new record" form that has been saved: its one-time token and what it created.

    Each new-record form carries a random token in a hidden field. Saving it records the
    token here in the same transaction as the record, and the primary key lets a token
    be used once: a second press of "Create draft" (or a replayed request) finds the
    token taken and goes to the record the first one made.
    """

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class PublicationStamp(Base):
    """A counter per public scope, moved in the same transaction as every publication,
    withdrawal, deletion or restore of a measure (tracker.records.stamps).

    Scopes: ``*`` (everything), ``j:<code>`` (a jurisdiction's measures), ``n:<letter>``
    (the measures mapped to a norm). A brief's data version reads the stamps of its scope
    instead of the measures themselves, so a cached brief is found in a few small reads.
    """

    __tablename__ = "publication_stamps"

    scope: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    #: the latest publication in the scope (the brief's "records last published")
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True))
