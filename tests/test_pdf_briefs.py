"""Sections of the country and norm briefs: the gap analysis and attribution statements,
checked in the PDF's extracted text and in the HTML preview."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import implementation
from tests.pdf_helpers import flat, pdf_text
from tracker.reports import jobs, params
from tracker.reports.queries import data_version


def get_pdf(app: Any, client: Any, url: str) -> bytes:
    """The PDF at ``url``, running the background job if the brief was queued."""
    response = client.get(url)
    if response.status_code == 202:
        jobs.executor(app).drain()
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return response.data


def between(text: str, start: str, end: str, after: int = 0) -> str:
    i = text.index(start, after)
    return text[i : text.index(end, i + len(start))]


@pytest.mark.slow
def test_country_brief_pdf_of_de_includes_the_gap_section(reports, client) -> None:
    text = pdf_text(get_pdf(reports, client, "/jurisdictions/DE/brief.pdf"))
    assert "Gap analysis" in text  # in the contents
    body = flat(text)
    start = body.index("Gapanalysis:Germany")
    # counts, the norms, a topic and the catalogue's actions
    assert "withameasure" in body[start:] and "gaps;measuresoftheEUcounthere" in body[start:]
    assert "Supply-chainnorms" in body[start:] and "Supply-chaintopics" in body[start:]
    assert "2021GGEreport(A/76/135)" in body[start:]
    # j.1: Germany's own BSI TR-03183 is linked (partly), so are EU measures via EU
    j1 = between(body, "j.1Vulnerabilitydisclosure", "j.2", start)
    assert "Partly" in j1 and "BSITR-03183(partly)" in j1 and "NIS2viaEU(partly)" in j1
    # i.3 (secure development): no German or EU measure is linked: a gap
    i3 = between(body, "i.3recommendationstosuppliersonsecuredevelopment", "i.4", start)
    assert "Gap" in i3 and "nomeasurerecorded" in i3
    # a topic with Germany's own measure, and one with none
    funding = between(body, "Open-sourcesecurityfunding", "High-risk", start)
    assert "Hasameasure" in funding and "SovereignTechFund" in funding
    labelling = between(body, "Securitylabelling", "Open-source", start)
    assert "Gap" in labelling


def test_country_brief_preview_shows_gaps_today_only(client) -> None:
    page = client.get("/jurisdictions/DE/brief").get_data(as_text=True)
    assert 'id="gaps"' in page and "Gap analysis: Germany" in page
    assert "BSI TR-03183 (partly)" in page
    # The gap analysis is computed for today only: none in a brief of the past.
    past = client.get("/jurisdictions/DE/brief?as_of=2020-01-01").get_data(as_text=True)
    assert 'id="gaps"' not in past


def test_linking_a_measure_to_an_action_changes_the_country_brief_version(
    app, make_measure
) -> None:
    with app.app_context():
        p = params.parse_jurisdiction_brief("BR", {})
        before = data_version(p).digest
    # mapped to no selected norm: only the gap section (topics, actions) shows it
    make_measure(
        jurisdiction_code="BR",
        mappings=[],
        topics=["sbom"],
        implementations=[implementation(action="i-6")],
    )
    with app.app_context():
        assert data_version(p).digest != before
