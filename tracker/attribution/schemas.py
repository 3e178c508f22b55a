"""The JSON of /api/v1/attributions: the attribution domain's API models (see tracker/api/schemas.py
for the shared pieces and why the API is built from models)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tracker.api.schemas import (
    JurisdictionRef,
    NormLetter,
    Page,
    PartialDate,
    Schema,
    Source,
    Timestamp,
    Uri,
    VerificationDetail,
)
from tracker.attribution.models import (
    AttributionForm,
    FrameworkInvoked,
    InvocationBasis,
    PartyRole,
    PassageKind,
)
from tracker.modelbase import DatePrecision


class InvokedNorm(Schema):
    norm: NormLetter
    basis: InvocationBasis
    passage: str | None
    locator: str | None


class Passage(Schema):
    """The statement's words ("verbatim", with the source giving them) or a "summary"."""

    text: str
    kind: PassageKind
    source: str | None


class StatementSource(Schema):
    title: str | None
    url: str | None


class AttributionStatement(Schema):
    """One statement: its own parties, and what it (and only it) invokes."""

    role: PartyRole
    parties: list[JurisdictionRef]
    orgs: list[str]
    joint: bool = Field(description="true only for a single text issued by several parties.")
    date: PartialDate | None
    form: AttributionForm | None
    un_framework_invoked: FrameworkInvoked = Field(
        description="For this statement only. unknown means the full text was not seen: "
        "never read it as no."
    )
    un_framework_invoked_label: str
    invoked_norms: list[InvokedNorm]
    passage: Passage | None
    source: StatementSource | None
    note: str | None


class Recalled(Schema):
    states: list[JurisdictionRef]
    verified: Literal[False]
    note: str


class LabelledVerification(VerificationDetail):
    label: str


class Attribution(Schema):
    id: int
    url: Uri
    api_url: Uri
    date: PartialDate
    date_precision: DatePrecision
    operation: str
    attributing: list[JurisdictionRef]
    attributing_orgs: list[str]
    supported_by: list[JurisdictionRef]
    supported_by_orgs: list[str]
    other_states_recalled: Recalled
    attributed_actor: str
    attributed_state: JurisdictionRef | None
    forms: list[AttributionForm]
    statements: list[AttributionStatement]
    basis_note: str | None
    follow_up: str | None
    legal_basis: str | None
    notes: str | None
    verification: LabelledVerification
    sources: list[Source]
    published_at: Timestamp | None


class AttributionPage(Page[Attribution]):
    """A page of attributions."""
