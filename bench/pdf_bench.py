"""Benchmark the comparison brief: whole request path vs WeasyPrint alone vs cached download.

Usage (from the repository root):

    .venv/bin/python bench/pdf_bench.py [--sizes small,medium,large] [--runs 3]

It builds a throw-away SQLite database with the real framework data and *fictional*
measures ("Bench measure 17", example.org sources), serves the app on 127.0.0.1 in a
thread (embedded mode: thread pool + sandboxed render children, filesystem cache), and
for each size prints:

* request path: from the first GET of /compare.pdf to the PDF bytes, cache cleared first
  (a long brief answers 202 and renders in the background; the script then polls the same
  URL every 0.2 s; a browser reloads the progress page after the estimated time left);
* WeasyPrint alone: ``html_to_pdf`` in this process on the same final HTML (warm);
* cached: a repeated GET of the same URL.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: seconds between polls of a brief rendering in the background (a browser follows the
#: page's Refresh header instead: about the estimated time left, 1 to 5 s)
POLL = 0.2
SIZES = {
    # name: (jurisdictions, measures in all) as in shared/reference/pdf-performance.md
    "small": (3, 30),
    "medium": (10, 150),
    "large": (30, 600),
}
CODES = [
    "BR",
    "AR",
    "CL",
    "MX",
    "CO",
    "PE",
    "ZA",
    "NG",
    "KE",
    "EG",
    "MA",
    "TR",
    "IL",
    "SA",
    "AE",
    "ID",
    "MY",
    "TH",
    "VN",
    "PH",
    "NZ",
    "NO",
    "CH",
    "IS",
    "UA",
    "GE",
    "RS",
    "MN",
    "KZ",
    "PK",
    "LK",
    "BD",
    "NP",
    "JO",
    "LB",
    "QA",
    "KW",
    "OM",
    "TN",
    "DZ",
    "GH",
    "SN",
    "CI",
    "UY",
    "PY",
]
PARAGRAPH = (
    "This fictional benchmark measure sets requirements for suppliers of software to "
    "public bodies, "
    "including a software bill of materials, a coordinated vulnerability disclosure policy and the "
    "timely remediation of reported vulnerabilities. It exists only to measure rendering time."
)


_next_code = 0


def seed(app, jurisdictions: int, measures: int) -> list[str]:
    """Fictional measures for ``jurisdictions`` codes no earlier size used."""
    global _next_code
    from tracker.extensions import db
    from tracker.measures import services
    from tracker.measures.models import Measure
    from tracker.records.models import Record, RecordKind
    from tracker.review import workflow

    codes = CODES[_next_code : _next_code + jurisdictions]
    _next_code += jurisdictions
    with app.app_context():
        for n in range(measures):
            code = codes[n % len(codes)]
            record = Record(kind=RecordKind.MEASURE, key=f"bench-{jurisdictions}-{n}")
            db.session.add(record)
            db.session.flush()
            m = Measure(record_id=record.id, is_draft=True, is_live=False)
            db.session.add(m)
            services.apply(
                m,
                {
                    "jurisdiction_code": code,
                    "title_original": (
                        f"Bench measure {n}: a fictional act on software supply-chain security"
                    ),
                    "title_lang": "en",
                    "title_en": None,
                    "short_name": f"Bench {n}",
                    "type": "law",
                    "issuing_body": "Fictional ministry",
                    "status": "in_force",
                    "status_note": None,
                    "official_identifier": f"BENCH-{n}",
                    "official_url": f"https://example.org/bench/{code.lower()}/{n}",
                    "description": PARAGRAPH + "\n\n" + PARAGRAPH,
                    "verification": ["verified", "secondary", "unverified"][n % 3],
                    "verification_note": None,
                    "events": [
                        {
                            "kind": "adopted",
                            "date": f"{2018 + n % 7}-0{1 + n % 9}-15",
                            "note": None,
                        },
                        {
                            "kind": "in_force",
                            "date": f"{2019 + n % 7}-0{1 + n % 9}-01",
                            "note": None,
                        },
                    ],
                    "sources": [
                        {
                            "url": f"https://example.org/bench/{code.lower()}/{n}/source-{k}",
                            "title": f"Fictional source {k} for bench measure {n}",
                            "accessed": None,
                        }
                        for k in range(2)
                    ],
                    "topics": ["sbom", "vulnerability-disclosure"],
                    "relations": [],
                    "mappings": [
                        {
                            "norm": "i",
                            "commitment": None,
                            "locator": "Art. 3",
                            "rationale": "supplier requirements",
                            "basis": "inferred",
                        },
                        *(
                            [
                                {
                                    "norm": "j",
                                    "commitment": None,
                                    "locator": "Art. 5",
                                    "rationale": "disclosure policy",
                                    "basis": "inferred",
                                }
                            ]
                            if n % 2
                            else []
                        ),
                    ],
                },
            )
            db.session.flush()
            workflow.publish_unreviewed(record)
        db.session.commit()
    return codes


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=600) as r:  # noqa: S310 - loopback only
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def request_path(url: str) -> tuple[float, bytes, bool]:
    """Seconds from the first GET to the PDF, and whether it went to the background."""
    start = time.perf_counter()
    background = False
    while True:
        status, body = get(url)
        if status == 200:
            return time.perf_counter() - start, body, background
        if status != 202:
            raise RuntimeError(f"{url}: HTTP {status}: {body[:300]!r}")
        background = True
        time.sleep(POLL)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (large: at most 2)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    os.environ.update(
        TRACKER_ENV="development", TRACKER_DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}"
    )
    from werkzeug.serving import make_server

    from tracker import create_app
    from tracker.reports import cache
    from tracker.reports.params import parse_compare
    from tracker.reports.pdf import html_to_pdf, render_html
    from tracker.reports.queries import build_report

    app = create_app({"REPORTS_CACHE_DIR": str(tmp / "cache"), "REPORTS_PRERENDER": False})
    runner = app.test_cli_runner()
    for cmd in (["db", "upgrade"], ["jurisdictions", "sync"], ["norms", "load"]):
        result = runner.invoke(args=cmd)
        assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    # Warm the render fork server and this process's fonts once, outside the timings.
    warm_codes = seed(app, 2, 4)
    request_path(f"{base}/compare.pdf?j={warm_codes[0]}&j={warm_codes[1]}")

    rows = []
    for size in args.sizes.split(","):
        n_j, n_m = SIZES[size]
        codes = seed(app, n_j, n_m)
        query = "&".join(f"j={c}" for c in codes)
        url = f"{base}/compare.pdf?{query}"
        runs = min(args.runs, 2) if size == "large" else args.runs
        path_times, alone_times, cached_times, ratios = [], [], [], []
        for _ in range(runs):
            with app.app_context():
                cache.store().clear()
            seconds, pdf, background = request_path(url)
            path_times.append(seconds)
            with app.test_request_context():
                from werkzeug.datastructures import MultiDict

                html = render_html(
                    build_report(parse_compare(MultiDict([("j", c) for c in codes])))
                )
                t = time.perf_counter()
                alone, _refused = html_to_pdf(html, app.static_folder)
                alone_times.append(time.perf_counter() - t)
            ratios.append(path_times[-1] / alone_times[-1])
            for _ in range(20):
                t = time.perf_counter()
                status, body = get(url)
                cached_times.append(time.perf_counter() - t)
                assert status == 200 and body == pdf
        import io

        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        same = hashlib.sha256(pdf).hexdigest() == hashlib.sha256(alone).hexdigest()
        rows.append(
            (
                size,
                n_j,
                n_m,
                pages,
                len(html) // 1024,
                statistics.median(path_times),
                background,
                statistics.median(alone_times),
                statistics.median(ratios),
                statistics.median(cached_times),
                same,
            )
        )

    print()
    print(
        f"{'report':<8} {'juris.':>6} {'measures':>8} {'pages':>5} {'HTML KB':>7} "
        f"{'request path':>13} "
        f"{'WeasyPrint alone':>16} {'ratio':>6} {'cached':>9} "
        f"{'cold/cached':>11} {'same bytes':>10}"
    )
    for size, n_j, n_m, pages, kb, path_s, background, alone_s, ratio, cached_s, same in rows:
        mode = "bg" if background else "inline"
        print(
            f"{size:<8} {n_j:>6} {n_m:>8} {pages:>5} {kb:>7} {path_s:>9.2f} s "
            f"{mode:<3}{alone_s:>14.2f} s "
            f"{ratio:>6.2f} {cached_s * 1000:>6.1f} ms {path_s / cached_s:>10.0f}x "
            f"{'yes' if same else 'NO':>10}"
        )
    print(
        "ratio: median over runs of (request path / WeasyPrint alone), each pair measured "
        "back to back"
    )
    print(
        f"runs per size: {args.runs} (medians; large at most 2); machine: {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end; database: SQLite in {tmp}"
    )
    server.shutdown()


if __name__ == "__main__":
    main()
