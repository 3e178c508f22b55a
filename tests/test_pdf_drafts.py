"""Briefs with unpublished content: staff only, DRAFT on every page, never cached for
or served to the public."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.pdf_helpers import pdf_text


@pytest.mark.slow
def test_draft_brief_is_marked_on_every_page_and_kept_from_the_public(
    reports,
    render_counter,
    app,
    client,
    make_measure,
    login,
) -> None:
    make_measure(jurisdiction_code="BR", short_name="Published BR measure")
    make_measure(published=False, jurisdiction_code="BR", short_name="Unpublished BR measure")
    staff = app.test_client()
    login(staff, "editor")

    draft = staff.get("/jurisdictions/BR/brief.pdf?drafts=1")
    assert draft.status_code == 200 and draft.mimetype == "application/pdf"
    assert draft.headers["Cache-Control"] == "private, no-store"
    assert "DRAFT" in draft.headers["Content-Disposition"]
    pages = len(PdfReader(io.BytesIO(draft.data)).pages)
    assert pages >= 3
    for page in range(1, pages + 1):
        assert "DRAFT" in pdf_text(draft.data, page=page), f"page {page} lacks the DRAFT mark"
    text = pdf_text(draft.data)
    assert "Unpublished BR measure" in text and "Published BR measure" in text

    # the public asking for drafts gets the published brief, rendered separately
    renders = render_counter.count
    public = client.get("/jurisdictions/BR/brief.pdf?drafts=1")
    assert public.status_code == 200 and public.data != draft.data
    assert render_counter.count == renders + 1
    public_text = pdf_text(public.data)
    assert "Unpublished BR measure" not in public_text and "DRAFT" not in public_text
    assert "Published BR measure" in public_text
    assert public.headers["Cache-Control"] == "public, no-cache"

    # staff without drafts=1 get the public brief from the cache
    plain = staff.get("/jurisdictions/BR/brief.pdf")
    assert plain.data == public.data and render_counter.count == renders + 1


def test_staff_preview_shows_drafts_only_when_asked(app, client, make_measure, login) -> None:
    make_measure(published=False, jurisdiction_code="BR", short_name="Unpublished BR measure")
    assert "Unpublished BR measure" not in client.get("/jurisdictions/BR/brief?drafts=1").get_data(
        as_text=True
    )
    reviewer = app.test_client()
    login(reviewer, "reviewer")  # not asked to review it: no draft for them
    assert "Unpublished BR measure" not in reviewer.get(
        "/jurisdictions/BR/brief?drafts=1"
    ).get_data(as_text=True)
    staff = app.test_client()
    login(staff, "editor")
    page = staff.get("/jurisdictions/BR/brief?drafts=1")
    assert "Unpublished BR measure" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
