"""The OpenAPI document and the /api/v1 routes cannot drift apart.

* every /api/v1 route of the app is described, and every described path is a route;
* each path's response schema is generated from the very model its view answers with
  (``responds``), and every field of every model is in the document;
* real responses of every routed endpoint validate against the document's schemas.
"""

from __future__ import annotations

import re

import jsonschema
import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from tracker.api import schemas
from tracker.api.responses import responds, response_model
from tracker.attribution import schemas as attribution_schemas
from tracker.opendata import openapi


def api_paths(app) -> set[str]:
    paths = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and "GET" in (rule.methods or set()):
            paths.add(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule))
    return paths


def test_document_is_openapi_31_with_valid_schemas(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    for name, schema in doc["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema), name
    for path, item in doc["paths"].items():
        for param in item["get"].get("parameters", []):
            Draft202012Validator.check_schema(param["schema"])
            if param["in"] == "path":
                assert "{" + param["name"] + "}" in path


def test_every_route_is_documented_and_every_documented_path_is_a_route(app, client) -> None:
    documented = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    assert documented == api_paths(app)
    assert {r.path for r in openapi.ROUTES} == documented


def test_each_path_documents_the_model_its_view_answers_with(app, client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    rules = {
        re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule): rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
    }
    for route in openapi.ROUTES:
        assert rules[route.path] == route.endpoint, route.path
        view = app.view_functions[route.endpoint]
        assert response_model(view) is route.model, route.path
        schema = _response_schema(doc, route.path)
        if route.model is None:
            assert route.path == "/api/v1/openapi.json"
            continue
        assert schema == {"$ref": f"#/components/schemas/{route.model.__name__}"}


def _models(model: type[BaseModel], seen: dict[str, type[BaseModel]]) -> dict:
    """``model`` and every model its fields use, by name."""
    seen[model.__name__] = model
    for field in model.model_fields.values():
        for arg in _types(field.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg.__name__ not in seen:
                _models(arg, seen)
    return seen


def _types(annotation) -> list:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [annotation, *(t for a in args for t in _types(a))]


def test_every_field_of_every_model_is_in_the_document(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    components = doc["components"]["schemas"]
    found: dict[str, type[BaseModel]] = {}
    for route in openapi.ROUTES:
        if route.model:
            _models(route.model, found)
    _models(schemas.Error, found)
    assert {"Measure", "MeasureEvent", "Attribution", "AttributionStatement"} <= set(found)
    for name, model in found.items():
        fields = {f.serialization_alias or f.alias or n for n, f in model.model_fields.items()}
        component = components[name]
        assert set(component["properties"]) == fields, name
        assert component["additionalProperties"] is False, name


def test_a_field_added_to_a_model_is_documented() -> None:
    class Widened(schemas.Measure):
        added_later: int | None

    generated = openapi.component_schemas([Widened])
    assert "added_later" in generated["Widened"]["properties"]
    assert "added_later" in generated["Widened"]["required"]
    # the nested models come along, under their own names
    assert generated["MeasureEvent"] == openapi.document()["components"]["schemas"]["MeasureEvent"]


def test_a_view_must_answer_with_its_declared_model(app) -> None:
    @responds(schemas.Index)
    def wrong() -> schemas.Topic:
        return schemas.Topic(slug="x", name="X")

    with pytest.raises(TypeError, match="not its declared Index"):
        wrong()


def test_the_attribution_list_uses_the_one_envelope() -> None:
    page_fields = set(schemas.Page.model_fields)
    for model in (
        schemas.NormPage,
        schemas.JurisdictionPage,
        schemas.MeasurePage,
        attribution_schemas.AttributionPage,
    ):
        assert issubclass(model, schemas.Page) and set(model.model_fields) == page_fields


def _validator(doc: dict, ref: dict) -> Draft202012Validator:
    return Draft202012Validator(
        {**ref, "components": doc["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _response_schema(doc: dict, path: str, status: str = "200") -> dict:
    response = doc["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


#: a sample URL per documented path; {id} is filled from the list response
SAMPLES = {
    "/api/v1/": "/api/v1/",
    "/api/v1/openapi.json": "/api/v1/openapi.json",
    "/api/v1/attributions": "/api/v1/attributions?per_page=5",
    "/api/v1/attributions/{record_id}": "/api/v1/attributions/{attribution}",
    "/api/v1/norms": "/api/v1/norms",
    "/api/v1/norms/{letter}": "/api/v1/norms/i",
    "/api/v1/jurisdictions": "/api/v1/jurisdictions?with_measures=1",
    "/api/v1/jurisdictions/{code}": "/api/v1/jurisdictions/DE",
    "/api/v1/measures": "/api/v1/measures?per_page=10",
    "/api/v1/measures/{record_id}": "/api/v1/measures/{measure}",
}


def test_real_responses_validate_against_the_document(app, client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    routed = api_paths(app)
    attribution = client.get("/api/v1/attributions?per_page=1").get_json()["items"][0]["id"]
    checked = []
    for path in sorted(set(doc["paths"]) & routed):
        url = SAMPLES[path]
        if "{measure}" in url:
            url = url.format(
                measure=client.get("/api/v1/measures?per_page=1").get_json()["items"][0]["id"]
            )
        url = url.replace("{attribution}", str(attribution))
        response = client.get(url)
        assert response.status_code == 200, url
        errors = list(_validator(doc, _response_schema(doc, path)).iter_errors(response.get_json()))
        assert not errors, f"{url}: {[e.message for e in errors[:3]]}"
        checked.append(path)
    assert "/api/v1/attributions/{record_id}" in checked


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/attributions/999999",
        "/api/v1/attributions?page=abc",
        "/api/v1/jurisdictions/UK",  # with a suggestion
        "/api/v1/measures?page=999",
    ],
)
def test_error_responses_validate(client, url: str) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    response = client.get(url)
    assert response.status_code in (400, 404)
    if url.endswith("/UK"):
        assert response.get_json()["error"]["suggestion"]["label"] == "United Kingdom (GB)"
    jsonschema.validate(
        response.get_json(), {"$ref": "#/components/schemas/Error", "components": doc["components"]}
    )


def test_schemas_reject_wrong_shapes(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    good = client.get("/api/v1/attributions?per_page=1").get_json()["items"][0]
    validator = _validator(doc, {"$ref": "#/components/schemas/Attribution"})
    assert validator.is_valid(good)
    statement = {**good["statements"][0], "un_framework_invoked": False}
    assert not validator.is_valid({**good, "statements": [statement]})
    assert not validator.is_valid({k: v for k, v in good.items() if k != "operation"})
