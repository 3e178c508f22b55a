"""Scale: build a large tracker database and measure the public pages on it.

Usage (from the repository root):

    .venv/bin/python -m bench.scale generate --measures 40000 --jurisdictions 200 \\
        --database-url sqlite:////tmp/scale-40k.db
    .venv/bin/python -m bench.scale pages --small-url sqlite:////tmp/demo.db \\
        --large-url sqlite:////tmp/scale-40k.db

``generate`` sets the database up like ``flask setup`` (migrations, reference data, the
demo measures), then clones the published demo measures, with everything that belongs
to them (events with their stage labels and successors, sources, mappings, topics,
relations, revisions, publications, search index entries), across the first
``--jurisdictions`` jurisdictions until the database holds ``--measures`` measure
records. About 1 clone in 20 also has an unpublished working copy, 1 in 50 is a draft
only. Clones are marked in their titles ("scale copy N") and record keys ("scale-N");
they are fictional records for measuring, never data. Rows are written with SQLAlchemy
Core, a few thousand measures per transaction; then ``ANALYZE`` and the publication
stamps are rebuilt, as after any bulk load.

``pages`` serves each database in this process (Flask test client) and prints, per page
and API call: median and p95 latency, SQL statement count and response size, for the
small and the large database, and the ratio large/small.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

#: tables whose rows hang off a measure content row (cloned per copy)
CHILDREN = ("measure_events", "sources", "mappings", "measure_relations", "measure_topics")


def make_app(url: str) -> Any:
    from tracker import create_app

    return create_app(
        {
            "ENV": "development",
            "DATABASE_URL": url,
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": False,
            "REPORTS_PRERENDER": False,
            "REPORTS_JOB_MODE": "manual",
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench-scale",
        }
    )


def setup(app: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["setup"])
    if result.exit_code != 0:
        raise SystemExit(f"flask setup failed:\n{result.output}\n{result.exception!r}")


def _rows(conn: sa.Connection, table: sa.Table, column: str, ids: list[int]) -> dict[int, list]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    key = table.c[column]
    order = table.c.id if "id" in table.c else key
    # generated columns (PostgreSQL's search document) are computed by the database
    stored = [c for c in table.c if c.computed is None]
    for row in conn.execute(sa.select(*stored).where(key.in_(ids)).order_by(order)):
        out[row._mapping[column]].append(dict(row._mapping))
    return out


class IdGen:
    def __init__(self, conn: sa.Connection, tables: dict[str, sa.Table]):
        self.next = {
            name: (conn.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1
            for name, t in tables.items()
            if "id" in t.c
        }

    def __call__(self, table: str) -> int:
        value = self.next[table]
        self.next[table] += 1
        return value


def generate(
    url: str, measures: int, jurisdictions: int, batch: int = 2000, *, app: Any = None
) -> dict[str, Any]:
    """Set the database up and clone the demo measures until it holds ``measures`` records."""
    from tracker.extensions import db
    from tracker.records import stamps

    app = app or make_app(url)
    started = time.perf_counter()
    with app.app_context():
        setup(app)
        engine = db.engine
        md = sa.MetaData()
        names = (
            "records",
            "measures",
            "revisions",
            "publications",
            "search_entries",
            "search_facets",
            "jurisdictions",
            *CHILDREN,
        )
        t = {n: sa.Table(n, md, autoload_with=engine) for n in names}
        with engine.begin() as conn:
            templates = [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(t["measures"])
                    .where(t["measures"].c.is_live)
                    .order_by(t["measures"].c.id)
                )
            ]
            have = conn.scalar(sa.select(sa.func.count()).where(t["records"].c.kind == "measure"))
            tids = [m["id"] for m in templates]
            rids = [m["record_id"] for m in templates]
            children = {n: _rows(conn, t[n], "measure_id", tids) for n in CHILDREN}
            recs = {r["id"]: r for r in _rows(conn, t["records"], "id", rids).values() for r in r}
            revs = _rows(conn, t["revisions"], "record_id", rids)
            pubs = _rows(conn, t["publications"], "record_id", rids)
            entries = _rows(conn, t["search_entries"], "owner_id", tids)
            entries = {k: [e for e in v if e["owner"] == "measure"] for k, v in entries.items()}
            facets = _rows(
                conn,
                t["search_facets"],
                "entry_id",
                [e["id"] for es in entries.values() for e in es],
            )
            used = sorted({m["jurisdiction_code"] for m in templates})
            others = [
                c
                for c in conn.scalars(
                    sa.select(t["jurisdictions"].c.code).order_by(t["jurisdictions"].c.code)
                )
                if c not in used
            ]
            codes = (used + others)[: max(jurisdictions, len(used))]
            ids = IdGen(conn, t)
        rng = random.Random(17)
        todo = max(0, measures - have)
        n = 0
        while n < todo:
            size = min(batch, todo - n)
            rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for k in range(n, n + size):
                _clone(
                    k,
                    templates[k % len(templates)],
                    rng,
                    codes,
                    children,
                    recs,
                    revs,
                    pubs,
                    entries,
                    facets,
                    ids,
                    rows,
                )
            with engine.begin() as conn:
                for name in (
                    "records",
                    "measures",
                    *CHILDREN,
                    "revisions",
                    "publications",
                    "search_entries",
                    "search_facets",
                ):
                    if rows[name]:
                        conn.execute(t[name].insert(), rows[name])
            n += size
            print(f"  {have + n} measure records", file=sys.stderr)
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                for name in ids.next:
                    top = f"(SELECT COALESCE(MAX(id), 1) FROM {name})"  # noqa: S608 - our tables
                    conn.execute(
                        sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {top})")
                    )
        from tracker.engine import analyze

        stamps.rebuild()
        db.session.commit()
        analyze()
        # as `flask setup` does: a web process that starts reads the standings stored for
        # this data version instead of computing them in its first request
        from tracker.measures import standings

        standings.warm()
        total = db.session.scalar(sa.text("SELECT count(*) FROM records WHERE kind = 'measure'"))
    return {
        "measure_records": total,
        "jurisdictions": len(codes),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _clone(
    k: int,
    m: dict[str, Any],
    rng: random.Random,
    codes: list[str],
    children: dict[str, dict[int, list[dict[str, Any]]]],
    recs: dict[int, dict[str, Any]],
    revs: dict[int, list[dict[str, Any]]],
    pubs: dict[int, list[dict[str, Any]]],
    entries: dict[int, list[dict[str, Any]]],
    facets: dict[int, list[dict[str, Any]]],
    ids: IdGen,
    rows: dict[str, list[dict[str, Any]]],
) -> None:
    """One clone of template measure ``m``: a record, one or two content copies, history."""
    rid = ids("records")
    code = m["jurisdiction_code"] if rng.random() < 0.35 else rng.choice(codes)
    draft_only = k % 50 == 49
    pending = k % 20 == 7
    record = {**recs[m["record_id"]], "id": rid, "key": f"scale-{k}"}
    if draft_only:
        record.update(state="draft", published_at=None)
    rows["records"].append(record)
    suffix = f" (scale copy {k})"
    # (is_draft, is_live): one copy that is both, or a live copy plus a working copy (pending),
    # or only a working copy (draft only); never a row that is neither (CHECK, migration 0018)
    copies = [(not pending, not draft_only)]
    if pending:
        copies.append((True, False))
    first_mid = None
    for is_draft, is_live in copies:
        mid = ids("measures")
        first_mid = first_mid or mid
        rows["measures"].append(
            {
                **m,
                "id": mid,
                "record_id": rid,
                "jurisdiction_code": code,
                "title_original": (m["title_original"] + suffix)[:1000],
                "short_name": (m["short_name"] + suffix)[:200] if m["short_name"] else None,
                "is_draft": is_draft,
                "is_live": is_live,
            }
        )
        for name in CHILDREN:
            for child in children[name].get(m["id"], []):
                row = {**child, "measure_id": mid}
                if "id" in row:
                    row["id"] = ids(name)
                if name == "mappings":
                    row["state"] = "published" if is_live else "draft"
                rows[name].append(row)
    for rev in revs.get(m["record_id"], []):
        rows["revisions"].append({**rev, "id": ids("revisions"), "record_id": rid})
    if not draft_only:
        for pub in pubs.get(m["record_id"], []):
            rows["publications"].append(
                {**pub, "id": ids("publications"), "record_id": rid, "label": pub["label"] + suffix}
            )
        for entry in entries.get(m["id"], []):
            eid = ids("search_entries")
            rows["search_entries"].append(
                {
                    **entry,
                    "id": eid,
                    "owner_id": first_mid,
                    "record_id": rid,
                    "title": entry["title"] + suffix,
                }
            )
            for facet in facets.get(entry["id"], []):
                value = code if facet["facet"] == "jurisdiction" else facet["value"]
                rows["search_facets"].append(
                    {**facet, "id": ids("search_facets"), "entry_id": eid, "value": value}
                )


# --------------------------------------------------------------------------- pages


def page_list(app: Any) -> list[tuple[str, str]]:
    """(label, path) of every public page and API call, and the exports, from the database's
    own data (PDF briefs are measured by the briefs' own bench)."""
    from tracker.extensions import db

    def one(sql: str) -> Any:
        return db.session.scalar(sa.text(sql))

    with app.app_context():
        big = db.session.execute(
            sa.text(
                "SELECT jurisdiction_code, count(*) AS n FROM measures WHERE is_live "
                "GROUP BY jurisdiction_code ORDER BY n DESC, jurisdiction_code LIMIT 10"
            )
        ).all()
        record = one(
            "SELECT m.record_id FROM measures m JOIN records r ON r.id = m.record_id "
            "WHERE m.is_live AND r.key = 'us-eo-14028'"
        ) or one("SELECT min(record_id) FROM measures WHERE is_live")
        # the demo record most others point at (the generator's clones all amend it)
        target = one(
            "SELECT target_record_id FROM measure_relations GROUP BY target_record_id "
            "ORDER BY count(*) DESC, target_record_id LIMIT 1"
        )
        paper = one("SELECT min(record_id) FROM papers WHERE is_live")
        attribution = one("SELECT min(record_id) FROM attributions WHERE is_live")
    codes = [c for c, _n in big]
    top = codes[0]
    j3 = "&".join(f"j={c}" for c in codes[:3])
    j10 = "&".join(f"j={c}" for c in codes[:10])
    pages = [
        ("home", "/"),
        ("measures", "/measures/"),
        ("measures filtered", f"/measures/?jurisdiction={top}&norm=i&standing=in_force"),
        ("measure", f"/measures/{record}"),
        ("measure most related", f"/measures/{target}"),
        ("measure related list", f"/measures/{target}/related"),
        ("measure cite", f"/measures/{record}/cite.ris"),
        ("norms", "/norms/"),
        ("norm i", "/norms/i"),
        ("norm i page 3", "/norms/i?page=3"),
        ("jurisdictions", "/jurisdictions/"),
        (f"jurisdiction {top}", f"/jurisdictions/{top}"),
        (f"gaps {top}", f"/jurisdictions/{top}/gaps"),
        ("gaps", "/gaps"),
        ("compare form", "/compare"),
        ("compare 3", f"/compare?{j3}"),
        ("compare 10", f"/compare?{j10}"),
        ("search", "/search/?q=supply+chain"),
        ("search rare", "/search/?q=SBOM"),
        ("attributions", "/attributions/"),
        ("attributions states", "/attributions/states"),
        ("attributions norms", "/attributions/norms"),
        (f"attributions by {top}", f"/attributions/by-state/{top}"),
        ("attribution", f"/attributions/{attribution}"),
        ("papers", "/papers/"),
        ("paper", f"/papers/{paper}"),
        ("working groups", "/working-groups/"),
        ("changes", "/changes"),
        ("changes atom", "/changes.atom"),
        ("data", "/data/"),
        ("codebook", "/data/codebook.json"),
        ("api index", "/api/v1/"),
        ("api measures", "/api/v1/measures"),
        ("api measure", f"/api/v1/measures/{record}"),
        ("api norms", "/api/v1/norms"),
        ("api norm i", "/api/v1/norms/i"),
        ("api jurisdictions", "/api/v1/jurisdictions"),
        (f"api jurisdiction {top}", f"/api/v1/jurisdictions/{top}"),
        ("api attributions", "/api/v1/attributions"),
        ("api openapi", "/api/v1/openapi.json"),
        ("export csv", "/export/measures.csv"),
        ("export json", "/export/measures.json"),
        (f"export csv {top}", f"/export/measures.csv?jurisdiction={top}"),
        ("export attributions csv", "/export/attributions.csv"),
    ]
    # a database without a published paper or attribution has no such page to measure
    return [
        (label, path)
        for label, path in pages
        if not (label in ("paper", "attribution") and path.endswith("/None"))
    ]


def measure(app: Any, path: str, runs: int) -> dict[str, Any]:
    """Median and p95 latency, first byte, statements and size of ``runs`` requests of
    ``path``, and the time and statements of the first (its view ran; with the page cache on,
    the later ones are served the kept page). Like a web worker, it collects cyclic garbage
    after each request, never inside one, when the caller runs it inside
    ``gc_guard.between_requests`` (``pages`` does)."""
    from tracker import gc_guard
    from tracker.extensions import db

    counter = {"n": 0}

    def count(*_a: Any, **_k: Any) -> None:
        counter["n"] += 1

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    client = app.test_client()
    times, first, size, statements, status = [], [], 0, 0, 0
    cold_statements = 0
    try:
        for _ in range(runs):
            counter["n"] = 0
            t0 = time.perf_counter()
            response = client.get(path, buffered=False)
            it: Iterator[bytes] = iter(response.response)
            size = 0
            t_first = None
            for chunk in it:
                if t_first is None:
                    t_first = time.perf_counter() - t0
                size += len(chunk)
            response.close()
            times.append(time.perf_counter() - t0)
            first.append(t_first if t_first is not None else times[-1])
            statements, status = counter["n"], response.status_code
            if len(times) == 1:
                cold_statements = statements
            gc_guard.collect_if_due()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    cold = times[0]
    times.sort()
    return {
        "first_byte_cold": first[0],
        # the first request of this address in the process: its view ran (the page cache,
        # when on, serves the later ones)
        "cold": cold,
        "cold_statements": cold_statements,
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
        "first": statistics.median(first),
        "statements": statements,
        "bytes": size,
        "status": status,
    }


def pages(
    small_url: str,
    large_url: str,
    runs: int,
    only: list[str] | None = None,
    skip: list[str] | None = None,
    page_cache: bool = True,
    warm_workers: bool = True,
) -> list[dict[str, Any]]:
    """Measure each page on both databases. This process serves thousands of requests, as a
    web worker does, so it gets the web workers' guard on CPython 3.11 (tracker/gc_guard.py:
    a collection inside an allocation can corrupt the heap through SQLAlchemy's weakref
    callbacks; without the guard this segfaulted on the second page at 40,000 measures on
    PostgreSQL)."""
    from tracker import gc_guard

    small, large = make_app(small_url), make_app(large_url)
    results = []
    with gc_guard.between_requests():
        for app in (small, large):
            app.config["PAGE_CACHE"] = page_cache
            if page_cache and warm_workers:
                # as gunicorn.conf.py's post_worker_init does before a worker takes requests
                from tracker import pagecache

                pagecache.warm_worker(app)
                gc_guard.collect_if_due()
        pairs = zip(page_list(small), page_list(large), strict=True)
        for (label, path), (_l, large_path) in pairs:
            if only and not any(o in label for o in only):
                continue
            if skip and label in skip:
                continue
            a = measure(small, path, runs)
            b = measure(large, large_path, runs)
            results.append({"page": label, "small": a, "large": b, "path": large_path})
            print(_line(results[-1]), flush=True)
    return results


def warm(url: str, codes: list[str], letters: list[str]) -> dict[str, Any]:
    """Time ``pagecache.warm`` on the pages a publication touching ``codes`` and ``letters``
    changes (what its background task renders after the standings and the briefs)."""
    from tracker import gc_guard, pagecache

    app = make_app(url)
    app.config["PAGE_CACHE"] = True
    with gc_guard.between_requests(), app.app_context():
        paths = pagecache.pages_for(codes, letters)
        started = time.perf_counter()
        rendered = pagecache.warm("http://localhost/", paths)
        seconds = time.perf_counter() - started
    return {"pages": len(paths), "rendered": rendered, "seconds": round(seconds, 2)}


def cached_briefs(url: str, runs: int, wait: float = 600.0) -> list[dict[str, Any]]:
    """Median and p95 of ``runs`` downloads of each standard brief once it is cached (rendered
    first in the background if it is not: the first request answers 202 with a progress page,
    the bench polls until the PDF is there)."""
    from tracker import gc_guard

    app = make_app(url)
    app.config["REPORTS_JOB_MODE"] = "thread"
    app.config["REPORTS_INLINE_SECONDS"] = 0  # render in the background, poll for it
    with app.app_context():
        from tracker.extensions import db

        codes = [
            c
            for (c,) in db.session.execute(
                sa.text(
                    "SELECT jurisdiction_code FROM measures WHERE is_live AND jurisdiction_code"
                    " <> 'EU' GROUP BY jurisdiction_code ORDER BY count(*) DESC,"
                    " jurisdiction_code LIMIT 3"
                )
            )
        ]
    briefs = [
        (f"jurisdiction {codes[0]}", f"/jurisdictions/{codes[0]}/brief.pdf"),
        ("norm i", "/norms/i/brief.pdf"),
        ("compare 3", "/compare.pdf?" + "&".join(f"j={c}" for c in codes)),
    ]
    client = app.test_client()
    results = []
    with gc_guard.between_requests():
        for label, path in briefs:
            started = time.perf_counter()
            response = client.get(path)
            while response.status_code != 200 and time.perf_counter() - started < wait:
                time.sleep(2)
                response = client.get(path)
            if response.status_code != 200:
                results.append({"brief": label, "status": response.status_code})
                continue
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                response = client.get(path)
                size = len(response.get_data())
                times.append(time.perf_counter() - t0)
                gc_guard.collect_if_due()
            times.sort()
            results.append(
                {
                    "brief": label,
                    "status": response.status_code,
                    "bytes": size,
                    "median_ms": round(statistics.median(times) * 1000, 1),
                    "p95_ms": round(times[int(round(0.95 * (len(times) - 1)))] * 1000, 1),
                }
            )
            print(json.dumps(results[-1]), flush=True)
    return results


def _fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def _line(r: dict[str, Any]) -> str:
    a, b = r["small"], r["large"]
    ratio = b["median"] / a["median"] if a["median"] else float("nan")
    extra = ""
    if r["page"].startswith("export"):
        extra = (
            f" first byte median {_fmt_ms(a['first'])} / {_fmt_ms(b['first'])} ms,"
            f" first request {_fmt_ms(a['first_byte_cold'])} / {_fmt_ms(b['first_byte_cold'])} ms"
        )
    cold = b["cold"] / a["cold"] if a["cold"] else float("nan")
    return (
        f"| {r['page']} | {_fmt_ms(a['median'])} / {_fmt_ms(a['p95'])} / {_fmt_ms(a['cold'])} | "
        f"{a['cold_statements']} / {a['statements']} | {a['bytes'] / 1024:.0f} | "
        f"{_fmt_ms(b['median'])} / {_fmt_ms(b['p95'])} / {_fmt_ms(b['cold'])} | "
        f"{b['cold_statements']} / {b['statements']} | {b['bytes'] / 1024:.0f} | "
        f"{ratio:.1f}x | {cold:.1f}x |{extra}"
        + ("" if a["status"] == b["status"] == 200 else f" status {a['status']}/{b['status']}")
    )


HEADER = (
    "| page | small median / p95 / first ms | stmts first / last | KiB "
    "| large median / p95 / first ms | stmts first / last | KiB "
    "| large/small median | large/small first |\n|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="build a large database")
    g.add_argument("--measures", type=int, default=40000)
    g.add_argument("--jurisdictions", type=int, default=200)
    g.add_argument("--database-url", required=True)
    g.add_argument("--batch", type=int, default=2000)
    p = sub.add_parser("pages", help="page latency, statements and size, small vs large")
    p.add_argument("--small-url", required=True)
    p.add_argument("--large-url", required=True)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--only", nargs="*", help="only the pages whose label contains one of these")
    p.add_argument("--skip", nargs="*", help="leave out the pages with these labels")
    p.add_argument(
        "--cold-workers",
        action="store_true",
        help="skip the worker warm-up of gunicorn.conf.py (post_worker_init)",
    )
    p.add_argument(
        "--no-page-cache",
        action="store_true",
        help="run every page's view on every request (no kept pages: tracker/pagecache.py)",
    )
    w = sub.add_parser("publish", help="publish latency through HTTP (on a COPY: it writes)")
    w.add_argument("--database-url", required=True)
    w.add_argument("--runs", type=int, default=3)
    r = sub.add_parser("warm", help="render the pages a publication changes, as its task does")
    r.add_argument("--database-url", required=True)
    r.add_argument("--codes", nargs="*", default=["US"])
    r.add_argument("--letters", nargs="*", default=["i", "j"])
    c = sub.add_parser("cached-briefs", help="cached standard briefs (renders them first)")
    c.add_argument("--database-url", required=True)
    c.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    if args.command == "cached-briefs":
        cached_briefs(args.database_url, args.runs)
    elif args.command == "warm":
        print(json.dumps(warm(args.database_url, args.codes, args.letters)))
    elif args.command == "generate":
        print(
            json.dumps(generate(args.database_url, args.measures, args.jurisdictions, args.batch))
        )
    elif args.command == "publish":
        from bench.publish import publish

        print(json.dumps(publish(args.database_url, args.runs)))
    else:
        print(HEADER)
        results = pages(
            args.small_url,
            args.large_url,
            args.runs,
            args.only,
            args.skip,
            page_cache=not args.no_page_cache,
            warm_workers=not args.cold_workers,
        )
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
