"""A diplomat browses the public site in a real browser: start page grid, filtered list,
one measure with its sources and verification, the filter form; and the pages fit a phone."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import BROWSER, PHONE

pytestmark = BROWSER


def shown_count(page) -> int:
    text = page.locator("#result-count").inner_text()
    return int(re.match(r"(\d+) measures?", text).group(1))


def test_diplomat_follows_the_grid_to_a_measure_and_filters(page) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cyber Norms Tracker")
    # Keyboard users get a visible skip link first.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"

    # The grid: Germany, norm (i). The number says how many measures the list will show.
    row = page.locator(
        "table.coverage-grid tbody tr", has=page.get_by_role("link", name="Germany", exact=True)
    )
    cell = row.locator("td").first.get_by_role("link")
    expected = int(re.match(r"\d+", cell.inner_text()).group(0))
    cell.click()
    expect(page).to_have_url(re.compile(r"/measures/\?jurisdiction=DE&norm=i&standing=in_force$"))
    assert shown_count(page) == expected
    expect(page.get_by_label("Jurisdiction")).to_have_value("DE")
    expect(page.get_by_label("Norm")).to_have_value("i")

    # EU measures apply to Germany and say so.
    cra_item = page.locator("li.measure-item", has=page.get_by_role("link", name="CRA", exact=True))
    expect(cra_item.locator(".badge.via")).to_have_text("via EU")
    cra_item.get_by_role("link", name="CRA", exact=True).click()

    # The measure: official title, sources and verification.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cyber Resilience Act")
    sources = page.locator(
        "section", has=page.get_by_role("heading", name="Sources and verification")
    )
    expect(sources.locator("ol.sources > li")).to_have_count(4)
    expect(sources.locator(".verification-line .badge")).to_have_text("Secondary sources only")
    expect(page.locator("ol.timeline > li")).to_have_count(6)

    # Back to the list, narrow it with the form; the choices stay selected.
    page.go_back()
    page.get_by_label("Status").select_option("partly_applicable")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=partly_applicable"))
    expect(page.get_by_label("Jurisdiction")).to_have_value("DE")
    expect(page.get_by_label("Status")).to_have_value("partly_applicable")
    assert shown_count(page) == 1
    expect(page.locator("ul.measure-list > li")).to_have_count(1)
    expect(page.get_by_role("link", name=re.compile("Status: Partly applicable"))).to_be_visible()

    # Clearing the filters shows everything again.
    page.get_by_role("link", name="Clear filters").click()
    expect(page).to_have_url(re.compile(r"/measures/$"))
    assert shown_count(page) > expected


@pytest.mark.parametrize("path", ["/", "/norms/i", "/jurisdictions/DE", "/measures/", "/norms/"])
def test_pages_fit_a_phone_screen(browser, live_server, path) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    finally:
        context.close()


def test_measure_page_with_a_japanese_title(page, live_server) -> None:
    from playwright.sync_api import expect

    page.goto("/measures/?jurisdiction=JP&topic=sbom")
    page.get_by_role("link", name="METI SBOM guide").click()
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_attribute("lang", "ja")
    expect(title).to_contain_text("ソフトウェア管理")
    # The CJK font is asked for (the stylesheet's :lang(ja) rule), not left to a fallback.
    expect(title).to_have_css("font-family", re.compile("Noto Sans CJK JP"))
