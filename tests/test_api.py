"""The JSON API: envelope, pagination, filters, full measure records, errors, published only."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures.models import Measure
from tracker.norms.models import Norm
from tracker.records import services as records
from tracker.records.models import Record
from tracker.records.queries import visible


def record_id(key: str) -> int:
    return db.session.scalar(sa.select(Record.id).where(Record.key == key))


def get_json(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, (
        path,
        response.status_code,
        response.get_data(as_text=True)[:300],
    )
    assert response.is_json
    return response.get_json()


def local(url: str) -> str:
    """An absolute link from the API as a path the test client can follow."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def all_pages(client, path: str) -> list[dict]:
    items, url, seen = [], path, 0
    while url:
        body = get_json(client, url)
        items.extend(body["items"])
        url = local(body["next"]) if body["next"] else None
        seen += 1
        assert seen < 100
    return items


def test_index_and_healthz(client) -> None:
    body = get_json(client, "/api/v1/")
    assert {"norms", "jurisdictions", "measures"} <= set(body["endpoints"])
    for url in body["endpoints"].values():
        assert client.get(local(url)).status_code == 200
    assert get_json(client, "/healthz") == {"status": "ok"}


def test_norms_are_paginated_with_the_common_envelope(app_ctx, client) -> None:
    body = get_json(client, "/api/v1/norms?per_page=5")
    assert set(body) >= {"items", "page", "per_page", "total", "next", "prev"}
    assert (
        body["total"] == 11 and body["page"] == 1 and body["per_page"] == 5 and body["prev"] is None
    )
    assert [n["letter"] for n in body["items"]] == list("abcde")
    second = get_json(client, local(body["next"]))
    assert [n["letter"] for n in second["items"]] == list("fghij")
    assert local(second["prev"]).startswith("/api/v1/norms?page=1")
    letters = [n["letter"] for n in all_pages(client, "/api/v1/norms?per_page=4")]
    assert letters == list("abcdefghijk")


def test_norm_detail_has_text_verification_commitments_and_measures(app_ctx, client) -> None:
    norm = db.session.scalar(sa.select(Norm).where(Norm.letter == "i"))
    body = get_json(client, "/api/v1/norms/i")
    assert body["official_text"] == norm.official_text
    assert body["reference"] == norm.reference
    assert body["verification"] == {
        "status": norm.verification.value,
        "note": norm.verification_note,
    }
    assert body["document"]["symbol"] == "A/70/174" and body["document"]["date"] == "2015-07-22"
    assert [c["key"] for c in body["commitments"]] == ["sc-norm-13i"]
    # The norm counts its measures by jurisdiction and links to their paginated list.
    assert local(body["measures_url"]) == "/api/v1/measures?norm=i"
    listed = all_pages(client, local(body["measures_url"]) + "&per_page=7")
    assert body["measures"] == len(listed) > 0
    by_code = {j["code"]: j["measures"] for j in body["jurisdictions"]}
    assert sum(by_code.values()) == body["measures"]
    for code, n in by_code.items():
        assert n == sum(m["jurisdiction"]["code"] == code for m in listed), code
    # organisations first, then by name
    kinds = [j["kind"] for j in body["jurisdictions"]]
    assert kinds == sorted(kinds, key=lambda k: k != "regional_org")
    cra = next(m for m in listed if m["id"] == record_id("eu-cra"))
    assert cra["jurisdiction"]["code"] == "EU"
    assert [mp for mp in cra["mappings"] if mp["norm"] == "i"] == [
        {
            "norm": "i",
            "commitment": None,
            "locator": "Annex I",
            "whole_instrument": False,
            "rationale": (
                "binding product security requirements for all products with digital elements"
            ),
            "basis": "inferred",
        }
    ]
    assert get_json(client, "/api/v1/norms/I")["letter"] == "i"


def test_unknown_norm_is_a_json_404(client) -> None:
    body = get_json(client, "/api/v1/norms/z", 404)
    assert body["error"]["status"] == 404 and "a to k" in body["error"]["message"]


def test_jurisdictions_list_and_detail(app_ctx, client) -> None:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Jurisdiction))
    body = get_json(client, "/api/v1/jurisdictions?per_page=200")
    assert body["total"] == total and len(body["items"]) == 200 and body["next"]
    everything = all_pages(client, "/api/v1/jurisdictions?per_page=200")
    by_code = {j["code"]: j for j in everything}
    assert len(by_code) == total
    assert by_code["EU"]["kind"] == "regional_org" and by_code["DE"]["member_of"] == ["EU"]
    # "measures" counts what measures_url lists: Germany's own 4 and the EU's 4
    assert by_code["DE"]["measures"] == 8 and by_code["BR"]["measures"] == 0
    with_measures = all_pages(client, "/api/v1/jurisdictions?with_measures=1")
    assert {j["code"] for j in with_measures} >= {"EU", "DE", "US", "JP"} and all(
        j["measures"] for j in with_measures
    )
    de = get_json(client, "/api/v1/jurisdictions/de")
    assert (
        de["name"] == "Germany" and local(de["measures_url"]) == "/api/v1/measures?jurisdiction=DE"
    )
    listed = all_pages(client, local(de["measures_url"]))
    assert de["measures"] == len(listed) == 8
    # IT-SiG 2.0 is superseded: listed, but neither in force nor applying
    in_force = all_pages(client, "/api/v1/measures?jurisdiction=DE&standing=in_force")
    assert de["standing_counts"]["measures in force"] == len(in_force) == 7
    assert "IT-SiG 2.0" not in {m["short_name"] for m in in_force}


def test_jurisdiction_mistakes_are_json_404s_with_a_suggestion(client) -> None:
    body = get_json(client, "/api/v1/jurisdictions/UK", 404)
    assert body["error"]["suggestion"]["label"] == "United Kingdom (GB)"
    assert local(body["error"]["suggestion"]["url"]) == "/api/v1/jurisdictions/GB"
    body = get_json(client, "/api/v1/jurisdictions/XK", 404)
    assert "not an ISO 3166-1 alpha-2 code" in body["error"]["message"]


def test_measures_paginate_through_every_published_measure(app_ctx, client) -> None:
    expected = set(db.session.scalars(visible(Measure).with_only_columns(Measure.record_id)))
    body = get_json(client, "/api/v1/measures?per_page=10")
    assert body["total"] == len(expected) and len(body["items"]) == 10
    ids = [m["id"] for m in all_pages(client, "/api/v1/measures?per_page=10")]
    assert len(ids) == len(set(ids)) and set(ids) == expected


def test_measures_filter_like_the_html_list(app_ctx, client) -> None:
    de = all_pages(client, "/api/v1/measures?jurisdiction=DE")
    assert {m["jurisdiction"]["code"] for m in de} == {"DE", "EU"}
    both = all_pages(client, "/api/v1/measures?jurisdiction=DE&norm=j&type=law&type=regulation")
    assert both and all(m["type"] in ("law", "regulation") for m in both)
    assert all(any(mp["norm"] == "j" for mp in m["mappings"]) for m in both)
    # next links keep the filters
    body = get_json(client, "/api/v1/measures?norm=i&per_page=2")
    assert "norm=i" in body["next"] and "per_page=2" in body["next"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("norm=zz", "Unknown norm: zz"),
        ("status=enacted", "Invalid status: 'enacted' is not one of"),
        ("year=1", "Invalid year"),
        ("per_page=0", "Invalid per_page '0': give a whole number from 1 to 200"),
        ("per_page=201", "Invalid per_page '201'"),
        ("page=abc", "Invalid page 'abc'"),
    ],
)
def test_bad_parameters_are_json_400s(client, query, message) -> None:
    body = get_json(client, f"/api/v1/measures?{query}", 400)
    assert body["error"]["status"] == 400 and message in body["error"]["message"]


def test_page_past_the_end_is_a_json_404(client) -> None:
    body = get_json(client, "/api/v1/measures?page=999", 404)
    assert "There is no page 999" in body["error"]["message"]


def test_a_measure_carries_every_field(app_ctx, client) -> None:
    body = get_json(client, f"/api/v1/measures/{record_id('eu-cra')}")
    assert body["title_original"].startswith("Regulation (EU) 2024/2847")
    assert (
        body["short_name"] == "CRA"
        and body["type"] == "regulation"
        and body["status"] == "partly_applicable"
    )
    assert body["jurisdiction"] == {"code": "EU", "name": "European Union"}
    assert body["official_url"] == "https://eur-lex.europa.eu/eli/reg/2024/2847/oj"
    assert body["verification"] == {"status": "secondary", "note": None}
    assert [e["date"] for e in body["events"]] == [
        "2024-10-23",
        "2024-11-20",
        "2024-12-10",
        "2026-06-11",
        "2026-09-11",
        "2027-12-11",
    ]
    assert body["events"][-1] == {
        "kind": "applies_from",
        "date": "2027-12-11",
        "precision": "day",
        "stage": "main obligations (general application)",
        "note": None,
        "successor": None,
    }
    assert body["standing"]["label"] in {
        "in force, partly applicable",
        "fully applicable",
    }
    assert body["sources"][0]["title"] == "sorena.io CRA calendar (Art. 71 dates)"
    assert {t["slug"] for t in body["topics"]} >= {"sbom", "incident-reporting"}
    assert {(m["norm"], m["locator"], m["basis"]) for m in body["mappings"]} == {
        ("i", "Annex I", "inferred"),
        ("j", "Art. 14", "inferred"),
    }
    assert local(body["url"]) == f"/measures/{record_id('eu-cra')}"


def test_partial_dates_keep_their_precision(app_ctx, client) -> None:
    body = get_json(client, f"/api/v1/measures/{record_id('us-nist-sp-800-218')}")
    assert body["events"][0]["date"] == "2022-02" and body["events"][0]["precision"] == "month"
    assert body["relations"] == [
        {
            "kind": "implements",
            "target": record_id("us-eo-14028"),
            "target_url": body["relations"][0]["target_url"],
            "note": "EO 14028 sec. 4 NIST guidance on secure development, which became SP 800-218",
        }
    ]


def test_api_never_serves_drafts_or_deleted_records(app_ctx, client, make_measure, login) -> None:
    draft = make_measure(
        published=False, title_original="Test draft measure", short_name="Test draft measure"
    )
    source = make_measure(
        relations=[{"kind": "amends", "target_record_id": draft.record_id, "note": None}]
    )
    login(client, "admin")  # even staff asking for drafts
    for path in (
        "/api/v1/measures?drafts=1&per_page=200",
        "/api/v1/norms/i?drafts=1",
        "/api/v1/measures?drafts=1&jurisdiction=DE&per_page=200",
    ):
        assert "Test draft measure" not in client.get(path).get_data(as_text=True), path
    get_json(client, f"/api/v1/measures/{draft.record_id}?drafts=1", 404)
    # A relation to an unpublished measure is left out.
    assert get_json(client, f"/api/v1/measures/{source.record_id}")["relations"] == []
    total = get_json(client, "/api/v1/measures")["total"]
    # deleted as the app deletes (the publication stamps move: the kept total is not served)
    records.soft_delete(db.session.get(Record, source.record_id))
    db.session.commit()
    assert get_json(client, "/api/v1/measures")["total"] == total - 1
    get_json(client, f"/api/v1/measures/{source.record_id}", 404)
    by_code = {j["code"]: j for j in all_pages(client, "/api/v1/jurisdictions?with_measures=1")}
    assert by_code["DE"]["measures"] == 8  # the deleted test measure (DE) is not counted
