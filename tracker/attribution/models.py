"""Attribution statements (content rows of attribution records) and their children.

Like a measure, an attribution row is one *copy* of a record's content:
``is_draft`` marks the working copy, ``is_live`` the published one (see
tracker.records). Parties, forms, invoked norms and sources belong to a copy and
are copied with it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import (
    Base,
    DatePrecision,
    LabelledEnum,
    Verification,
    enum_type,
    format_partial_date,
    partial_date_text,
)
from tracker.records.models import ContentCopy

if TYPE_CHECKING:
    from tracker.jurisdictions.models import Jurisdiction
    from tracker.norms.models import Norm
    from tracker.records.models import Record


class AttributionForm(LabelledEnum):
    STATEMENT = ("statement", "Statement")
    JOINT_STATEMENT = ("joint_statement", "Joint statement")
    INDICTMENT = ("indictment", "Indictment")
    SANCTIONS = ("sanctions", "Sanctions")
    TECHNICAL_ADVISORY = ("technical_advisory", "Technical advisory")


class FrameworkInvoked(LabelledEnum):
    """Whether the statement invokes the UN framework of responsible State behaviour."""

    #: the statement refers to the UN framework or its norms
    YES = ("yes", "Yes")
    #: the full text was seen and does not refer to the UN framework
    NO = ("no", "No")
    #: the full text was not seen: never shown or counted as "no"
    UNKNOWN = ("unknown", "Unknown — full text not seen")


class InvocationBasis(LabelledEnum):
    #: the statement names the norm or cites A/70/174
    EXPLICIT = ("explicit", "Explicit: the statement names the norm")
    #: the statement's wording echoes the norm without citing it (an analyst's reading)
    IMPLICIT = ("implicit", "Implicit: the wording echoes the norm")


class PartyRole(LabelledEnum):
    #: made the attribution, alone or jointly
    ATTRIBUTING = ("attributing", "Attributing")
    #: expressed support for another's attribution
    SUPPORTING = ("supporting", "Supporting")
    #: named as attributing in recollection only; not verified
    RECALLED = ("recalled", "Recalled, not verified")


class Attribution(ContentCopy, Base):
    """One public attribution statement (a joint statement is one row with several parties)."""

    __tablename__ = "attributions"
    id: Mapped[int] = mapped_column(primary_key=True)

    #: date of the statement, at the precision it is known
    date: Mapped[dt.date] = mapped_column(index=True)
    date_precision: Mapped[DatePrecision] = mapped_column(
        enum_type(DatePrecision), default=DatePrecision.DAY
    )
    #: the operation or incident attributed
    operation: Mapped[str] = mapped_column(sa.String(1000))
    #: organisations that are not jurisdictions (e.g. NATO), free text
    attributing_orgs: Mapped[list[Any]] = mapped_column(default=list)
    supporting_orgs: Mapped[list[Any]] = mapped_column(default=list)
    #: the actor as the statement names it
    attributed_actor: Mapped[str] = mapped_column(sa.String(1000))
    #: set only when the statement names a single State
    attributed_state_code: Mapped[Optional[str]] = mapped_column(
        sa.ForeignKey("jurisdictions.code"), index=True
    )
    un_framework_invoked: Mapped[FrameworkInvoked] = mapped_column(
        enum_type(FrameworkInvoked), default=FrameworkInvoked.UNKNOWN
    )
    #: the passage of the statement that matters here, quoted
    passage: Mapped[Optional[str]] = mapped_column(sa.Text)
    #: the basis or confidence the statement itself gives ("high confidence")
    basis_note: Mapped[Optional[str]] = mapped_column(sa.Text)
    follow_up: Mapped[Optional[str]] = mapped_column(sa.Text)
    legal_basis: Mapped[Optional[str]] = mapped_column(sa.Text)
    notes: Mapped[Optional[str]] = mapped_column(sa.Text)
    verification: Mapped[Verification] = mapped_column(
        enum_type(Verification), default=Verification.UNVERIFIED
    )
    verification_note: Mapped[Optional[str]] = mapped_column(sa.Text)

    record: Mapped[Record] = relationship()
    attributed_state: Mapped[Optional[Jurisdiction]] = relationship()
    parties: Mapped[list[AttributionParty]] = relationship(
        back_populates="attribution",
        cascade="all, delete-orphan",
        order_by="(AttributionParty.role, AttributionParty.position)",
    )
    form_rows: Mapped[list[AttributionFormRow]] = relationship(
        back_populates="attribution",
        cascade="all, delete-orphan",
        order_by="AttributionFormRow.position",
    )
    invoked_norms: Mapped[list[InvokedNorm]] = relationship(
        back_populates="attribution", cascade="all, delete-orphan", order_by="InvokedNorm.id"
    )
    sources: Mapped[list[AttributionSource]] = relationship(
        back_populates="attribution",
        cascade="all, delete-orphan",
        order_by="AttributionSource.position",
    )

    def _with_role(self, role: PartyRole) -> list[AttributionParty]:
        return [p for p in self.parties if p.role is role]

    @property
    def attributing(self) -> list[AttributionParty]:
        return self._with_role(PartyRole.ATTRIBUTING)

    @property
    def supporting(self) -> list[AttributionParty]:
        return self._with_role(PartyRole.SUPPORTING)

    @property
    def recalled(self) -> list[AttributionParty]:
        return self._with_role(PartyRole.RECALLED)

    @property
    def forms(self) -> list[AttributionForm]:
        return [f.form for f in self.form_rows]

    @property
    def is_joint(self) -> bool:
        """More than one attributing party (jurisdictions and organisations together)."""
        return len(self.attributing) + len(self.attributing_orgs or []) > 1

    @property
    def date_text(self) -> str:
        return format_partial_date(self.date, self.date_precision)

    @property
    def date_iso(self) -> str:
        """The date as written at its precision ("2017-12-19", "2023-05", "2023"); valid in <time>."""
        return partial_date_text(self.date, self.date_precision) or ""

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def label(self) -> str:
        return self.operation


class AttributionParty(Base):
    """A jurisdiction (a State or the EU) attributing, supporting or recalled as attributing."""

    __tablename__ = "attribution_parties"

    attribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attributions.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[PartyRole] = mapped_column(enum_type(PartyRole), primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(
        sa.ForeignKey("jurisdictions.code"), primary_key=True, index=True
    )
    #: order as the statement lists them
    position: Mapped[int] = mapped_column(default=0)

    attribution: Mapped[Attribution] = relationship(back_populates="parties")
    jurisdiction: Mapped[Jurisdiction] = relationship()

    @property
    def code(self) -> str:
        return self.jurisdiction_code


class AttributionFormRow(Base):
    """One form a statement takes (a statement may be a statement and an indictment)."""

    __tablename__ = "attribution_forms"

    attribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attributions.id", ondelete="CASCADE"), primary_key=True
    )
    form: Mapped[AttributionForm] = mapped_column(enum_type(AttributionForm), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    attribution: Mapped[Attribution] = relationship(back_populates="form_rows")


class InvokedNorm(Base):
    """A norm the statement invokes, explicitly or implicitly, with the passage and its locator."""

    __tablename__ = "attribution_norms"

    id: Mapped[int] = mapped_column(primary_key=True)
    attribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attributions.id", ondelete="CASCADE"), index=True
    )
    norm_id: Mapped[int] = mapped_column(sa.ForeignKey("norms.id"), index=True)
    basis: Mapped[InvocationBasis] = mapped_column(enum_type(InvocationBasis))
    passage: Mapped[Optional[str]] = mapped_column(sa.Text)
    locator: Mapped[Optional[str]] = mapped_column(sa.String(300))

    attribution: Mapped[Attribution] = relationship(back_populates="invoked_norms")
    norm: Mapped[Norm] = relationship()


class AttributionSource(Base):
    """Where a claim about a statement can be checked."""

    __tablename__ = "attribution_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    attribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attributions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    url: Mapped[Optional[str]] = mapped_column(sa.String(2000))
    title: Mapped[str] = mapped_column(sa.String(1000))
    accessed: Mapped[Optional[dt.date]]

    attribution: Mapped[Attribution] = relationship(back_populates="sources")
