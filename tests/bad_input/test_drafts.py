"""Draft identifiers guessed by the public, or by a reviewer of another working group:
every URL that names a draft (pages, staff pages, API, citations, review) answers the
same 404 as a number that does not exist, and no list, search, export, feed, brief or
count shows the draft, whatever ``?drafts=1`` says.

tests/test_access.py checks a measure draft for the public on every route and for an
outsider on three; here papers and attribution statements too, every route for the
outsider, and the lists, exports and briefs.
"""

from __future__ import annotations

import re

import pytest
from flask import url_for

from tests.attribution_helpers import create_attribution
from tests.conftest import csrf_token
from tests.review_helpers import ATTRIBUTION, SUPPLY_CHAIN, group_id, make_member, sign_in, take
from tracker.extensions import db
from tracker.records.models import Record

SECRET = "Unmistakablesecretdraft"
#: what the drafts hold (a search page echoes the query SECRET, not these)
TITLES = (f"{SECRET} measure", f"{SECRET}M", f"{SECRET} paper", f"{SECRET} operation")

#: everything that lists, counts, searches, exports or prints records
LISTINGS = [
    "/",
    "/measures/?drafts=1",
    "/measures/?drafts=1&jurisdiction=DE",
    "/papers/?drafts=1",
    "/attributions/?drafts=1",
    "/attributions/states?drafts=1",
    "/attributions/by-state/IS?drafts=1",
    "/attributions/against/AQ?drafts=1",
    "/attributions/norms?drafts=1",
    "/norms/i?drafts=1",
    "/norms/j?drafts=1",
    "/jurisdictions/?drafts=1",
    "/jurisdictions/DE?drafts=1",
    "/jurisdictions/DE/gaps?drafts=1",
    "/gaps?j=DE&j=FR&drafts=1",
    "/compare?j=DE&j=FR&drafts=1",
    "/jurisdictions/DE/brief?drafts=1",
    "/norms/i/brief?drafts=1",
    f"/search/?q={SECRET}&drafts=1",
    "/api/v1/measures?drafts=1&per_page=200",
    "/api/v1/norms/i?drafts=1",
    "/api/v1/jurisdictions/DE?drafts=1",
    "/api/v1/attributions?drafts=1&per_page=200",
    "/export/measures.json?drafts=1",
    "/export/measures.csv?drafts=1",
    "/export/attributions.json?drafts=1",
    "/export/citations.bib?drafts=1",
    "/changes?drafts=1",
    "/changes.atom?drafts=1",
]


@pytest.fixture
def drafts(app, make_measure, make_paper, make_user):
    """A draft of each kind with a title nobody could guess, submitted to the supply-chain
    group (so its members may see them), and the record numbers."""
    editor = make_user("editor")
    measure = make_measure(
        published=False, title_original=f"{SECRET} measure", short_name=f"{SECRET}M"
    ).record_id
    paper = make_paper(published=False, title=f"{SECRET} paper").record_id
    statement = create_attribution(app, published=False, operation=f"{SECRET} operation").record_id
    with app.app_context():
        supply_chain = group_id(SUPPLY_CHAIN)
    for rid in (measure, paper, statement):
        take(app, rid, "submit", editor.id, working_group_id=supply_chain)
    return {"measure": measure, "paper": paper, "attribution": statement}


@pytest.fixture
def viewers(app, make_user):
    anonymous = app.test_client()
    outsider = app.test_client()
    sign_in(outsider, make_member(app, make_user, ATTRIBUTION))
    loner = app.test_client()
    sign_in(loner, make_user("reviewer"))
    member = app.test_client()
    sign_in(member, make_member(app, make_user, SUPPLY_CHAIN))
    return {
        "anonymous": anonymous,
        "outsider": outsider,
        "reviewer without a group": loner,
        "member": member,
    }


ARGS = {"number": 1, "fmt": "json", "action": "approve", "comment_id": 1}


def record_urls(app, record_id):
    """(method, url) of every route that names a record by number."""
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "record_id" not in rule.arguments:
                continue
            args = {
                name: record_id if name == "record_id" else ARGS[name] for name in rule.arguments
            }
            url = url_for(rule.endpoint, **args)
            out += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return out


def same_page(html, *numbers):
    """The page with the record numbers and the (time-stamped) CSRF tokens taken out. Both
    numbers go from both pages: a draft numbered 70 also matches "A/70/174" in the footer."""
    html = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)
    for number in numbers:
        html = re.sub(rf"(?<!\d){number}(?!\d)", "N", html)
    return html


@pytest.mark.parametrize("who", ["anonymous", "outsider", "reviewer without a group"])
@pytest.mark.parametrize("kind", ["measure", "paper", "attribution"])
def test_every_url_naming_a_draft_is_404_like_a_missing_number(app, drafts, viewers, who, kind):
    client = viewers[who]
    draft = drafts[kind]
    missing = 987_654
    token = csrf_token(app, client)
    urls = record_urls(app, draft)
    assert len(urls) > 20
    for method, url in urls:
        response = client.open(
            url, method=method, data={"csrf_token": token} if method == "POST" else None
        )
        assert response.status_code == 404, (who, method, url, response.status_code)
        body = response.get_data(as_text=True)
        assert SECRET not in body, (who, url)
        # Nothing tells a draft apart from a number that was never used.
        other = client.open(
            url.replace(str(draft), str(missing)),
            method=method,
            data={"csrf_token": token} if method == "POST" else None,
        )
        assert other.status_code == 404
        assert same_page(body, draft, missing) == same_page(
            other.get_data(as_text=True), draft, missing
        ), (
            who,
            method,
            url,
        )


@pytest.mark.parametrize("who", ["anonymous", "outsider", "reviewer without a group", "member"])
def test_no_listing_export_or_brief_shows_a_draft(app, drafts, viewers, who):
    client = viewers[who]
    for path in LISTINGS:
        response = client.get(path)
        assert response.status_code in (200, 202), (who, path, response.status_code)
        body = response.get_data(as_text=True)
        assert not [t for t in TITLES if t in body], (who, path)


def test_the_group_the_drafts_were_submitted_to_does_see_them(app, drafts, viewers):
    """The control: the drafts exist and the member of their group reads them."""
    member = viewers["member"]
    for kind, prefix in (
        ("measure", "/measures"),
        ("paper", "/papers"),
        ("attribution", "/attributions"),
    ):
        for path in (f"{prefix}/{drafts[kind]}", f"/review/{drafts[kind]}"):
            response = member.get(path)
            assert response.status_code == 200, path
            assert SECRET in response.get_data(as_text=True), path
    with app.app_context():
        assert db.session.get(Record, drafts["measure"]).working_group_id == group_id(SUPPLY_CHAIN)
