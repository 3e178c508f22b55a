"""Renders a request waits for are capped per process (REPORTS_INLINE_CONCURRENCY): an
uncached brief beyond the cap goes to the background queue with a progress page, so a
burst of cold briefs cannot start one render per request thread (found by bench/load)."""

from __future__ import annotations

from tests.pdf_helpers import pdf_text
from tracker.reports import jobs


def test_a_brief_beyond_the_inline_cap_renders_in_the_background(
    reports,
    render_counter,
    client,
    make_measure,
) -> None:
    make_measure(jurisdiction_code="BR", short_name="Capped measure")
    reports.config["REPORTS_INLINE_SECONDS"] = 1000  # short enough to render inline
    slots = jobs.inline_slots(reports)
    renders = render_counter.count
    assert slots.acquire(blocking=False)  # the one slot is taken by another request
    try:
        busy = client.get("/jurisdictions/BR/brief.pdf")
    finally:
        slots.release()
    assert busy.status_code == 202
    assert "Preparing the brief" in busy.get_data(as_text=True)
    assert render_counter.count == renders  # this request started no render
    assert jobs.executor(reports).drain() == 1
    done = client.get("/jurisdictions/BR/brief.pdf")
    assert done.status_code == 200 and "Capped measure" in pdf_text(done.data)


def test_an_inline_render_gives_its_slot_back(reports, client, make_measure) -> None:
    make_measure(jurisdiction_code="BR", short_name="Inline measure")
    reports.config["REPORTS_INLINE_SECONDS"] = 1000
    first = client.get("/jurisdictions/BR/brief.pdf")
    assert first.status_code == 200 and "Inline measure" in pdf_text(first.data)
    assert jobs.executor(reports).pending == []
    slots = jobs.inline_slots(reports)
    assert slots.acquire(blocking=False)  # free again after the render
    slots.release()
