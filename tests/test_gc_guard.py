"""Web workers collect cyclic garbage between requests on CPython 3.11 (tracker/gc_guard.py,
gunicorn.conf.py): the crash it avoids, and the collection policy."""

from __future__ import annotations

import gc
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tracker import gc_guard
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def gc_state():
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_wanted_follows_the_python_version_and_the_setting():
    assert gc_guard.wanted({}) is gc_guard.AFFECTED
    assert gc_guard.AFFECTED is (sys.version_info < (3, 12))
    assert gc_guard.wanted({"TRACKER_GC_BETWEEN_REQUESTS": "0"}) is False
    assert gc_guard.wanted({"TRACKER_GC_BETWEEN_REQUESTS": "off"}) is False
    assert gc_guard.wanted({"TRACKER_GC_BETWEEN_REQUESTS": "1"}) is True


def test_install_turns_automatic_collection_off(gc_state):
    gc.enable()
    assert gc_guard.install({"TRACKER_GC_BETWEEN_REQUESTS": "0"}) is False
    assert gc.isenabled()
    assert gc_guard.install({"TRACKER_GC_BETWEEN_REQUESTS": "1"}) is True
    assert not gc.isenabled()


def test_collect_if_due_does_nothing_while_automatic_collection_is_on(gc_state):
    gc.enable()
    gc.set_threshold(1)
    assert gc_guard.collect_if_due() is None


def test_collect_if_due_collects_cycles_left_by_a_request(gc_state):
    class Node:
        pass

    gc.disable()
    gc.collect()
    gc.set_threshold(50, 10, 10)
    assert gc_guard.collect_if_due() is None  # nothing allocated since the collection
    freed = []
    for i in range(100):
        n = Node()
        n.self = n
        __import__("weakref").finalize(n, freed.append, i)
        del n
    assert freed == []  # automatic collection is off: the cycles are still there
    assert gc_guard.collect_if_due() == 0
    assert sorted(freed) == list(range(100))
    assert gc.get_count()[0] < 50


def test_collect_if_due_picks_the_oldest_generation_over_its_threshold(gc_state):
    gc.disable()
    gc.collect()
    gc.set_threshold(5, 2, 1000)
    generations, kept = [], []
    for _ in range(4):
        kept.append([[] for _ in range(10)])  # allocations that count, kept alive
        generations.append(gc_guard.collect_if_due())
    assert generations == [
        0,
        0,
        0,
        1,
    ]  # the 4th: three generation-0 collections since the last of generation 1


def _repro(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONMALLOC": "debug"}
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load" / "gc_reentry_repro.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0)),
    )  # no core file


def test_the_interpreter_bug_and_the_workaround():
    """Pure Python: on 3.11 a collection inside ``s.__dict__`` runs a weakref callback that
    frees the values array the new dict uses (SIGSEGV); with automatic collection off it cannot."""
    assert _repro("--gc-off").returncode == 0
    crashed = _repro()
    if gc_guard.AFFECTED:
        assert crashed.returncode == -signal.SIGSEGV, crashed.stdout + crashed.stderr
        assert "Segmentation fault" in crashed.stderr
    else:
        assert crashed.returncode == 0, crashed.stdout + crashed.stderr


def test_the_reports_worker_collects_between_jobs_not_inside_them(app, monkeypatch):
    """``flask reports worker`` applies the same guard as the web workers: automatic
    collection off, a collection after each job."""
    import uuid

    from redis import Redis
    from rq import Queue

    calls: list[str] = []
    monkeypatch.setattr(
        gc_guard, "install", lambda environ=os.environ: calls.append("install") or True
    )
    monkeypatch.setattr(gc_guard, "collect_if_due", lambda: calls.append("collect"))
    url, name = "redis://127.0.0.1:6379/14", f"test-gc-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=url, REPORTS_QUEUE=name)
    redis = Redis.from_url(url)
    queue = Queue(name, connection=redis)
    try:
        queue.enqueue("builtins.len", [1, 2, 3])
        queue.enqueue("builtins.len", [4])
        result = app.test_cli_runner().invoke(args=["reports", "worker", "--burst"])
        assert result.exit_code == 0, result.output
        assert calls == ["install", "collect", "collect"]
        assert queue.count == 0
    finally:
        queue.delete(delete_jobs=True)


def test_the_development_server_gets_the_guard_and_other_requests_do_not(app, gc_state):
    """``flask run`` (Werkzeug's server) installs the guard on its first request and collects
    after each one; the test client (like gunicorn, whose hooks do it, and CLI commands)
    leaves automatic collection as it is."""
    gc.enable()
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert gc.isenabled()
    if not gc_guard.wanted():
        return
    response = client.get("/healthz", environ_base={"SERVER_SOFTWARE": "Werkzeug/3.1.3"})
    assert response.status_code == 200
    assert not gc.isenabled()
    # A collection is due after the request when generation 0 is over its threshold.
    gc.set_threshold(10, 10, 10)
    junk = [[] for _ in range(50)]
    assert gc.get_count()[0] > 10
    client.get("/healthz", environ_base={"SERVER_SOFTWARE": "Werkzeug/3.1.3"})
    assert gc.get_count()[0] < 10
    del junk


def test_between_requests_turns_collection_off_inside_and_restores_it(gc_state):
    gc.enable()
    with gc_guard.between_requests({"TRACKER_GC_BETWEEN_REQUESTS": "1"}) as off:
        assert off is True
        assert not gc.isenabled()
    assert gc.isenabled()
    with gc_guard.between_requests({"TRACKER_GC_BETWEEN_REQUESTS": "0"}) as off:
        assert off is False
        assert gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    with gc_guard.between_requests({"TRACKER_GC_BETWEEN_REQUESTS": "1"}):
        pass
    assert not gc.isenabled()


def test_the_scale_bench_serves_its_pages_like_a_guarded_worker(
    database_url, gc_state, monkeypatch
):
    """``bench.scale pages`` serves thousands of requests in one process through the test
    client: on 3.11 it segfaulted on the 40,000-measure PostgreSQL database (on its second
    page) until it collected between requests as the web workers do. Each request runs with
    automatic collection off, a collection is considered after each one, and automatic
    collection is back on afterwards."""
    from bench import scale

    monkeypatch.setenv("TRACKER_GC_BETWEEN_REQUESTS", "1")
    during: list[bool] = []
    apps: list[Any] = []
    make_app = scale.make_app

    def recording_app(url: str) -> Any:
        app = make_app(url)
        # first: a kept page (tracker.pagecache) answers before later hooks run
        app.before_request_funcs.setdefault(None, []).insert(
            0, lambda: during.append(gc.isenabled())
        )
        apps.append(app)
        return app

    collected: list[int | None] = []
    collect = gc_guard.collect_if_due
    monkeypatch.setattr(scale, "make_app", recording_app)
    monkeypatch.setattr(gc_guard, "collect_if_due", lambda: collected.append(collect()))
    gc.enable()
    try:
        results = scale.pages(database_url, database_url, runs=2, only=["home"], warm_workers=False)
    finally:
        for app in apps:
            with app.app_context():
                db.engine.dispose()
    assert [r["page"] for r in results] == ["home"]
    assert results[0]["small"]["status"] == results[0]["large"]["status"] == 200
    assert during == [False] * 4  # 2 runs, small and large
    assert len(collected) == 4
    assert gc.isenabled()
