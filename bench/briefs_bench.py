"""Cold render time of the standard briefs on the demo data (DE country brief, norm (i)
brief, a six-jurisdiction comparison), each rendered in a fresh child process.

Usage (from the repository root): .venv/bin/python bench/briefs_bench.py [--runs 3] [--out DIR]

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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BRIEFS = {
    "de-country": ("jurisdiction", "DE", {}),
    "norm-i": ("norm", "i", {}),
    "compare-6": ("compare", "", {"j": "DE,FR,US,JP,GB,AU"}),
    "jp-country": ("jurisdiction", "JP", {}),
}


def _child(html: str, static: str, variant: str, queue: multiprocessing.Queue) -> None:
    from tracker.reports.pdf import html_to_pdf

    start, cpu = time.perf_counter(), time.process_time()
    try:
        pdf, _ = html_to_pdf(html, static, variant=variant)  # type: ignore[call-arg]
    except TypeError:  # before variants existed
        pdf, _ = html_to_pdf(html, static)
    queue.put((time.perf_counter() - start, time.process_time() - cpu, pdf))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out")
    parser.add_argument("--variant", default="ua")
    args = parser.parse_args()

    from tests.conftest import make_app, seed
    from tracker.reports import params as P
    from tracker.reports.pdf import render_html
    from tracker.reports.queries import build_report

    tmp = tempfile.mkdtemp()
    app = make_app(f"sqlite:///{tmp}/bench.db")
    seed(app)
    ctx = multiprocessing.get_context("spawn")
    with app.test_request_context():
        for name, (kind, subject, q) in BRIEFS.items():
            if kind == "jurisdiction":
                p = P.parse_jurisdiction_brief(subject, q)
            elif kind == "norm":
                p = P.parse_norm_brief(subject, q)
            else:
                p = P.parse_compare(q)
            html = render_html(build_report(p))
            times, cpus = [], []
            pdf = b""
            for _ in range(args.runs):
                queue = ctx.Queue()
                proc = ctx.Process(
                    target=_child, args=(html, app.static_folder, args.variant, queue)
                )
                proc.start()
                seconds, cpu, pdf = queue.get()
                proc.join()
                times.append(seconds)
                cpus.append(cpu)
            if args.out:
                Path(args.out, f"{name}.pdf").write_bytes(pdf)
            print(
                f"{name}: wall median {statistics.median(times):.2f} s, "
                f"CPU median {statistics.median(cpus):.2f} s "
                f"(wall {', '.join(f'{t:.2f}' for t in times)})",
                flush=True,
            )


if __name__ == "__main__":
    main()
