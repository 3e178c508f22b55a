"""UN framework documents, norms, commitments and supply-chain topics."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import Base, DatePrecision, LabelledEnum, Verification, enum_type

#: how every surface labels ``Norm.short_title`` (page, PDF, API description)
SHORT_TITLE_NOTE = "The tracker's short title for the norm, not the official text."
#: the standing of a contested commitment, on every surface (pages, search, API, exports, PDF)
CONTESTED_LABEL = "Draft under discussion"
CONTESTED_NOTE = (
    "A draft under discussion, not an adopted commitment: sources disagree on whether it was "
    "ever adopted."
)


class DocumentKind(LabelledEnum):
    REPORT = ("report", "Report")
    RESOLUTION = ("resolution", "Resolution")


class CommitmentKind(LabelledEnum):
    OEWG_COMMITMENT = ("oewg_commitment", "OEWG commitment")
    GGE_GUIDANCE = ("gge_guidance", "GGE guidance")
    GLOBAL_CBM = ("global_cbm", "Global confidence-building measure")
    CHECKLIST_ACTION = ("checklist_action", "Norms checklist action")
    RESOLUTION_TEXT = ("resolution_text", "General Assembly resolution")


class FrameworkDocument(Base):
    """A UN document of the framework: a GGE or OEWG report or a GA resolution."""

    __tablename__ = "framework_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind))
    symbol: Mapped[Optional[str]] = mapped_column(sa.String(60))
    title: Mapped[Optional[str]] = mapped_column(sa.Text)
    date: Mapped[Optional[dt.date]]
    date_precision: Mapped[Optional[DatePrecision]] = mapped_column(enum_type(DatePrecision))
    url: Mapped[Optional[str]] = mapped_column(sa.String(2000))
    verification: Mapped[Verification] = mapped_column(enum_type(Verification))
    verification_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    notes: Mapped[Optional[str]] = mapped_column(sa.Text)
    sources: Mapped[list[Any]] = mapped_column(default=list)

    @property
    def label(self) -> str:
        return self.symbol or self.title or self.key


class Norm(Base):
    """One of the eleven norms of A/70/174 para. 13."""

    __tablename__ = "norms"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter: Mapped[str] = mapped_column(sa.String(1), unique=True)
    reference: Mapped[str] = mapped_column(sa.String(120))
    document_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("framework_documents.id"))
    short_title: Mapped[str] = mapped_column(sa.String(200))
    official_text: Mapped[str] = mapped_column(sa.Text)
    summary: Mapped[Optional[str]] = mapped_column(sa.Text)
    text_verbatim_check: Mapped[Optional[str]] = mapped_column(sa.String(80))
    verification: Mapped[Verification] = mapped_column(enum_type(Verification))
    verification_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    #: provenance for staff (how the text was found); never on a public surface
    staff_note: Mapped[Optional[str]] = mapped_column(sa.Text)

    document: Mapped[Optional[FrameworkDocument]] = relationship()
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="norm", order_by="Commitment.id"
    )

    #: the norms at the centre of the tracker's software supply-chain focus
    SUPPLY_CHAIN_LETTERS = ("i", "j")

    @property
    def label(self) -> str:
        return f"Norm ({self.letter})"


class Commitment(Base):
    """An OEWG commitment, global CBM, GGE guidance item or checklist action."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[CommitmentKind] = mapped_column(enum_type(CommitmentKind))
    title: Mapped[str] = mapped_column(sa.String(300))
    text: Mapped[Optional[str]] = mapped_column(sa.Text)
    instrument: Mapped[Optional[str]] = mapped_column(sa.String(300))
    paragraph: Mapped[Optional[str]] = mapped_column(sa.String(60))
    document_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("framework_documents.id"))
    norm_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("norms.id"), index=True)
    verification: Mapped[Verification] = mapped_column(enum_type(Verification))
    verification_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    #: provenance for staff (how the text was found); never on a public surface
    staff_note: Mapped[Optional[str]] = mapped_column(sa.Text)

    document: Mapped[Optional[FrameworkDocument]] = relationship()
    norm: Mapped[Optional[Norm]] = relationship(back_populates="commitments")

    @property
    def contested(self) -> bool:
        """The data file flags disputed items by starting the note with 'CONTESTED'."""
        return bool(
            self.verification_note
            and self.verification_note.lstrip().upper().startswith("CONTESTED")
        )

    @property
    def standing_label(self) -> str | None:
        """ "Draft under discussion" for a contested item, else None (an adopted text)."""
        return CONTESTED_LABEL if self.contested else None


class Topic(Base):
    """A software supply-chain topic (SBOM, vulnerability disclosure, ...)."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    definition: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)
