"""A jurisdiction's page shows its attribution statements beside its own measures under the
same norms (issue 7 item 2), from published content only, in a fixed number of queries."""

from __future__ import annotations

import sqlalchemy as sa

from tests.attribution_helpers import create_attribution
from tests.test_query_counts import counting
from tracker.attribution import sections
from tracker.attribution.models import StatementParty
from tracker.extensions import db
from tracker.jurisdictions.queries import organisations_of


def test_the_us_page_shows_solarwinds_beside_its_norm_i_measures(app, client):
    html = client.get("/jurisdictions/US").get_data(as_text=True)
    assert "Attributions beside measures: United States" in html and 'href="#beside-title"' in html
    section = html[html.index('id="beside-title"') :]
    group = section[section.index('id="beside-i"') :]
    group = group[: group.index("</section>")]
    assert "SolarWinds" in group  # invokes norm (i), implicitly
    assert "EO 14028" in group  # a US measure mapped to norm (i)


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
        attributing=["IS"],
        invoked_norms=[{"norm": "c", "basis": "implicit", "passage": None, "locator": None}],
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
        attributing=["IS"],
        invoked_norms=[{"norm": "j", "basis": "explicit", "passage": None, "locator": None}],
    )
    one = statements()
    for n in range(5):
        create_attribution(
            app,
            attributing=["IS", "NO"],
            supported_by=["DK"],
            invoked_norms=[
                {"norm": "ij"[n % 2], "basis": "implicit", "passage": None, "locator": None}
            ],
        )
    assert statements() == one
