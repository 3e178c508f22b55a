"""Charts (issue 18 item 2): the heat map and the timeline of tracker.reports.charts, their
data on the demo records, the SVG with its accessible name, legend and table on the pages
and in the briefs, and the contrast of every colour they draw with."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pikepdf
import pytest

from tests.pdf_helpers import pdf_text
from tests.test_pdf_briefs import get_pdf
from tests.test_pdf_tagged import structure_types
from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.measures.models import Measure
from tracker.records.queries import visible
from tracker.reports import charts
from tracker.reports import params as P
from tracker.reports.queries import build_report

SIX = "DE,FR,US,JP,GB,AU"

# --------------------------------------------------------------------------- contrast


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour written #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)


def test_every_number_is_readable_on_its_fill_and_the_bands_are_told_apart() -> None:
    for level in charts.LEVELS:
        assert contrast(level.ink, level.fill) >= 4.5, level
    # adjacent bands, as graphical objects, differ by 3:1 or more
    for lower, higher in zip(charts.LEVELS, charts.LEVELS[1:], strict=False):
        assert contrast(lower.fill, higher.fill) >= 3, (lower, higher)
    # each cell is outlined against the page, whatever its fill (the "0" band is the page)
    assert contrast(charts.BORDER, charts.PAGE) >= 3
    for level in charts.LEVELS:
        assert max(contrast(level.fill, charts.PAGE), contrast(charts.BORDER, charts.PAGE)) >= 3
    # labels, axis text and timeline markers on the page
    assert contrast(charts.INK, charts.PAGE) >= 4.5
    for marker in charts.MARKERS.values():
        assert contrast(marker.colour, charts.PAGE) >= 4.5, marker
    # markers differ by shape, not by colour alone
    assert len({m.shape for m in charts.MARKERS.values()}) == len(charts.MARKERS)


def svg_blocks(html: str) -> list[str]:
    return re.findall(r"<svg class=\"chart [^\"]+\".*?</svg>", html, flags=re.S)


def test_the_svg_draws_only_with_the_tested_colours(client) -> None:
    html = client.get(f"/compare?j={SIX}").get_data(as_text=True)
    blocks = svg_blocks(html)
    assert len(blocks) == 2
    used = {
        c.lower() for b in blocks for c in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', b)
    }
    palette = {
        charts.INK,
        charts.BORDER,
        charts.GRID,
        charts.PAGE,
        *(lv.fill for lv in charts.LEVELS),
        *(lv.ink for lv in charts.LEVELS),
        *(m.colour for m in charts.MARKERS.values()),
    }
    assert used and used <= palette
    # the grey year lines are the only colour below 3:1: they decorate, the year labels
    # say the scale
    assert "<line" in blocks[1] and re.search(r">20\d\d</text>", blocks[1])
    # simple drawing only: no filters, gradients, scripts or references outside the SVG
    for block in blocks:
        for banned in ("<filter", "Gradient", "<script", "<image", "href=", "<use", "url("):
            assert banned not in block


# --------------------------------------------------------------------------- data


def compare_report(by: str = "norm", as_of: str | None = None) -> Any:
    args = {"j": SIX, "by": by}
    if as_of:
        args["as_of"] = as_of
    return build_report(P.parse_compare(args))


def cells(heat: charts.HeatMap, block: str) -> dict[tuple[str, str], int]:
    (found,) = [b for b in heat.blocks if b.title == block]
    return {(row.key, c.code): c.count for row in found.rows for c in row.cells}


def test_heat_map_cells_are_the_grid_counts_whichever_axis_the_grid_has(app_ctx) -> None:
    by_norm, by_topic = compare_report("norm"), compare_report("topic")
    for report in (by_norm, by_topic):
        heat = report.charts.heat
        assert [code for code, _name in heat.columns] == SIX.split(",")
        # the grid's own axis: a cell counts exactly the measures in force in the grid's cell
        block = (
            "Supply-chain topics" if report.params.by == "topic" else "Norms of A/70/174 para. 13"
        )
        grid = {(cell.key, row.code): len(cell.items) for row in report.rows for cell in row.cells}
        assert cells(heat, block) == grid
    # the other axis, built from the measures, agrees with the grid that has it as its axis
    topics = "Supply-chain topics"
    norms = "Norms of A/70/174 para. 13"
    assert cells(by_norm.charts.heat, topics) == cells(by_topic.charts.heat, topics)
    assert cells(by_norm.charts.heat, norms) == cells(by_topic.charts.heat, norms)
    assert sum(cells(by_norm.charts.heat, topics).values()) > 0


def test_only_measures_in_force_fill_a_cell(app_ctx) -> None:
    """Listed measures that are not in force on the date (pending, adopted, undated) sit in
    the grid beside the cell but add nothing to the heat map."""
    for as_of in ("2024-06-01", "2023-06-01"):
        report = compare_report(as_of=as_of)
        counts = cells(report.charts.heat, "Norms of A/70/174 para. 13")
        listed = [(cell, row.code) for row in report.rows for cell in row.cells if cell.pending]
        assert listed, "the demo data has measures adopted but not yet in force"
        for cell, code in listed:
            assert counts[cell.key, code] == len(cell.items)
            assert all(not i.measure.status.covers for i in cell.pending)
    early = cells(compare_report(as_of="2016-01-01").charts.heat, "Norms of A/70/174 para. 13")
    late = cells(compare_report().charts.heat, "Norms of A/70/174 para. 13")
    assert sum(early.values()) < sum(late.values())


def page_context(app: Any, url: str) -> dict[str, Any]:
    """The context a page's template received."""
    from flask import template_rendered

    found: dict[str, Any] = {}

    def record(_sender: Any, template: Any, context: dict[str, Any], **_: Any) -> None:
        found.setdefault(template.name, context)

    with template_rendered.connected_to(record, app):
        assert app.test_client().get(url).status_code == 200
    return found


def test_jurisdiction_page_and_brief_agree_cell_by_cell(app_ctx) -> None:
    brief = build_report(P.parse_jurisdiction_brief("JP", {}))
    page = page_context(app_ctx, "/jurisdictions/JP")["jurisdictions/detail.html"]["charts"].heat
    assert [code for code, _ in page.columns] == ["JP"]
    norms = "Norms of A/70/174 para. 13"
    # the brief shows the supply-chain norms, the page all eleven: equal where both show
    page_norms, brief_norms = cells(page, norms), cells(brief.charts.heat, norms)
    assert set(brief_norms) == {("i", "JP"), ("j", "JP")} and len(page_norms) == 11
    assert all(page_norms[key] == n for key, n in brief_norms.items())
    # the brief's topics count its measures (mapped to norm (i) or (j)), the page's all
    page_topics = cells(page, "Supply-chain topics")
    brief_topics = cells(brief.charts.heat, "Supply-chain topics")
    assert page_topics.keys() == brief_topics.keys()
    assert all(brief_topics[k] <= page_topics[k] for k in page_topics)
    assert sum(brief_topics.values()) > 0


def test_timeline_lists_the_recorded_events_of_the_measures(app_ctx) -> None:
    report = build_report(P.parse_jurisdiction_brief("JP", {}))
    line = report.charts.timeline
    measures = db.session.scalars(visible(Measure).where(Measure.jurisdiction_code == "JP")).all()
    recorded = {
        (e.date, m.label, e.kind.value, e.stage)
        for m in measures
        for e in m.events
        if e.kind.value in charts.MARKERS
        and lifecycle.standing_of(m, report.as_of, lifecycle.today()).standing in lifecycle.COMPARED
    }
    assert recorded and len(recorded) <= charts.MAX_EVENTS
    assert {(p.date, p.measure, p.kind, p.stage) for p in line.points} == recorded
    assert [p.date for p in line.points] == sorted(p.date for p in line.points)
    assert all(p.ahead == (p.date > report.as_of) for p in line.points)


def test_comparison_page_timeline_names_each_measure_as_the_brief_does(app_ctx) -> None:
    """The page counts from flat rows that carry no names: its timeline reads them with the
    events, so every point names its measure, and the page and the brief agree."""
    from tracker.reports.compare_page import build_comparison

    page, _counts = build_comparison(P.parse_compare({"j": SIX}))
    brief = build_report(P.parse_compare({"j": SIX}))
    points = [(p.date, p.measure, p.kind, p.stage) for p in page.charts.timeline.points]
    assert points and all(not measure.startswith(" (") for _d, measure, _k, _s in points)
    assert points == [(p.date, p.measure, p.kind, p.stage) for p in brief.charts.timeline.points]
    assert any(measure == "CRA (EU)" for _d, measure, _k, _s in points)


def test_timeline_is_bounded_to_the_events_nearest_the_date(app_ctx) -> None:
    report = compare_report()
    line = report.charts.timeline
    assert len(line.points) == charts.MAX_EVENTS < line.total
    assert f"At most {charts.MAX_EVENTS} dated events" in line.rule
    assert len(re.findall(r"\.(?: |$)", line.description)) >= charts.MAX_EVENTS
    farthest = max(abs((p.date - report.as_of).days) for p in line.points)
    shown = {(p.date, p.measure, p.kind) for p in line.points}
    entries = {e.record_id: e for s in report.sections for e in [*s.measures, *s.pending]}
    left_out = [
        ev
        for e in entries.values()
        for ev in e.events
        if ev.kind in charts.MARKERS
        and (ev.date, f"{e.label} ({e.jurisdiction_code})", ev.kind) not in shown
    ]
    assert len(left_out) == line.total - len(line.points)
    # no event left out is nearer to the date than one shown
    assert all(abs((ev.date - report.as_of).days) >= farthest for ev in left_out)


def test_heat_map_keeps_the_jurisdictions_with_most_measures_in_force() -> None:
    on = dt.date(2026, 1, 1)
    codes = [f"J{i:02d}" for i in range(40)]
    row = charts.HeatRow(
        "i",
        "(i) Supply chain",
        [charts.HeatCell(c, i % 7, charts.level_of(i % 7)) for i, c in enumerate(codes)],
    )
    heat = charts.heat_map([(c, f"Place {c}") for c in codes], [charts.HeatBlock("N", [row])], on)
    assert len(heat.columns) == charts.MAX_COLUMNS and heat.omitted == 10
    kept = {c.count for c in heat.blocks[0].rows[0].cells}
    assert min(kept) >= max(i % 7 for i in range(40) if f"J{i:02d}" not in dict(heat.columns))
    assert "Shows 30 of 40 jurisdictions" in heat.description
    assert heat.width < 40 * charts.CELL_W + charts.LABEL_W  # bounded at any size


def test_a_jurisdiction_without_measures_has_no_chart(app_ctx, client) -> None:
    c = charts.for_jurisdiction(
        "BR",
        "Brazil",
        norms=[],
        topics=[],
        ids=[],
        letters={},
        slugs={},
        standings={},
        on=dt.date(2026, 1, 1),
    )
    assert c.heat.empty and c.timeline.empty
    page = client.get("/jurisdictions/BR").get_data(as_text=True)
    assert "No measures of Brazil" in page and "charts-section" not in page


# --------------------------------------------------------------------------- pages


def assert_accessible_svg(html: str, kind: str) -> None:
    (block,) = [b for b in svg_blocks(html) if f"chart-{kind}" in b]
    ids = re.search(r'aria-labelledby="([^"]+)"', block).group(1).split()
    assert 'role="img"' in block
    title = re.search(r'<title id="([^"]+)">([^<]+)</title>', block)
    desc = re.search(r'<desc id="([^"]+)">([^<]+)</desc>', block)
    assert title and desc and ids == [title.group(1), desc.group(1)]
    assert block.index("<title") < block.index("<desc") < block.index("<rect")


def test_compare_page_shows_both_charts_with_legend_and_tables(client) -> None:
    html = client.get(f"/compare?j={SIX}").get_data(as_text=True)
    assert_accessible_svg(html, "heat")
    assert_accessible_svg(html, "timeline")
    heat, line = svg_blocks(html)
    assert "0: no measure in force (a gap)" in heat and "2 or more measures in force" in heat
    assert ">adopted</text>" in line and ">applies</text>" in line
    assert html.count('<details class="chart-table">') == 2
    assert "<summary>The heat map as a table</summary>" in html
    assert '<th scope="row">Software bill of materials (SBOM)</th>' in html
    # the timeline says its rule and links to the full list of dates
    assert "At most 12 dated events" in html and 'href="#j-de"' in html
    # the charts come before the grid
    assert html.index("Coverage and dates at a glance") < html.index("Measures by norm</h2>")


def test_jurisdiction_page_shows_its_row_of_the_heat_map(client) -> None:
    html = client.get("/jurisdictions/DE").get_data(as_text=True)
    assert_accessible_svg(html, "heat")
    assert_accessible_svg(html, "timeline")
    heat = svg_blocks(html)[0]
    assert re.findall(r'text-anchor="middle" font-weight="bold">(\w+)</text>', heat) == ["DE"]
    assert "(k) Do not harm CERTs/CSIRTs" in heat
    assert 'href="/measures/?jurisdiction=DE"' in html


def test_the_charts_escape_what_they_print(app_ctx, client, make_measure) -> None:
    make_measure(short_name="<b>Bold</b> & co", jurisdiction_code="NL")
    html = client.get("/jurisdictions/NL").get_data(as_text=True)
    (line,) = [b for b in svg_blocks(html) if "chart-timeline" in b]
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in line and "<b>Bold" not in html


# --------------------------------------------------------------------------- PDF


@pytest.mark.slow
@pytest.mark.parametrize(
    ("url", "labels"),
    [
        ("/jurisdictions/JP/brief.pdf", ["JP", "Economic Security Promotion Act"]),
        (f"/compare.pdf?j={SIX}", ["DE", "AU", "CRA (EU)"]),
    ],
)
def test_briefs_carry_the_charts_as_tagged_figures(reports, client, url, labels) -> None:
    data = get_pdf(reports, client, url)
    text = " ".join(pdf_text(data).split())
    assert "Coverage and dates at a glance" in text
    # the chart's own labels are text in the PDF; its table is the brief's grid
    assert "0: no measure in force (a gap)" in text and "Supply-chain topics" in text
    assert "The measures behind the counts are in the grid that follows" in text
    assert "At most 12 dated events" in text
    for label in labels:
        assert label in text
    pdf = pikepdf.open(io.BytesIO(data))
    figures = [
        str(e.Alt)
        for e in structure_types(pdf.Root.StructTreeRoot, [])
        if e.S == "/Figure" and "/Alt" in e
    ]
    # the Alt text is the title with the data: every cell, every event
    (heat,) = [a for a in figures if a.startswith("Heat map: measures in force on")]
    assert "Software bill of materials (SBOM): " in heat and "a cell with 0 is a gap" in heat
    (line,) = [a for a in figures if a.startswith("Timeline: ")]
    assert labels[-1] in line


def test_the_brief_html_holds_the_svg_without_external_references(app_ctx) -> None:
    from tracker.reports.pdf import render_html

    with app_ctx.test_request_context():
        html = render_html(build_report(P.parse_compare({"j": SIX})))
    blocks = svg_blocks(html)
    assert len(blocks) == 2
    assert all('xmlns="http://www.w3.org/2000/svg"' in b for b in blocks)
    # in the PDF the grid and the sections are the tables: nothing folds away
    charts_html = html.split('id="charts"')[1].split("</section>")[0]
    assert "<details" not in charts_html and "<table" not in charts_html
