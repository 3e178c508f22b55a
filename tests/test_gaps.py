"""Gap analysis on the demo data: who has a measure for a norm, topic or action, who has a gap."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import implementation
from tracker.extensions import db
from tracker.gaps import analysis
from tracker.gaps.analysis import Coverage
from tracker.records import services as records
from tracker.records.models import Record
from tracker.review import workflow

CATALOGUE = "catalogue:gge-2021-guidance"


def row(matrix: analysis.GapMatrix, kind: str, key: str) -> analysis.Row:
    return next(r for r in matrix.rows() if r.kind == kind and r.key == key)


def labels(cell: analysis.Cell) -> list[str]:
    return [f.measure.label for f in cell.measures]


@contextmanager
def count_queries(app: Any) -> Any:
    """Count the SQL statements the app runs (the test app is bound to one connection)."""
    statements: list[str] = []

    def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    with app.app_context():
        connection = db.engine
    sa.event.listen(connection, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(connection, "before_cursor_execute", before)


def record_by_key(key: str) -> Record:
    return db.session.scalar(sa.select(Record).where(Record.key == key))


# --- The matrix on known demo data ----------------------------------------------------------


def test_action_with_and_without_a_measure(app_ctx) -> None:
    matrix = analysis.build_matrix(["US", "NL", "JP", "DE"])
    j1 = row(matrix, "action", "j-1")
    # NL's own CVD guideline is linked to j.1, but it has no dated event: it is listed
    # ("dates not recorded") and does not close the gap; the EU's measures in force do.
    assert j1.cell("NL").state is Coverage.PARTIAL
    assert [(f.measure.label, f.via) for f in j1.cell("NL").measures] == [
        ("CRA", "EU"),
        ("NIS2", "EU"),
    ]
    assert [(f.measure.label, f.measure.standing.label) for f in j1.cell("NL").others] == [
        ("NCSC-NL CVD guideline", "dates not recorded")
    ]
    # Japan has measures, but none linked to j.1: a gap.
    assert j1.cell("JP").state is Coverage.NONE
    assert j1.cell("JP").measures == []
    i3 = row(matrix, "action", "i-3")
    # The SSDF is linked to i.3 with degree full.
    assert i3.cell("US").state is Coverage.FULL
    assert "SSDF v1.1" in labels(i3.cell("US"))
    assert i3.cell("DE").state is Coverage.NONE


def test_eu_measures_count_for_member_states_marked_via_eu(app_ctx) -> None:
    matrix = analysis.build_matrix(["AT", "DE", "EU"])
    j1 = row(matrix, "action", "j-1")
    austria = j1.cell("AT")  # no Austrian measure in the demo data
    assert austria.state is Coverage.PARTIAL
    assert austria.only_via
    assert {f.measure.label for f in austria.measures} == {"CRA", "NIS2"}
    assert {f.via for f in austria.measures} == {"EU"}
    # Germany: its own BSI TR-03183 first, then the EU's measures via EU.
    germany = j1.cell("DE")
    assert germany.measures[0].measure.label == "BSI TR-03183" and germany.measures[0].via is None
    assert not germany.only_via
    # The EU itself: its own measures, not "via" anything.
    assert all(f.via is None for f in j1.cell("EU").measures)
    assert matrix.jurisdictions[0].orgs == ("EU",)


def test_topics_and_norms(app_ctx) -> None:
    matrix = analysis.build_matrix(["DE", "FR", "BR"])
    funding = row(matrix, "topic", "open-source-security-funding")
    assert funding.cell("DE").state is Coverage.FULL
    assert labels(funding.cell("DE")) == ["Sovereign Tech Fund / Agency"]
    assert funding.cell("FR").state is Coverage.NONE
    norm_i = row(matrix, "norm", "i")
    assert norm_i.cell("FR").state is Coverage.FULL
    # Brazil has no measure in the demo data: every row is a gap.
    assert matrix.counts("BR") == {
        Coverage.FULL: 0,
        Coverage.PARTIAL: 0,
        Coverage.NONE: len(matrix.rows()),
    }
    assert len(matrix.rows()) == 2 + 12 + 8


def test_proposed_superseded_and_rescinded_measures_are_shown_but_never_close_a_gap(
    app_ctx,
) -> None:
    matrix = analysis.build_matrix(["CA", "US", "DE"])
    incident = row(matrix, "topic", "incident-reporting")
    # Canada's only incident-reporting measure is Bill C-8, still proposed.
    assert incident.cell("CA").state is Coverage.NONE
    assert [f.measure.label for f in incident.cell("CA").others] == ["Bill C-8 (ex C-26) / CCSPA"]
    i3 = row(matrix, "action", "i-3")
    # M-22-18 is rescinded: listed apart, while the US keeps its current measures.
    assert "M-22-18" in [f.measure.label for f in i3.cell("US").others]
    assert "M-22-18" not in labels(i3.cell("US"))
    hrv = row(matrix, "topic", "high-risk-vendor-restrictions")
    assert "IT-SiG 2.0 (§ 9b BSIG)" in [f.measure.label for f in hrv.cell("DE").others]


def test_actions_count_only_through_explicit_links(app_ctx, make_measure) -> None:
    # A Brazilian measure tagged "vulnerability-disclosure" (the topic of j.1) but not linked to
    # j.1.
    make_measure(jurisdiction_code="BR", topics=["vulnerability-disclosure"])
    matrix = analysis.build_matrix(["BR", "DE"])
    assert row(matrix, "topic", "vulnerability-disclosure").cell("BR").state is Coverage.FULL
    assert row(matrix, "action", "j-1").cell("BR").state is Coverage.NONE
    # Once linked (degree full), j.1 is covered.
    make_measure(jurisdiction_code="BR", implementations=[implementation(action="j-1")])
    matrix = analysis.build_matrix(["BR", "DE"])
    assert row(matrix, "action", "j-1").cell("BR").state is Coverage.FULL


# --- Visibility: drafts and deleted records never count for the public ----------------------


def test_drafts_never_count_for_the_public(app, client, login, make_measure) -> None:
    make_measure(
        published=False,
        jurisdiction_code="BR",
        topics=["sbom"],
        implementations=[implementation(action="i-6")],
    )
    with app.app_context():
        matrix = analysis.build_matrix(["BR", "DE"])
        assert row(matrix, "topic", "sbom").cell("BR").state is Coverage.NONE
        assert row(matrix, "action", "i-6").cell("BR").state is Coverage.NONE
        staff = analysis.build_matrix(["BR", "DE"], include_drafts=True)
        assert row(staff, "action", "i-6").cell("BR").state is Coverage.FULL
    page = client.get("/jurisdictions/BR/gaps?drafts=1").get_data(as_text=True)
    assert "TM" not in page and "Test measure" not in page
    grid = client.get("/gaps?j=BR&j=DE&drafts=1").get_data(as_text=True)
    assert "Test measure" not in grid
    login(client, "editor")
    assert "Test measure" in client.get("/jurisdictions/BR/gaps?drafts=1").get_data(as_text=True)


def test_an_unpublished_edit_stays_invisible_until_published(app, make_measure) -> None:
    from tracker.measures import services

    measure = make_measure(
        jurisdiction_code="BR", implementations=[implementation(action="j-1", degree="partial")]
    )
    with app.app_context():
        record = db.session.get(Record, measure.record_id)
        draft = records.editable_copy(record)
        data = services.snapshot(draft)
        data["implementations"][0]["degree"] = "full"
        services.apply(draft, data)
        db.session.commit()
        assert (
            row(analysis.build_matrix(["BR", "DE"]), "action", "j-1").cell("BR").state
            is Coverage.PARTIAL
        )
        workflow.publish_unreviewed(record)
        db.session.commit()
        assert (
            row(analysis.build_matrix(["BR", "DE"]), "action", "j-1").cell("BR").state
            is Coverage.FULL
        )


def test_deleted_measures_vanish_from_gaps(app, client) -> None:
    assert "Cyber Security Act 2024" in client.get("/jurisdictions/AU/gaps").get_data(as_text=True)
    with app.app_context():
        assert (
            row(analysis.build_matrix(["AU", "DE"]), "action", "j-1").cell("AU").state
            is Coverage.PARTIAL
        )
        records.soft_delete(record_by_key("au-cyber-security-act-2024"))
        db.session.commit()
        matrix = analysis.build_matrix(["AU", "DE"])
        assert matrix.counts("AU")[Coverage.NONE] == len(matrix.rows())
    assert "Cyber Security Act 2024" not in client.get("/jurisdictions/AU/gaps").get_data(
        as_text=True
    )
    assert "Cyber Security Act 2024" not in client.get("/gaps?j=AU&j=DE").get_data(as_text=True)


# --- Pages --------------------------------------------------------------------------------


def test_country_gap_page(client) -> None:
    response = client.get("/jurisdictions/de/gaps")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Gap analysis: Germany" in page
    assert "via EU" in page
    assert "Reasonable steps to ensure supply-chain integrity &#39;can include&#39;" in page
    assert "recommendations to suppliers on:</span> asset inventories" in page
    assert client.get("/jurisdictions/XX/gaps").status_code == 404


def test_comparison_page(client) -> None:
    response = client.get("/gaps?j=DE&j=FR&catalogue=gge-2021-guidance")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Germany" in page and "France" in page
    assert "No measure for actions i.1, i.2, i.3, i.5, i.6, j.2." in page
    # Comma-separated codes and lower case work too.
    assert client.get("/gaps?j=de,fr,us").status_code == 200
    # Without parameters: the form, no grid.
    blank = client.get("/gaps")
    assert blank.status_code == 200 and "Summary" not in blank.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("j=DE", "Choose at least 2 jurisdictions"),
        ("j=DE&j=de", "Choose at least 2 jurisdictions"),
        ("j=DE&j=ZZ", "Unknown jurisdiction code: ZZ"),
        ("j=DE&j=" + "X" * 40, "Unknown jurisdiction code"),
        (
            "&".join(
                f"j={c}"
                for c in (
                    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK "
                    "SI ES SE US GB JP CA"
                ).split()
            ),
            "Choose at most 30 jurisdictions (you chose 31)",
        ),
        ("j=DE&j=FR&catalogue=nope", "Unknown catalogue"),
        ("j=DE&j=FR&paper=abc", "There is no published paper"),
        ("j=DE&j=FR&paper=999999", "There is no published paper"),
    ],
)
def test_comparison_rejects_bad_input_with_a_message(client, query, message) -> None:
    response = client.get("/gaps?" + query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Summary" not in page  # no grid on bad input


def test_thirty_jurisdictions_are_allowed(client) -> None:
    codes = (
        "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE US GB JP"
    ).split()
    assert client.get("/gaps?" + "&".join(f"j={c}" for c in codes)).status_code == 200


def test_query_count_does_not_grow_with_jurisdictions_or_measures(
    app, client, make_measure
) -> None:
    # the first request of a data version computes the public's standings once per process
    # (tracker.measures.standings): warm it, as every later request reads it
    client.get("/gaps?j=DE&j=FR")
    with count_queries(app) as few:
        assert client.get("/gaps?j=DE&j=FR").status_code == 200
    with count_queries(app) as many:
        assert (
            client.get("/gaps?j=DE&j=FR&j=US&j=JP&j=NL&j=GB&j=AT&j=CA&j=AU&j=IN").status_code == 200
        )
    assert len(many) == len(few)
    with count_queries(app) as before:
        client.get("/jurisdictions/DE/gaps")
    for _ in range(5):
        make_measure(
            topics=["sbom", "incident-reporting"], implementations=[implementation(action="i-1")]
        )
    client.get("/jurisdictions/DE/gaps")
    with count_queries(app) as after:
        client.get("/jurisdictions/DE/gaps")
    assert len(after) == len(before)
    assert len(before) <= 20
    # the standings come from the data version's snapshot: no page reads every measure's
    # events (loading them in batches of 500 made the count grow at 40,000 measures)
    assert not [s for s in after if "measure_events" in s]


def test_a_comparison_cell_names_a_bounded_number_of_measures(client, make_measure) -> None:
    """Every measure decides a cell's state, but a cell names at most COMPARE_SHOWN of those
    counted (and of those not counted), with how many more: at 40,000 measures a cell listed
    thousands (1.6 MB of HTML for two jurisdictions)."""
    from tracker.gaps.views import COMPARE_SHOWN

    for n in range(COMPARE_SHOWN + 3):
        make_measure(jurisdiction_code="BR", title_original=f"Bounded cell act {n}")
    page = client.get("/gaps?j=BR&j=DE").get_data(as_text=True)
    # two cells: the norm (i) row and the SBOM row (the fixture's mapping and topic)
    assert page.count("Bounded cell act") == 2 * COMPARE_SHOWN
    assert "and 3 more" in page
