"""The "At a glance" findings: each function's sentence on the demo data (on a fixed date,
so that the 12-month and 24-month windows do not move), and nothing where no data is."""

from __future__ import annotations

from typing import Any

import pytest

from tracker.reports import findings, params
from tracker.reports.queries import build_report

AS_OF = {"as_of": "2026-12-07"}
SIX = {"j": "DE,FR,US,JP,GB,AU", **AS_OF}


def country(code: str) -> Any:
    return build_report(params.parse_jurisdiction_brief(code, AS_OF))


@pytest.fixture
def ctx(app: Any) -> Any:
    with app.test_request_context():
        yield


def test_topic_coverage_names_each_topic_with_its_instrument(ctx) -> None:
    found = findings.topic_coverage(country("JP"))
    assert found is not None
    assert found.text == (
        "Topics with a measure in force on 7 December 2026, with the instrument recorded. "
        "Japan: Critical component screening (Economic Security Promotion Act); "
        "High-risk vendor restrictions (Economic Security Promotion Act); "
        "Software bill of materials (SBOM) (METI SBOM guide); "
        "Vulnerability handling (METI SBOM guide)."
    )
    assert [e.label for e in found.evidence] == [
        "Economic Security Promotion Act",
        "METI SBOM guide",
    ]
    # evidence links to the measure's section entry and its numbered sources
    assert found.evidence[0].anchor.startswith("m") and found.evidence[0].citations


def test_topic_coverage_counts_measures_through_the_eu(ctx) -> None:
    found = findings.topic_coverage(country("DE"))
    assert found is not None
    assert "Germany: Critical component screening (EU 5G Toolbox via EU and 1 other)" in found.text


def test_gap_counts_give_the_gap_analysis_in_a_sentence(ctx) -> None:
    # the gap analysis is computed for today (measures in force): a brief without an as-of date
    found = findings.gap_counts(build_report(params.parse_jurisdiction_brief("JP", {})))
    assert found is not None
    assert found.text == (
        "Of the 22 supply-chain norms, topics and guidance actions of the gap analysis, 6 have "
        "a measure recorded for Japan, 1 is partly covered and 15 have none (measures in force "
        "today). Topics with no measure recorded: Secure development framework, Vendor "
        "attestation, Vulnerability disclosure, Product security requirements, Security "
        "labelling, Open-source security funding, Procurement requirements, Incident reporting."
    )
    assert [e.anchor for e in found.evidence] == ["gaps"]
    # no gap analysis in a brief of the past, so no finding
    past = build_report(params.parse_jurisdiction_brief("JP", {"as_of": "2025-01-01"}))
    assert past.gaps is None and findings.gap_counts(past) is None


def test_peer_gaps_say_what_the_selected_peers_have(ctx) -> None:
    found = findings.peer_gaps(build_report(params.parse_compare(SIX)))
    assert found is not None
    assert found.text.startswith(
        "No measure on Critical component screening recorded for the United States and "
        "Australia; Germany (EU 5G Toolbox via EU), France (Loi 5G ('anti-Huawei')), Japan "
        "(Economic Security Promotion Act) and the United Kingdom (TSA 2021) have one. "
    )
    assert found.text.endswith("(measures in force on 7 December 2026).")
    # one jurisdiction has no peers
    assert findings.peer_gaps(country("JP")) is None


def test_recent_changes_lists_the_events_of_the_last_12_months(ctx) -> None:
    found = findings.recent_changes(country("DE"))
    assert found is not None
    assert found.text == (
        "Between 8 December 2025 and 7 December 2026: CRA began to apply (Chapter IV "
        "notification of conformity assessment bodies) 11 June 2026; CRA began to apply "
        "(Art. 14 reporting obligations) 11 September 2026."
    )
    assert [e.label for e in found.evidence] == ["CRA"]
    # Japan's measures have no dated event in that window
    assert findings.recent_changes(country("JP")) is None


def test_upcoming_obligations_list_the_stages_of_the_next_24_months(ctx) -> None:
    found = findings.upcoming_obligations(country("DE"))
    assert found is not None
    assert found.text == (
        "Recorded to enter into force or apply after 7 December 2026 and by 7 December 2028: "
        "CRA: main obligations (general application) from 11 December 2027."
    )
    # a year later, that stage has begun: it is a recent change, not an upcoming one
    later = build_report(params.parse_jurisdiction_brief("DE", {"as_of": "2028-01-01"}))
    assert findings.upcoming_obligations(later) is None
    recent = findings.recent_changes(later)
    assert recent is not None and "main obligations (general application)) 11 December 2027" in (
        recent.text
    )


def test_verification_mix_uses_the_brief_figures(ctx) -> None:
    found = findings.verification_mix(country("JP"))
    assert found is not None
    assert found.text == (
        "Of the 2 measures in force on 7 December 2026 in this brief, 2 verified in an official "
        "or primary text, 0 on secondary sources only and 0 unverified."
    )


@pytest.mark.parametrize("finding", findings.FINDINGS, ids=lambda f: f.__name__)
def test_no_finding_for_a_jurisdiction_without_measures(ctx, finding) -> None:
    report = build_report(params.parse_jurisdiction_brief("BR", {}))
    assert report.gaps is not None  # today's brief: the gap analysis is there, all gaps
    assert report.measure_count == 0
    assert finding(report) is None
    assert report.findings == []


def test_no_finding_before_any_measure_existed(ctx) -> None:
    report = build_report(params.parse_compare({"j": "DE,JP", "as_of": "1995-01-01"}))
    assert report.findings == []


def test_glance_page_in_the_preview_links_to_sections_and_sources(client) -> None:
    page = client.get("/jurisdictions/DE/brief?as_of=2026-12-07").get_data(as_text=True)
    glance = page[page.index('id="glance"') : page.index('id="contents"')]
    assert "At a glance" in glance and 'href="#m' in glance and 'href="#c' in glance
    assert '<a href="#glance">At a glance</a>' in page
    # no glance page when there is nothing to say
    empty = client.get("/jurisdictions/BR/brief").get_data(as_text=True)
    assert 'id="glance"' not in empty


def paper_report(app: Any, paper: Any) -> Any:
    with app.test_request_context():
        return build_report(params.parse_paper_brief(paper.record_id))


def test_paper_findings_count_linked_measures_in_force(app, make_paper, make_measure) -> None:
    from tests.conftest import implementation
    from tests.test_pdf_paper import rec_id

    paper = make_paper(title="Test paper for findings")
    make_measure(
        jurisdiction_code="BR",
        short_name="BR test law",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"))],
    )
    make_measure(
        jurisdiction_code="BR",
        short_name="BR old decree",
        status="rescinded",
        implementations=[implementation(recommendation_id=rec_id(paper, "2"))],
    )
    report = paper_report(app, paper)
    on = report.as_of_text
    done = findings.paper_implementation(report)
    assert done is not None and done.text == (
        f"1 of 2 recommendations has a linked measure in force on {on}: recommendation 1; "
        "none is recorded for 2."
    )
    assert [e.anchor for e in done.evidence] == ["rec-1"]
    who = findings.paper_jurisdictions(report)
    assert who is not None and who.text == (
        "Recommendations implemented by a measure in force, by jurisdiction: Brazil (BR): 1 (full)."
    )
    other = findings.paper_not_counted(report)
    assert other is not None and other.text == (
        f"Linked to a recommendation but not in force on {on}: "
        "BR old decree (BR, recommendation 2): ended."
    )


def test_no_paper_finding_but_the_count_without_links(app, make_paper) -> None:
    report = paper_report(app, make_paper())
    assert findings.paper_jurisdictions(report) is None
    assert findings.paper_not_counted(report) is None
    done = findings.paper_implementation(report)
    assert done is not None and done.text.startswith("0 of 2 recommendations have")
    assert done.evidence == []
    assert findings.paper_implementation(paper_report(app, make_paper(recommendations=[]))) is None
