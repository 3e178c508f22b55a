"""A diplomat downloads a brief in a real browser: the comparison form, the grid, the
PDF link, the progress page while the brief renders in the background, the download."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import BROWSER, CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.pdf_helpers import flat, pdf_text
from tracker.reports import jobs

pytestmark = BROWSER

SETTINGS = (
    "REPORTS_JOB_MODE",
    "REPORTS_CACHE_DIR",
    "REPORTS_INLINE_SECONDS",
    "REPORTS_PROGRESS_REFRESH",
)


@pytest.fixture
def background_briefs(live_server: Any, tmp_path: Path) -> Iterator[Any]:
    """The live server renders every brief in the background, as production does with long
    ones: its own render threads (test apps otherwise queue jobs without running them) and
    an empty cache of its own."""
    app = live_server.app
    saved = {key: app.config.get(key) for key in SETTINGS}
    app.config.update(
        REPORTS_JOB_MODE="thread",
        REPORTS_CACHE_DIR=str(tmp_path / "reports"),
        REPORTS_INLINE_SECONDS=0,
        REPORTS_PROGRESS_REFRESH=1,
    )
    app.extensions.pop("reports_store", None)
    manual = app.extensions.pop("reports_executor", None)
    try:
        yield app
    finally:
        executor = app.extensions.pop("reports_executor", None)
        if executor is not None and hasattr(executor, "pool"):
            executor.pool.shutdown(wait=True)
        if manual is not None:
            jobs.use_executor(app, manual)
        app.extensions.pop("reports_store", None)
        app.config.update(saved)


@pytest.fixture
def pdf_saving_page(live_server: Any, tmp_path: Path) -> Iterator[Any]:
    """A browser whose profile saves PDFs instead of showing them (Chrome's setting
    "Download PDFs"): new headless Chromium has a PDF viewer, so without it no download
    would happen. The setting lives in the profile, hence a persistent context."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(
        json.dumps({"plugins": {"always_open_pdf_externally": True}})
    )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            base_url=live_server.url,
            viewport=DESKTOP,
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        errors: list[str] = []
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        try:
            yield page
        finally:
            context.close()
    assert not errors, errors


def test_visitor_compares_three_jurisdictions_and_downloads_the_pdf(
    pdf_saving_page, background_briefs, tmp_path
) -> None:
    from playwright.sync_api import expect

    page = pdf_saving_page
    page.goto("/compare")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare jurisdictions")
    # Pick three jurisdictions and one more norm with the form's own controls.
    for name in ("Germany", "France", "United States"):
        box = page.get_by_role("checkbox", name=re.compile(rf"^{name}\b"))
        box.check()
        expect(box).to_be_checked()
    expect(
        page.get_by_role("checkbox", name=re.compile(r"^\(i\) "))
    ).to_be_checked()  # the default norms
    page.get_by_role("checkbox", name=re.compile(r"^\(h\) ")).check()
    page.get_by_role("button", name="Compare").click()

    # The grid: one row per jurisdiction, one column per chosen norm.
    expect(page).to_have_url(re.compile(r"/compare\?j="))
    assert all(f"j={code}" in page.url for code in ("DE", "FR", "US"))
    grid = page.locator("table.cmp-grid")
    expect(grid.locator("tbody tr")).to_have_count(3)
    expect(grid.locator("thead th")).to_have_count(4)
    for name in ("Germany", "France", "United States"):
        expect(grid.get_by_role("rowheader", name=re.compile(name))).to_be_visible()
    expect(grid.locator("thead")).to_contain_text("(h)")

    # Download: the brief renders in the background; the progress page reloads itself
    # until the PDF arrives, as a visitor would see it.
    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_role("link", name="Download the PDF brief").click()
        expect(page.get_by_role("heading", name="Preparing the brief…")).to_be_visible()
    download = download_info.value
    name = re.fullmatch(
        r"cyber-norms-compare-([a-z]{2})-([a-z]{2})-([a-z]{2})-\d{4}-\d{2}-\d{2}\.pdf",
        download.suggested_filename,
    )
    assert name is not None and set(name.groups()) == {"de", "fr", "us"}, (
        download.suggested_filename
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")

    text = pdf_text(data)
    for needle in ("Germany", "France", "United States", "Norm (h)", "Page 1 of", "Sources"):
        assert needle in text, needle
    # numbered sources with their addresses: EO 14028's official text among them
    body = flat(text)
    assert re.search(
        r"\[\d+\]Officialtext:86FR26633;FRDoc\.2021-10460https://www\.federalregister\.gov/d/2021-10460",
        body,
    )
