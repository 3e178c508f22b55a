"""Cold render time of the standard briefs on the demo data (DE country brief, norm (i)
brief, a six-jurisdiction comparison), each rendered in a fresh child process.

Usage (from the repository root): .venv/bin/python bench/briefs_bench.py [--runs 3] [--out DIR]
    [--tree PATH] [--against PATH] [--html-out DIR]

Machines differ and a shared machine's speed changes by the minute, so each run also renders
a fixed reference document (REFERENCE: built here, with its own inline stylesheet, the same
in every revision) and prints each brief's CPU seconds per page as a RATIO to the
reference's seconds per page, measured alternately in the same run. Ratios of two revisions
compare their templates, not the machine's load. ``--tree`` renders another revision's code
and templates, e.g. ``git worktree add /tmp/briefs-base 333c12e^`` then
``--tree /tmp/briefs-base`` (the revision before the "At a glance" page). ``--against
/tmp/briefs-base`` renders that tree's briefs and this tree's alternately in one run and
prints the ratio new/base per brief: the steadier comparison on a shared machine.

"Cold" means a new Python process per render (fonts and WeasyPrint loaded afresh), as the
web app's sandboxed render child does. The data is built once; timing covers html_to_pdf.
CPU time (the render child's process time) is printed beside wall time: on a shared machine
it is the steadier figure.
With --out, the PDFs are written there (for pdftoppm).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if "--tree" in sys.argv:  # before any import of the tracker: the other revision's code
    ROOT = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
sys.path.insert(0, str(ROOT))

_WORDS = (
    "the state should take reasonable steps to ensure the integrity of the supply chain so "
    "that end users can have confidence in the security of products and should seek to "
    "prevent the proliferation of malicious tools and techniques and the use of harmful "
    "hidden functions"
).split()


def reference_html(sections: int = 24) -> str:
    """A fixed report: headings, paragraphs, a fixed-layout table and a list per section,
    with an inline stylesheet and system fonts only (the same bytes in every revision)."""
    css = (
        "@page { size: A4; margin: 20mm; @bottom-right { content: counter(page) } }"
        "body { font-family: 'DejaVu Serif', serif; font-size: 9.5pt; line-height: 1.4 }"
        "h2 { font-family: 'DejaVu Sans', sans-serif; font-size: 13pt; break-after: avoid }"
        "table { table-layout: fixed; width: 100%; border-collapse: collapse; font-size: 8pt }"
        "col.a { width: 30% } col.b { width: 70% }"
        "td, th { border: 0.5pt solid #999; padding: 1mm; overflow-wrap: break-word }"
    )
    parts = [f"<!doctype html><html lang='en'><head><style>{css}</style></head><body>"]
    for i in range(sections):
        words = [_WORDS[(i * 7 + k) % len(_WORDS)] for k in range(180)]
        parts.append(f"<h2>Section {i + 1}</h2>")
        for j in range(3):
            parts.append("<p>" + " ".join(words[j * 60 : (j + 1) * 60]) + ".</p>")
        parts.append("<table><colgroup><col class='a'><col class='b'></colgroup><tbody>")
        for j in range(6):
            parts.append(
                f"<tr><th>Row {j + 1}</th><td>{' '.join(words[j * 9 : j * 9 + 30])}</td></tr>"
            )
        parts.append("</tbody></table><ul>")
        parts += [f"<li>{' '.join(words[j * 5 : j * 5 + 12])}</li>" for j in range(8)]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "".join(parts)


BRIEFS = {
    "de-country": ("jurisdiction", "DE", {}),
    "norm-i": ("norm", "i", {}),
    "compare-6": ("compare", "", {"j": "DE,FR,US,JP,GB,AU"}),
    "jp-country": ("jurisdiction", "JP", {}),
}


def _child(html: str, static: str, variant: str, queue: multiprocessing.Queue, root: str) -> None:
    sys.path.insert(0, root)
    from tracker.reports import pdf as pdf_module
    from tracker.reports.pdf import html_to_pdf

    # "plain": untagged, as revisions before the tagged PDFs wrote them (to compare content
    # cost with such a revision apart from the cost of tagging)
    getattr(pdf_module, "PDF_OPTIONS", {}).setdefault("plain", {})
    start, cpu = time.perf_counter(), time.process_time()
    try:
        pdf, _ = html_to_pdf(html, static, variant=variant)  # type: ignore[call-arg]
    except TypeError:  # before variants existed
        pdf, _ = html_to_pdf(html, static)
    queue.put((time.perf_counter() - start, time.process_time() - cpu, pdf))


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _render(ctx: Any, html: str, static: str, variant: str) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds, PDF) of one cold render in a fresh process."""
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(html, static, variant, queue, str(ROOT)))
    proc.start()
    seconds, cpu, pdf = queue.get()
    proc.join()
    return seconds, cpu, pdf


def brief_html(out: str | None = None) -> tuple[dict[str, str], str]:
    """The standard briefs' HTML built by this tree's code from the demo data, and the
    tree's static folder; with ``out``, also written there as NAME.html."""
    from tests.conftest import make_app, seed
    from tracker.reports import params as P
    from tracker.reports.pdf import render_html
    from tracker.reports.queries import build_report

    tmp = tempfile.mkdtemp()
    app = make_app(f"sqlite:///{tmp}/bench.db")
    seed(app)
    htmls = {}
    with app.test_request_context():
        for name, (kind, subject, q) in BRIEFS.items():
            if kind == "jurisdiction":
                p = P.parse_jurisdiction_brief(subject, q)
            elif kind == "norm":
                p = P.parse_norm_brief(subject, q)
            else:
                p = P.parse_compare(q)
            htmls[name] = render_html(build_report(p))
            if out:
                Path(out, f"{name}.html").write_text(htmls[name])
    assert app.static_folder is not None
    return htmls, app.static_folder


def against(base_tree: str, runs: int, variant: str, only: list[str] | None = None) -> None:
    """Cold renders of another tree's briefs and this tree's, alternating in one run (so
    both meet the same load), each tree's HTML with its own stylesheets, laid out by this
    tree's html_to_pdf. Prints the CPU ratio new/base per brief (median and minimum)."""
    import subprocess

    base_dir = tempfile.mkdtemp()
    subprocess.run(
        [sys.executable, __file__, "--tree", base_tree, "--html-out", base_dir],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    new_html, new_static = brief_html()
    base_static = str(Path(base_tree, "static").resolve())
    ctx = multiprocessing.get_context("spawn")
    print(f"base: {base_tree}; new: {ROOT}; {runs} alternating cold renders each", flush=True)
    sums = {"base": 0.0, "new": 0.0}
    for name, html in new_html.items():
        if only and name not in only:
            continue
        base = Path(base_dir, f"{name}.html").read_text()
        cpu: dict[str, list[float]] = {"base": [], "new": []}
        pages = {}
        for _ in range(runs):
            for label, h, static in (("base", base, base_static), ("new", html, new_static)):
                _w, c, pdf = _render(ctx, h, static, variant)
                cpu[label].append(c)
                pages[label] = _pages(pdf)
        med = {k: statistics.median(v) for k, v in cpu.items()}
        low = {k: min(v) for k, v in cpu.items()}
        sums["base"] += med["base"]
        sums["new"] += med["new"]
        print(
            f"{name}: base {pages['base']} pages {med['base']:.2f} s (min {low['base']:.2f}), "
            f"new {pages['new']} pages {med['new']:.2f} s (min {low['new']:.2f}); "
            f"new/base {med['new'] / med['base']:.3f} (minima {low['new'] / low['base']:.3f})",
            flush=True,
        )
    print(
        f"all: base {sums['base']:.2f} s, new {sums['new']:.2f} s CPU (medians), "
        f"new/base {sums['new'] / sums['base']:.3f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out")
    parser.add_argument("--variant", default="ua")
    parser.add_argument("--tree", help="render another revision's checkout (a git worktree)")
    parser.add_argument("--html-out", help="only write the briefs' HTML to this folder")
    parser.add_argument("--only", nargs="*", choices=list(BRIEFS), help="with --against")
    parser.add_argument(
        "--against", help="compare with another revision's checkout, renders alternating"
    )
    args = parser.parse_args()
    if args.html_out:
        brief_html(args.html_out)
        return
    if args.against:
        against(args.against, args.runs, args.variant, args.only)
        return

    htmls, static = brief_html()
    ctx = multiprocessing.get_context("spawn")
    reference = reference_html()
    print(f"tree: {ROOT}", flush=True)
    totals = {"pages": 0, "cpu": 0.0, "ref": 0.0}
    for name, html in htmls.items():
        times, cpus, ratios = [], [], []
        pdf = b""
        for _ in range(args.runs):
            _w, ref_cpu, ref_pdf = _render(ctx, reference, static, args.variant)
            ref_per_page = ref_cpu / _pages(ref_pdf)
            seconds, cpu, pdf = _render(ctx, html, static, args.variant)
            times.append(seconds)
            cpus.append(cpu)
            ratios.append(cpu / _pages(pdf) / ref_per_page)
            totals["ref"] += ref_per_page / args.runs
        pages = _pages(pdf)
        totals["pages"] += pages
        totals["cpu"] += statistics.median(cpus)
        if args.out:
            Path(args.out, f"{name}.pdf").write_bytes(pdf)
        print(
            f"{name}: {pages} pages, wall median {statistics.median(times):.2f} s, "
            f"CPU median {statistics.median(cpus):.2f} s, "
            f"{statistics.median(cpus) / pages:.3f} CPU s/page, "
            f"ratio to the reference page {statistics.median(ratios):.2f} "
            f"(wall {', '.join(f'{t:.2f}' for t in times)})",
            flush=True,
        )
    ref_page = totals["ref"] / len(BRIEFS)
    print(
        f"all: {totals['pages']} pages, CPU {totals['cpu']:.2f} s, "
        f"{totals['cpu'] / totals['pages']:.3f} CPU s/page; reference {ref_page:.3f} CPU s/page; "
        f"cold brief CPU in reference pages {totals['cpu'] / ref_page:.1f}, "
        f"per brief page {totals['cpu'] / totals['pages'] / ref_page:.2f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
