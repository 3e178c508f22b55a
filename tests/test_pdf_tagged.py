"""Accessible and archivable briefs: every brief is a tagged PDF/UA-1 (structure tree,
MarkInfo, /Lang, XMP, the title in the window title); ``?variant=pdfa`` gives a tagged
PDF/A-3u; text extraction follows the reading order; layout defects of issue 18."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tempfile
from typing import Any

import pikepdf
import pytest

from tests.pdf_helpers import flat, pdf_fonts, pdf_text
from tests.test_pdf_briefs import get_pdf
from tracker.reports import cache

DE = "/jurisdictions/DE/brief.pdf?as_of=2026-12-07"


def pdfinfo(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(
            ["pdfinfo", f.name], capture_output=True, text=True, check=True
        ).stdout


def xmp(pdf: pikepdf.Pdf) -> dict[str, Any]:
    with pdf.open_metadata() as meta:
        return dict(meta)


def assert_tagged(data: bytes, title: str) -> pikepdf.Pdf:
    assert "Tagged:          yes" in pdfinfo(data)
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    assert "/StructTreeRoot" in root and len(root.StructTreeRoot.K) > 0
    assert bool(root.MarkInfo.Marked) is True
    assert str(root.Lang) == "en"
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    assert "/Metadata" in root
    assert xmp(pdf)["{http://purl.org/dc/elements/1.1/}title"] == title
    elements = structure_types(root.StructTreeRoot, [])
    kinds = {str(e.S) for e in elements}
    assert {"/H1", "/H2", "/P", "/Link"} <= kinds
    # every figure has a text alternative
    assert all("/Alt" in e for e in elements if e.S == "/Figure")
    return pdf


def structure_types(node: Any, found: list[Any]) -> list[Any]:
    """Every structure element below ``node`` (depth first)."""
    kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    if kids is None:
        return found
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            structure_types(kid, found)
    return found


def no_transparency(pdf: pikepdf.Pdf) -> bool:
    """No page transparency group and no soft mask or constant alpha below 1."""
    for page in pdf.pages:
        if "/Group" in page.obj:
            return False
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/ExtGState":
            if obj.get("/SMask", pikepdf.Name.None_) != pikepdf.Name.None_:
                return False
            if float(obj.get("/CA", 1)) < 1 or float(obj.get("/ca", 1)) < 1:
                return False
    return True


@pytest.mark.slow
def test_country_brief_is_tagged_pdf_ua_in_reading_order(reports, client) -> None:
    data = get_pdf(reports, client, DE)
    pdf = assert_tagged(data, "Germany: national measures and the UN cyber norms")
    assert xmp(pdf)["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
    assert "/OutputIntents" not in pdf.Root
    # the charts (inline SVG) are Figures whose Alt text is the chart's <title>
    alts = [str(e.Alt) for e in structure_types(pdf.Root.StructTreeRoot, []) if e.S == "/Figure"]
    assert any(a.startswith("Heat map: measures in force on 7 December 2026") for a in alts)
    assert any(a.startswith("Timeline: ") for a in alts)

    text = pdf_text(data)
    # the first extracted text is words, not a decorative mark
    assert text.lstrip().startswith("Cyber Norms Tracker · Jurisdiction brief")
    # title, then "At a glance" (page 2), then the contents and the first section
    title = text.index("Germany: national measures")
    glance = text.index("At a glance")
    first_heading = text.index("Measures by norm, as of")
    assert title < glance < text.index("Contents") < first_heading
    page2 = pdf_text(data, page=2)
    assert "At a glance" in page2 and "Starting in the next 24 months" in page2
    assert "CRA: main obligations (general application) from 11 December 2027" in " ".join(
        page2.split()
    )
    # letter-spaced small capitals used to extract as "S E L E C T I O N"
    assert "SELECTION" in pdf_text(data, page=1) and "S E L" not in text


@pytest.mark.slow
def test_pdfa_variant_is_archivable_cached_apart_and_deterministic(
    reports, client, render_counter
) -> None:
    ua = get_pdf(reports, client, DE)
    renders = render_counter.count
    url = DE + "&variant=pdfa"
    first = client.get(url)
    assert first.status_code == 200 and render_counter.count == renders + 1
    assert "-pdfa.pdf" in first.headers["Content-Disposition"]
    assert first.data != ua and first.headers["ETag"] != client.get(DE).headers["ETag"]
    pdf = assert_tagged(first.data, "Germany: national measures and the UN cyber norms")
    meta = xmp(pdf)
    assert meta["{http://www.aiim.org/pdfa/ns/id/}part"] == "3"
    assert meta["{http://www.aiim.org/pdfa/ns/id/}conformance"] == "U"
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1" and "/DestOutputProfile" in intent
    assert "/ID" in pdf.trailer
    fonts = pdf_fonts(first.data)
    assert fonts and all(f["emb"] == "yes" for f in fonts)
    assert no_transparency(pdf)

    # cached: same bytes, no render; from scratch: byte-identical (no clock, no random id)
    assert client.get(url).data == first.data and render_counter.count == renders + 1
    with reports.app_context():
        cache.store().clear()
    again = client.get(url)
    assert render_counter.count == renders + 2
    assert hashlib.sha256(again.data).digest() == hashlib.sha256(first.data).digest()
    assert client.get(DE).data == ua  # the default variant re-renders the same bytes too


def test_unknown_variant_is_refused_and_pages_link_the_archive_variant(client) -> None:
    response = client.get("/jurisdictions/DE/brief.pdf?variant=pdfx")
    assert response.status_code == 400 and "variant" in response.get_data(as_text=True)
    page = client.get("/jurisdictions/DE").get_data(as_text=True)
    assert 'href="/jurisdictions/DE/brief.pdf?variant=pdfa"' in page
    preview = client.get("/norms/i/brief").get_data(as_text=True)
    assert 'href="/norms/i/brief.pdf?variant=pdfa"' in preview


@pytest.mark.slow
def test_norm_brief_prints_each_paragraph_reference_once(reports, client) -> None:
    text = " ".join(pdf_text(get_pdf(reports, client, "/norms/i/brief.pdf")).split())
    assert "para. 13(i), para. 13(i)" not in text
    assert "(A/70/174 para. 13(i))" in text


@pytest.mark.slow
def test_a_1000_character_paper_title_stays_on_the_cover(reports, client, make_paper) -> None:
    words = "Supply-chain security of critical software and the responsible disclosure of flaws"
    title = (words + " ") * 13
    title = title[:1000].rstrip()
    assert len(title) >= 990
    paper = make_paper(title=title)
    data = get_pdf(reports, client, f"/papers/{paper.record_id}/brief.pdf")
    pages = pdfinfo(data)
    assert "Tagged:          yes" in pages
    page_count = int(next(x for x in pages.splitlines() if x.startswith("Pages:")).split()[1])
    assert page_count <= 3
    first = flat(pdf_text(data, page=1))
    assert first.startswith(flat("Cyber Norms Tracker · Paper brief"))
    assert flat(title[:200]) in first and flat(title[-40:]) in first
