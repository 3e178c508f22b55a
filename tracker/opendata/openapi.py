"""OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

The response shapes are not written here: ``components.schemas`` is generated from the
pydantic models the views answer with (tracker/api/schemas.py, tracker/attribution/schemas.py),
so the document and the JSON cannot describe different things. What is written here is small
and declarative: ``ROUTES``, one row per path (its view's endpoint, summary, response model,
parameters and 404), and the query parameters, which are inputs rather than responses.
tests/test_openapi.py checks that every /api/v1 route has a row, that each row names the model
its view declares (``tracker.api.responses.responds``), and that real responses validate.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from pydantic_core import CoreSchema

from tracker.api import schemas
from tracker.attribution import schemas as attribution_schemas
from tracker.attribution.models import AttributionForm, FrameworkInvoked
from tracker.measures.models import MeasureStatus, MeasureType
from tracker.queryargs import DB_INT_MAX, MAX_PAGE

API_VERSION = "1.1.0"
REF_TEMPLATE = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Route:
    """One documented GET path."""

    path: str
    #: the Flask endpoint that serves it
    endpoint: str
    summary: str
    #: the response model (None: the document itself, a free-form object)
    model: type[BaseModel] | None
    #: what the 200 response is
    description: str
    #: names of parameter groups (see ``_parameters``)
    params: tuple[str, ...] = ()
    #: the 404 response it may give
    not_found: str | None = None


ROUTES: tuple[Route, ...] = (
    Route("/api/v1/", "api.index", "What the API offers", schemas.Index, "Entry points"),
    Route(
        "/api/v1/openapi.json",
        "opendata.openapi_document",
        "This document",
        None,
        "The OpenAPI 3.1 document",
    ),
    Route(
        "/api/v1/norms",
        "api.norms",
        "The eleven norms of A/70/174 para. 13",
        schemas.NormPage,
        "A page of norms",
        ("paging",),
        "PastTheEnd",
    ),
    Route(
        "/api/v1/norms/{letter}",
        "api.norm",
        "One norm with its commitments, its measures counted by jurisdiction and a link to "
        "the paginated list of those measures",
        schemas.NormDetail,
        "The norm",
        ("letter",),
        "NotFound",
    ),
    Route(
        "/api/v1/jurisdictions",
        "api.jurisdictions",
        "Jurisdictions (ISO 3166-1 and regional organisations)",
        schemas.JurisdictionPage,
        "A page of jurisdictions",
        ("paging", "with_measures"),
        "PastTheEnd",
    ),
    Route(
        "/api/v1/jurisdictions/{code}",
        "api.jurisdiction",
        "One jurisdiction with its counts and a link to the paginated list of its measures",
        schemas.Jurisdiction,
        "The jurisdiction",
        ("code",),
        "NotFound",
    ),
    Route(
        "/api/v1/measures",
        "api.measures",
        "Published measures, newest first, filtered like the measures list",
        schemas.MeasurePage,
        "A page of measures",
        ("paging", "measure_filters"),
        "PastTheEnd",
    ),
    Route(
        "/api/v1/measures/{record_id}",
        "api.measure",
        "One published measure",
        schemas.Measure,
        "The measure",
        ("record_id",),
        "NotFound",
    ),
    Route(
        "/api/v1/attributions",
        "attribution.api_list",
        "Published attribution statements, newest first",
        attribution_schemas.AttributionPage,
        "A page of statements",
        ("paging", "attribution_filters"),
        "PastTheEnd",
    ),
    Route(
        "/api/v1/attributions/{record_id}",
        "attribution.api_detail",
        "One published attribution statement",
        attribution_schemas.Attribution,
        "The statement",
        ("record_id",),
        "NotFound",
    ),
)


class _SchemaGenerator(GenerateJsonSchema):
    """Pydantic's JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) without a title on
    every property (a model keeps its title: it names the component)."""

    def field_title_should_be_set(self, schema: CoreSchema) -> bool:
        return False


def component_schemas(models: Sequence[type[BaseModel]]) -> dict[str, Any]:
    """``components.schemas`` for ``models`` and every model and enumeration they use, named
    by class and referenced as #/components/schemas/<name>."""
    _refs, top = models_json_schema(
        [(model, "serialization") for model in models],
        ref_template=REF_TEMPLATE,
        schema_generator=_SchemaGenerator,
    )
    return dict(sorted(top.get("$defs", {}).items()))


@functools.cache
def _components() -> dict[str, Any]:
    return component_schemas([schemas.Error, *(r.model for r in ROUTES if r.model)])


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _enum(enum_cls: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [m.value for m in enum_cls]}


STRING = {"type": "string"}
#: ISO 3166-1 alpha-2, or an organisation's short code (EU); case does not matter
JURISDICTION_CODE = {"type": "string", "pattern": "^[A-Za-z]{2,8}$"}
#: any query text: a control character (other than tab and line breaks) is a 400 in the API
QUERY_TEXT = {
    "type": "string",
    "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$",
}
RECORD_ID = {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}
NORM_LETTER = {"type": "string", "pattern": "^[a-kA-K]$"}
YEAR = {"type": "integer", "minimum": 1900, "maximum": 2100}


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


def _parameters(
    page_size: int,
    max_page_size: int,
    jurisdiction_codes: Sequence[str],
    topic_slugs: Sequence[str],
) -> dict[str, list[dict[str, Any]]]:
    """The parameter groups ``Route.params`` names. Filters accept only known jurisdiction
    codes (in either case) and topic slugs, and answer 400 to any other; the served document
    lists them, so it says exactly which."""
    code = (
        {
            "type": "string",
            "enum": sorted({*jurisdiction_codes, *map(str.lower, jurisdiction_codes)}),
        }
        if jurisdiction_codes
        else JURISDICTION_CODE
    )
    topic = {"type": "string", "enum": sorted(topic_slugs)} if topic_slugs else STRING
    return {
        "paging": _paging(page_size, max_page_size),
        "record_id": [_param("record_id", "The record's number.", RECORD_ID, "path")],
        "letter": [_param("letter", "Norm letter a-k.", NORM_LETTER, "path")],
        "code": [_param("code", "ISO 3166-1 alpha-2 code or EU.", JURISDICTION_CODE, "path")],
        "with_measures": [
            _param(
                "with_measures",
                "Only jurisdictions with measures of their own: 1, true or yes (any "
                "other value is no).",
                QUERY_TEXT,
            )
        ],
        "measure_filters": [
            _param(
                "jurisdiction",
                "ISO 3166-1 alpha-2 code or EU (an unknown code is 400); includes measures "
                "that apply via an organisation the jurisdiction belongs to.",
                _list_of(code),
            ),
            _param("norm", "Norm letter a-k.", _list_of(NORM_LETTER)),
            _param("topic", "Topic slug (see the codebook).", _list_of(topic)),
            _param("type", "Measure type.", _list_of(_enum(MeasureType))),
            _param("status", "Measure status.", _list_of(_enum(MeasureStatus))),
            _param("year", "Year of the earliest dated event.", YEAR),
        ],
        "attribution_filters": [
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
        ],
    }


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(route: Route, groups: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    params = [p for name in route.params for p in groups[name]]
    schema = _ref(route.model) if route.model else {"type": "object"}
    responses: dict[str, Any] = {"200": _json(route.description, schema)}
    if any(p["in"] == "query" for p in params):
        responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    if route.not_found:
        responses["404"] = {"$ref": f"#/components/responses/{route.not_found}"}
    operation: dict[str, Any] = {"summary": route.summary, "responses": responses}
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
    server URL, ``servers`` is left out (the default is then /, the same root)."""
    groups = _parameters(page_size, max_page_size, jurisdiction_codes, topic_slugs)
    error = _ref(schemas.Error)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Cyber Norms Tracker API",
            "version": API_VERSION,
            "description": (
                "Published records only. Lists are paginated: items, page, per_page, total, "
                "pages, next and prev; page 1 of an empty list is an empty page, a page past "
                "the last one is 404. A norm and a jurisdiction give counts and a link to the "
                "paginated list of their measures. Errors are JSON objects with an error "
                "member. Filters may be repeated, and a value may also list several, "
                "separated by commas; an empty value is no filter. Field meanings and "
                "taxonomies are documented in the open data codebook (/data/)."
            ),
        },
        **({"servers": [{"url": server_url.rstrip("/")}]} if server_url.rstrip("/") else {}),
        "paths": {route.path: _operation(route, groups) for route in ROUTES},
        "components": {
            # a copy: the generated schemas are kept, and a caller may change its document
            "schemas": copy.deepcopy(_components()),
            "responses": {
                "BadRequest": _json(
                    "A malformed parameter; the message says which and why.", error
                ),
                "NotFound": _json("No published record with this number or code.", error),
                "PastTheEnd": _json(
                    "A page past the last one (page 1 is never 404: an empty list is an "
                    "empty page).",
                    error,
                ),
            },
        },
    }
