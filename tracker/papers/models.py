"""Policy papers (content rows of paper records) and their children.

Like a measure, a paper row is one *copy* of a record's content: ``is_draft``
marks the working copy, ``is_live`` the published one (see tracker.records).

Recommendations need an identity that survives copy on write, because measures
link to them (``MeasureImplementation.recommendation_id``) and a paper's live
copy is replaced when a new draft is published. So a ``Recommendation`` row is
only that identity, owned by the paper *record*; its number, text and links live
in ``PaperRecommendation`` rows, one per paper copy. A link therefore keeps
pointing at "recommendation 3 of this paper" whichever copy the reader sees.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import (
    Base,
    DatePrecision,
    Verification,
    enum_type,
    format_partial_date,
    utcnow,
)
from tracker.records.models import ContentCopy

if TYPE_CHECKING:
    from tracker.norms.models import Commitment, Norm, Topic
    from tracker.records.models import Record
    from tracker.workinggroups.models import WorkingGroup


def _link_table(name: str, column: str, target: str) -> sa.Table:
    return sa.Table(
        name,
        Base.metadata,
        sa.Column(
            "paper_recommendation_id",
            sa.ForeignKey("paper_recommendations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(column, sa.ForeignKey(target, ondelete="CASCADE"), primary_key=True),
    )


recommendation_norms = _link_table("paper_recommendation_norms", "norm_id", "norms.id")
recommendation_commitments = _link_table(
    "paper_recommendation_commitments", "commitment_id", "commitments.id"
)
recommendation_topics = _link_table("paper_recommendation_topics", "topic_id", "topics.id")


class Paper(ContentCopy, Base):
    __tablename__ = "papers"
    id: Mapped[int] = mapped_column(primary_key=True)

    title: Mapped[str] = mapped_column(sa.String(1000))
    working_group_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("working_groups.id", ondelete="SET NULL"), index=True
    )
    publication_date: Mapped[Optional[dt.date]]
    publication_date_precision: Mapped[Optional[DatePrecision]] = mapped_column(
        enum_type(DatePrecision)
    )
    #: Markdown, rendered only through tracker.text.render_markdown
    abstract: Mapped[Optional[str]] = mapped_column(sa.Text)
    url: Mapped[Optional[str]] = mapped_column(sa.String(2000))
    verification: Mapped[Verification] = mapped_column(
        enum_type(Verification), default=Verification.UNVERIFIED
    )
    verification_note: Mapped[Optional[str]] = mapped_column(sa.Text)

    record: Mapped[Record] = relationship()
    working_group: Mapped[Optional[WorkingGroup]] = relationship()
    authors: Mapped[list[PaperAuthor]] = relationship(
        back_populates="paper", cascade="all, delete-orphan", order_by="PaperAuthor.position"
    )
    sources: Mapped[list[PaperSource]] = relationship(
        back_populates="paper", cascade="all, delete-orphan", order_by="PaperSource.position"
    )
    recommendations: Mapped[list[PaperRecommendation]] = relationship(
        back_populates="paper",
        cascade="all, delete-orphan",
        order_by="PaperRecommendation.position",
    )

    @property
    def publication_date_text(self) -> str:
        return format_partial_date(self.publication_date, self.publication_date_precision)

    @property
    def label(self) -> str:
        return self.title


class PaperAuthor(Base):
    __tablename__ = "paper_authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(
        sa.ForeignKey("papers.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    affiliation: Mapped[Optional[str]] = mapped_column(sa.String(300))

    paper: Mapped[Paper] = relationship(back_populates="authors")


class PaperSource(Base):
    """Where a claim about a paper (its date, its URL) can be checked."""

    __tablename__ = "paper_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(
        sa.ForeignKey("papers.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    url: Mapped[Optional[str]] = mapped_column(sa.String(2000))
    title: Mapped[str] = mapped_column(sa.String(1000))
    accessed: Mapped[Optional[dt.date]]

    paper: Mapped[Paper] = relationship(back_populates="sources")


class Recommendation(Base):
    """The stable identity of one recommendation of a paper record (see the module doc)."""

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class PaperRecommendation(Base):
    """One numbered recommendation as it reads in one copy of a paper."""

    __tablename__ = "paper_recommendations"
    __table_args__ = (sa.UniqueConstraint("paper_id", "recommendation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(
        sa.ForeignKey("papers.id", ondelete="CASCADE"), index=True
    )
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    #: as printed in the paper ("3", "2.1")
    number: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    #: to whom it is addressed ("national governments")
    addressee: Mapped[Optional[str]] = mapped_column(sa.String(300))

    paper: Mapped[Paper] = relationship(back_populates="recommendations")
    recommendation: Mapped[Recommendation] = relationship()
    norms: Mapped[list[Norm]] = relationship(secondary=recommendation_norms, order_by="Norm.letter")
    commitments: Mapped[list[Commitment]] = relationship(
        secondary=recommendation_commitments, order_by="Commitment.id"
    )
    topics: Mapped[list[Topic]] = relationship(
        secondary=recommendation_topics, order_by="Topic.position"
    )
