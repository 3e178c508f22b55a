"""Safe rendering: only static files are fetched, nothing reaches the network or the
filesystem outside static/, and each render runs under a time and a memory limit."""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import pytest

from tests.hostile import INTERNAL_URLS
from tests.pdf_helpers import pdf_text
from tracker.reports import sandbox
from tracker.reports.fetcher import FetchRefused, StaticOnlyFetcher

PASSWD_MARKER = "root:x:0:0"


@pytest.fixture
def listener():
    """A real listening socket: the test fails if anything connects to it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def assert_no_connection(sock: socket.socket) -> None:
    try:
        conn, addr = sock.accept()
    except BlockingIOError:
        return
    conn.close()
    pytest.fail(f"the renderer connected to the listener from {addr}")


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "css").mkdir(parents=True)
    (root / "css" / "ok.css").write_text("p { color: black }")
    (root / "notes.txt").write_text("not an asset")
    (root / "css" / "escape.css").symlink_to("/etc/passwd")
    (tmp_path / "secret.css").write_text("p { color: red }")
    return root


def test_fetcher_serves_static_files_only(static_dir: Path, caplog) -> None:
    fetcher = StaticOnlyFetcher(static_dir)
    ok = fetcher.fetch((static_dir / "css" / "ok.css").as_uri())
    assert ok.read() == b"p { color: black }" and ok.content_type == "text/css"
    refused = [
        "http://127.0.0.1:9/x.css",
        "https://example.org/x.css",
        "http://169.254.169.254/latest/meta-data/",
        "data:text/css,p{color:red}",
        "ftp://example.org/x.css",
        "file:///etc/passwd",
        (static_dir / "css" / ".." / ".." / "secret.css").as_uri(),  # traversal
        "file://" + str(static_dir) + "/css/%2e%2e/%2e%2e/secret.css",  # encoded traversal
        (static_dir / "css" / "escape.css").as_uri(),  # symlink out of static/
        (static_dir / "notes.txt").as_uri(),  # not an asset type
        "file://evil.example/" + str(static_dir / "css" / "ok.css"),  # remote file host
    ]
    with caplog.at_level(logging.WARNING, logger="tracker.reports.fetcher"):
        for url in refused:
            with pytest.raises(FetchRefused):
                fetcher.fetch(url)
    lines = [r.getMessage() for r in caplog.records if r.name == "tracker.reports.fetcher"]
    assert len(lines) == len(refused)  # one log line per refusal
    assert all(line.startswith("refused to fetch") for line in lines)
    assert fetcher.refused == refused


def test_fetcher_refuses_every_spelling_of_an_internal_address(static_dir: Path) -> None:
    """The hostile URL list of the URL validator (tests/hostile.py): the fetcher serves
    static files only, so every one is refused, whatever host it decodes to."""
    fetcher = StaticOnlyFetcher(static_dir)
    for url in INTERNAL_URLS:
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert fetcher.refused == INTERNAL_URLS


def test_fetcher_never_opens_through_urllib(static_dir: Path) -> None:
    fetcher = StaticOnlyFetcher(static_dir)
    with pytest.raises(FetchRefused):
        fetcher.open("http://127.0.0.1:9/")


@pytest.mark.slow
def test_hostile_html_in_the_sandbox_fetches_nothing(app, listener, caplog) -> None:
    """Even raw HTML (which the templates never produce) cannot make the renderer fetch."""
    port = listener.getsockname()[1]
    html = f"""<!doctype html><html lang="en"><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">
      <link rel="attachment" href="file:///etc/passwd">
      <style>@import url("http://127.0.0.1:{port}/import.css");
        @font-face {{ font-family: X; src: url(http://127.0.0.1:{port}/font.woff) }}
        body {{ background: url(http://127.0.0.1:{port}/bg.png) }}</style></head>
      <body><p>Hostile</p><img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">
      <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E">
      <object data="file:///etc/passwd"></object><embed src="file:///etc/passwd">
      <div style="background-image: url('http://127.0.0.1:{port}/inline.png')">x</div>
      <iframe src="file:///etc/passwd"></iframe></body></html>"""
    with caplog.at_level(logging.WARNING, logger="tracker.reports.sandbox"):
        pdf = sandbox.render(html, app.static_folder, sandbox.Limits(timeout=30))
    assert_no_connection(listener)
    text = pdf_text(pdf)
    assert "Hostile" in text and PASSWD_MARKER not in text
    assert PASSWD_MARKER.encode() not in pdf
    refusals = [r.getMessage() for r in caplog.records if "refused to fetch" in r.getMessage()]
    assert any(f"127.0.0.1:{port}" in line for line in refusals)
    assert any("file:///etc/passwd" in line for line in refusals)
    assert any("169.254.169.254" in line for line in refusals)


@pytest.mark.slow
def test_measure_with_hostile_description_gives_a_clean_pdf(
    reports,
    client,
    make_measure,
    listener,
) -> None:
    port = listener.getsockname()[1]
    description = (
        '<img src="file:///etc/passwd"> '
        f"<style>p {{ background: url(http://127.0.0.1:{port}/) }}</style> "
        f"CSS url(http://127.0.0.1:{port}/) and "
        "[metadata](http://169.254.169.254/latest/meta-data/) "
        f"![x](http://127.0.0.1:{port}/img.png)"
    )
    make_measure(jurisdiction_code="BR", short_name="Hostile measure", description=description)
    response = client.get("/jurisdictions/BR/brief.pdf?annex=1")  # descriptions are in the annex
    assert response.status_code == 200
    assert_no_connection(listener)
    text = pdf_text(response.data)
    assert "Hostile measure" in text and PASSWD_MARKER not in text
    # raw HTML is shown as text, not interpreted; the link stays a link, never fetched
    assert '<img src="file:///etc/passwd">' in text
    # a link to an internal address keeps its text and loses its target
    # (tests/bad_input/test_urls.py)
    assert "metadata" in text
    assert not any(
        "169.254.169.254" in uri or "127.0.0.1" in uri for uri in link_targets(response.data)
    )


def link_targets(data: bytes) -> set[str]:
    import io

    from pypdf import PdfReader

    uris = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action and "/URI" in action:
                uris.add(str(action["/URI"]))
    return uris


@pytest.mark.slow
def test_timeout_kills_the_render_and_shows_a_message(
    reports, render_counter, client, make_measure
) -> None:
    make_measure(jurisdiction_code="BR", short_name="Slow measure")
    reports.config["REPORTS_INLINE_TIMEOUT"] = 0.05
    renders = render_counter.count
    response = client.get("/jurisdictions/BR/brief.pdf")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "The brief could not be produced" in body and "took longer than 0.05 seconds" in body
    assert "retry=1" in body and response.headers["Retry-After"] == "60"
    # the failure is remembered: no new render until the reader asks to retry
    again = client.get("/jurisdictions/BR/brief.pdf")
    assert again.status_code == 503 and render_counter.count == renders + 1
    reports.config["REPORTS_INLINE_TIMEOUT"] = 30
    retried = client.get("/jurisdictions/BR/brief.pdf?retry=1")
    assert retried.status_code == 200 and retried.mimetype == "application/pdf"
    assert render_counter.count == renders + 2
    assert not [c for c in _children() if c.is_alive()]


def _children():
    import multiprocessing

    return multiprocessing.active_children()


@pytest.mark.slow
def test_memory_limit_stops_a_render(app) -> None:
    # a 4 MB paragraph: parsing it needs far more than the 64 MiB the child may map
    html = "<html><body><p>" + "abcd " * 800_000 + "</p></body></html>"
    with pytest.raises(sandbox.RenderError, match="memory"):
        sandbox.render(html, app.static_folder, sandbox.Limits(timeout=30, memory_mb=64))
    # the process that hit the limit is gone; this one is unharmed
    assert os.getpid() and not [c for c in _children() if c.is_alive()]
