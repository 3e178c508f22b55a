"""Issue 16 items 3, 5 and 6 without a browser: the progress page names the brief and is
honest about its estimate, future as-of dates are projections, counts agree with their
nouns, "Deleted" is a staff link, revision summaries do not repeat their action, and date
errors name the format expected."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from tracker.extensions import db
from tracker.records import services as records
from tracker.records.forms import date_problem
from tracker.reports import cache, jobs, params, speed


def test_progress_page_names_the_brief_and_says_when_it_overruns(
    reports, client, make_measure, monkeypatch
) -> None:
    make_measure(jurisdiction_code="BR", short_name="Progress measure")
    reports.config["REPORTS_INLINE_SECONDS"] = 0
    first = client.get("/jurisdictions/BR/brief.pdf").get_data(as_text=True)
    assert "The brief on Brazil, as of " in first
    assert "from how fast the last briefs were made" in first
    assert "taking longer than estimated" not in first
    # A minute later, the job still waiting: the page says it overran.
    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started + 60)
    late = client.get("/jurisdictions/BR/brief.pdf").get_data(as_text=True)
    assert "taking longer than estimated" in late
    jobs.executor(reports).drain()


def test_estimate_follows_the_measured_render_speed(reports) -> None:
    with reports.app_context():
        store = cache.store()
        html = "x" * 100 * 1024
        before = speed.estimate(store, html)
        speed.record(store, html, 20.3)  # 0.2 s per KB measured
        assert speed.estimate(store, html) == pytest.approx(20.3)
        assert speed.estimate(store, html) != before


def test_a_future_as_of_date_is_labelled_a_projection(client, monkeypatch) -> None:
    monkeypatch.setattr(params, "today", lambda: dt.date(2026, 12, 7))
    future = client.get("/compare?j=DE&j=FR&j=JP&as_of=2030-01-01").get_data(as_text=True)
    assert "projection from recorded dates" in future
    past = client.get("/compare?j=DE&j=FR&j=JP&as_of=2025-01-01").get_data(as_text=True)
    assert "projection from recorded dates" not in past


def test_home_page_counts_agree_with_their_nouns(client, app, monkeypatch) -> None:
    from tracker.filters import count_of, noun_for

    assert count_of(1, "measure") == "1 measure" and count_of(2, "measure") == "2 measures"
    assert noun_for(1, "jurisdiction") == "jurisdiction"
    page = client.get("/").get_data(as_text=True)
    assert " 1 measures" not in page and "1</strong> measures" not in page


def test_deleted_is_a_staff_link_not_in_the_main_navigation(client, login) -> None:
    login(client, "admin")
    page = client.get("/review/").get_data(as_text=True)
    nav = page.split('aria-label="Main"')[1].split("</nav>")[0]
    assert "/measures/deleted" not in nav
    assert 'href="/measures/deleted"' in page


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "25/03/2025",
            "'25/03/2025' looks like a day-month-year date: dates are written year first, "
            "YYYY-MM-DD, YYYY-MM or YYYY (2025-03-25).",
        ),
        ("2024-02-30", "'2024-02-30' is not a real date. Write YYYY-MM-DD, YYYY-MM or YYYY"),
        ("March 2024", "'March 2024' is not in a date format this form reads."),
    ],
)
def test_date_errors_name_the_format_expected(typed: str, expected: str) -> None:
    assert date_problem(typed).startswith(expected)


def test_sources_have_a_space_before_accessed(client, make_measure) -> None:
    source = {"url": "https://example.org/s", "title": "Example source", "accessed": "2024-02-01"}
    measure = make_measure(short_name="Spacing measure", sources=[source])
    page = client.get(f"/measures/{measure.record_id}").get_data(as_text=True)
    assert "(accessed " in page
    assert not re.search(r'\S<span class="muted">\(accessed', page)


def test_reviewer_sees_the_changes_since_their_last_review(
    app, client, login, make_user, make_measure
) -> None:
    from tests.review_helpers import make_member, sign_in, take
    from tracker.records.models import Record

    editor = login(client, "editor", name="Edith Editor")
    rita = make_member(app, make_user, name="Rita Reviewer")
    reviewer = app.test_client()
    sign_in(reviewer, rita)
    rid = make_measure(published=False, short_name="Test since").record_id
    take(app, rid, "submit", editor.id)
    first = reviewer.get(f"/review/{rid}").get_data(as_text=True)
    assert "Changes since your last review" not in first
    assert "fields filled in" in first and "side old" not in first  # a new record: no (empty)
    take(app, rid, "request_changes", rita.id, message="Test: the English title, please.")
    with app.app_context():
        record = db.session.get(Record, rid)
        from tracker.records import changes

        changes.update(
            record,
            {**records.ops_for(record).snapshot(records.working_copy(record)), "title_en": "T"},
            expected_version=record.version,
            author_id=editor.id,
            noun="measure",
        )
        db.session.commit()
    page = reviewer.get(f"/review/{rid}").get_data(as_text=True)
    assert "Changes since your last review" in page
    assert 'id="field-title_en"' in page and 'id="field-short_name"' not in page
    whole = reviewer.get(f"/review/{rid}?against=published").get_data(as_text=True)
    assert "Changes since your last review" not in whole and 'id="field-short_name"' in whole
    assert "Show the changes since your last review" in whole
