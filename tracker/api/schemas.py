"""The JSON of /api/v1, defined once: every response is one of these models, dumped with
``model_dump(mode="json")``, and the OpenAPI document's components are generated from the same
models (tracker/opendata/openapi.py). A field added here is served and documented at once.

Models forbid extra keys, so their schemas say ``additionalProperties: false`` and a response
cannot carry a key the document does not describe. Every field is required in the document
(a null value is written out, never left out). The attribution models live in
tracker/attribution/schemas.py and use the shared pieces of this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from tracker.jurisdictions.models import JurisdictionKind
from tracker.measures import lifecycle
from tracker.measures.models import (
    EventKind,
    MappingBasis,
    MeasureStatus,
    MeasureType,
    RelationKind,
)
from tracker.modelbase import DatePrecision, Verification
from tracker.norms.models import CONTESTED_LABEL, SHORT_TITLE_NOTE, CommitmentKind

#: an absolute URL (kept as the string the app built: no normalising on the way out)
Uri = Annotated[str, WithJsonSchema({"type": "string", "format": "uri"})]
#: RFC 3339 with the UTC offset, to the second (tracker.modelbase.rfc3339)
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
PARTIAL_DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
#: a date at the precision it is known
PartialDate = Annotated[
    str,
    StringConstraints(pattern=PARTIAL_DATE_PATTERN),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": PARTIAL_DATE_PATTERN,
            "description": "A date at the precision it is known: YYYY, YYYY-MM or YYYY-MM-DD.",
        }
    ),
]
NormLetter = Annotated[str, StringConstraints(pattern="^[a-k]$")]
Count = Annotated[int, Field(ge=0)]


class Schema(BaseModel):
    """Base of every API model: no undeclared keys, every key written out."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


# -- Shared pieces ------------------------------------------------------------------------------


class JurisdictionRef(Schema):
    code: str
    name: str


class Source(Schema):
    url: Uri | None
    title: str
    accessed: dt.date | None


class VerificationDetail(Schema):
    """How far the record has been checked against its sources, and any note on it."""

    status: Verification
    note: str | None


class Suggestion(Schema):
    url: Uri
    label: str | None


class ErrorBody(Schema):
    #: ``suggestion`` is left out when there is none
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    status: int
    title: str
    message: str
    #: only when the app can point to what was probably meant
    suggestion: Suggestion | None = Field(default=None)


class Error(Schema):
    """Every error of the API (tracker.web builds it for any request under /api/)."""

    error: ErrorBody


class Index(Schema):
    name: str
    version: int
    endpoints: dict[str, Uri]
    notes: str


T = TypeVar("T", bound=BaseModel)


class Page(Schema, Generic[T]):
    """The one envelope of every list: one page of items and links to its neighbours."""

    items: list[T]
    page: Annotated[int, Field(ge=1)]
    per_page: Annotated[int, Field(ge=1)]
    total: Count
    pages: Count
    next: Uri | None
    prev: Uri | None


# -- Norms --------------------------------------------------------------------------------------


class Norm(Schema):
    letter: NormLetter
    reference: str
    short_title: str = Field(description=SHORT_TITLE_NOTE)
    short_title_note: str
    summary: str | None
    official_text: str
    verification: VerificationDetail
    sources: list[Any]
    url: Uri
    api_url: Uri


class NormPage(Page[Norm]):
    """A page of norms."""


class Commitment(Schema):
    key: str
    kind: CommitmentKind
    title: str
    text: str | None
    instrument: str | None
    paragraph: str | None
    contested: bool
    standing: str | None = Field(
        description=f"'{CONTESTED_LABEL}' for a contested item, else null."
    )
    standing_note: str | None
    verification: VerificationDetail
    sources: list[Any]


class FrameworkDocument(Schema):
    symbol: str | None
    title: str | None
    date: PartialDate | None
    url: Uri | None
    verification: VerificationDetail


class NormJurisdiction(Schema):
    """A jurisdiction with measures of its own mapped to the norm."""

    code: str
    name: str
    kind: JurisdictionKind
    measures: Count = Field(description="Its own published measures mapped to the norm.")


class NormDetail(Norm):
    """One norm: its document, its commitments and how many measures each jurisdiction has
    mapped to it. The measures themselves are listed, page by page, at ``measures_url``."""

    document: FrameworkDocument | None
    commitments: list[Commitment]
    measures: Count = Field(description="Published measures mapped to the norm.")
    measures_url: Uri = Field(description="The paginated list of those measures.")
    jurisdictions: list[NormJurisdiction] = Field(
        description="Regional organisations first, then jurisdictions by name."
    )


# -- Jurisdictions ------------------------------------------------------------------------------


class StandingCounts(Schema):
    """The named counts of lifecycle.COUNTS on ``as_of`` (today), keyed by their labels."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    as_of: dt.date
    adopted: Annotated[Count, Field(alias=lifecycle.COUNT_BY_KEY["adopted"].label)]
    in_force: Annotated[Count, Field(alias=lifecycle.COUNT_BY_KEY["in_force"].label)]
    applying: Annotated[Count, Field(alias=lifecycle.COUNT_BY_KEY["applying"].label)]


class Jurisdiction(Schema):
    code: str
    name: str
    official_name: str | None
    alpha3: str | None
    kind: JurisdictionKind
    member_of: list[str]
    measures: Count = Field(
        description="What measures_url lists: its own measures and those of the organisations "
        "it belongs to."
    )
    standing_counts: StandingCounts
    url: Uri
    measures_url: Uri


class JurisdictionPage(Page[Jurisdiction]):
    """A page of jurisdictions."""


# -- Measures -----------------------------------------------------------------------------------


class MeasureStanding(Schema):
    as_of: dt.date
    value: lifecycle.Standing
    label: str
    sentence: str


class MeasureEvent(Schema):
    kind: EventKind
    date: PartialDate
    precision: DatePrecision
    stage: str | None
    note: str | None
    successor: int | None = Field(description="Record id of the published successor, if any.")


class Topic(Schema):
    slug: str
    name: str


class MeasureMapping(Schema):
    norm: NormLetter | None
    commitment: str | None
    locator: str | None
    whole_instrument: bool
    rationale: str | None
    basis: MappingBasis


class Relation(Schema):
    kind: RelationKind
    target: int
    target_url: Uri
    note: str | None


class Measure(Schema):
    id: int
    url: Uri
    api_url: Uri
    jurisdiction: JurisdictionRef
    title_original: str
    title_lang: str
    title_en: str | None
    short_name: str | None
    type: MeasureType
    issuing_body: str | None
    status: MeasureStatus
    status_note: str | None
    standing: MeasureStanding
    official_identifier: str | None
    official_url: Uri | None
    description: str | None
    year: int | None
    events: list[MeasureEvent]
    sources: list[Source]
    topics: list[Topic]
    mappings: list[MeasureMapping]
    relations: list[Relation] = Field(description="Only relations to published measures.")
    verification: VerificationDetail
    updated_at: Timestamp = Field(description="When the public version last changed.")


class MeasurePage(Page[Measure]):
    """A page of measures."""
