"""Every list, search result, comparison and country page links to the export of exactly what
it shows (issue 16 item 4), and the open data carries its licence from one place."""

from __future__ import annotations

import html
import json
import re

import pytest

from tracker.opendata.licence import LICENCE


def export_links(page: str, endpoint_path: str) -> dict[str, str]:
    """{format: href} of the export links to ``endpoint_path`` on a page."""
    found = {}
    for href in re.findall(r'href="([^"]+)"', page):
        href = html.unescape(href)
        match = re.match(re.escape(endpoint_path) + r"\.(csv|xlsx|json)(\?.*)?$", href)
        if match:
            found[match.group(1)] = href
    return found


def exported(client, page: str, endpoint_path: str) -> list[dict]:
    links = export_links(page, endpoint_path)
    assert set(links) == {"csv", "xlsx", "json"}, links
    for href in links.values():
        assert client.get(href).status_code == 200, href
    data = json.loads(client.get(links["json"]).data)
    assert data["licence"]["id"] == LICENCE["id"]
    return data["items"]


def measure_links(page: str) -> set[str]:
    return set(re.findall(r'href="/measures/(\d+)"', page))


def keys_of(items: list[dict]) -> set[str]:
    return {str(item["id"]) for item in items}


def test_measure_list_exports_what_it_shows(client) -> None:
    page = client.get("/measures/?jurisdiction=JP").get_data(as_text=True)
    items = exported(client, page, "/export/measures")
    assert items and keys_of(items) == measure_links(page)
    assert {i["jurisdiction"] for i in items} == {"JP"}
    whole = client.get("/measures/").get_data(as_text=True)
    assert len(exported(client, whole, "/export/measures")) > len(items)


def test_attribution_list_exports_what_it_shows(client) -> None:
    page = client.get("/attributions/?year=2018").get_data(as_text=True)
    items = exported(client, page, "/export/attributions")
    shown = set(re.findall(r'href="/attributions/(\d+)"', page))
    assert items and keys_of(items) == shown


def test_country_page_exports_its_measures(client) -> None:
    page = client.get("/jurisdictions/DE").get_data(as_text=True)
    items = exported(client, page, "/export/measures")
    # German measures and those that apply through the EU, as the page lists them.
    assert {i["jurisdiction"] for i in items} == {"DE", "EU"}
    assert keys_of(items) == measure_links(page)


def test_comparison_exports_its_measures(app, client) -> None:
    page = client.get("/compare?j=DE&j=JP&j=US&norms=i,j").get_data(as_text=True)
    assert "Summary of differences" in page
    items = exported(client, page, "/export/measures")
    # the page names the most significant few per cell and section (tracker.reports.compare_page);
    # the export holds every measure compared, the named ones among them
    assert items and measure_links(page) <= keys_of(items)
    assert len(items) > len(measure_links(page))
    # As of an earlier date, fewer measures stand; the export follows.
    old = client.get("/compare?j=DE&j=JP&j=US&norms=i,j&as_of=2022-01-01").get_data(as_text=True)
    old_items = exported(client, old, "/export/measures")
    assert keys_of(old_items) == measure_links(old)
    assert len(old_items) < len(items)


def test_search_results_export_the_measures_found(app, client) -> None:
    page = client.get("/search/?q=SBOM&per_page=100").get_data(as_text=True)
    items = exported(client, page, "/export/measures")
    assert items and keys_of(items) == measure_links(page)
    # The facet filters go along.
    page = client.get("/search/?q=SBOM&jurisdiction=JP").get_data(as_text=True)
    items = exported(client, page, "/export/measures")
    assert {i["jurisdiction"] for i in items} == {"JP"}
    assert keys_of(items) == measure_links(page)


def test_search_export_keeps_drafts_out(app, make_measure, client) -> None:
    make_measure(published=False, description="A zwibbleworth draft.")
    make_measure(description="A zwibbleworth rule.")
    data = json.loads(client.get("/export/measures.json?q=zwibbleworth").data)
    assert data["count"] == 1 and data["filters"] == {"q": "zwibbleworth"}


@pytest.mark.parametrize("path", ["/data/", "/data/codebook.json"])
def test_the_licence_is_stated(client, path: str) -> None:
    text = client.get(path).get_data(as_text=True)
    assert LICENCE["name"] in text and LICENCE["url"] in text


def test_data_page_says_how_to_cite(client) -> None:
    page = client.get("/data/").get_data(as_text=True)
    assert "Cite the dataset as" in page
    assert "Cyber Norms Tracker dataset" in page and "CC-BY-4.0" in page
