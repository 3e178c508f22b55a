"""OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

tests/test_openapi.py holds this document and the routes together: every
/api/v1 route of the app must be described here, every path here must be a
route (or one of ``EXPECTED_FROM_PUBLIC_BRANCH`` until that branch is merged),
and real responses must validate against the schemas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker.attribution.models import (
    AttributionForm,
    FrameworkInvoked,
    InvocationBasis,
    PartyRole,
    PassageKind,
)
from tracker.db import DatePrecision, Verification
from tracker.jurisdictions.models import JurisdictionKind
from tracker.measures.models import (
    EventKind,
    MappingBasis,
    MeasureStatus,
    MeasureType,
    RelationKind,
)
from tracker.norms.models import CONTESTED_LABEL, SHORT_TITLE_NOTE, CommitmentKind
from tracker.queryargs import DB_INT_MAX, MAX_PAGE

API_VERSION = "1.0.0"

#: described from the issue text and that branch's code; routed once it is merged
EXPECTED_FROM_PUBLIC_BRANCH = frozenset(
    {
        "/api/v1/norms",
        "/api/v1/norms/{letter}",
        "/api/v1/jurisdictions",
        "/api/v1/jurisdictions/{code}",
        "/api/v1/measures",
        "/api/v1/measures/{record_id}",
    }
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _enum(enum_cls: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [m.value for m in enum_cls]}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    result = dict(schema)
    result["type"] = [kind, "null"] if isinstance(kind, str) else [*kind, "null"]
    if "enum" in result:
        result["enum"] = [*result["enum"], None]
    return result


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


STRING = {"type": "string"}
TEXT = _nullable(STRING)
URI = {"type": "string", "format": "uri"}
INTEGER = {"type": "integer"}
#: RFC 3339 with the UTC offset, to the second (tracker.db.rfc3339)
TIMESTAMP = {"type": "string", "format": "date-time"}
#: ISO 3166-1 alpha-2, or an organisation's short code (EU); case does not matter
JURISDICTION_CODE = {"type": "string", "pattern": "^[A-Za-z]{2,8}$"}
#: any query text: a control character (other than tab and line breaks) is a 400 in the API
QUERY_TEXT = {
    "type": "string",
    "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$",
}
RECORD_ID = {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}
PARTIAL_DATE = {
    "type": "string",
    "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
    "description": "A date at the precision it is known: YYYY, YYYY-MM or YYYY-MM-DD.",
}


def _schemas() -> dict[str, Any]:
    jurisdiction_ref = _object({"code": STRING, "name": STRING})
    source = _object(
        {
            "url": _nullable(URI),
            "title": STRING,
            "accessed": _nullable({"type": "string", "format": "date"}),
        }
    )
    verification = _object({"status": _enum(Verification), "note": TEXT}, {"label": STRING})
    return {
        "Error": _object(
            {
                "error": _object(
                    {"status": INTEGER, "title": STRING, "message": STRING},
                    {"suggestion": _object({"url": URI, "label": STRING})},
                )
            }
        ),
        "Index": _object(
            {
                "name": STRING,
                "version": INTEGER,
                "endpoints": {"type": "object", "additionalProperties": URI},
            }
        ),
        "JurisdictionRef": jurisdiction_ref,
        "Source": source,
        "Verification": verification,
        "AttributionStatement": _object(
            {
                "role": _enum(PartyRole),
                "parties": {"type": "array", "items": _ref("JurisdictionRef")},
                "orgs": {"type": "array", "items": STRING},
                "joint": {
                    "type": "boolean",
                    "description": "true only for a single text issued by several parties.",
                },
                "date": _nullable(PARTIAL_DATE),
                "form": _nullable(_enum(AttributionForm)),
                "un_framework_invoked": {
                    **_enum(FrameworkInvoked),
                    "description": "For this statement only. unknown means the full text was "
                    "not seen: never read it as no.",
                },
                "un_framework_invoked_label": STRING,
                "invoked_norms": {
                    "type": "array",
                    "items": _object(
                        {
                            "norm": {"type": "string", "pattern": "^[a-k]$"},
                            "basis": _enum(InvocationBasis),
                            "passage": TEXT,
                            "locator": TEXT,
                        }
                    ),
                },
                "passage": _nullable(
                    _object(
                        {
                            "text": STRING,
                            "kind": _enum(PassageKind),
                            "source": TEXT,
                        }
                    )
                ),
                "source": _nullable(_object({"title": TEXT, "url": TEXT})),
                "note": TEXT,
            }
        ),
        "Attribution": _object(
            {
                "id": INTEGER,
                "url": URI,
                "api_url": URI,
                "date": PARTIAL_DATE,
                "date_precision": _enum(DatePrecision),
                "operation": STRING,
                "attributing": {"type": "array", "items": _ref("JurisdictionRef")},
                "attributing_orgs": {"type": "array", "items": STRING},
                "supported_by": {"type": "array", "items": _ref("JurisdictionRef")},
                "supported_by_orgs": {"type": "array", "items": STRING},
                "other_states_recalled": _object(
                    {
                        "states": {"type": "array", "items": _ref("JurisdictionRef")},
                        "verified": {"type": "boolean", "const": False},
                        "note": STRING,
                    }
                ),
                "attributed_actor": STRING,
                "attributed_state": _nullable(_ref("JurisdictionRef")),
                "forms": {"type": "array", "items": _enum(AttributionForm)},
                "statements": {"type": "array", "items": _ref("AttributionStatement")},
                "basis_note": TEXT,
                "follow_up": TEXT,
                "legal_basis": TEXT,
                "notes": TEXT,
                "verification": _ref("Verification"),
                "sources": {"type": "array", "items": _ref("Source")},
                "published_at": _nullable(TIMESTAMP),
            }
        ),
        "Norm": _object(
            {
                "letter": {"type": "string", "pattern": "^[a-k]$"},
                "reference": STRING,
                "short_title": {**STRING, "description": SHORT_TITLE_NOTE},
                "short_title_note": STRING,
                "summary": TEXT,
                "official_text": STRING,
                "verification": _ref("Verification"),
                "sources": {"type": "array"},
                "url": URI,
                "api_url": URI,
            }
        ),
        "Commitment": _object(
            {
                "key": STRING,
                "kind": _enum(CommitmentKind),
                "title": STRING,
                "text": TEXT,
                "instrument": TEXT,
                "paragraph": TEXT,
                "verification": _ref("Verification"),
                "sources": {"type": "array"},
            },
            {
                "contested": {},
                "standing": {
                    **TEXT,
                    "description": f"'{CONTESTED_LABEL}' for a contested item, else null.",
                },
                "standing_note": TEXT,
            },
        ),
        "NormDetail": {
            "allOf": [
                _ref("Norm"),
                _object(
                    {
                        "document": _nullable(
                            _object(
                                {
                                    "symbol": TEXT,
                                    "title": TEXT,
                                    "date": _nullable(PARTIAL_DATE),
                                    "url": _nullable(URI),
                                    "verification": _ref("Verification"),
                                }
                            )
                        ),
                        "commitments": {"type": "array", "items": _ref("Commitment")},
                        "measures": {
                            "type": "array",
                            "items": _object(
                                {
                                    "id": INTEGER,
                                    "api_url": URI,
                                    "jurisdiction": STRING,
                                    "title_original": STRING,
                                    "title_lang": STRING,
                                    "title_en": TEXT,
                                    "short_name": TEXT,
                                    "status": _enum(MeasureStatus),
                                    "verification": _enum(Verification),
                                    "mappings": {
                                        "type": "array",
                                        "items": _object(
                                            {
                                                "locator": TEXT,
                                                "rationale": TEXT,
                                                "basis": _enum(MappingBasis),
                                            },
                                            {"whole_instrument": {"type": "boolean"}},
                                        ),
                                    },
                                }
                            ),
                        },
                    }
                ),
            ]
        },
        "Jurisdiction": _object(
            {
                "code": STRING,
                "name": STRING,
                "official_name": TEXT,
                "alpha3": TEXT,
                "kind": _enum(JurisdictionKind),
                "member_of": {"type": "array", "items": STRING},
                "measures": {"type": "integer", "minimum": 0},
                "url": URI,
            },
            {"measures_url": URI},
        ),
        "Measure": _object(
            {
                "id": INTEGER,
                "url": URI,
                "api_url": URI,
                "jurisdiction": _ref("JurisdictionRef"),
                "title_original": STRING,
                "title_lang": STRING,
                "title_en": TEXT,
                "short_name": TEXT,
                "type": _enum(MeasureType),
                "issuing_body": TEXT,
                "status": _enum(MeasureStatus),
                "status_note": TEXT,
                "official_identifier": TEXT,
                "official_url": _nullable(URI),
                "description": TEXT,
                "year": _nullable(INTEGER),
                "events": {
                    "type": "array",
                    "items": _object(
                        {
                            "kind": _enum(EventKind),
                            "date": PARTIAL_DATE,
                            "precision": _enum(DatePrecision),
                            "note": TEXT,
                        }
                    ),
                },
                "sources": {"type": "array", "items": _ref("Source")},
                "topics": {"type": "array", "items": _object({"slug": STRING, "name": STRING})},
                "mappings": {
                    "type": "array",
                    "items": _object(
                        {
                            "norm": _nullable({"type": "string", "pattern": "^[a-k]$"}),
                            "commitment": TEXT,
                            "locator": TEXT,
                            "rationale": TEXT,
                            "basis": _enum(MappingBasis),
                        },
                        {"whole_instrument": {"type": "boolean"}},
                    ),
                },
                "relations": {
                    "type": "array",
                    "items": _object(
                        {
                            "kind": _enum(RelationKind),
                            "target": INTEGER,
                            "target_url": URI,
                            "note": TEXT,
                        }
                    ),
                },
                "verification": _ref("Verification"),
                "updated_at": TIMESTAMP,
            }
        ),
    }


def _page_of(name: str) -> dict[str, Any]:
    return _object(
        {
            "items": {"type": "array", "items": _ref(name)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 0},
            "next": _nullable(URI),
            "prev": _nullable(URI),
        }
    )


def _param(
    name: str, description: str, schema: dict[str, Any], where: str = "query"
) -> dict[str, Any]:
    param: dict[str, Any] = {
        "name": name,
        "in": where,
        "description": description,
        "schema": schema,
    }
    if where == "path":
        param["required"] = True
    if schema.get("type") == "array":
        param.update(style="form", explode=True)
    return param


def _list_of(values: dict[str, Any]) -> dict[str, Any]:
    """A repeatable filter. An empty value is no filter (what an HTML form sends for "any")."""
    if "enum" in values:
        values = {**values, "enum": [*values["enum"], ""]}
    return {"type": "array", "items": values}


def _paging(page_size: int, max_page_size: int) -> list[dict[str, Any]]:
    return [
        _param(
            "page",
            f"Page number, from 1 to {MAX_PAGE}. Page 1 of an empty list is an empty page; "
            "a page past the last one is 404.",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        ),
        _param(
            "per_page",
            f"Items per page (at most {max_page_size}).",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": max_page_size,
                "default": min(page_size, max_page_size),
            },
        ),
    ]


NORM_LETTER = {"type": "string", "pattern": "^[a-kA-K]$"}
YEAR = {"type": "integer", "minimum": 1900, "maximum": 2100}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _get(
    summary: str,
    ok: dict[str, Any],
    params: list[dict[str, Any]] | None = None,
    *,
    not_found: str | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok}
    if any(p["in"] == "query" for p in params or []):
        responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    if not_found:
        responses["404"] = {"$ref": f"#/components/responses/{not_found}"}
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if params:
        operation["parameters"] = params
    return {"get": operation}


def document(
    server_url: str = "",
    page_size: int = 50,
    max_page_size: int = 200,
    *,
    jurisdiction_codes: Sequence[str] = (),
    topic_slugs: Sequence[str] = (),
) -> dict[str, Any]:
    """The OpenAPI document. Paths are absolute (/api/v1/...), so the server is the site
    root without its trailing slash (else clients join them into //api); without a
    server URL, ``servers`` is left out (the default is then /, the same root).

    Filters accept only known jurisdiction codes (in either case) and topic slugs, and
    answer 400 to any other; the served document lists them, so it says exactly which.
    """
    code = (
        {
            "type": "string",
            "enum": sorted({*jurisdiction_codes, *map(str.lower, jurisdiction_codes)}),
        }
        if jurisdiction_codes
        else JURISDICTION_CODE
    )
    topic = {"type": "string", "enum": sorted(topic_slugs)} if topic_slugs else STRING
    record_id = _param("record_id", "The record's number.", RECORD_ID, "path")
    paging = _paging(page_size, max_page_size)
    measure_filters = [
        _param(
            "jurisdiction",
            "ISO 3166-1 alpha-2 code or EU (an unknown code is 400); includes measures that "
            "apply via an organisation the jurisdiction belongs to.",
            _list_of(code),
        ),
        _param("norm", "Norm letter a-k.", _list_of(NORM_LETTER)),
        _param("topic", "Topic slug (see the codebook).", _list_of(topic)),
        _param("type", "Measure type.", _list_of(_enum(MeasureType))),
        _param("status", "Measure status.", _list_of(_enum(MeasureStatus))),
        _param("year", "Year of the earliest dated event.", YEAR),
    ]
    attribution_filters = [
        _param(
            "attributing",
            "Code of an attributing jurisdiction (an unknown code is 400).",
            _list_of(code),
        ),
        _param(
            "attributed",
            "Code of the State named as responsible (an unknown code is 400).",
            _list_of(code),
        ),
        _param("norm", "Norm letter a-k the statement invokes.", _list_of(NORM_LETTER)),
        _param("form", "Form of the attribution.", _list_of(_enum(AttributionForm))),
        _param(
            "un_framework",
            "Whether the statement invokes the UN framework.",
            _list_of(_enum(FrameworkInvoked)),
        ),
        _param("year", "Year of the statement.", YEAR),
    ]
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Cyber Norms Tracker API",
            "version": API_VERSION,
            "description": (
                "Published records only. Lists are paginated: items, page, per_page, total, "
                "pages, next and prev; page 1 of an empty list is an empty page, a page past "
                "the last one is 404. Errors are JSON objects with an error member. Filters "
                "may be repeated, and a value may also list several, separated by commas; "
                "an empty value is no filter. Field meanings and taxonomies are documented "
                "in the open data codebook (/data/)."
            ),
        },
        **({"servers": [{"url": server_url.rstrip("/")}]} if server_url.rstrip("/") else {}),
        "paths": {
            "/api/v1/": _get("What the API offers", _json("Entry points", _ref("Index"))),
            "/api/v1/openapi.json": _get(
                "This document",
                {
                    "description": "The OpenAPI 3.1 document",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
            ),
            "/api/v1/norms": _get(
                "The eleven norms of A/70/174 para. 13",
                _json("A page of norms", _page_of("Norm")),
                paging,
                not_found="PastTheEnd",
            ),
            "/api/v1/norms/{letter}": _get(
                "One norm with its commitments and the measures mapped to it",
                _json("The norm", _ref("NormDetail")),
                [_param("letter", "Norm letter a-k.", NORM_LETTER, "path")],
                not_found="NotFound",
            ),
            "/api/v1/jurisdictions": _get(
                "Jurisdictions (ISO 3166-1 and regional organisations)",
                _json("A page of jurisdictions", _page_of("Jurisdiction")),
                [
                    *paging,
                    _param(
                        "with_measures",
                        "Only jurisdictions with measures of their own: 1, true or yes (any "
                        "other value is no).",
                        QUERY_TEXT,
                    ),
                ],
                not_found="PastTheEnd",
            ),
            "/api/v1/jurisdictions/{code}": _get(
                "One jurisdiction",
                _json("The jurisdiction", _ref("Jurisdiction")),
                [_param("code", "ISO 3166-1 alpha-2 code or EU.", JURISDICTION_CODE, "path")],
                not_found="NotFound",
            ),
            "/api/v1/measures": _get(
                "Published measures, newest first, filtered like the measures list",
                _json("A page of measures", _page_of("Measure")),
                [*paging, *measure_filters],
                not_found="PastTheEnd",
            ),
            "/api/v1/measures/{record_id}": _get(
                "One published measure",
                _json("The measure", _ref("Measure")),
                [record_id],
                not_found="NotFound",
            ),
            "/api/v1/attributions": _get(
                "Published attribution statements, newest first",
                _json("A page of statements", _page_of("Attribution")),
                [*paging, *attribution_filters],
                not_found="PastTheEnd",
            ),
            "/api/v1/attributions/{record_id}": _get(
                "One published attribution statement",
                _json("The statement", _ref("Attribution")),
                [record_id],
                not_found="NotFound",
            ),
        },
        "components": {
            "schemas": _schemas(),
            "responses": {
                "BadRequest": _json(
                    "A malformed parameter; the message says which and why.", _ref("Error")
                ),
                "NotFound": _json("No published record with this number or code.", _ref("Error")),
                "PastTheEnd": _json(
                    "A page past the last one (page 1 is never 404: an empty list is an "
                    "empty page).",
                    _ref("Error"),
                ),
            },
        },
    }
