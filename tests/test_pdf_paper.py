"""/papers/<id>/brief.pdf: each recommendation with the jurisdictions that implement it;
published papers only for the public, DRAFT for staff, cached by data version."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.conftest import implementation
from tests.pdf_helpers import flat, pdf_text
from tracker.extensions import db
from tracker.papers.models import Paper
from tracker.records.models import Record
from tracker.reports import params
from tracker.reports.queries import data_version
from tracker.review import workflow


def rec_id(paper: Paper, number: str) -> int:
    return next(r.recommendation_id for r in paper.recommendations if r.number == number)


@pytest.mark.slow
def test_paper_brief_lists_each_recommendation_with_its_jurisdictions(
    reports,
    render_counter,
    client,
    make_paper,
    make_measure,
) -> None:
    paper = make_paper(title="Test paper on disclosure")
    make_measure(
        jurisdiction_code="BR",
        short_name="BR test law",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"))],
    )
    make_measure(
        jurisdiction_code="EU",
        short_name="EU test act",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"), degree="partial")],
    )
    make_measure(
        jurisdiction_code="BR",
        short_name="BR old decree",
        status="rescinded",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"))],
    )

    page = client.get(f"/papers/{paper.record_id}").get_data(as_text=True)
    assert f'href="/papers/{paper.record_id}/brief.pdf"' in page

    renders = render_counter.count
    url = f"/papers/{paper.record_id}/brief.pdf"
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    assert response.mimetype == "application/pdf"
    assert f"cyber-norms-brief-paper-{paper.record_id}-" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    body = flat(text)
    assert "Test paper on disclosure" in text and "Page 1 of" in text
    assert "Recommendations and the jurisdictions that implement them" in text
    assert (
        "1 of 2 recommendations has a measure in force, in 2 jurisdictions: Brazil, European Union"
        in " ".join(text.split())
    )
    first = body[
        body.index("Testrecommendation1ofpaper") : body.index("Testrecommendation2ofpaper")
    ]
    assert "BrazilBRfull" in first and "BRtestlaw(full,Art.1)" in first
    assert "BRolddecree(full,Art.1;ended,notcounted)" in first
    assert (
        "EuropeanUnionEUpartialappliestoits27memberStates" in first and "EUtestact(partial" in first
    )
    second = body[body.index("Testrecommendation2ofpaper") :]
    assert "Nojurisdiction:nomeasurehasbeenlinkedtothisrecommendationyet" in second
    assert "https://example.org/papers/test" in body  # the paper's source, numbered
    assert "[1]Examplesource" in body
    assert "DRAFT" not in text

    # cached: the same bytes without a render, until something it shows is published
    again = client.get(url)
    assert again.data == response.data and render_counter.count == renders + 1
    make_measure(
        jurisdiction_code="FR",
        short_name="FR new law",
        implementations=[implementation(recommendation_id=rec_id(paper, "2"))],
    )
    fresh = client.get(url)
    assert render_counter.count == renders + 2
    assert "FRnewlaw" in flat(pdf_text(fresh.data))


def test_paper_brief_version_changes_when_a_linked_measure_or_the_paper_is_published(
    app, make_paper, make_measure
) -> None:
    paper = make_paper()
    p = params.parse_paper_brief(paper.record_id)
    with app.app_context():
        first = data_version(p).digest
    make_measure(
        jurisdiction_code="DE",
        published=False,
        implementations=[implementation(recommendation_id=rec_id(paper, "1"))],
    )
    with app.app_context():
        assert data_version(p).digest == first  # a draft is not in the public brief
    measure = make_measure(
        jurisdiction_code="DE",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"))],
    )
    with app.app_context():
        second = data_version(p).digest
        assert second != first
        workflow.withdraw_unreviewed(db.session.get(Record, measure.record_id))
        db.session.commit()
        # withdrawn: the brief shows what it showed before the link was published
        assert data_version(p).digest == first


def test_unpublished_paper_brief_is_staff_only_and_marked_draft(
    app, client, login, make_paper
) -> None:
    draft = make_paper(published=False, title="Secret draft paper")
    for url in (
        f"/papers/{draft.record_id}/brief.pdf",
        f"/papers/{draft.record_id}/brief",
        f"/papers/{draft.record_id}/brief.pdf?drafts=1",
        "/papers/999999/brief.pdf",
    ):
        assert client.get(url).status_code == 404, url
    staff = app.test_client()
    login(staff, "editor")
    assert (
        staff.get(f"/papers/{draft.record_id}/brief").status_code == 404
    )  # drafts only when asked
    preview = staff.get(f"/papers/{draft.record_id}/brief?drafts=1")
    assert preview.status_code == 200 and preview.headers["Cache-Control"] == "private, no-store"
    html = preview.get_data(as_text=True)
    assert (
        "Secret draft paper" in html
        and 'class="watermark"' in html
        and "DRAFT · not for circulation" in html
    )
    page = staff.get(f"/papers/{draft.record_id}").get_data(as_text=True)
    assert f'href="/papers/{draft.record_id}/brief.pdf?drafts=1"' in page


@pytest.mark.slow
def test_staff_draft_paper_brief_pdf_has_draft_on_every_page(
    reports,
    app,
    login,
    make_paper,
) -> None:
    draft = make_paper(published=False, title="Secret draft paper")
    staff = app.test_client()
    login(staff, "editor")
    response = staff.get(f"/papers/{draft.record_id}/brief.pdf?drafts=1")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    assert "DRAFT" in response.headers["Content-Disposition"]
    pages = len(PdfReader(io.BytesIO(response.data)).pages)
    for page in range(1, pages + 1):
        assert "DRAFT" in pdf_text(response.data, page=page)


def test_publishing_a_paper_queues_its_brief(app, make_paper) -> None:
    from tracker.reports.jobs import affected_briefs

    paper = make_paper()
    draft = make_paper(published=False)
    with app.app_context():
        live = db.session.get(Paper, paper.id)
        assert [(p.kind, p.subject) for p in affected_briefs(live, None)] == [
            ("paper", str(paper.record_id))
        ]
        assert affected_briefs(db.session.get(Paper, draft.id), None) == []
