"""Attribution pages and the JSON API: content, helpful 404s, pagination and bad input."""

from __future__ import annotations

import pytest

from tracker.attribution.models import Attribution
from tracker.extensions import db
from tracker.records.models import Record


def record_id(app, key: str) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(Record.id)
            .join(Attribution, Attribution.record_id == Record.id)
            .where(Record.key == key)
        )


def test_timeline_is_grouped_by_year_newest_first(client) -> None:
    html = client.get("/attributions/").get_data(as_text=True)
    years = [int(part[:4]) for part in html.split('<h2 id="year-')[1:]]
    assert years == [2024, 2023, 2022, 2021, 2020, 2018, 2017, 2014]
    assert (
        html.index("APT40 intrusions") < html.index("APT28 campaign") < html.index("Sony Pictures")
    )
    assert '<time datetime="2017-12-19">19 December 2017</time>' in html
    assert "United Kingdom</a> <abbr" in html  # names with codes
    assert "Secondary sources only" in html and "Verified" in html


def test_statement_page_shows_every_field(app, client) -> None:
    html = client.get(f"/attributions/{record_id(app, 'spd-apt28-2024')}").get_data(as_text=True)
    for text in (
        "3 May 2024",
        "Russian Federation - GRU (APT28)",
        "Supported by",
        "Czechia",
        "NATO",
        "Russian chargé d&#39;affaires summoned 2024-05-03",
        "menafn.com (KUNA) 2024-05-03",
        "Unknown — full text not seen",
        'Statement 4 <span class="muted">(Supporting)</span>',
    ):
        assert text in html, text
    html = client.get(f"/attributions/{record_id(app, 'notpetya-2018')}").get_data(as_text=True)
    assert "Other States recalled" in html and "Not verified" in html
    # Each party's own words, quoted only because a source gives them verbatim.
    assert "“We call upon Russia to be the responsible member" in html
    assert "Verbatim, as given by itv.com / securityaffairs.com" in html
    assert "“reckless and indiscriminate cyber-attack" in html
    html = client.get(f"/attributions/{record_id(app, 'solarwinds-2021')}").get_data(as_text=True)
    assert "Norm (i)</a>" in html and "Implicit: the wording echoes the norm" in html
    assert "US: &#39;high confidence&#39;" in html  # basis the statement gives


def test_views_per_attributing_and_attributed_state(client) -> None:
    html = client.get("/attributions/by-state/DE").get_data(as_text=True)
    assert "Attributions by Germany" in html
    assert "Hack of the German Bundestag (April-May 2015)" in html
    assert "Through the EU, of which it is a member" in html
    assert "Statements made through organisations Germany belongs to" in html
    assert "<strong>3</strong> own statements" in html  # Bundestag, SPD (APT28), APT40 advisory
    assert "<strong>4</strong> through the EU" in html
    assert "Attributions beside measures: Germany" in html
    html = client.get("/attributions/against/CN").get_data(as_text=True)
    assert "<strong>4</strong> operations attributed to China" in html
    # APT10 (6 statements), Hafnium (7 and NATO's), Volt Typhoon (5), the APT40 joint text
    assert "<strong>20</strong> statements naming China" in html
    assert "Volt Typhoon" in html and "WannaCry" not in html
    html = client.get("/attributions/states").get_data(as_text=True)
    assert 'href="/attributions/by-state/US"' in html and 'href="/attributions/against/RU"' in html
    html = client.get("/attributions/by-state/FR").get_data(as_text=True)
    assert "<strong>0</strong> own statements" in html
    assert "through the EU" in html  # the EU's, counted apart from France's own
    assert "Statements made through organisations France belongs to" in html
    html = client.get("/attributions/by-state/BR").get_data(as_text=True)
    assert "No published attribution statement was made, joined or supported by Brazil" in html


@pytest.mark.parametrize("path", ["/attributions/by-state/XX", "/attributions/against/XX"])
def test_unknown_code_is_a_helpful_404(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "There is no jurisdiction with the code “XX”" in html
    assert "ISO 3166-1 alpha-2" in html


def test_alpha3_code_suggests_the_jurisdiction_and_lower_case_redirects(client) -> None:
    response = client.get("/attributions/by-state/DEU")
    assert response.status_code == 404
    assert 'href="/attributions/by-state/DE"' in response.get_data(as_text=True)
    response = client.get("/attributions/against/ru")
    assert response.status_code == 308 and response.headers["Location"].endswith(
        "/attributions/against/RU"
    )


def test_unknown_statement_and_bad_filter(client) -> None:
    response = client.get("/attributions/999999")
    assert response.status_code == 404
    assert "There is no published attribution statement number 999999" in response.get_data(
        as_text=True
    )
    response = client.get("/attributions/?norm=z")
    assert response.status_code == 400 and "Norms are the letters a to k" in response.get_data(
        as_text=True
    )


def test_api_list_is_paginated_and_filterable(client) -> None:
    first = client.get("/api/v1/attributions?per_page=5").get_json()
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 5, 13, 3)
    assert len(first["items"]) == 5 and first["prev"] is None
    assert first["items"][0]["operation"].startswith("APT40")
    last = client.get(first["next"].replace("http://localhost", "")).get_json()
    assert last["page"] == 2
    third = client.get("/api/v1/attributions?per_page=5&page=3").get_json()
    assert len(third["items"]) == 3 and third["next"] is None and "page=2" in third["prev"]
    ids = [i["id"] for i in first["items"] + last["items"] + third["items"]]
    assert len(set(ids)) == 13

    kp = client.get("/api/v1/attributions?attributed=KP").get_json()
    assert [i["date"] for i in kp["items"]] == ["2017-12-19", "2014-12-19"]
    wannacry = kp["items"][0]
    assert [p["code"] for p in wannacry["attributing"]] == ["US", "GB", "AU", "CA", "NZ", "JP"]
    assert wannacry["forms"] == ["statement"]
    # Six same-day statements, each of one party, none joint, none known to invoke the framework.
    assert [[p["code"] for p in s["parties"]] for s in wannacry["statements"]] == [
        ["US"],
        ["GB"],
        ["AU"],
        ["CA"],
        ["NZ"],
        ["JP"],
    ]
    assert not any(s["joint"] for s in wannacry["statements"])
    assert {s["un_framework_invoked"] for s in wannacry["statements"]} == {"unknown"}
    assert wannacry["verification"]["status"] == "verified"
    assert client.get(wannacry["api_url"].replace("http://localhost", "")).get_json() == wannacry
    norm_i = client.get("/api/v1/attributions?norm=i").get_json()
    assert [i["operation"] for i in norm_i["items"]] == [
        "SolarWinds Orion supply-chain compromise (SUNBURST)"
    ]
    notpetya = client.get(
        "/api/v1/attributions?attributing=GB&year=2018&form=statement"
    ).get_json()["items"]
    recalled = next(i for i in notpetya if i["operation"] == "NotPetya (June 2017)")[
        "other_states_recalled"
    ]
    assert recalled["verified"] is False and [s["code"] for s in recalled["states"]] == [
        "AU",
        "CA",
        "NZ",
        "DK",
        "LT",
        "EE",
    ]


@pytest.mark.parametrize(
    "query, message",
    [
        ("per_page=0", "Invalid per_page '0': give a whole number from 1 to 200"),
        ("per_page=1000", "Invalid per_page '1000': give a whole number from 1 to 200"),
        ("page=-1", "Invalid page '-1': give a whole number"),
        ("attributing=QQ", "Unknown jurisdiction code: QQ"),
        ("un_framework=maybe", "'maybe' is not one of: yes, no, unknown"),
        ("year=20x4", "Invalid year"),
    ],
)
def test_api_rejects_bad_parameters_with_json(client, query, message) -> None:
    response = client.get(f"/api/v1/attributions?{query}")
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


def test_api_detail_unknown_is_json_404(client) -> None:
    response = client.get("/api/v1/attributions/999999")
    assert response.status_code == 404 and response.is_json


def count_queries(app, client, path: str) -> int:
    import sqlalchemy as sa

    seen: list[str] = []

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return len(seen)


@pytest.mark.parametrize(
    "path",
    [
        "/attributions/",
        "/attributions/norms",
        "/attributions/by-state/US",
        "/attributions/against/AQ",
        "/api/v1/attributions",
    ],
)
def test_pages_use_a_fixed_number_of_queries(app, client, path) -> None:
    from tests.attribution_helpers import create_attribution

    create_attribution(app, attributing=["IS"], invoked_norms=[{"norm": "j", "basis": "explicit"}])
    before = count_queries(app, client, path)
    for n in range(5):
        create_attribution(
            app,
            attributing=["IS", "NO", "US"],
            supported_by=["SE"],
            attributed_state="AQ",
            date=f"201{n}-02-03",
            invoked_norms=[{"norm": "i", "basis": "implicit"}, {"norm": "j", "basis": "explicit"}],
        )
    assert count_queries(app, client, path) == before


def test_api_refuses_a_page_beyond_any_list_with_400_like_the_measures_api(client) -> None:
    """A page number that would overflow the database's row offset is a 400, not a 500."""
    for path in ("/api/v1/attributions", "/api/v1/measures"):
        response = client.get(f"{path}?page=99999999999999999999")
        assert response.status_code == 400, path
        assert "page" in response.get_json()["error"]["message"]
