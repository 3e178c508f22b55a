"""A catalogue of practical actions (e.g. the 2021 GGE guidance under norms (i) and (j)).

Catalogues are reference data, like the norms: they are loaded from a data file,
not edited or reviewed in the app. Measures link to the actions they implement
(``tracker.measures.models.MeasureImplementation``), and the gap analysis reads
those links.

Action texts are kept exactly as the source gives them. Where the source lists
several actions under one phrase, the phrase is stored once per action as its
``context`` ("recommendations to suppliers on"), and the norm-level phrase that
introduces the whole list as the catalogue's ``lead_ins[letter]``, so that pages
can present each action as a sentence without changing its text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import Base, LabelledEnum, Verification, enum_type

if TYPE_CHECKING:
    from tracker.norms.models import FrameworkDocument, Norm, Topic


class Wording(LabelledEnum):
    """Whether a text shown for a source is the source's own words."""

    #: the source's words, character for character: may be shown in quotation marks
    VERBATIM = ("verbatim", "Verbatim")
    #: the tracker's condensed wording of the source: never shown as a quotation
    SUMMARY = ("summary", "Summary")


catalogue_action_topics = sa.Table(
    "catalogue_action_topics",
    Base.metadata,
    sa.Column(
        "action_id", sa.ForeignKey("catalogue_actions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("topic_id", sa.ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
)


class Catalogue(Base):
    __tablename__ = "catalogues"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    document_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("framework_documents.id"))
    verification: Mapped[Verification] = mapped_column(enum_type(Verification))
    verification_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    #: provenance for staff (how the text was found); never on a public surface
    staff_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    #: norm letter -> the source's phrase that introduces that norm's list of actions
    lead_ins: Mapped[dict[str, Any]] = mapped_column(default=dict)

    document: Mapped[Optional[FrameworkDocument]] = relationship()
    actions: Mapped[list[CatalogueAction]] = relationship(
        back_populates="catalogue", order_by="CatalogueAction.position"
    )

    def lead_in(self, letter: str | None) -> str | None:
        return (self.lead_ins or {}).get(letter or "")


class CatalogueAction(Base):
    __tablename__ = "catalogue_actions"
    __table_args__ = (sa.UniqueConstraint("catalogue_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("catalogues.id", ondelete="CASCADE"), index=True
    )
    #: unique within the catalogue, stable ("i-3")
    key: Mapped[str] = mapped_column(sa.String(40))
    #: as shown ("i.3")
    number: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int] = mapped_column(default=0)
    norm_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("norms.id"), index=True)
    #: the source's shared phrase this item completes ("recommendations to suppliers on")
    context: Mapped[Optional[str]] = mapped_column(sa.String(300))
    #: the source's words (``wording`` verbatim) or the tracker's summary of them
    text: Mapped[str] = mapped_column(sa.Text)
    wording: Mapped[Wording] = mapped_column(
        enum_type(Wording), default=Wording.SUMMARY, server_default=Wording.SUMMARY.value
    )
    #: paragraph of the source document, when verified
    paragraph: Mapped[Optional[str]] = mapped_column(sa.String(60))
    verification: Mapped[Verification] = mapped_column(enum_type(Verification))
    verification_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    sources: Mapped[list[Any]] = mapped_column(default=list)

    catalogue: Mapped[Catalogue] = relationship(back_populates="actions")
    norm: Mapped[Optional[Norm]] = relationship()
    topics: Mapped[list[Topic]] = relationship(
        secondary=catalogue_action_topics, order_by="Topic.position"
    )

    @property
    def phrase(self) -> str:
        """The action as a phrase: its shared context, a colon, then its own text."""
        return f"{self.context}: {self.text}" if self.context else self.text

    @property
    def verbatim(self) -> bool:
        return self.wording is Wording.VERBATIM
