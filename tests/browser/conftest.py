"""Browser tests: a real server thread on its own seeded database, driven by Chromium.

The live server is session-scoped (one per xdist worker). It does not use the rolled-back
connection of the ``app`` fixture: a browser talks to the server over HTTP, from another
thread, so it gets a database of its own, created and seeded like the session database and
dropped at the end. Mark browser tests ``@pytest.mark.browser`` and put them in the
``browser`` xdist group (``pytestmark`` below does both for this directory's modules that
import it) so that one worker runs them all and only one extra database is made.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import create_database, drop_database, make_app, seed, worker_label
from tracker.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

#: Apply to every browser test module: ``pytestmark = BROWSER``.
BROWSER = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class LiveServer:
    """The app served by werkzeug in a background thread on a free port."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="live-server", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[LiveServer]:
    """A running server on a freshly created, migrated and seeded database (demo data loaded)."""
    directory: Path = tmp_path_factory.mktemp("browser-db")
    url = create_database(directory, f"browser_{worker_label(pytestconfig)}")
    app = make_app(url)
    with app.app_context():
        seed(app)
    server = LiveServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
        drop_database(url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (Playwright's own browser download is not used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context (no cookies) at desktop size, with relative URLs on the live
    server."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        yield page
    finally:
        context.close()
    # A CSP violation or script error shows up as a console error: fail the test on it.
    assert not errors, errors
