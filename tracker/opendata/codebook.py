"""The codebook: every exported field and every taxonomy, with a version number.

Raise ``VERSION`` whenever a column, a cell format or a taxonomy value changes
(major: a column removed or renamed, or a format changed; minor: something added).
The page /data/ and /data/codebook.json are built from ``codebook()``, and
tests check that it names every export column and every enum value.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker.attribution.models import (
    AttributionForm,
    FrameworkInvoked,
    InvocationBasis,
    PartyRole,
    PassageKind,
)
from tracker.extensions import db
from tracker.measures.models import (
    EventKind,
    MappingBasis,
    MeasureStatus,
    MeasureType,
    RelationKind,
)
from tracker.modelbase import DatePrecision, LabelledEnum, Verification
from tracker.norms.models import Commitment, Norm, Topic
from tracker.opendata.formats import FIELD_SEPARATOR
from tracker.opendata.licence import LICENCE
from tracker.opendata.rows import ATTRIBUTIONS, DRAFT_COLUMNS, MEASURES, Column, Dataset

VERSION = "1.0"

DEFINITIONS: dict[type[LabelledEnum], dict[str, str]] = {
    MeasureType: {
        "law": "An act of a legislature (statute, act, law).",
        "regulation": (
            "Binding secondary rules made under a law (regulation, decree, ordinance, "
            "delegated or implementing act)."
        ),
        "executive_order": "A directive of a head of State or government that binds the executive.",
        "strategy": (
            "A government strategy or policy statement that sets goals without binding rules."
        ),
        "standard_guidance": (
            "A standard, framework or guidance document issued by a public body; voluntary "
            "unless another measure makes it binding."
        ),
        "programme": (
            "A government programme, scheme or initiative (for example a labelling or "
            "certification scheme)."
        ),
        "procurement_rule": "Rules that apply when public bodies buy ICT products or services.",
    },
    MeasureStatus: {
        "proposed": "Published as a proposal or bill; not adopted.",
        "adopted": (
            "Adopted or published in final form; for non-binding documents, the final version "
            "is out."
        ),
        "in_force": "Legally in force.",
        "partly_applicable": "In force, with some provisions applying only from later dates.",
        "amended": "In force as amended by a later measure.",
        "superseded": "Replaced by a later measure.",
        "rescinded": "Revoked or withdrawn.",
    },
    EventKind: {
        "announced": "Announced (a plan or consultation), before any formal proposal.",
        "proposed": "Proposed or introduced (a bill at first reading, a formal proposal).",
        "adopted": "Adopted, signed or issued.",
        "published": "Published (for example in an official journal or register).",
        "in_force": (
            "Entered into force; several dates are stages, each with what enters into force."
        ),
        "applies_from": "An application stage: what applies from this date (several are possible).",
        "amended": "Amended (the note says by what).",
        "superseded": "Replaced by another measure (the successor), on this date.",
        "rescinded": "Repealed, revoked or rescinded.",
        "lapsed": "Lapsed or withdrawn before adoption (a bill that died).",
    },
    RelationKind: {
        "amends": "This measure amends the target measure.",
        "implements": "This measure implements or gives effect to the target measure.",
        "transposes": "This measure transposes the target (an EU directive) into national law.",
        "supersedes": "This measure replaces the target measure.",
        "rescinds": "This measure revokes the target measure.",
    },
    MappingBasis: {
        "explicit": "The measure itself names the norm or commitment.",
        "inferred": "An analyst's inference from the measure's content.",
    },
    Verification: {
        "verified": "Seen in an official or primary-text copy.",
        "secondary": "Seen only in secondary reproductions (news, law firms, mirrors).",
        "unverified": "Not confirmed in any source yet: treat as a lead, not a fact.",
    },
    DatePrecision: {
        "day": "The exact day is known: YYYY-MM-DD.",
        "month": "Only the month is known: YYYY-MM.",
        "year": "Only the year is known: YYYY.",
    },
    AttributionForm: {
        "statement": "A public statement by a government.",
        "joint_statement": "One statement made together by several governments or organisations.",
        "indictment": "Criminal charges that name the actor.",
        "sanctions": "Sanctions imposed for the operation.",
        "technical_advisory": "A technical advisory by a government agency that names the actor.",
    },
    FrameworkInvoked: {
        "yes": (
            "The statement refers to the UN framework of responsible State behaviour or its norms."
        ),
        "no": "The full text was seen and does not refer to the UN framework.",
        "unknown": 'The full text was not seen. Never read or count this as "no".',
    },
    InvocationBasis: {
        "explicit": "The statement names the norm or cites A/70/174.",
        "implicit": (
            "The statement's wording echoes the norm without citing it (an analyst's reading)."
        ),
        "unknown": (
            "The norm's language is linked to this statement, but how it invokes it is not "
            "established."
        ),
    },
    PassageKind: {
        "verbatim": (
            "The statement's own words, as the named source gives them (shown in quotation marks)."
        ),
        "summary": (
            "The tracker's summary of the statement (labelled summary, never in quotation marks)."
        ),
    },
    PartyRole: {
        "attributing": "The party made the attribution, alone or in a single joint text.",
        "supporting": "The party expressed support for another's attribution.",
        "recalled": "The party is named as attributing from recollection only; not verified.",
    },
}

TAXONOMIES: dict[str, tuple[type[LabelledEnum], str]] = {
    "measure_types": (MeasureType, "Measure type (column type)."),
    "measure_statuses": (MeasureStatus, "Legal or policy status (column status)."),
    "event_kinds": (EventKind, "Kinds of dated events (first field of column events)."),
    "relation_kinds": (
        RelationKind,
        "Relations between measures (first field of column relations).",
    ),
    "mapping_bases": (
        MappingBasis,
        "Why a measure is mapped to a norm (field basis of column mappings).",
    ),
    "verification_levels": (Verification, "How a record was verified (column verification)."),
    "date_precisions": (DatePrecision, "Dates are written at the precision they are known."),
    "attribution_forms": (AttributionForm, "Forms an attribution takes (column forms)."),
    "un_framework_invoked": (
        FrameworkInvoked,
        "Does the statement invoke the UN framework? (column statements, field "
        "un_framework_invoked).",
    ),
    "passage_kinds": (
        PassageKind,
        "Whether a passage is verbatim or a summary (field passage_kind of column statements).",
    ),
    "statement_roles": (
        PartyRole,
        "The role of a statement in an attribution (field role of column statements).",
    ),
    "invocation_bases": (
        InvocationBasis,
        "How a statement invokes a norm (the basis in column statements, field norms).",
    ),
}

_MEASURE_FIELDS: dict[str, str] = {
    "id": (
        "The tracker's number for the record (its page is /measures/<id>). Not stable across "
        "installations: use key."
    ),
    "key": (
        "Stable key of the record: the row's identity for a later import (records made in the "
        "tracker without a key are exported as measure-<id>)."
    ),
    "jurisdiction": "ISO 3166-1 alpha-2 code of the State, or EU for the European Union.",
    "jurisdiction_name": "Name of the jurisdiction (for reading; derived from jurisdiction).",
    "title_original": "Official title in its original language.",
    "title_lang": "Language of title_original (ISO 639-1 code).",
    "title_en": "English title, where one is recorded (official or working translation).",
    "short_name": "Common short name or abbreviation.",
    "type": "Measure type; see taxonomy measure_types.",
    "issuing_body": "Body that adopted or issued the measure.",
    "status": "Status; see taxonomy measure_statuses.",
    "status_note": "Free-text explanation of the status, as found in the sources.",
    "standing_as_of": (
        "Date the standing is computed for (YYYY-MM-DD; the as_of filter, else the export date)."
    ),
    "standing": (
        "Standing on standing_as_of, computed from the dated events by the tracker's one rule "
        "(README: How the tracker dates and counts measures); derived, ignored on import."
    ),
    "standing_sentence": (
        "The standing as the sentence every page, brief and the API show; derived, ignored on "
        "import."
    ),
    "official_identifier": "Official number or citation (e.g. an official-journal reference).",
    "official_url": "Link to the official text (http or https).",
    "description": "What the measure does, in brief.",
    "year": "Year of the earliest dated event (derived from events).",
    "events": (
        "Dated events, one per line: kind | date | stage | note | successor. kind: taxonomy "
        "event_kinds; stage: what enters into force or applies at that stage; successor: key "
        "of the measure that superseded or rescinded this one; date at its precision (YYYY, "
        "YYYY-MM or YYYY-MM-DD)."
    ),
    "topics": "Software supply-chain topics, one slug per line; see taxonomy topics.",
    "mappings": (
        "Norms and commitments the measure implements, one per line: target | locator | basis "
        "| rationale | scope. target: a norm letter a-k, or a commitment key (taxonomy "
        "commitments); locator: the pinpoint in the measure (article, section); basis: "
        "taxonomy mapping_bases; scope: whole_instrument when the measure as a whole "
        "implements it (no pinpoint), else empty."
    ),
    "relations": (
        "Relations to other measures, one per line: kind | target | note. kind: taxonomy "
        "relation_kinds; target: the key of the other measure."
    ),
    "sources": (
        "Where the record can be checked, one per line: title | url | accessed (accessed: "
        "YYYY-MM-DD)."
    ),
    "verification": "Verification level; see taxonomy verification_levels.",
    "verification_note": "What was and was not verified.",
    "url": "The record's public page (for reading; ignored on import).",
    "published_at": (
        "When the current public version was published (RFC 3339 with its UTC offset, to the "
        "second)."
    ),
}

_ATTRIBUTION_FIELDS: dict[str, str] = {
    "id": (
        "The tracker's number for the record (its page is /attributions/<id>). Not stable "
        "across installations: use key."
    ),
    "key": (
        "Stable key of the record (records made in the tracker without a key are exported as "
        "attribution-<id>)."
    ),
    "date": "Date of the statement at its precision (YYYY, YYYY-MM or YYYY-MM-DD).",
    "operation": "The operation or incident attributed.",
    "attributing": (
        "Jurisdictions that made the attribution, one code per line (ISO 3166-1 alpha-2, or EU)."
    ),
    "attributing_orgs": (
        "Organisations that are not jurisdictions (e.g. NATO) that made it, one per line."
    ),
    "supporting": "Jurisdictions that expressed support, one code per line.",
    "supporting_orgs": "Organisations that expressed support, one per line.",
    "recalled": (
        "Jurisdictions named as attributing from recollection only (not verified), one code "
        "per line."
    ),
    "attributed_actor": "The actor as the statement names it.",
    "attributed_state": "Code of the State the statement names as responsible, when it names one.",
    "forms": "Forms of the attribution, one per line; see taxonomy attribution_forms.",
    "statements": (
        "The statements of the attribution, one per line: role | parties | date | form | "
        "un_framework_invoked | norms | passage_kind | passage | passage_source. parties: "
        "codes (and organisations) of that one statement; several only for a single joint "
        "text. un_framework_invoked: yes, no or unknown (unknown is never no), for that "
        "statement only. norms: letter:basis pairs (basis: taxonomy invocation_bases). "
        "passage_kind: verbatim (the statement's words) or summary."
    ),
    "basis_note": "The basis or confidence the statement itself gives.",
    "follow_up": "Follow-up actions (indictments, sanctions, advisories).",
    "legal_basis": "Legal basis cited.",
    "notes": "Other notes.",
    "sources": "Where the record can be checked, one per line: title | url | accessed.",
    "verification": "Verification level; see taxonomy verification_levels.",
    "verification_note": "What was and was not verified.",
    "url": "The statement's public page (for reading; ignored on import).",
    "published_at": (
        "When the current public version was published (RFC 3339 with its UTC offset, to the "
        "second)."
    ),
}

_DRAFT_FIELDS = {
    "draft": (
        "Only in staff exports with drafts=1: yes when the row is an unpublished working copy."
    ),
    "state": (
        "Only in staff exports with drafts=1: the record's workflow state (draft, in_review, "
        "changes_requested, approved, published, withdrawn)."
    ),
}

SHAPES = {
    "text": "text",
    "integer": "integer",
    "boolean": "yes or no",
    "list": "list, one value per line",
    "items": "structured list, one item per line with these fields:",
}

FORMATS = {
    "csv": (
        "UTF-8 with a byte-order mark, comma-separated, CRLF line ends, one header row; cells "
        "with line breaks are quoted."
    ),
    "xlsx": "One worksheet with the same columns as the CSV.",
    "json": (
        "An object with codebook_version, dataset, generated_at, filters, licence, count and "
        "items; multi-valued fields are JSON arrays of strings or objects with the field names "
        "given here; empty text is null."
    ),
    "lists": (
        "In CSV and XLSX a list cell holds one value per line. A structured list holds one "
        'item per line with its fields separated by " | " (space, vertical bar, space) in the '
        "order given; trailing empty fields may be left out. Inside a field a backslash is "
        "written \\\\, a vertical bar \\| and a line break \\n."
    ),
    "formula_neutralisation": (
        "A text cell in CSV or XLSX that would begin with =, +, -, @, a tab, a carriage return "
        "or an apostrophe has one apostrophe (') put in front, so spreadsheet programs never "
        "run it as a formula. To read the original value, remove exactly one leading "
        "apostrophe. JSON is not changed."
    ),
    "dates": (
        "Dates are ISO 8601 at the precision they are known (YYYY, YYYY-MM or YYYY-MM-DD); "
        "timestamps are RFC 3339 in UTC with their offset (2026-11-27T08:15:00+00:00)."
    ),
    "visibility": (
        "Exports hold published records only. Staff signed in may add drafts=1 to export "
        "working copies; such exports have the extra columns draft and state and are never "
        "cached."
    ),
}


def _field(column: Column, description: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": column.name,
        "format": SHAPES[column.shape],
        "description": description,
    }
    if column.fields:
        data["fields"] = list(column.fields)
    return data


def _fields(dataset: Dataset, descriptions: dict[str, str]) -> list[dict[str, Any]]:
    return [_field(c, descriptions[c.name]) for c in dataset.columns] + [
        _field(c, _DRAFT_FIELDS[c.name]) for c in DRAFT_COLUMNS
    ]


def taxonomy(enum_cls: type[LabelledEnum]) -> list[dict[str, str]]:
    definitions = DEFINITIONS[enum_cls]
    return [
        {"value": m.value, "label": m.label, "definition": definitions[m.value]} for m in enum_cls
    ]


def codebook() -> dict[str, Any]:
    """The whole codebook as plain data (reads topics, norms and commitments from the database)."""
    taxonomies: dict[str, Any] = {
        name: {"description": description, "values": taxonomy(enum_cls)}
        for name, (enum_cls, description) in TAXONOMIES.items()
    }
    topics = db.session.scalars(sa.select(Topic).order_by(Topic.position, Topic.slug))
    taxonomies["topics"] = {
        "description": "Software supply-chain topics (column topics).",
        "values": [{"value": t.slug, "label": t.name, "definition": t.definition} for t in topics],
    }
    norms = db.session.scalars(sa.select(Norm).order_by(Norm.letter))
    taxonomies["norms"] = {
        "description": "The eleven norms of A/70/174 para. 13 (mapping and invoked_norms targets).",
        "values": [
            {"value": n.letter, "label": n.short_title, "definition": n.reference} for n in norms
        ],
    }
    commitments = db.session.scalars(sa.select(Commitment).order_by(Commitment.id))
    taxonomies["commitments"] = {
        "description": (
            "Commitments, confidence-building measures and guidance items (mapping targets "
            "other than norms)."
        ),
        "values": [
            {"value": c.key, "label": c.title, "definition": c.kind.label} for c in commitments
        ],
    }
    return {
        "title": "Cyber Norms Tracker: open data codebook",
        "version": VERSION,
        "formats": FORMATS,
        "field_separator": FIELD_SEPARATOR,
        "licence": dict(LICENCE),
        "datasets": {
            "measures": {
                "description": "National and regional policy measures, one row per measure.",
                "fields": _fields(MEASURES, _MEASURE_FIELDS),
            },
            "attributions": {
                "description": (
                    "Public attribution statements, one row per statement (a joint statement "
                    "is one row)."
                ),
                "fields": _fields(ATTRIBUTIONS, _ATTRIBUTION_FIELDS),
            },
        },
        "taxonomies": taxonomies,
    }
