"""Comparison reports and PDF briefs: /compare, /compare.pdf, the jurisdiction and norm briefs.

Data first (queries.py builds dataclasses), then one template set renders the page, the
HTML preview and the PDF (pdf.py, sandboxed by sandbox.py, fetching only static files
through fetcher.py). PDFs are cached by (parameters, data version) in cache.py; long
renders and the standard briefs after a publication run as jobs (jobs.py).
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

#: TRACKER_REPORTS_* settings and their defaults.
DEFAULTS: dict[str, Any] = {
    # a brief estimated to take longer than this many seconds renders in the background
    "REPORTS_INLINE_SECONDS": 2.0,
    # time limits for one render: while a request waits, and in a background job
    "REPORTS_INLINE_TIMEOUT": 20,
    "REPORTS_RENDER_TIMEOUT": 120,
    # address-space limit of a render child (MiB); CJK fonts alone map ~300 MiB
    "REPORTS_RENDER_MEMORY_MB": 2048,
    # renders one web process runs while their requests wait; an uncached brief beyond
    # this goes to the background queue (progress page), so renders in flight - and
    # their memory - stay bounded by processes x this, not by request threads
    "REPORTS_INLINE_CONCURRENCY": 1,
    # render threads in embedded mode (each waits for one child process)
    "REPORTS_WORKERS": 2,
    # "auto" (RQ when TRACKER_REDIS_URL is set, else threads), "thread" or "rq"; tests install
    # their own executor with jobs.use_executor
    "REPORTS_JOB_MODE": "auto",
    "REPORTS_QUEUE": "tracker-reports",
    # re-render the standard briefs a publication affects
    "REPORTS_PRERENDER": True,
    # filesystem cache folder (default: <instance>/reports); Redis key prefix and expiry
    "REPORTS_CACHE_DIR": None,
    "REPORTS_REDIS_PREFIX": "tracker:reports:",
    "REPORTS_CACHE_TTL": 7 * 24 * 3600,
    # uncached renders one address may start (flask-limiter syntax); cached downloads are free
    "REPORTS_RENDER_RATE": "30/minute;300/day",
    # seconds between reloads of the progress page
    "REPORTS_PROGRESS_REFRESH": 3,
}

reports_cli = AppGroup(
    "reports", help="PDF briefs: pre-render, clear the cache, run the job worker."
)


@reports_cli.command("prerender")
def prerender_command() -> None:
    """Render the standard briefs (every jurisdiction with measures, every norm) now."""
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.measures.models import Measure
    from tracker.records.queries import visible
    from tracker.reports import jobs
    from tracker.reports.params import standard_briefs

    codes = sorted(
        set(
            db.session.scalars(
                visible(Measure).with_only_columns(Measure.jurisdiction_code).distinct()
            )
        )
    )
    letters = sorted(set(db.session.scalars(sa.text("SELECT letter FROM norms"))))
    for p in standard_briefs(codes, letters):
        spec = jobs.JobSpec(p)
        key, html = jobs.prepare(spec)
        if html is None:
            click.echo(f"{p.kind} {p.subject}: cached")
            continue
        jobs.render_and_store(spec, key, html, background=True)
        click.echo(f"{p.kind} {p.subject}: rendered")


@reports_cli.command("clear-cache")
def clear_cache_command() -> None:
    """Remove every cached brief and job state."""
    from tracker.reports import cache

    cache.store().clear()
    click.echo("Report cache cleared.")


@reports_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run the RQ worker for background briefs (needs TRACKER_REDIS_URL)."""
    from flask import current_app
    from redis import Redis
    from rq import Queue, SimpleWorker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "TRACKER_REDIS_URL is not set: in embedded mode the web process renders briefs itself."
        )
    from tracker import gc_guard

    class Worker(SimpleWorker):
        """Jobs load ORM objects as requests do: on CPython 3.11 cyclic garbage is collected
        between jobs, never inside an allocation (tracker/gc_guard.py)."""

        def execute_job(self, job: Any, queue: Any) -> None:
            try:
                super().execute_job(job, queue)
            finally:
                gc_guard.collect_if_due()

    connection = Redis.from_url(url)
    gc_guard.install()
    # SimpleWorker runs jobs in this process, inside this app context; each render still
    # happens in its own sandboxed child (tracker.reports.sandbox).
    Worker(
        [Queue(current_app.config["REPORTS_QUEUE"], connection=connection)], connection=connection
    ).work(burst=burst)


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    from tracker.reports import jobs

    jobs.init_app(app)
    app.cli.add_command(reports_cli)
