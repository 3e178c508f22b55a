"""Report data in, PDF bytes out.

``render_html`` fills the brief template (the same template serves the HTML preview);
``html_to_pdf`` is the pure WeasyPrint step: a fixed ``base_url`` (the static folder,
from configuration, never from input), the static-only fetcher, and no clock anywhere,
so the same HTML gives the same bytes. ``render_pdf`` chains them in-process; the web
app runs the second step in a sandboxed child process (tracker.reports.sandbox).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # render children import this module: keep it free of the web stack
    from tracker.reports.data import Report

#: Seconds WeasyPrint needs per byte of brief HTML, and a fixed part (fonts, cover,
#: contents); measured with bench/pdf_bench.py on a 2-core machine and used only to
#: decide whether a brief is rendered while the request waits or in the background.
SECONDS_FIXED = 0.3
SECONDS_PER_KB = 0.02


def render_html(report: Report, *, mode: str = "pdf", **extra: Any) -> str:
    """The brief as one HTML document. ``mode`` is "pdf" or "preview" (in a browser)."""
    from flask import render_template, url_for

    def asset(path: str) -> str:
        # In the PDF, paths are relative to the static folder (the fixed base URL).
        return path if mode == "pdf" else url_for("static", filename=path)

    template = "pdf/paper_brief.html" if report.params.kind == "paper" else "pdf/brief.html"
    return render_template(template, report=report, mode=mode, asset=asset, **extra)


#: Loading the CJK faces costs about half a second more.
SECONDS_CJK = 0.5


def estimate_seconds(html: str) -> float:
    cjk = any(marker in html for marker in ('lang="ja"', 'lang="ko"', 'lang="zh'))
    return SECONDS_FIXED + SECONDS_PER_KB * len(html.encode()) / 1024 + (SECONDS_CJK if cjk else 0)


#: WeasyPrint options of each variant (tracker.reports.params.VARIANTS). Both are tagged
#: PDFs (structure tree, MarkInfo, /Lang from <html lang>); "pdfa" adds the PDF/A-3u
#: claim, an sRGB output intent and a file identifier (an MD5 of the content: no clock).
PDF_OPTIONS: dict[str, dict[str, Any]] = {
    "ua": {"pdf_variant": "pdf/ua-1"},
    "pdfa": {"pdf_variant": "pdf/a-3u", "pdf_tags": True},
}


def _show_title(document: Any, pdf: Any) -> None:
    """PDF/UA: viewers show the document title, not the file name, in the window title."""
    import pydyf

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})


def html_to_pdf(
    html: str, static_folder: str | os.PathLike[str], variant: str = "ua"
) -> tuple[bytes, list[str]]:
    """Lay the HTML out; returns the PDF and the URLs the fetcher refused."""
    # Imported here, not at the top: web workers only fill templates, and keeping
    # WeasyPrint's native stack (Pango, GLib, Pillow, lxml) out of them saves memory.
    from weasyprint import HTML

    from tracker.reports.fetcher import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(static_folder)
    document = HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher)
    pdf = document.write_pdf(finisher=_show_title, **PDF_OPTIONS[variant])
    return pdf, fetcher.refused


def render_pdf(report: Report) -> bytes:
    """The whole brief in this process (the CLI and the benchmark use it)."""
    from flask import current_app

    assert current_app.static_folder is not None
    variant = report.params.variant
    return html_to_pdf(render_html(report), current_app.static_folder, variant)[0]
