"""Measures (content rows of measure records) and their children.

A measure row is one *copy* of a measure record's content (see tracker.records):
``is_draft`` marks the working copy, ``is_live`` the published one. Children
(events, sources, topics, relations, mappings) belong to a copy and are copied
with it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import (
    Base,
    DatePrecision,
    LabelledEnum,
    Verification,
    enum_type,
    format_partial_date,
)
from tracker.records.models import ContentCopy

if TYPE_CHECKING:
    from tracker.catalogues.models import CatalogueAction
    from tracker.jurisdictions.models import Jurisdiction
    from tracker.norms.models import Commitment, Norm, Topic
    from tracker.papers.models import Recommendation
    from tracker.records.models import Record


class MeasureType(LabelledEnum):
    LAW = ("law", "Law")
    REGULATION = ("regulation", "Regulation")
    EXECUTIVE_ORDER = ("executive_order", "Executive order")
    STRATEGY = ("strategy", "Strategy")
    STANDARD_GUIDANCE = ("standard_guidance", "Standard or guidance")
    PROGRAMME = ("programme", "Programme")
    PROCUREMENT_RULE = ("procurement_rule", "Procurement rule")


class MeasureStatus(LabelledEnum):
    PROPOSED = ("proposed", "Proposed")
    ADOPTED = ("adopted", "Adopted")
    IN_FORCE = ("in_force", "In force")
    PARTLY_APPLICABLE = ("partly_applicable", "Partly applicable")
    AMENDED = ("amended", "Amended")
    SUPERSEDED = ("superseded", "Superseded")
    RESCINDED = ("rescinded", "Rescinded")


class EventKind(LabelledEnum):
    """A dated step in a measure's life (see tracker.measures.lifecycle for what each means)."""

    #: a government says it will act (a plan, a consultation)
    ANNOUNCED = ("announced", "Announced")
    #: a bill introduced or a text formally proposed
    PROPOSED = ("proposed", "Proposed or introduced")
    ADOPTED = ("adopted", "Adopted")
    PUBLISHED = ("published", "Published")
    #: enters into force; several events are stages, each with what enters into force
    IN_FORCE = ("in_force", "Entered into force")
    #: an application stage, labelled with what applies ("Art. 14 reporting obligations")
    APPLIES_FROM = ("applies_from", "Applies from")
    AMENDED = ("amended", "Amended")
    #: replaced by another measure (linked as the successor)
    SUPERSEDED = ("superseded", "Superseded")
    RESCINDED = ("rescinded", "Repealed or rescinded")
    #: a bill that died or a text withdrawn before adoption
    LAPSED = ("lapsed", "Lapsed or withdrawn")


class RelationKind(LabelledEnum):
    AMENDS = ("amends", "Amends")
    IMPLEMENTS = ("implements", "Implements")
    TRANSPOSES = ("transposes", "Transposes")
    SUPERSEDES = ("supersedes", "Supersedes")
    RESCINDS = ("rescinds", "Rescinds")


class MappingBasis(LabelledEnum):
    #: the measure itself names the norm or commitment
    EXPLICIT = ("explicit", "Named in the measure")
    #: an analyst's inference from the measure's content
    INFERRED = ("inferred", "Analyst's inference")


#: what a mapping's "where" says without a pinpoint (pages, exports, briefs)
WHOLE_INSTRUMENT = "Whole instrument"
NO_PINPOINT = "No pinpoint recorded"


class MappingState(LabelledEnum):
    DRAFT = ("draft", "Draft")
    PUBLISHED = ("published", "Published")


measure_topics = sa.Table(
    "measure_topics",
    Base.metadata,
    sa.Column("measure_id", sa.ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)


class Measure(ContentCopy, Base):
    __tablename__ = "measures"
    id: Mapped[int] = mapped_column(primary_key=True)

    jurisdiction_code: Mapped[str] = mapped_column(sa.ForeignKey("jurisdictions.code"), index=True)
    title_original: Mapped[str] = mapped_column(sa.String(1000))
    title_lang: Mapped[str] = mapped_column(sa.String(16), default="en")
    title_en: Mapped[Optional[str]] = mapped_column(sa.String(1000))
    short_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    type: Mapped[MeasureType] = mapped_column(enum_type(MeasureType), index=True)
    issuing_body: Mapped[Optional[str]] = mapped_column(sa.String(500))
    status: Mapped[MeasureStatus] = mapped_column(enum_type(MeasureStatus), index=True)
    status_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    official_identifier: Mapped[Optional[str]] = mapped_column(sa.String(500))
    official_url: Mapped[Optional[str]] = mapped_column(sa.String(2000))
    description: Mapped[Optional[str]] = mapped_column(sa.Text)
    verification: Mapped[Verification] = mapped_column(
        enum_type(Verification), default=Verification.UNVERIFIED
    )
    verification_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    #: year of the earliest dated event, kept for the year filter and sorting
    year: Mapped[Optional[int]] = mapped_column(index=True)

    record: Mapped[Record] = relationship()
    jurisdiction: Mapped[Jurisdiction] = relationship()
    events: Mapped[list[MeasureEvent]] = relationship(
        back_populates="measure",
        cascade="all, delete-orphan",
        order_by="(MeasureEvent.date, MeasureEvent.id)",
    )
    sources: Mapped[list[Source]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="Source.position"
    )
    topics: Mapped[list[Topic]] = relationship(secondary=measure_topics, order_by="Topic.position")
    relations: Mapped[list[MeasureRelation]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureRelation.id"
    )
    mappings: Mapped[list[Mapping]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="Mapping.id"
    )
    #: recommendations and catalogue actions this measure implements (papers issue)
    implementations: Mapped[list[MeasureImplementation]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureImplementation.id"
    )

    @property
    def title(self) -> str:
        """The English title where one is recorded, else the official title."""
        return self.title_en or self.title_original

    @property
    def label(self) -> str:
        return self.short_name or self.title

    def compute_year(self) -> None:
        dates = [e.date for e in self.events if e.date is not None]
        self.year = min(dates).year if dates else None


class MeasureEvent(Base):
    """A dated step in a measure's life; several per kind allowed (staggered application)."""

    __tablename__ = "measure_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind))
    date: Mapped[dt.date]
    precision: Mapped[DatePrecision] = mapped_column(
        enum_type(DatePrecision), default=DatePrecision.DAY
    )
    note: Mapped[Optional[str]] = mapped_column(sa.String(500))
    #: what enters into force or applies at this stage ("Art. 14 reporting obligations")
    stage: Mapped[Optional[str]] = mapped_column(sa.String(300))
    #: for superseded / rescinded: the measure record that replaced or rescinded this one
    successor_record_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("records.id", ondelete="SET NULL"), index=True
    )

    measure: Mapped[Measure] = relationship(back_populates="events")
    successor_record: Mapped[Optional[Record]] = relationship()

    @property
    def date_text(self) -> str:
        return format_partial_date(self.date, self.precision)


class Source(Base):
    """Where a claim about a measure can be checked."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    url: Mapped[Optional[str]] = mapped_column(sa.String(2000))
    title: Mapped[str] = mapped_column(sa.String(1000))
    accessed: Mapped[Optional[dt.date]]
    #: how the source was found (provenance for staff); never on a public surface
    staff_note: Mapped[Optional[str]] = mapped_column(sa.Text)

    measure: Mapped[Measure] = relationship(back_populates="sources")


class MeasureRelation(Base):
    """This measure amends / implements / ... another measure record."""

    __tablename__ = "measure_relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RelationKind] = mapped_column(enum_type(RelationKind))
    target_record_id: Mapped[int] = mapped_column(
        sa.ForeignKey("records.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[Optional[str]] = mapped_column(sa.String(500))

    measure: Mapped[Measure] = relationship(back_populates="relations")
    target_record: Mapped[Record] = relationship()


class Mapping(Base):
    """A measure implements a norm or a commitment, with a pinpoint and a rationale."""

    __tablename__ = "mappings"
    __table_args__ = (
        sa.CheckConstraint(
            "(norm_id IS NULL) <> (commitment_id IS NULL)", name="norm_xor_commitment"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True
    )
    norm_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("norms.id"), index=True)
    commitment_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("commitments.id"), index=True
    )
    locator: Mapped[Optional[str]] = mapped_column(sa.String(300))
    #: the measure as a whole implements the target, so no pinpoint is needed
    whole_instrument: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    rationale: Mapped[Optional[str]] = mapped_column(sa.Text)
    basis: Mapped[MappingBasis] = mapped_column(
        enum_type(MappingBasis), default=MappingBasis.INFERRED
    )
    #: follows the measure copy it belongs to: published on the live copy
    state: Mapped[MappingState] = mapped_column(enum_type(MappingState), default=MappingState.DRAFT)

    measure: Mapped[Measure] = relationship(back_populates="mappings")
    norm: Mapped[Optional[Norm]] = relationship()
    commitment: Mapped[Optional[Commitment]] = relationship()

    @property
    def where(self) -> str:
        """Where in the measure the mapping applies, as pages and briefs say it."""
        if self.locator:
            return self.locator
        return WHOLE_INSTRUMENT if self.whole_instrument else NO_PINPOINT


# --- Implementation links (papers and gap analysis) ------------------------------------------


class ImplementationDegree(LabelledEnum):
    #: the measure does everything the recommendation or action asks
    FULL = ("full", "Full")
    #: the measure covers part of it (a sector, some elements, only some addressees)
    PARTIAL = ("partial", "Partial")


class MeasureImplementation(Base):
    """This measure implements a paper's recommendation or a catalogue action.

    Part of the measure's content: copied with the measure, reviewed and
    published with it. ``recommendation_id`` points at the recommendation's
    stable identity, so the link survives new copies of the paper.
    """

    __tablename__ = "measure_implementations"
    __table_args__ = (
        sa.CheckConstraint(
            "(recommendation_id IS NULL) <> (action_id IS NULL)",
            name="recommendation_xor_action",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        sa.ForeignKey("measures.id", ondelete="CASCADE"), index=True
    )
    recommendation_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("catalogue_actions.id", ondelete="CASCADE"), index=True
    )
    degree: Mapped[ImplementationDegree] = mapped_column(enum_type(ImplementationDegree))
    basis: Mapped[MappingBasis] = mapped_column(
        enum_type(MappingBasis), default=MappingBasis.INFERRED
    )
    #: pinpoint in the measure (article, section), when known
    locator: Mapped[Optional[str]] = mapped_column(sa.String(300))
    rationale: Mapped[str] = mapped_column(sa.Text)

    measure: Mapped[Measure] = relationship(back_populates="implementations")
    recommendation: Mapped[Optional[Recommendation]] = relationship()
    action: Mapped[Optional[CatalogueAction]] = relationship()
