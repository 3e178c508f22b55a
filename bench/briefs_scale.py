"""The standard briefs on a large database: build time, HTML size, pages, render CPU and wall
seconds and the render child's peak memory (under the 2 GiB address-space limit).

Usage: python bench/briefs_scale.py DATABASE_URL [us norm-i c3 c10 c30]
(e.g. sqlite:////work/data/scale-40k.db or postgresql://postgres@127.0.0.1:5432/scale40k;
read only). Comparisons take the jurisdictions with the most measures, EU left out.
PDFs and HTML are written to /tmp/briefs-scale/.
"""

import io
import json
import multiprocessing
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def child(html, static, q):
    import resource
    import time

    resource.setrlimit(resource.RLIMIT_AS, (2048 * 2**20, 2048 * 2**20))
    from tracker.reports.pdf import html_to_pdf

    t, c = time.perf_counter(), time.process_time()
    pdf, _ = html_to_pdf(html, static)
    q.put(
        (
            time.perf_counter() - t,
            time.process_time() - c,
            pdf,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        )
    )


def main():
    import sqlalchemy as sa
    from pypdf import PdfReader

    from tests.conftest import make_app
    from tracker.extensions import db
    from tracker.reports import params as P
    from tracker.reports.pdf import render_html
    from tracker.reports.queries import build_report

    url = sys.argv[1]
    which = sys.argv[2:] or ["us", "norm-i", "c3", "c10", "c30"]
    app = make_app(url)
    ctx = multiprocessing.get_context("spawn")
    os.makedirs("/tmp/briefs-scale", exist_ok=True)
    with app.test_request_context():
        rows = db.session.execute(
            sa.text("select jurisdiction_code from measures group by 1 order by count(*) desc, 1")
        ).all()
        top = [r[0] for r in rows if r[0] != "EU"]
        for name in which:
            if name == "us":
                p = P.parse_jurisdiction_brief("US", {})
            elif name == "norm-i":
                p = P.parse_norm_brief("i", {})
            else:
                p = P.parse_compare({"j": ",".join(top[: int(name[1:])])})
            t, c = time.perf_counter(), time.process_time()
            rep = build_report(p)
            html = render_html(rep)
            build, build_cpu = time.perf_counter() - t, time.process_time() - c
            open(f"/tmp/briefs-scale/{name}.html", "w").write(html)
            q = ctx.Queue()
            proc = ctx.Process(target=child, args=(html, app.static_folder, q))
            proc.start()
            secs, cpu, pdf, rss = q.get(timeout=600)
            proc.join()
            open(f"/tmp/briefs-scale/{name}.pdf", "wb").write(pdf)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            print(
                json.dumps(
                    {
                        "brief": name,
                        "build_s": round(build, 2),
                        "build_cpu_s": round(build_cpu, 2),
                        "render_cpu_s": round(cpu, 2),
                        "cpu_s_per_page": round(cpu / len(PdfReader(io.BytesIO(pdf)).pages), 3),
                        "load": os.getloadavg()[0],
                        "html_kb": len(html.encode()) // 1024,
                        "render_s": round(secs, 2),
                        "pages": pages,
                        "s_per_page": round(secs / pages, 3),
                        "render_peak_mib": rss,
                        "web_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
