"""A norm and a jurisdiction in the API are bounded: they give counts and a link to the
paginated measures, so neither their size nor their number of SQL statements grows with the
number of measures (at 40,000 measures they used to be 19 MB and 18 s; README "Scale").
"""

from __future__ import annotations

from typing import Any

from tests.test_query_counts import add_measures, counting
from tracker.extensions import db

#: bounded API calls and the most statements each may issue, whatever the data's size
PATHS = {
    # the norm with its document and commitments, the publication stamp its counts are kept
    # under, its counts by jurisdiction (one grouped query) and those jurisdictions
    "/api/v1/norms/i": 7,
    # the jurisdiction, its organisations, the publication stamp its counts are kept under,
    # its scope's measures and their events (standings; none once the counts are kept)
    "/api/v1/jurisdictions/DE": 6,
    "/api/v1/jurisdictions/EU": 6,
    # the same for one page of jurisdictions, + the count of the page
    "/api/v1/jurisdictions?per_page=20": 6,
    "/api/v1/jurisdictions?with_measures=1": 7,
    # the page of measures, their collections, standings and relation targets, and the
    # publication stamp the list's total is kept under (+ the total, once per data version)
    "/api/v1/measures?norm=i&per_page=20": 13,
}

#: bytes a bounded answer may gain when 300 measures are added (a few digits of counts)
GROWTH = 40


def answers(app: Any, client: Any) -> dict[str, tuple[int, dict[str, Any], int]]:
    """{path: (statements, JSON body, size in bytes)}."""
    with app.app_context():
        connection = db.engine  # the test's connection (see tests/conftest.py)
    out = {}
    for path in PATHS:
        with counting(connection) as statements:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        out[path] = (len(statements), response.get_json(), len(response.data))
    return out


def test_norm_and_jurisdiction_answers_do_not_grow_with_the_measures(app, client) -> None:
    with app.app_context():
        add_measures(10, 0)
    small = answers(app, client)
    with app.app_context():
        add_measures(300, 10)  # DE and EU, each mapped to norms i and j
    large = answers(app, client)

    for path, bound in PATHS.items():
        assert small[path][0] <= bound, f"{path}: {small[path][0]} statements (bound {bound})"
        assert large[path][0] <= small[path][0], f"{path}: statements grew with the data"

    # The counts moved by the measures added, and the answers stayed the same size.
    norm_before, norm_after = small["/api/v1/norms/i"][1], large["/api/v1/norms/i"][1]
    assert norm_after["measures"] == norm_before["measures"] + 300
    counts = {j["code"]: j["measures"] for j in norm_after["jurisdictions"]}
    before = {j["code"]: j["measures"] for j in norm_before["jurisdictions"]}
    assert counts["DE"] - before["DE"] == 150 and counts["EU"] - before["EU"] == 150
    de_before, de_after = small["/api/v1/jurisdictions/DE"][1], large["/api/v1/jurisdictions/DE"][1]
    assert de_after["measures"] == de_before["measures"] + 300  # its own and the EU's
    for path in ("/api/v1/norms/i", "/api/v1/jurisdictions/DE", "/api/v1/jurisdictions/EU"):
        assert large[path][2] - small[path][2] <= GROWTH, path
    listed = large["/api/v1/measures?norm=i&per_page=20"][1]
    assert listed["total"] == norm_after["measures"] and len(listed["items"]) == 20


def test_norm_counts_leave_out_drafts(app, client, make_measure) -> None:
    """A draft mapped to the norm (DE, norm i) is not counted; published, it is."""
    before = client.get("/api/v1/norms/i").get_json()
    with app.app_context():
        make_measure(published=False, title_original="Test draft measure")
    assert client.get("/api/v1/norms/i?drafts=1").get_json() == before
    with app.app_context():
        make_measure(title_original="Test published measure")
    after = client.get("/api/v1/norms/i").get_json()
    assert after["measures"] == before["measures"] + 1
    de = [j["measures"] for j in (before, after) for j in j["jurisdictions"] if j["code"] == "DE"]
    assert de[1] == de[0] + 1
