"""Pages that used to list every measure name a bounded number, with the count of all and a
link to the full list (issue 17): jurisdiction pages, a measure's inbound relations and the
comparison grid. The counts come from tracker.measures.lifecycle, so only measures in force
fill a comparison cell."""

from __future__ import annotations

import re
from typing import Any


def text(response: Any) -> str:
    """The response's visible text, whitespace collapsed."""
    return text_of(response.get_data(as_text=True))


def test_a_jurisdiction_page_lists_the_newest_ten_under_a_norm_and_links_to_all(
    client: Any, make_measure: Any
) -> None:
    made = [
        make_measure(
            jurisdiction_code="IS",
            short_name=f"IS-law-{n:02d}",
            events=[{"kind": "adopted", "date": f"{2000 + n}-01-15", "note": None}],
        )
        for n in range(12)
    ]
    html = client.get("/jurisdictions/IS").get_data(as_text=True)
    page = text(client.get("/jurisdictions/IS"))
    assert "12 measures recorded" in page and "12 measures in force today" in page
    assert 'Norm (i): <span class="count-inline">' not in html  # heading text is a link
    assert re.search(r"Norm \(i\):[^<]*</a> <span class=\"count-inline\">\(12\)</span>", html)
    newest = {m.short_name for m in made[2:]}
    oldest = {m.short_name for m in made[:2]}
    # the norm group lists the newest ten; the two oldest are one link away
    norm_group = html[
        html.index('id="norm-i"') : html.index("</section>", html.index('id="norm-i"'))
    ]
    assert all(name in norm_group for name in newest)
    assert not any(name in norm_group for name in oldest)
    assert "All 12 measures under norm (i)" in page
    assert 'href="/measures/?jurisdiction=IS&amp;norm=i"' in html
    listed = text(client.get("/measures/?jurisdiction=IS&norm=i"))
    assert all(name in listed for name in oldest | newest)


def test_a_measure_page_bounds_the_measures_pointing_at_it(client: Any, make_measure: Any) -> None:
    target = make_measure(jurisdiction_code="IS", short_name="IS-target")
    for n in range(25):
        make_measure(
            jurisdiction_code="NO",
            short_name=f"NO-amending-{n:02d}",
            relations=[{"kind": "amends", "target_record_id": target.record_id, "note": None}],
        )
    html = client.get(f"/measures/{target.record_id}").get_data(as_text=True)
    page = text(client.get(f"/measures/{target.record_id}"))
    assert page.count("Amended by") == 20 + 1  # 20 listed, and the count line
    assert "Amended by 25 measures" in page and "all 25 related measures" in page
    assert f'href="/measures/{target.record_id}/related"' in html
    related = client.get(f"/measures/{target.record_id}/related")
    assert related.status_code == 200
    names = re.findall(r"NO-amending-\d\d", related.get_data(as_text=True))
    assert len(set(names)) == 25
    assert client.get(f"/measures/{target.record_id}/related?page=2").status_code == 404
    assert client.get("/measures/999999/related").status_code == 404


def test_a_comparison_cell_counts_measures_in_force_and_names_three(
    client: Any, make_measure: Any
) -> None:
    for n in range(5):
        make_measure(
            jurisdiction_code="IS",
            short_name=f"IS-in-force-{n}",
            events=[{"kind": "adopted", "date": f"{2010 + n}-01-15", "note": None}],
        )
    make_measure(
        jurisdiction_code="IS",
        short_name="IS-bill",
        status="proposed",
        events=[{"kind": "proposed", "date": "2024-03-01", "note": None}],
    )
    html = client.get("/compare?j=IS&j=NO&norms=i").get_data(as_text=True)
    page = text(client.get("/compare?j=IS&j=NO&norms=i"))
    start = html.index('<th scope="row">Iceland')
    row = html[start : html.index("</tr>", start)]
    # the bill is listed beside the grid, never counted in the cell
    assert "5 measures in force" in text_of(row) and "2 more" in text_of(row)
    assert "IS-bill" in row and "Not in force" in row
    named = re.findall(r"IS-in-force-\d", row)
    assert named == ["IS-in-force-4", "IS-in-force-3", "IS-in-force-2"]  # laws, newest first
    assert "standing=in_force" in row and "jurisdiction=IS" in row and "norm=i" in row
    assert "names up to 3" in page
    assert "Norway has no measure in force for norm (i)" in page


def _gap_row(html: str, label: str) -> str:
    """The gap table row whose heading names ``label``."""
    start = html.index(label)
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def test_a_gap_page_names_ten_measures_per_item_counts_all_and_links_to_them(
    client: Any, make_measure: Any
) -> None:
    made = [
        make_measure(
            jurisdiction_code="IS",
            short_name=f"IS-law-{n:02d}",
            topics=["sbom"],
            events=[{"kind": "adopted", "date": f"{2000 + n}-01-15", "note": None}],
        )
        for n in range(12)
    ]
    bills = [
        make_measure(
            jurisdiction_code="IS",
            short_name=f"IS-bill-{n:02d}",
            status="proposed",
            topics=["incident-reporting"],
            events=[{"kind": "proposed", "date": f"{2000 + n}-03-01", "note": None}],
        )
        for n in range(12)
    ]
    html = client.get("/jurisdictions/IS/gaps").get_data(as_text=True)
    page = text_of(html)
    assert "names up to 10 measures in force and up to 10 not counted" in page

    # a topic with twelve measures in force: covered, the newest ten named, all twelve one
    # link away in the measure list (the same standing filter as the gap's)
    sbom = _gap_row(html, ">Software bill of materials (SBOM)<")
    assert "state-full" in sbom
    named = re.findall(r"IS-law-\d\d", sbom)
    assert named == [m.short_name for m in reversed(made[2:])]
    assert "All 12 in force (2 more)" in text_of(sbom)
    link = "/measures/?jurisdiction=IS&amp;topic=sbom&amp;standing=in_force"
    assert f'href="{link}"' in sbom
    listed = text_of(client.get(link.replace("&amp;", "&")).get_data(as_text=True))
    assert all(m.short_name in listed for m in made)

    # a topic with twelve bills and nothing in force: still a gap, ten bills named as not
    # counted, the rest counted and linked
    incident = _gap_row(html, ">Incident reporting<")
    assert "state-none" in incident
    assert re.findall(r"IS-bill-\d\d", incident) == [b.short_name for b in reversed(bills[2:])]
    assert "and 2 more" in text_of(incident)
    assert "all 12 measures on this topic" in text_of(incident)
    assert 'href="/measures/?jurisdiction=IS&amp;topic=incident-reporting"' in incident
    # the gap sentence and counts come from every measure, not the ten named
    assert "IS-law-00" not in html and "IS-bill-00" not in html


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
