"""RFC 3339 timestamps with an offset on every surface, and the four API lists paging alike."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tracker.modelbase import rfc3339
from tracker.queryargs import MAX_PAGE

#: RFC 3339 date-time with a numeric offset or Z, at most 3 fraction digits (HTML <time>)
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})")


def test_rfc3339_gives_naive_values_their_utc_offset() -> None:
    naive = dt.datetime(2026, 11, 27, 8, 15, 0, 123456)
    assert rfc3339(naive) == "2026-11-27T08:15:00+00:00"
    berlin = dt.datetime(2026, 11, 27, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert rfc3339(berlin) == "2026-11-27T08:15:00+00:00"
    assert rfc3339(None) is None


def test_api_timestamps_have_an_offset(client) -> None:
    measures = client.get("/api/v1/measures?per_page=5").get_json()["items"]
    attributions = client.get("/api/v1/attributions?per_page=5").get_json()["items"]
    stamps = [m["updated_at"] for m in measures] + [a["published_at"] for a in attributions]
    assert stamps and all(RFC3339.fullmatch(s) for s in stamps), stamps


@pytest.mark.parametrize("dataset", ["measures", "attributions"])
def test_export_timestamps_have_an_offset(client, dataset: str) -> None:
    data = client.get(f"/export/{dataset}.json").get_json()
    assert RFC3339.fullmatch(data["generated_at"])
    stamps = [i["published_at"] for i in data["items"]]
    assert stamps and all(RFC3339.fullmatch(s) for s in stamps), stamps[:3]
    csv = client.get(f"/export/{dataset}.csv").get_data(as_text=True)
    assert stamps[0] in csv


def test_time_elements_on_the_changelog_are_valid_html_dates(client) -> None:
    page = client.get("/changes").get_data(as_text=True)
    values = re.findall(r'<time datetime="([^"]*)"', page)
    assert values and all(RFC3339.fullmatch(v) for v in values), values[:3]


LISTS = ["/api/v1/norms", "/api/v1/jurisdictions", "/api/v1/measures", "/api/v1/attributions"]


@pytest.mark.parametrize("url", LISTS)
def test_every_api_list_pages_the_same_way(client, url: str) -> None:
    first = client.get(f"{url}?per_page=1")
    assert first.status_code == 200
    body = first.get_json()
    assert body["page"] == 1 and body["prev"] is None and body["pages"] >= 1
    last = client.get(f"{url}?per_page=1&page={body['pages']}").get_json()
    assert last["next"] is None and last["prev"] is not None
    past = client.get(f"{url}?per_page=1&page={body['pages'] + 1}")
    assert past.status_code == 404
    assert past.get_json()["error"]["status"] == 404
    assert client.get(f"{url}?page={MAX_PAGE + 1}").status_code == 400
    assert client.get(f"{url}?page=0").status_code == 400


def test_an_empty_list_is_an_empty_first_page(client) -> None:
    body = client.get("/api/v1/attributions?year=1901").get_json()
    assert body["items"] == [] and body["total"] == 0 and body["next"] is None


def test_openapi_documents_the_paging_bounds_and_errors(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    for url in LISTS:
        operation = doc["paths"][url]["get"]
        page = next(p for p in operation["parameters"] if p["name"] == "page")
        assert page["schema"]["maximum"] == MAX_PAGE
        assert operation["responses"]["404"] == {"$ref": "#/components/responses/PastTheEnd"}
    code = doc["paths"]["/api/v1/jurisdictions/{code}"]["get"]["parameters"][0]["schema"]
    assert code["pattern"] == "^[A-Za-z]{2,8}$"
    measures = {p["name"]: p for p in doc["paths"]["/api/v1/measures"]["get"]["parameters"]}
    assert {"DE", "de", "EU", ""} <= set(measures["jurisdiction"]["schema"]["items"]["enum"])
    assert not any(s["url"].endswith("/") for s in doc["servers"])


@pytest.mark.parametrize("query", ["attributing=%00", "jurisdiction=D%1BE", "topic=%C2%85"])
def test_control_characters_in_query_arguments_are_400(client, query: str) -> None:
    # PostgreSQL refuses NUL in text: this was a 500 there (found by Schemathesis).
    for url in ("/api/v1/attributions", "/api/v1/measures", "/api/v1/jurisdictions"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, url
    assert (
        "U+0000"
        in client.get("/api/v1/attributions?attributing=%00").get_json()["error"]["message"]
    )


def test_control_characters_in_api_paths_are_404(client) -> None:
    response = client.get("/api/v1/jurisdictions/D%00E")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404
