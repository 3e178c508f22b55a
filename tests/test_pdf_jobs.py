"""Background rendering: a progress page that works without JavaScript, one job per brief,
RQ on Redis when configured, and pre-rendering of the standard briefs a publication affects."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.pdf_helpers import pdf_text
from tracker.accounts.permissions import public
from tracker.extensions import db
from tracker.reports import jobs
from tracker.reports.params import ReportParams
from tracker.review import workflow


@pytest.mark.slow
def test_long_brief_renders_in_the_background_with_a_progress_page(
    reports,
    render_counter,
    client,
    make_measure,
) -> None:
    make_measure(jurisdiction_code="BR", short_name="Background measure")
    reports.config["REPORTS_INLINE_SECONDS"] = 0  # every brief counts as long
    renders = render_counter.count
    first = client.get("/jurisdictions/BR/brief.pdf")
    assert first.status_code == 202
    page = first.get_data(as_text=True)
    assert "Preparing the brief" in page and "the PDF opens here when it is ready" in page
    # reload about when the brief should be ready (the estimate), at least every 5 seconds
    refresh = first.headers["Refresh"]
    assert refresh.isdigit() and 1 <= int(refresh) <= 5
    assert f'<meta http-equiv="refresh" content="{refresh}">' in page
    assert render_counter.count == renders  # the request did not render

    again = client.get("/jurisdictions/BR/brief.pdf")
    assert again.status_code == 202
    executor = jobs.executor(reports)
    assert len(executor.pending) == 1  # one job per brief, however often the page reloads

    assert executor.drain() == 1 and render_counter.count == renders + 1
    done = client.get("/jurisdictions/BR/brief.pdf")
    assert done.status_code == 200 and "Background measure" in pdf_text(done.data)


def test_failed_background_job_shows_the_reason(reports, client, make_measure) -> None:
    make_measure(jurisdiction_code="BR", short_name="Failing measure")
    reports.config["REPORTS_INLINE_SECONDS"] = 0
    reports.config["REPORTS_RENDER_TIMEOUT"] = 0.01
    assert client.get("/jurisdictions/BR/brief.pdf").status_code == 202
    jobs.executor(reports).drain()
    failed = client.get("/jurisdictions/BR/brief.pdf")
    assert failed.status_code == 503
    assert "took longer than 0.01 seconds" in failed.get_data(as_text=True)


@pytest.mark.slow
def test_rq_on_redis_renders_and_caches_in_redis(reports, client, make_measure) -> None:
    from redis import Redis
    from rq import Queue, SimpleWorker

    url = "redis://127.0.0.1:6379/14"
    prefix = f"test:reports:{uuid.uuid4().hex}:"
    queue_name = f"test-reports-{uuid.uuid4().hex}"
    reports.config.update(
        REDIS_URL=url,
        REPORTS_REDIS_PREFIX=prefix,
        REPORTS_QUEUE=queue_name,
        REPORTS_JOB_MODE="auto",
        REPORTS_INLINE_SECONDS=0,
    )
    reports.extensions.pop("reports_store", None)
    reports.extensions.pop("reports_executor", None)
    redis = Redis.from_url(url)
    make_measure(jurisdiction_code="BR", short_name="Queued measure")
    try:
        assert client.get("/jurisdictions/BR/brief.pdf").status_code == 202
        queue = Queue(queue_name, connection=redis)
        assert queue.count == 1
        assert client.get("/jurisdictions/BR/brief.pdf").status_code == 202
        assert queue.count == 1
        with reports.app_context():
            SimpleWorker([queue], connection=redis).work(burst=True)
        done = client.get("/jurisdictions/BR/brief.pdf")
        assert done.status_code == 200 and "Queued measure" in pdf_text(done.data)
        assert any(
            k.startswith((prefix + "pdf:").encode()) for k in redis.scan_iter(match=prefix + "*")
        )
    finally:
        for key in redis.scan_iter(match=prefix + "*"):
            redis.delete(key)
        Queue(queue_name, connection=redis).delete(delete_jobs=True)


def _publish_view():
    """A stand-in for the editing views (another branch): republish one measure."""
    from flask import request

    from tracker.measures.models import Measure
    from tracker.records import services as records

    measure = db.session.get(Measure, int(request.args["id"]))
    copy = records.editable_copy(measure.record)
    copy.description = "Edited in a test."
    workflow.publish_unreviewed(measure.record)
    db.session.commit()
    return "ok"


def _live_id(key: str) -> int:
    from tracker.measures.models import Measure
    from tracker.records.models import Record

    return db.session.scalar(
        sa.select(Measure.id)
        .join(Record, Record.id == Measure.record_id)
        .where(Record.key == key, Measure.is_live)
    )


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("fr-cvd-l2321-4", {("jurisdiction", "FR"), ("norm", "j")}),
        # an EU measure changes the EU brief and those of members with measures of their own
        (
            "eu-5g-toolbox",
            {
                ("jurisdiction", "EU"),
                ("jurisdiction", "DE"),
                ("jurisdiction", "FR"),
                ("jurisdiction", "NL"),
                ("norm", "g"),
                ("norm", "i"),
            },
        ),
    ],
)
def test_publishing_queues_exactly_the_affected_standard_briefs(reports, key, expected) -> None:
    reports.config["REPORTS_PRERENDER"] = True
    reports.add_url_rule("/_test/publish", "test_publish", public(_publish_view))
    with reports.app_context():
        measure_id = _live_id(key)
    client = reports.test_client()
    assert client.get(f"/_test/publish?id={measure_id}").data == b"ok"
    # The request only hands over what it touched; the background task finds the briefs.
    executor = jobs.executor(reports)
    assert executor.pending == [] and len(executor.tasks) == 1
    assert executor.run_tasks() == 1
    queued = {
        (spec.params.kind, spec.params.subject)
        for spec, _key, _html in jobs.executor(reports).pending
    }
    assert queued == expected
    assert all(
        spec.params
        == ReportParams(
            kind=spec.params.kind,
            subject=spec.params.subject,
            jurisdictions=spec.params.jurisdictions,
            norms=spec.params.norms,
        )
        for spec, _k, _h in jobs.executor(reports).pending
    )


def test_no_prerender_when_switched_off(reports) -> None:
    reports.config["REPORTS_PRERENDER"] = False  # (also the default for test apps)
    reports.add_url_rule("/_test/publish", "test_publish", public(_publish_view))
    with reports.app_context():
        measure_id = _live_id("fr-cvd-l2321-4")
    assert reports.test_client().get(f"/_test/publish?id={measure_id}").data == b"ok"
    assert jobs.executor(reports).pending == [] and jobs.executor(reports).tasks == []


def test_job_spec_round_trips_through_json(app_ctx) -> None:
    import datetime as dt
    import json

    spec = jobs.JobSpec(
        ReportParams(
            jurisdictions=("DE", "FR"), topics=("sbom",), as_of=dt.date(2024, 12, 31), annex=True
        ),
        drafts=True,
    )
    assert jobs.JobSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_renders_are_rate_limited_per_address(reports, client) -> None:
    reports.config["REPORTS_RENDER_RATE"] = "2/minute"
    reports.config["REPORTS_INLINE_SECONDS"] = 0  # queue instead of rendering: no render cost here
    assert client.get("/compare.pdf?j=DE&j=FR").status_code == 202
    assert client.get("/compare.pdf?j=DE&j=US").status_code == 202
    limited = client.get("/compare.pdf?j=FR&j=US")
    assert limited.status_code == 429 and "Too many attempts" in limited.get_data(as_text=True)


def test_an_app_built_with_rate_limits_off_leaves_them_on_for_the_next(tmp_path) -> None:
    from tests.conftest import make_app
    from tracker.extensions import limiter

    make_app(f"sqlite:///{tmp_path}/off.db", RATELIMIT_ENABLED=False)
    assert limiter.enabled is False
    make_app(f"sqlite:///{tmp_path}/on.db")
    assert limiter.enabled is True
