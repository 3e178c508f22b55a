"""The comparison page: selection and validation, the grid, gaps, "via EU", the as-of rule,
the summary, drafts, and data versions that change only with the records in scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.reports.params import ReportParams, parse_compare
from tracker.reports.queries import build_report, data_version
from tracker.review import workflow

TODAY = dt.date(2026, 11, 27)


def text(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return (
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
        .replace("&#34;", '"')
        .replace("&#39;", "'")
    )


# --------------------------------------------------------------------------- selection and
# validation


def test_form_without_selection(client) -> None:
    response = client.get("/compare")
    assert response.status_code == 200
    page = text(response)
    assert "Jurisdictions (2 to 30)" in page and "How the tracker dates and counts measures" in page
    # jurisdictions with recorded measures are offered as checkboxes
    assert 'name="j" value="DE"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("j=DE", "Choose at least 2 jurisdictions to compare (you chose 1)."),
        ("j=DE&j=XX&j=QQ", "Unknown jurisdiction codes: XX, QQ."),
        (
            "j="
            + ",".join(
                [
                    "DE",
                    "FR",
                    "US",
                    "GB",
                    "JP",
                    "KR",
                    "AU",
                    "SG",
                    "IN",
                    "CA",
                    "NL",
                    "IT",
                    "ES",
                    "PT",
                    "PL",
                    "SE",
                    "FI",
                    "DK",
                    "IE",
                    "AT",
                    "BE",
                    "LU",
                    "CZ",
                    "SK",
                    "HU",
                    "RO",
                    "BG",
                    "GR",
                    "HR",
                    "SI",
                    "EE",
                ]
            ),
            "Choose at most 30 jurisdictions (you chose 31)",
        ),
        ("j=DE&j=FR&norms=i,z", "Unknown norm: z."),
        ("j=DE&j=FR&topics=sbom,nonsense", "Unknown topic: nonsense."),
        ("j=DE&j=FR&as_of=2024-13-01", "is not a date: write it as YYYY-MM-DD"),
        ("j=DE&j=FR&as_of=1800-01-01", "Choose an as-of date between 1990-01-01 and 2100-12-31."),
        ("j=DE&j=FR&by=colour", "Arrange the grid by norm or by topic."),
    ],
)
def test_bad_selection_is_400_with_message_next_to_the_field(client, query, message) -> None:
    response = client.get("/compare?" + query)
    assert response.status_code == 400
    assert message in text(response)
    assert "your choices are kept below" in text(response)
    pdf = client.get("/compare.pdf?" + query)
    assert pdf.status_code == 400 and message in text(pdf)


def test_choices_are_kept_after_an_error(client) -> None:
    body = client.get("/compare?j=DE&j=FR&as_of=31/12/2024&norms=j").get_data(as_text=True)
    assert re.search(r'value="DE" checked', body) and re.search(r'value="FR" checked', body)
    assert re.search(r'name="norms" value="j" checked', body)
    assert not re.search(r'name="norms" value="i" checked', body)


def test_params_are_canonical(app_ctx) -> None:
    from werkzeug.datastructures import MultiDict

    a = parse_compare(MultiDict([("j", "us"), ("j", "DE,fr"), ("norms", "j,i")]))
    assert a.jurisdictions == ("US", "DE", "FR") and a.norms == ("i", "j")
    assert a.query_args() == {"j": ["US", "DE", "FR"]}


# --------------------------------------------------------------------------- the grid


def test_grid_lists_each_jurisdiction_with_via_eu_and_summary(client) -> None:
    response = client.get("/compare?j=DE&j=FR&j=US")
    assert response.status_code == 200
    page = text(response)
    for name in ("Germany", "France", "United States", "Norm (i)", "Norm (j)"):
        assert name in page
    body = response.get_data(as_text=True)
    # the EU's Cyber Resilience Act appears in the German and French rows, marked via EU
    assert body.count("via EU</span>") >= 4
    assert "CRA" in page and "in force, partly applicable" in page
    assert "All three jurisdictions have at least one measure in force for norm (i)" in page
    assert "Measures of the European Union also cover this State" in page
    assert "Download the PDF brief" in page


def test_gap_and_plain_language_summary(client, make_measure) -> None:
    make_measure(
        jurisdiction_code="BR",
        title_original="Test measure BR",
        short_name="BR-1",
        mappings=[{"norm": "i", "locator": None, "rationale": "x", "basis": "inferred"}],
    )
    page = text(client.get("/compare?j=DE&j=BR&j=AR"))
    # Argentina has nothing, Brazil only (i), Germany both
    assert (
        "Brazil and Argentina have no measure in force for norm (j) (encourage responsible "
        "vulnerability reporting)"
    ) in page
    assert (
        "Argentina has no measure in force for norm (i) (ensure ICT supply-chain integrity)" in page
    )
    assert page.count("gap") >= 3
    assert "A gap means that the tracker records no measure" in page


def test_as_of_date_filters_by_dated_events(client, make_measure) -> None:
    make_measure(
        jurisdiction_code="BR",
        short_name="BR-adopted-June",
        events=[{"kind": "adopted", "date": "2025-06", "note": None}],
    )
    make_measure(
        jurisdiction_code="BR",
        short_name="BR-rescinded",
        status="rescinded",
        events=[
            {"kind": "adopted", "date": "2020-01-10", "note": None},
            {"kind": "rescinded", "date": "2025-03-01", "note": None},
        ],
    )
    before = text(client.get("/compare?j=BR&j=AR&as_of=2025-02-28"))
    assert "BR-rescinded" in before and "BR-adopted-June" not in before
    mid = text(client.get("/compare?j=BR&j=AR&as_of=2025-06-15"))
    assert "BR-adopted-June" not in mid  # June 2025 counts from 30 June
    assert "Brazil and Argentina have no measure in force for norm (i)" in mid
    assert "Ended: rescinded on 1 March 2025." in mid  # listed under "Ended by ..."
    after = text(client.get("/compare?j=BR&j=AR&as_of=2025-06-30"))
    assert "BR-adopted-June" in after and "Argentina has no measure in force for norm (i)" in after
    assert "As of 30 June 2025" in after


def test_pending_proposal_does_not_fill_the_gap(client, make_measure) -> None:
    make_measure(
        jurisdiction_code="BR",
        short_name="BR-bill",
        status="proposed",
        events=[{"kind": "proposed", "date": "2025-06-18", "note": None}],
    )
    page = text(client.get("/compare?j=BR&j=AR"))
    assert "Brazil and Argentina have no measure in force for norm (i)" in page
    assert (
        "Brazil has no measure in force for norm (i) (ensure ICT supply-chain integrity) on" in page
        and "listed, not in force: BR-bill, pending (proposed, never adopted)." in page
    )


def test_grid_by_topic(client) -> None:
    page = text(client.get("/compare?j=DE&j=US&by=topic&topics=sbom,vulnerability-disclosure"))
    assert "Software bill of materials (SBOM)" in page and "Vulnerability disclosure" in page
    assert "Measures by topic" in page
    assert "the topic “Software bill of materials (SBOM)”" in page


def test_topics_filter_measures(app_ctx) -> None:
    report = build_report(ReportParams(jurisdictions=("DE", "US"), topics=("sbom",)))
    labels = {e.label for s in report.sections for e in s.measures}
    assert "BSI TR-03183" in labels and "NTIA SBOM minimum elements" in labels
    assert "Sovereign Tech Fund / Agency" not in labels  # open-source funding, no SBOM topic


def test_query_count_does_not_grow_with_cells(app, client) -> None:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engines[None]
        target = engine if isinstance(engine, sa.Engine) else engine.engine
    client.get("/compare?j=DE&j=FR")  # the first request of a data version keeps the standings
    sa.event.listen(target, "before_cursor_execute", count)
    try:
        client.get("/compare?j=DE&j=FR")
        small = len(statements)
        statements.clear()
        client.get(
            "/compare?j=DE&j=FR&j=US&j=GB&j=JP&j=KR&j=AU&j=CA&j=SG&j=IN&norms=a,b,c,d,e,f,g,h,i,j,k"
        )
        large = len(statements)
    finally:
        sa.event.remove(target, "before_cursor_execute", count)
    assert large == small


# --------------------------------------------------------------------------- drafts


def test_public_never_sees_drafts_staff_may_ask(app, client, make_measure, login) -> None:
    make_measure(published=False, jurisdiction_code="BR", short_name="Unpublished BR draft")
    assert "Unpublished BR draft" not in text(client.get("/compare?j=BR&j=AR&drafts=1"))
    # A reviewer sees only drafts submitted to their working group: not this one.
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    assert "Unpublished BR draft" not in text(reviewer.get("/compare?j=BR&j=AR&drafts=1"))
    staff = app.test_client()
    login(staff, "editor")
    assert "Unpublished BR draft" not in text(staff.get("/compare?j=BR&j=AR"))
    page = text(staff.get("/compare?j=BR&j=AR&drafts=1"))
    assert "Unpublished BR draft" in page and "Draft view." in page


# --------------------------------------------------------------------------- data versions


def _republish(measure_id: int, **changes) -> None:
    from tracker.measures.models import Measure
    from tracker.records import services as records

    measure = db.session.get(Measure, measure_id)
    record = measure.record
    copy = records.editable_copy(record)
    for k, v in changes.items():
        setattr(copy, k, v)
    workflow.publish_unreviewed(record)
    db.session.commit()


def test_publishing_changes_only_the_versions_in_scope(app_ctx) -> None:
    from tracker.measures.models import Measure
    from tracker.records.models import Record

    fr = ReportParams(kind="jurisdiction", subject="FR", jurisdictions=("FR",))
    de_fr = ReportParams(jurisdictions=("DE", "FR"))
    jp = ReportParams(kind="jurisdiction", subject="JP", jurisdictions=("JP",))
    us_jp = ReportParams(jurisdictions=("US", "JP"))
    norm_g = ReportParams(kind="norm", subject="g", norms=("g",))
    norm_j = ReportParams(kind="norm", subject="j", norms=("j",))
    before = {p: data_version(p).digest for p in (fr, de_fr, jp, us_jp, norm_g, norm_j)}
    assert data_version(fr).digest == before[fr]  # stable without changes

    cvd = db.session.scalar(
        sa.select(Measure)
        .join(Record, Record.id == Measure.record_id)
        .where(Record.key == "fr-cvd-l2321-4", Measure.is_live)
    )
    _republish(cvd.id, description="Changed by the test.")  # a norm (j) measure of France
    after = {p: data_version(p).digest for p in before}
    assert (
        after[fr] != before[fr]
        and after[de_fr] != before[de_fr]
        and after[norm_j] != before[norm_j]
    )
    assert (
        after[jp] == before[jp]
        and after[us_jp] == before[us_jp]
        and after[norm_g] == before[norm_g]
    )


def test_rule_is_shown_on_the_page(client) -> None:
    assert lifecycle.RULE_TEXT in text(client.get("/compare?j=DE&j=FR"))


def test_deleted_and_withdrawn_measures_leave_the_report_and_change_its_version(
    app_ctx, make_measure
) -> None:
    from tracker.measures.models import Measure
    from tracker.records import services as records

    kept = make_measure(jurisdiction_code="BR", short_name="Kept BR")
    gone = make_measure(jurisdiction_code="BR", short_name="Deleted BR")
    pulled = make_measure(jurisdiction_code="BR", short_name="Withdrawn BR")
    p = ReportParams(kind="jurisdiction", subject="BR", jurisdictions=("BR",))
    first = data_version(p).digest
    labels = lambda: {e.label for s in build_report(p).sections for e in s.measures}  # noqa: E731
    assert labels() == {"Kept BR", "Deleted BR", "Withdrawn BR"}
    records.soft_delete(db.session.get(Measure, gone.id).record)
    workflow.withdraw_unreviewed(db.session.get(Measure, pulled.id).record)
    db.session.commit()
    assert data_version(p).digest != first
    assert labels() == {"Kept BR"} and kept.record_id


def test_web_page_links_measure_pages_and_the_pdf_does_not(app, client) -> None:
    from tracker.reports.params import ReportParams as P
    from tracker.reports.pdf import render_html

    body = client.get("/compare?j=DE&j=FR").get_data(as_text=True)
    assert re.search(r'<h3 class="measure-title"><a href="/measures/\d+">', body)
    with app.test_request_context():
        html = render_html(build_report(P(jurisdictions=("DE", "FR"))))
    assert 'href="/measures/' not in html
    assert 'href="#m' in html and 'href="#c1"' in html  # internal links only, plus source URLs


def test_jurisdiction_and_norm_pages_link_their_briefs(client) -> None:
    body = client.get("/jurisdictions/DE").get_data(as_text=True)
    assert 'href="/jurisdictions/DE/brief.pdf"' in body and 'href="/compare?j=DE"' in body
    assert 'href="/norms/i/brief.pdf"' in client.get("/norms/i").get_data(as_text=True)
