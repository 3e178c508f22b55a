"""Attributions (content rows of attribution records), their statements and children.

Like a measure, an attribution row is one *copy* of a record's content:
``is_draft`` marks the working copy, ``is_live`` the published one (see
tracker.records). Statements (with their parties and invoked norms), forms and
sources belong to a copy and are copied with it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import (
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
    #: kept for old data only: "joint" is said of a statement with several parties, not a form
    JOINT_STATEMENT = ("joint_statement", "Joint statement")
    INDICTMENT = ("indictment", "Indictment")
    SANCTIONS = ("sanctions", "Sanctions")
    TECHNICAL_ADVISORY = ("technical_advisory", "Technical advisory")


#: the forms offered in filters and the editor
FORM_CHOICES = [
    AttributionForm.STATEMENT,
    AttributionForm.INDICTMENT,
    AttributionForm.SANCTIONS,
    AttributionForm.TECHNICAL_ADVISORY,
]


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
    #: the norm's language is linked to this statement, but how (or whether) it invokes it
    #: is not established
    UNKNOWN = ("unknown", "Unknown: not established")


class PartyRole(LabelledEnum):
    """The role of a statement (and so of its parties) in an attribution."""

    #: made the attribution, alone or in a single joint text
    ATTRIBUTING = ("attributing", "Attributing")
    #: expressed support for another's attribution
    SUPPORTING = ("supporting", "Supporting")
    #: named as attributing in recollection only; not verified
    RECALLED = ("recalled", "Recalled, not verified")


class PassageKind(LabelledEnum):
    """Whether a passage is the statement's own words or the tracker's summary of them."""

    #: the statement's words, as its source gives them: shown in quotation marks
    VERBATIM = ("verbatim", "Verbatim")
    #: the tracker's summary: labelled "summary", never set in quotation marks
    SUMMARY = ("summary", "Summary")


class Attribution(ContentCopy, Base):
    """One operation or campaign, publicly attributed, with the statements that attributed it.

    Each statement (``AttributionStatement``) has its own parties, date, form, passage,
    norms invoked and UN framework reference: what one party said is never credited to
    another. Several parties share a statement only when they issued a single joint text.
    """

    __tablename__ = "attributions"
    id: Mapped[int] = mapped_column(primary_key=True)

    #: date of the (first) attribution, at the precision it is known
    date: Mapped[dt.date] = mapped_column(index=True)
    date_precision: Mapped[DatePrecision] = mapped_column(
        enum_type(DatePrecision), default=DatePrecision.DAY
    )
    #: the operation or incident attributed
    operation: Mapped[str] = mapped_column(sa.String(1000))
    #: the actor as the statements name it
    attributed_actor: Mapped[str] = mapped_column(sa.String(1000))
    #: set only when the statements name a single State
    attributed_state_code: Mapped[Optional[str]] = mapped_column(
        sa.ForeignKey("jurisdictions.code"), index=True
    )
    #: the basis or confidence the statements give ("high confidence")
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
    statements: Mapped[list[AttributionStatement]] = relationship(
        back_populates="attribution",
        cascade="all, delete-orphan",
        order_by="AttributionStatement.position",
    )
    form_rows: Mapped[list[AttributionFormRow]] = relationship(
        back_populates="attribution",
        cascade="all, delete-orphan",
        order_by="AttributionFormRow.position",
    )
    sources: Mapped[list[AttributionSource]] = relationship(
        back_populates="attribution",
        cascade="all, delete-orphan",
        order_by="AttributionSource.position",
    )

    def _with_role(self, role: PartyRole) -> list[StatementParty]:
        """Parties of the statements in this role, each jurisdiction once, in statement order."""
        seen: dict[str, StatementParty] = {}
        for s in self.statements:
            if s.role is role:
                for p in s.parties:
                    seen.setdefault(p.jurisdiction_code, p)
        return list(seen.values())

    @property
    def attributing(self) -> list[StatementParty]:
        return self._with_role(PartyRole.ATTRIBUTING)

    @property
    def supporting(self) -> list[StatementParty]:
        return self._with_role(PartyRole.SUPPORTING)

    @property
    def recalled(self) -> list[StatementParty]:
        return self._with_role(PartyRole.RECALLED)

    def _orgs(self, role: PartyRole) -> list[str]:
        return list(
            dict.fromkeys(o for s in self.statements if s.role is role for o in s.orgs or [])
        )

    @property
    def attributing_orgs(self) -> list[str]:
        return self._orgs(PartyRole.ATTRIBUTING)

    @property
    def supporting_orgs(self) -> list[str]:
        return self._orgs(PartyRole.SUPPORTING)

    @property
    def attributing_statements(self) -> list[AttributionStatement]:
        return [s for s in self.statements if s.role is PartyRole.ATTRIBUTING]

    @property
    def forms(self) -> list[AttributionForm]:
        return [f.form for f in self.form_rows]

    @property
    def invoked_norms(self) -> list[InvokedNorm]:
        """Every norm invocation of every statement (each keeps its statement)."""
        return [n for s in self.statements for n in s.invoked_norms]

    @property
    def date_text(self) -> str:
        return format_partial_date(self.date, self.date_precision)

    @property
    def date_iso(self) -> str:
        """The date as written at its precision ("2017-12-19", "2023-05", "2023"); valid in
        <time>."""
        return partial_date_text(self.date, self.date_precision) or ""

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def label(self) -> str:
        return self.operation


class AttributionStatement(Base):
    """One statement: its own parties (several only for a single joint text), date, form,
    source, passage, norms invoked and UN framework reference."""

    __tablename__ = "attribution_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    attribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attributions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[PartyRole] = mapped_column(enum_type(PartyRole), default=PartyRole.ATTRIBUTING)
    date: Mapped[Optional[dt.date]]
    date_precision: Mapped[DatePrecision] = mapped_column(
        enum_type(DatePrecision), default=DatePrecision.DAY
    )
    #: None: the form of this statement is not recorded
    form: Mapped[Optional[AttributionForm]] = mapped_column(enum_type(AttributionForm))
    #: organisations that are not jurisdictions (e.g. NATO), free text
    orgs: Mapped[list[Any]] = mapped_column(default=list)
    un_framework_invoked: Mapped[FrameworkInvoked] = mapped_column(
        enum_type(FrameworkInvoked), default=FrameworkInvoked.UNKNOWN
    )
    #: the passage of this statement that matters here
    passage: Mapped[Optional[str]] = mapped_column(sa.Text)
    passage_kind: Mapped[PassageKind] = mapped_column(
        enum_type(PassageKind), default=PassageKind.SUMMARY
    )
    #: where the passage is taken from (a verbatim passage needs one)
    passage_source: Mapped[Optional[str]] = mapped_column(sa.String(1000))
    #: where this statement can be read
    source_title: Mapped[Optional[str]] = mapped_column(sa.String(1000))
    source_url: Mapped[Optional[str]] = mapped_column(sa.String(2000))
    note: Mapped[Optional[str]] = mapped_column(sa.Text)

    attribution: Mapped[Attribution] = relationship(back_populates="statements")
    parties: Mapped[list[StatementParty]] = relationship(
        back_populates="statement",
        cascade="all, delete-orphan",
        order_by="StatementParty.position",
    )
    invoked_norms: Mapped[list[InvokedNorm]] = relationship(
        back_populates="statement", cascade="all, delete-orphan", order_by="InvokedNorm.id"
    )

    @property
    def codes(self) -> list[str]:
        return [p.jurisdiction_code for p in self.parties]

    @property
    def party_count(self) -> int:
        return len(self.parties) + len(self.orgs or [])

    @property
    def is_joint(self) -> bool:
        """A single text issued by several parties (not several statements on one day)."""
        return self.party_count > 1

    @property
    def party_names(self) -> str:
        return ", ".join([p.jurisdiction.name for p in self.parties] + list(self.orgs or []))

    @property
    def is_verbatim(self) -> bool:
        return bool(self.passage) and self.passage_kind is PassageKind.VERBATIM

    @property
    def date_text(self) -> str:
        return format_partial_date(self.date, self.date_precision) if self.date else ""

    @property
    def date_iso(self) -> str:
        if self.date is None:
            return ""
        return partial_date_text(self.date, self.date_precision) or ""


class StatementParty(Base):
    """A jurisdiction (a State or the EU) that made a statement."""

    __tablename__ = "statement_parties"

    statement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attribution_statements.id", ondelete="CASCADE"), primary_key=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(
        sa.ForeignKey("jurisdictions.code"), primary_key=True, index=True
    )
    #: order as the statement lists them
    position: Mapped[int] = mapped_column(default=0)

    statement: Mapped[AttributionStatement] = relationship(back_populates="parties")
    jurisdiction: Mapped[Jurisdiction] = relationship()

    @property
    def code(self) -> str:
        return self.jurisdiction_code

    @property
    def role(self) -> PartyRole:
        return self.statement.role


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
    """A norm one statement invokes (explicitly, implicitly, or unknown), with passage and
    locator."""

    __tablename__ = "statement_norms"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attribution_statements.id", ondelete="CASCADE"), index=True
    )
    norm_id: Mapped[int] = mapped_column(sa.ForeignKey("norms.id"), index=True)
    basis: Mapped[InvocationBasis] = mapped_column(enum_type(InvocationBasis))
    passage: Mapped[Optional[str]] = mapped_column(sa.Text)
    locator: Mapped[Optional[str]] = mapped_column(sa.String(300))

    statement: Mapped[AttributionStatement] = relationship(back_populates="invoked_norms")
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
