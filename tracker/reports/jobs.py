"""Background rendering: briefs too long to render while a request waits, and the
standard briefs re-rendered after each publication.

Jobs run on RQ (queue ``tracker-reports``, worker: ``flask --app tracker reports worker``)
when TRACKER_REDIS_URL is set, else on a small thread pool inside the web process
(``REPORTS_WORKERS`` threads; each thread only waits for its sandboxed render child).
A job's state (queued / running / failed) sits in the cache store, so any web process
can show its progress; one job per key runs at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.reports import cache, sandbox, speed
from tracker.reports.params import ReportParams, standard_briefs

log = logging.getLogger("tracker.reports.jobs")

QUEUE = "tracker-reports"
FAILED_TTL = 600


@dataclass(frozen=True)
class JobSpec:
    params: ReportParams
    drafts: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self.params)
        data["as_of"] = self.params.as_of.isoformat() if self.params.as_of else None
        return {"params": data, "drafts": self.drafts}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobSpec:
        p = dict(data["params"])
        p["as_of"] = dt.date.fromisoformat(p["as_of"]) if p.get("as_of") else None
        for name in ("jurisdictions", "norms", "topics"):
            p[name] = tuple(p[name])
        return cls(ReportParams(**p), bool(data.get("drafts")))

    @property
    def group(self) -> str:
        return ("draft-" if self.drafts else "") + self.params.digest()


def limits(app: Flask, *, background: bool) -> sandbox.Limits:
    timeout = app.config["REPORTS_RENDER_TIMEOUT" if background else "REPORTS_INLINE_TIMEOUT"]
    return sandbox.Limits(
        timeout=float(timeout), memory_mb=int(app.config["REPORTS_RENDER_MEMORY_MB"])
    )


_slots_lock = threading.Lock()


def inline_slots(app: Flask) -> threading.BoundedSemaphore:
    """This process's slots for renders that a request waits for (REPORTS_INLINE_CONCURRENCY)."""
    with _slots_lock:
        slots = app.extensions.get("reports_inline_slots")
        if slots is None:
            slots = threading.BoundedSemaphore(
                max(1, int(app.config["REPORTS_INLINE_CONCURRENCY"]))
            )
            app.extensions["reports_inline_slots"] = slots
        return slots


def draft_key(html: str) -> str:
    return "d" + hashlib.sha256(html.encode()).hexdigest()


def prepare(spec: JobSpec) -> tuple[str, str | None]:
    """(key, html) for a brief; html is None when the PDF is already cached."""
    from tracker.reports.pdf import render_html
    from tracker.reports.queries import build_report, data_version

    store = cache.store()
    if spec.drafts:
        html = render_html(build_report(spec.params, include_drafts=True))
        key = draft_key(html)
        return key, None if store.get_pdf(spec.group, key) else html
    version = data_version(spec.params)
    if store.get_pdf(spec.group, version.digest):
        return version.digest, None
    return version.digest, render_html(build_report(spec.params, version=version))


def render_and_store(spec: JobSpec, key: str, html: str, *, background: bool) -> bytes:
    """Render in the sandbox and cache the PDF; a failure is recorded for the progress page."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    store = cache.store()
    lim = limits(app, background=background)
    estimate = (store.get_state(key) or {}).get("estimate")
    store.set_state(
        key,
        {"state": "running", "started": time.time(), "estimate": estimate},
        ttl=int(lim.timeout) + 60,
    )
    assert app.static_folder is not None
    began = time.perf_counter()
    try:
        data = sandbox.render(html, app.static_folder, lim, spec.params.variant)
        speed.record(store, html, time.perf_counter() - began)
    except sandbox.RenderError as exc:
        store.set_state(
            key, {"state": "failed", "message": str(exc), "at": time.time()}, ttl=FAILED_TTL
        )
        raise
    store.put_pdf(spec.group, key, data)
    store.clear_state(key)
    return data


def run(spec: JobSpec, key: str | None = None, html: str | None = None) -> None:
    """One job, in an app context: render the brief unless it is cached already."""
    if html is None or key is None:
        fresh_key, html = prepare(spec)
        if key and key != fresh_key:
            cache.store().clear_state(key)  # the data changed since the job was queued
        key = fresh_key
    if html is None:
        cache.store().clear_state(key)
        return
    try:
        render_and_store(spec, key, html, background=True)
    except sandbox.RenderError as exc:
        log.error("background brief %s failed: %s", spec.params.canonical(), exc)


# --------------------------------------------------------------------------- executors


class ThreadExecutor:
    def __init__(self, app: Flask):
        self.app = app
        self.pool = ThreadPoolExecutor(
            max_workers=int(app.config["REPORTS_WORKERS"]), thread_name_prefix="brief"
        )

    def submit(self, spec: JobSpec, key: str, html: str | None) -> None:
        self.pool.submit(self._run, spec, key, html)

    def submit_task(self, seeds: list[dict[str, Any]]) -> None:
        self.pool.submit(self._run_task, seeds)

    def _run_task(self, seeds: list[dict[str, Any]]) -> None:
        with self.app.app_context():
            try:
                prerender(seeds)
            except Exception:
                log.exception("pre-render task crashed")

    def _run(self, spec: JobSpec, key: str, html: str | None) -> None:
        with self.app.app_context():
            try:
                run(spec, key, html)
            except Exception:
                log.exception("brief job crashed")
                cache.store().set_state(
                    key,
                    {"state": "failed", "message": "an internal error", "at": time.time()},
                    ttl=FAILED_TTL,
                )


class RQExecutor:
    def __init__(self, app: Flask):
        from redis import Redis
        from rq import Queue

        self.app = app
        self.queue = Queue(
            app.config["REPORTS_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"])
        )

    def submit(self, spec: JobSpec, key: str, html: str | None) -> None:
        timeout = int(self.app.config["REPORTS_RENDER_TIMEOUT"]) + 120
        self.queue.enqueue(
            "tracker.reports.jobs.rq_run",
            spec.to_dict(),
            key,
            job_timeout=timeout,
            result_ttl=60,
            failure_ttl=3600,
        )

    def submit_task(self, seeds: list[dict[str, Any]]) -> None:
        self.queue.enqueue("tracker.reports.jobs.prerender", seeds, result_ttl=60)


class Executor(Protocol):
    """Runs ``run(spec, key, html)`` for a queued brief, somewhere, some time."""

    def submit(self, spec: JobSpec, key: str, html: str | None) -> None: ...

    def submit_task(self, seeds: list[dict[str, Any]]) -> None: ...


def use_executor(app: Flask, executor: Executor) -> None:
    """Run this app's background renders with ``executor`` instead of the one
    REPORTS_JOB_MODE names (the test suite installs one that runs jobs on demand)."""
    app.extensions["reports_executor"] = executor


def executor(app: Flask | None = None) -> Any:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    existing = app.extensions.get("reports_executor")
    if existing is None:
        mode = app.config["REPORTS_JOB_MODE"]
        if mode == "auto":
            mode = "rq" if app.config.get("REDIS_URL") else "thread"
        if mode not in ("rq", "thread"):
            raise ValueError(f"REPORTS_JOB_MODE is {mode!r}: use auto, thread or rq")
        created: Executor = RQExecutor(app) if mode == "rq" else ThreadExecutor(app)
        use_executor(app, created)
        return created
    return existing


def submit(
    spec: JobSpec, key: str, html: str | None = None, *, estimate: float | None = None
) -> bool:
    """Queue a render unless one for this key is queued, running or recently failed."""
    state = {"state": "queued", "queued": time.time(), "estimate": estimate}
    ttl = int(current_app.config["REPORTS_RENDER_TIMEOUT"]) * 3 + 60
    if not cache.store().claim(key, state, ttl):
        return False
    executor().submit(spec, key, html)
    return True


def rq_run(spec: dict[str, Any], key: str | None = None) -> None:
    """RQ entry point; runs inside ``flask reports worker`` (which holds the app context)."""
    run(JobSpec.from_dict(spec), key)


# --------------------------------------------------------------------------- pre-rendering


def change_seed(content: Any, previous: dict[str, Any] | None) -> dict[str, Any]:
    """What a publication touched, read from the objects in memory (no query): the
    jurisdictions and norms of the copy and of the copy it replaced, or the paper."""
    from tracker.papers.models import Paper

    if isinstance(content, Paper) and content.is_live:
        return {"paper": content.record_id, "codes": [], "letters": []}
    codes: set[str] = set()
    letters: set[str] = set()
    if content is not None and hasattr(content, "jurisdiction_code"):
        codes.add(content.jurisdiction_code)
        letters.update(m.norm.letter for m in content.mappings if m.norm is not None)
    if previous:
        if previous.get("jurisdiction_code"):
            codes.add(previous["jurisdiction_code"])
        letters.update(m["norm"] for m in previous.get("mappings", []) if m.get("norm"))
    return {"paper": None, "codes": sorted(codes), "letters": sorted(letters)}


def briefs_for(seed: dict[str, Any]) -> list[ReportParams]:
    """The standard briefs a change (its ``change_seed``) can change; runs in the background."""
    from tracker.jurisdictions.models import Jurisdiction, JurisdictionKind
    from tracker.measures.models import Measure
    from tracker.records.queries import visible

    if seed.get("paper") is not None:
        # A published paper's brief: rendered now, so the first reader gets it from the cache.
        return [ReportParams(kind="paper", subject=str(seed["paper"]), norms=())]
    codes: set[str] = set(seed.get("codes", ()))
    letters: set[str] = set(seed.get("letters", ()))
    if not codes and not letters:
        return []
    orgs = list(
        db.session.scalars(
            sa.select(Jurisdiction.code).where(
                Jurisdiction.code.in_(codes), Jurisdiction.kind == JurisdictionKind.REGIONAL_ORG
            )
        )
    )
    if orgs:
        # Members' briefs show the organisation's measures "via EU": those with measures of their
        # own.
        from tracker.jurisdictions.models import Membership

        members = sa.select(Membership.member_code).where(Membership.org_code.in_(orgs))
        own = (
            visible(Measure)
            .where(Measure.jurisdiction_code.in_(members))
            .with_only_columns(Measure.jurisdiction_code)
            .distinct()
        )
        codes.update(db.session.scalars(own))
    return standard_briefs(sorted(codes), sorted(letters))


def affected_briefs(content: Any, previous: dict[str, Any] | None) -> list[ReportParams]:
    """The standard briefs a publication (or withdrawal) can change."""
    return briefs_for(change_seed(content, previous))


def prerender(seeds: list[dict[str, Any]]) -> int:
    """Background task after a publication: keep the public standings of the new data
    version (so the next start page, jurisdiction page or comparison does not compute them),
    then queue the affected standard briefs not cached yet."""
    from tracker.measures import standings
    from tracker.reports.queries import data_version

    standings.warm()

    store = cache.store()
    wanted: dict[str, ReportParams] = {}
    for seed in seeds:
        wanted.update((p.canonical(), p) for p in briefs_for(seed))
    queued = 0
    for p in wanted.values():
        spec = JobSpec(p)
        key = data_version(p).digest
        if store.get_pdf(spec.group, key) is None and submit(spec, key):
            queued += 1
    log.info("queued %d standard briefs after a publication", queued)
    _warm_pages(seeds)
    return queued


def _warm_pages(seeds: list[dict[str, Any]]) -> None:
    """Render the public pages the publication changed (tracker.pagecache), at the address
    of the request that published."""
    from tracker import pagecache

    base_url = next((s["base_url"] for s in seeds if s.get("base_url")), None)
    if base_url is None:
        return
    codes = sorted({c for s in seeds for c in s.get("codes", ())})
    letters = sorted({n for s in seeds for n in s.get("letters", ())})
    rendered = pagecache.warm(base_url, pagecache.pages_for(codes, letters))
    log.info("rendered %d public pages after a publication", rendered)


def on_record_changed(sender: Any, content: Any = None, previous: Any = None, **_: Any) -> None:
    """Signal receiver (inside the publishing transaction): note the briefs it affects."""
    try:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    except RuntimeError:
        return
    if not app.config["REPORTS_PRERENDER"] or not has_request_context():
        # Outside requests (CLI imports) `flask reports prerender` renders the standard briefs.
        return
    db.session.info.setdefault("reports_prerender", []).append(change_seed(content, previous))


def _after_commit(session: Session) -> None:
    pending = session.info.pop("reports_prerender", None)
    if pending and has_request_context():
        g.setdefault("reports_prerender", []).extend(pending)


def _after_rollback(session: Session) -> None:
    session.info.pop("reports_prerender", None)


def flush_prerender(response: Any = None) -> Any:
    """After a request that published something: hand what it touched to one background
    task, which works out the affected briefs and queues them (the request returns at once)."""
    pending = g.pop("reports_prerender", None)
    if pending:
        # the address readers use, to render the changed public pages at (tracker.pagecache)
        executor().submit_task([dict(seed, base_url=request.host_url) for seed in pending])
    return response


def init_app(app: Flask) -> None:
    from tracker.records import signals, stamps

    for signal in (
        signals.record_published,
        signals.record_withdrawn,
        signals.record_deleted,
        signals.record_undeleted,
    ):
        signal.connect(stamps.on_record_changed)
        signal.connect(on_record_changed)
    app.after_request(flush_prerender)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    _after_rollback(session)
