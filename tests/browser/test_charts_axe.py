"""The pages with charts pass axe-core: no serious or critical violation on the comparison
of six jurisdictions or on a country page (axe's script comes from the installed
axe-playwright-python package and is injected by the test, never loaded by the page)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import BROWSER

pytestmark = BROWSER


def serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("url", ["/compare?j=DE,FR,US,JP,GB,AU", "/jurisdictions/DE"])
def test_chart_pages_have_no_serious_axe_violations(page, url) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    heat = page.get_by_role("img", name="Heat map: measures in force on", exact=False)
    expect(heat).to_be_visible()
    expect(page.get_by_role("img", name="Timeline:", exact=False)).to_be_visible()
    # the table folds open from its summary, with the keyboard
    summary = page.get_by_text("The heat map as a table")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("table.chart-counts")).to_be_visible()
    assert serious(page) == []
