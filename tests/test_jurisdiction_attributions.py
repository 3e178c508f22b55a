"""A jurisdiction's page shows its own attribution statements (and those made through the EU)
beside its measures under the same norms (issue 7 item 2; issue 13 item 3), from published
content only, in a fixed number of queries."""

from __future__ import annotations

import sqlalchemy as sa

from tests.attribution_helpers import create_attribution
from tests.test_query_counts import counting
from tracker.attribution import sections
from tracker.attribution.models import StatementParty
from tracker.extensions import db
from tracker.jurisdictions.queries import organisations_of


def test_the_german_page_shows_the_eus_solarwinds_statement_beside_its_norm_i_measures(app, client):
    html = client.get("/jurisdictions/DE").get_data(as_text=True)
    assert "Attributions beside measures: Germany" in html and 'href="#beside-title"' in html
    section = html[html.index('id="beside-title"') :]
    group = section[section.index('id="beside-i"') :]
    group = group[: group.index("</section>")]
    assert "SolarWinds" in group and "through the EU" in group  # the EU's, implicitly (i)
    assert "measures mapped to norm (i)" in group


def test_the_us_page_credits_the_us_with_no_norm_the_eu_invoked(app, client):
    """SolarWinds and Hafnium: only the EU's statements use the norms' language."""
    html = client.get("/jurisdictions/US").get_data(as_text=True)
    section = html[html.index('id="beside-title"') :]
    assert 'id="beside-i"' not in section and 'id="beside-c"' not in section
    assert "SolarWinds" in section  # listed among its statements invoking no specific norm


def test_the_page_gets_the_same_statements_as_the_attribution_views(app_ctx):
    """The page's two-query path gives what the per-State view's path gives."""
    codes = set(db.session.scalars(sa.select(StatementParty.jurisdiction_code)))
    codes |= {"DE", "FR", "EU", "AQ", "JP"}
    for code in sorted(codes):
        orgs = organisations_of(code)
        quick = sections.attributions_beside_measures(code, organisations=orgs, measures_by_norm={})
        full = sections.attributions_beside_measures(code)

        def shape(beside):
            return (
                [
                    (g.norm.letter, [(r.statement.id, r.role, r.via) for r in g.statements])
                    for g in beside.groups
                ],
                [(r.statement.id, r.role, r.via) for r in beside.without_norm],
            )

        assert shape(quick) == shape(full), code


def test_drafts_are_shown_to_staff_who_ask_and_to_nobody_else(app, client, login):
    create_attribution(
        app,
        published=False,
        operation="Test operation DRAFT-BESIDE",
        statements=[
            {
                "parties": ["IS"],
                "invoked_norms": [{"norm": "c", "basis": "implicit"}],
            }
        ],
    )
    assert "DRAFT-BESIDE" not in client.get("/jurisdictions/IS").get_data(as_text=True)
    assert "DRAFT-BESIDE" not in client.get("/jurisdictions/IS?drafts=1").get_data(as_text=True)
    login(client, "editor")
    assert "DRAFT-BESIDE" not in client.get("/jurisdictions/IS").get_data(as_text=True)
    assert "DRAFT-BESIDE" in client.get("/jurisdictions/IS?drafts=1").get_data(as_text=True)


def test_a_page_without_statements_has_no_section(app, client):
    html = client.get("/jurisdictions/AQ").get_data(as_text=True)
    assert "Attributions beside measures" not in html


def test_the_number_of_queries_does_not_grow_with_the_statements(app, client):
    with app.app_context():
        connection = db.engine

    def statements() -> int:
        with counting(connection) as seen:
            assert client.get("/jurisdictions/IS").status_code == 200
        return len(seen)

    create_attribution(
        app,
        statements=[{"parties": ["IS"], "invoked_norms": [{"norm": "j", "basis": "explicit"}]}],
    )
    statements()  # the first request of a data version computes the standings snapshot
    one = statements()
    for n in range(5):
        create_attribution(
            app,
            statements=[
                {
                    "parties": ["IS", "NO"],
                    "invoked_norms": [{"norm": "ij"[n % 2], "basis": "implicit"}],
                },
                {"role": "supporting", "parties": ["DK"]},
            ],
        )
    assert statements() == one
