"""A brief is a brief: past a stated number of measures it counts them all and describes the
ones its printed rule chooses (tracker.reports.selection); the full annex is refused above
its stated size and otherwise renders in the background."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from markupsafe import Markup

from tests.pdf_helpers import flat, pdf_text
from tracker.measures import lifecycle
from tracker.reports import jobs, params, selection, summary
from tracker.reports.data import MeasureEntry, Section
from tracker.reports.queries import build_report, scope_count

ON = dt.date(2025, 1, 1)


def entry(record_id: int, code: str, kind: str, adopted: str | None, standing: str) -> MeasureEntry:
    status = lifecycle.StandingOn(lifecycle.Standing(standing), "sentence")
    return MeasureEntry(
        record_id=record_id,
        jurisdiction_code=code,
        jurisdiction_name=code,
        title_original=f"M{record_id}",
        title_lang="en",
        title_en=None,
        short_name=None,
        type_label=kind,
        issuing_body=None,
        identifier=None,
        official_url=None,
        status=status,
        recorded_status="",
        status_note=None,
        norms=[],
        topics=[],
        description=Markup(""),
        verification="verified",
        verification_label="Verified",
        verification_note=None,
        timeline=[],
        sort_date=dt.date.fromisoformat(adopted) if adopted else dt.date.max,
        type_key=kind,
    )


def section(code: str, entries: list[MeasureEntry]) -> Section:
    return Section(
        code=code,
        name=code,
        measures=[e for e in entries if e.status.covers],
        pending=[e for e in entries if not e.status.covers and e.status.standing.value != "ended"],
        ended=[e for e in entries if e.status.standing.value == "ended"],
    )


def test_the_rule_prefers_in_force_then_binding_then_recent() -> None:
    ranked = sorted(
        [
            entry(1, "A", "strategy", "2024-01-01", "in_force"),
            entry(2, "A", "law", "2010-01-01", "in_force"),
            entry(3, "A", "law", "2020-01-01", "in_force"),
            entry(4, "A", "law", "2024-06-01", "pending"),
            entry(5, "A", "law", "2024-06-01", "ended"),
            entry(6, "A", "law", None, "in_force"),
            entry(7, "A", "regulation", "2024-01-01", "in_force"),
        ],
        key=selection.rank,
    )
    assert [e.record_id for e in ranked] == [3, 2, 6, 7, 1, 4, 5]


def test_choose_caps_per_jurisdiction_and_in_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selection, "TOTAL", 5)
    monkeypatch.setattr(selection, "PER_JURISDICTION_MIN", 1)
    many = [entry(i, "A", "law", f"20{10 + i}-01-01", "in_force") for i in range(1, 9)]
    few = [entry(100 + i, "B", "strategy", "2000-01-01", "in_force") for i in range(3)]
    sections = [section("A", many), section("B", few)]
    # per jurisdiction: 5 // 2 = 2: A's two most recent laws, B's first two by label
    assert selection.per_jurisdiction(2) == 2
    assert selection.choose(sections) == {8, 7, 100, 101}
    # everything fits: nothing is left out
    monkeypatch.setattr(selection, "TOTAL", 100)
    assert selection.choose(sections) is None


def test_choose_never_takes_more_than_the_cap_of_a_jurisdiction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selection, "TOTAL", 4)
    monkeypatch.setattr(selection, "PER_JURISDICTION_MIN", 1)
    only = [entry(i, "A", "law", f"20{10 + i}-01-01", "in_force") for i in range(1, 9)]
    other = [entry(50, "B", "law", "2001-01-01", "in_force")]
    chosen = selection.choose([section("A", only), section("B", other)])
    assert chosen == {8, 7, 50}  # A at most 4 // 2 = 2, B its one


def test_summary_names_at_most_twelve_then_counts() -> None:
    names = [f"Land {i}" for i in range(20)]
    text = summary._named(names)
    assert text.endswith("and 8 others") and "Land 11" in text and "Land 12" not in text
    assert summary._named(names[:3]) == "Land 0, Land 1 and Land 2"


def test_a_bounded_brief_counts_everything_and_states_its_rule(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.test_request_context():
        p = params.parse_compare({"j": "DE,FR,US"})
        full = build_report(p)
        monkeypatch.setattr(selection, "TOTAL", 3)
        monkeypatch.setattr(selection, "PER_JURISDICTION_MIN", 1)
        bounded = build_report(p)
    listed = sum(len(s.listed) for s in full.sections)
    assert full.selection is None and listed > 3
    sel = bounded.selection
    assert sel is not None and sel.described == 3 and sel.counted == listed
    assert sum(len(s.listed) for s in bounded.sections) == 3
    # the figures and the grid still count every measure
    assert bounded.figures == full.figures
    assert [len(c.items) for r in bounded.rows for c in r.cells] == [
        len(c.items) for r in full.rows for c in r.cells
    ]
    # the chosen ones are the first by the rule; the counts are lifecycle's
    best = sorted((e for s in full.sections for e in s.listed), key=selection.rank)
    shown = {e.record_id for s in bounded.sections for e in s.listed}
    assert len(shown) == 3 and best[0].record_id in shown
    by_code = {s.code: s for s in sel.sections}
    de = next(s for s in full.sections if s.code == "DE")
    assert by_code["DE"].counts == lifecycle.count(e.status for e in de.listed)
    assert sel.export_path.startswith("/export/measures.csv?jurisdiction=DE&jurisdiction=FR")
    assert "standing=compared" in sel.export_path
    assert "at most 1 per jurisdiction and 3 in all" in sel.rule
    # only described measures have details and citations
    for s in bounded.sections:
        for e in s.listed:
            assert e.detailed and e.timeline
    described = {e.record_id for s in bounded.sections for e in s.listed}
    assert {c.measure for c in bounded.citations} <= {
        e.label for s in bounded.sections for e in s.listed if e.record_id in described
    }


@pytest.mark.slow
def test_the_bounded_pdf_prints_the_rule_the_counts_and_the_export(
    reports: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selection, "TOTAL", 3)
    monkeypatch.setattr(selection, "PER_JURISDICTION_MIN", 1)
    response = client.get("/compare.pdf?j=DE,FR,US")
    if response.status_code == 202:
        jobs.executor(reports).drain()
        response = client.get("/compare.pdf?j=DE,FR,US")
    assert response.status_code == 200
    text = flat(pdf_text(response.data))
    assert "Whichmeasuresthisbriefdescribes" in text
    assert "describes3ofthe" in text and "bindinginstrumentsfirst" in text
    assert "/export/measures.csv?jurisdiction=DE&jurisdiction=FR&jurisdiction=US" in text
    assert "Described" in text and "inforce" in text


def test_the_full_annex_is_refused_above_its_size(
    app: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.test_request_context():
        count = scope_count(params.parse_jurisdiction_brief("DE", {}), include_drafts=False)
    assert count > 1
    monkeypatch.setattr(selection, "FULL_ANNEX_MAX", count - 1)
    response = client.get("/jurisdictions/DE/brief.pdf?annex=full")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert f"would describe {count} measures" in body and f"at most {count - 1}" in body
    # the short annex (annex=1) is not refused
    assert client.get("/jurisdictions/DE/brief?annex=1").status_code == 200


def test_the_full_annex_renders_in_the_background(reports: Any, client: Any) -> None:
    response = client.get("/jurisdictions/DE/brief.pdf?annex=full")
    assert response.status_code == 202  # queued, although small enough to render inline
    with reports.test_request_context():
        p = params.parse_jurisdiction_brief("DE", {"annex": "full"})
    assert p.annex and p.annex_full and "annex=full" in p.canonical()
    assert p.query_args()["annex"] == "full"


def test_the_web_worker_queues_a_bounded_brief_without_building_it(
    reports: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.reports import views

    monkeypatch.setattr(selection, "TOTAL", 3)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the request built the report")

    monkeypatch.setattr(views, "build_report", refuse)
    response = client.get("/compare.pdf?j=DE,FR,US")
    assert response.status_code == 202
    monkeypatch.undo()
    monkeypatch.setattr(selection, "TOTAL", 3)
    jobs.executor(reports).drain()  # the job builds and renders it
    assert client.get("/compare.pdf?j=DE,FR,US").status_code == 200
