"""/compare.pdf: content, metadata, bookmarks, determinism, cache, ETag and 304."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from tests.pdf_helpers import flat, pdf_text
from tracker.reports import cache

URL = "/compare.pdf?j=DE&j=FR&j=US"


@pytest.mark.slow
def test_compare_pdf_content_metadata_cache_and_determinism(
    reports, render_counter, client, make_measure
) -> None:
    make_measure(
        jurisdiction_code="DE",
        short_name="Test DE source measure",
        title_original="Testgesetz",
        title_lang="de",
        sources=[
            {
                "url": "https://example.org/de/testgesetz-2024",
                "title": "Example gazette",
                "accessed": "2026-11-01",
            }
        ],
        mappings=[
            {"norm": "j", "locator": "§ 3", "rationale": "Test rationale", "basis": "inferred"}
        ],
    )
    renders = render_counter.count
    first = client.get(URL)
    assert first.status_code == 200, first.get_data(as_text=True)[:500]
    assert first.mimetype == "application/pdf" and first.data.startswith(b"%PDF")
    assert render_counter.count == renders + 1

    text = pdf_text(first.data)
    for needle in (
        "Germany",
        "France",
        "United States",
        "Norm (i)",
        "Norm (j)",
        "Page 1 of",
        "Executive summary",
        "Contents",
        "Sources",
        "European Union",
        "via EU",
    ):
        assert needle in text, needle
    # numbered sources with their URLs
    assert "[1]" in text
    assert "https://example.org/de/testgesetz-2024" in flat(text)
    assert "https://www.federalregister.gov/d/2021-10460" in flat(text)  # EO 14028's official text
    assert "Officialtext:86FR26633" in flat(text)

    reader = PdfReader(io.BytesIO(first.data))
    meta = reader.metadata
    assert meta.title == "Comparison: Germany, France and the United States"
    assert meta.author == "Cyber Norms Tracker"
    assert "Norm (i)" in meta.subject and "Germany" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert meta["/CreationDate"] == meta["/ModDate"]  # the data version's date, not the clock
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    nested = [
        i.title
        for item in reader.outline
        if isinstance(item, list)
        for i in item
        if not isinstance(i, list)
    ]
    assert "Germany" in outline + nested and "Sources" in outline + nested
    assert f"Page 1 of {len(reader.pages)}" in text

    # a second download comes from the cache: same bytes, no render
    second = client.get(URL)
    assert second.status_code == 200 and second.data == first.data
    assert render_counter.count == renders + 1
    etag = second.headers["ETag"]
    assert etag == first.headers["ETag"] and second.headers["Cache-Control"] == "public, no-cache"
    not_modified = client.get(URL, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not not_modified.data

    # render again from scratch: byte-identical
    with reports.app_context():
        cache.store().clear()
    third = client.get(URL)
    assert render_counter.count == renders + 2
    assert hashlib.sha256(third.data).hexdigest() == hashlib.sha256(first.data).hexdigest()
