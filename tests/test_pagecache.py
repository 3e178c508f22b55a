"""Public pages kept per data version (tracker.pagecache): served again only while the
site's stamp, the day and the address are the same, never to or from a signed-in reader."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from tracker import pagecache
from tracker.extensions import db
from tracker.records import stamps
from tracker.records.models import Record, RecordKind
from tracker.review import workflow


@pytest.fixture
def kept_app(app: Any) -> Any:
    """The test app with the page cache on (it is off by default under TESTING)."""
    app.config["PAGE_CACHE"] = True
    pagecache.clear(app)
    return app


def _get(client: Any, path: str, **kwargs: Any) -> Any:
    response = client.get(path, **kwargs)
    return response, response.headers.get("X-Page-Cache")


def test_second_anonymous_request_is_served_from_the_kept_page(kept_app) -> None:
    client = kept_app.test_client()
    first, state = _get(client, "/measures/")
    assert (first.status_code, state) == (200, "miss")
    second, state = _get(client, "/measures/")
    assert (second.status_code, state) == (200, "hit")
    assert second.data == first.data
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["ETag"] == first.headers["ETag"]
    # the security headers are set on a kept page too
    assert "Content-Security-Policy" in second.headers


def test_a_browser_revalidates_with_the_etag(kept_app) -> None:
    client = kept_app.test_client()
    first, _ = _get(client, "/norms/")
    again = client.get("/norms/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_each_address_and_query_is_kept_apart(kept_app) -> None:
    client = kept_app.test_client()
    _get(client, "/measures/")
    other, state = _get(client, "/measures/?jurisdiction=US")
    assert state == "miss"
    assert other.data != client.get("/measures/").data


def test_publishing_a_measure_shows_on_the_next_request(kept_app, make_measure) -> None:
    client = kept_app.test_client()
    before, _ = _get(client, "/measures/?jurisdiction=DE")
    assert _get(client, "/measures/?jurisdiction=DE")[1] == "hit"
    make_measure(title_original="Kept-page test act")
    after, state = _get(client, "/measures/?jurisdiction=DE")
    assert state == "miss"
    assert b"Kept-page test act" in after.data
    assert b"Kept-page test act" not in before.data


def test_withdrawing_a_measure_takes_it_off_the_kept_pages(kept_app, make_measure) -> None:
    client = kept_app.test_client()
    measure = make_measure(title_original="Soon withdrawn act")
    page, _ = _get(client, f"/measures/{measure.record_id}")
    assert page.status_code == 200
    api, _ = _get(client, f"/api/v1/measures/{measure.record_id}")
    assert api.status_code == 200
    with kept_app.app_context():
        workflow.withdraw_unreviewed(db.session.get(Record, measure.record_id))
        db.session.commit()
    assert client.get(f"/measures/{measure.record_id}").status_code == 404
    assert client.get(f"/api/v1/measures/{measure.record_id}").status_code == 404
    assert b"Soon withdrawn act" not in client.get("/measures/?jurisdiction=DE").data


def test_withdrawing_an_attribution_moves_the_site_stamp_only(kept_app) -> None:
    """Attributions are no measures: the briefs' and standings' stamps stay, the pages'
    moves, and the kept attribution pages are not served again."""
    client = kept_app.test_client()
    with kept_app.app_context():
        record_id = db.session.scalar(
            sa.select(Record.id)
            .where(Record.kind == RecordKind.ATTRIBUTION, Record.published_at.is_not(None))
            .order_by(Record.id)
        )
    assert record_id is not None
    assert _get(client, f"/attributions/{record_id}")[0].status_code == 200
    assert _get(client, f"/attributions/{record_id}")[1] == "hit"
    with kept_app.test_request_context():
        before = dict(stamps.read([stamps.GLOBAL, stamps.SITE]))
        workflow.withdraw_unreviewed(db.session.get(Record, record_id))
        db.session.commit()
        after = dict(stamps.read([stamps.GLOBAL, stamps.SITE]))
    assert after[stamps.GLOBAL] == before[stamps.GLOBAL]
    assert after[stamps.SITE][0] == before[stamps.SITE][0] + 1
    assert client.get(f"/attributions/{record_id}").status_code == 404


def test_signed_in_staff_get_the_view_and_their_pages_are_not_kept(
    kept_app, make_measure, login
) -> None:
    draft = make_measure(published=False, title_original="Unpublished draft act")
    staff = kept_app.test_client()
    login(staff, "editor")
    page, state = _get(staff, "/measures/?jurisdiction=DE&drafts=1")
    assert state is None
    assert b"Unpublished draft act" in page.data
    assert page.headers["Cache-Control"] == "no-store"
    # the same address for the public: rendered for the public, never the staff's page
    public = kept_app.test_client()
    page, state = _get(public, "/measures/?jurisdiction=DE&drafts=1")
    assert state == "miss"
    assert b"Unpublished draft act" not in page.data
    # and staff are not served the public's kept page either
    page, state = _get(staff, "/measures/?jurisdiction=DE&drafts=1")
    assert state is None
    assert b"Unpublished draft act" in page.data
    assert kept_app.test_client().get(f"/measures/{draft.record_id}").status_code == 404


def test_a_response_that_wrote_the_session_is_not_kept(kept_app) -> None:
    with kept_app.test_request_context("/norms/"):
        from flask import Response, g, session

        g.page_key = "k"
        session["csrf_token"] = "a token for this reader only"
        pagecache.keep(Response("<p>form</p>", mimetype="text/html"))
    assert len(pagecache.kept(kept_app)) == 0


def test_errors_streams_and_other_types_are_not_kept(kept_app) -> None:
    client = kept_app.test_client()
    missing, state = _get(client, "/measures/999999")
    assert (missing.status_code, state) == (404, None)
    export = client.get("/export/measures.csv")
    assert export.status_code == 200
    assert "X-Page-Cache" not in export.headers
    with kept_app.test_request_context("/norms/"):
        from flask import Response, g

        g.page_key = "k"
        pagecache.keep(Response(b"%PDF-1.7", mimetype="application/pdf"))
        pagecache.keep(Response(iter([b"a", b"b"]), mimetype="text/html"))
    assert len(pagecache.kept(kept_app)) == 0


def test_a_new_day_renders_the_page_again(kept_app, monkeypatch) -> None:
    from tracker.measures import lifecycle

    client = kept_app.test_client()
    _get(client, "/")
    assert _get(client, "/")[1] == "hit"
    tomorrow = lifecycle.today() + dt.timedelta(days=1)
    monkeypatch.setattr(lifecycle, "today", lambda: tomorrow)
    assert _get(client, "/")[1] == "miss"


def test_kept_pages_expire(kept_app, monkeypatch) -> None:
    client = kept_app.test_client()
    _get(client, "/norms/")
    assert _get(client, "/norms/")[1] == "hit"
    kept_app.config["PAGE_CACHE_SECONDS"] = 0
    clock = pagecache.time.time() + 5
    monkeypatch.setattr(pagecache.time, "time", lambda: clock)
    assert _get(client, "/norms/")[1] == "miss"


def test_loading_reference_data_moves_the_site_stamp(kept_app) -> None:
    runner = kept_app.test_cli_runner()
    with kept_app.test_request_context():
        before = stamps.site_stamp()[0]
    result = runner.invoke(args=["norms", "load"])
    assert result.exit_code == 0, result.output
    with kept_app.test_request_context():
        assert stamps.site_stamp()[0] == before + 1


def test_the_process_keeps_a_bounded_number_of_bytes() -> None:
    kept = pagecache.Kept(max_bytes=1000)
    page = pagecache.Page(headers=(), body=b"x" * 200, etag="e", at=0.0)
    for n in range(10):
        kept.put(str(n), page)
    assert kept.size <= 1000
    assert kept.get("0") is None and kept.get("9") is page
    kept.put("big", pagecache.Page(headers=(), body=b"x" * 600, etag="e", at=0.0))
    assert kept.get("big") is None  # over a quarter of the budget: never kept


def test_pages_are_shared_between_workers_through_redis(database_url) -> None:
    """Two processes on one Redis: the second serves the page the first rendered."""
    import redis

    url = "redis://127.0.0.1:6379/13"  # the suite's Redis, as tests/test_pdf_jobs.py's
    from tests.conftest import standalone_app

    prefix = f"tracker-test-pages-{id(object())}:"
    overrides = {
        "PAGE_CACHE": True,
        "REDIS_URL": url,
        "REPORTS_REDIS_PREFIX": prefix,
        "STANDINGS_SHARED": False,
    }
    try:
        with standalone_app(database_url, **overrides) as one:
            first, state = _get(one.test_client(), "/norms/")
            assert state == "miss"
        with standalone_app(database_url, **overrides) as two:
            second, state = _get(two.test_client(), "/norms/")
            assert state == "hit"
            assert second.data == first.data
            # an address with arguments (any number of them exist) stays in the process
            assert _get(two.test_client(), "/measures/?jurisdiction=DE")[1] == "miss"
            assert _get(two.test_client(), "/measures/?jurisdiction=DE")[1] == "hit"
        with standalone_app(database_url, **overrides) as three:
            assert _get(three.test_client(), "/measures/?jurisdiction=DE")[1] == "miss"
            assert _get(three.test_client(), "/norms/")[1] == "hit"
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)


def test_a_views_own_etag_is_kept(app) -> None:
    """The Atom feed has its own validator: a kept feed answers with the same one."""
    app.config["PAGE_CACHE"] = False
    own = app.test_client().get("/changes.atom").headers["ETag"]
    app.config["PAGE_CACHE"] = True
    pagecache.clear(app)
    client = app.test_client()
    first, state = _get(client, "/changes.atom")
    assert (state, first.headers["ETag"]) == ("miss", own)
    second, state = _get(client, "/changes.atom")
    assert (state, second.headers["ETag"]) == ("hit", own)
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]


def test_a_publication_renders_the_pages_it_changed_for_the_first_reader(kept_app) -> None:
    """The publication's background task renders the site's lists and the pages of the norms
    and jurisdictions it touched, at the address of the request that published."""
    from tracker.reports import jobs

    seeds = [{"paper": None, "codes": ["DE"], "letters": ["i"], "base_url": "http://localhost/"}]
    with kept_app.app_context():
        jobs.prerender(seeds)
    client = kept_app.test_client()
    for path in ("/", "/measures/", "/norms/i", "/jurisdictions/DE", "/api/v1/norms/i"):
        response, state = _get(client, path)
        assert (response.status_code, state) == (200, "hit"), path
    assert _get(client, "/norms/j")[1] == "miss"  # not touched: not rendered
    # another address (host) is another page: its absolute links differ
    assert _get(client, "/", base_url="http://tracker.example.org/")[1] == "miss"


def test_the_request_that_published_hands_its_address_to_the_task(kept_app) -> None:
    from flask import g

    from tracker.reports import jobs

    with kept_app.test_request_context("/", base_url="http://policy.example.org/"):
        g.reports_prerender = [{"paper": None, "codes": ["DE"], "letters": ["i"]}]
        jobs.flush_prerender()
    [seeds] = jobs.executor(kept_app).tasks
    assert seeds == [
        {"paper": None, "codes": ["DE"], "letters": ["i"], "base_url": "http://policy.example.org/"}
    ]


def test_two_databases_with_equal_stamps_keep_apart(tmp_path, monkeypatch) -> None:
    """The demo database and a copy (or staging and production) can hold the same stamps and
    share a Redis or an export folder: the key names the database too."""
    from tests.conftest import make_app

    monkeypatch.setattr(stamps, "site_stamp", lambda: (7, None))
    keys = []
    for name in ("one", "two"):
        app = make_app(f"sqlite:///{tmp_path / name}.db")
        with app.test_request_context("/export/measures.csv"):
            keys.append(pagecache.address_key())
    assert keys[0] != keys[1]


def test_a_new_worker_renders_the_site_lists_before_serving(kept_app, monkeypatch) -> None:
    """gunicorn.conf.py's post_worker_init: the worker's first readers are served pages and
    figures it computed before taking requests."""
    import importlib.util
    import logging
    from pathlib import Path
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", Path(__file__).resolve().parents[1] / "gunicorn.conf.py"
    )
    assert spec is not None and spec.loader is not None
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    worker = SimpleNamespace(wsgi=kept_app, pid=1, log=logging.getLogger("test"))
    computed: list[int] = []
    from tracker.measures import queries as measure_queries

    counts = measure_queries.counts_by_jurisdiction

    def counting(**kwargs: Any) -> Any:
        computed.append(1)
        return counts(**kwargs)

    monkeypatch.setattr(measure_queries, "counts_by_jurisdiction", counting)
    conf.post_worker_init(worker)
    assert computed == [1]  # the kept figures were computed before serving
    client = kept_app.test_client()
    for path in pagecache.SITE_PAGES:
        # rendered for this reader's address (a warm-up, not a fill of the cache) ...
        assert _get(client, path)[1] == "miss", path
    assert computed == [1]  # ... from the figures the warm-up computed
    # a worker whose app failed to load is left to gunicorn
    conf.post_worker_init(SimpleNamespace(wsgi=lambda *a: None, pid=2, log=worker.log))
