"""Cyclic garbage collection only between requests in web workers, on CPython 3.11.

CPython 3.11 runs a collection inside whichever container allocation crosses the threshold
(3.12 and later wait for the next bytecode). One such allocation is the dict that
``obj.__dict__`` builds from an instance's inline values (PyObject_GenericGetDict,
_PyObject_StoreInstanceAttribute). If the collection frees an object whose weakref callback
touches the same instance, the callback builds a second dict on the same values array and,
by adding a key, converts it and frees the array; the outer dict keeps pointing at the freed
array. SQLAlchemy does exactly that: InstanceState._cleanup (the weakref callback of every
loaded object) deletes and sets attributes of its InstanceState, and ORM objects in
relationship cycles are freed by the collector. The result is heap corruption and, later, a
SIGSEGV in pymalloc or dictresize (bench/load/README.md, "Worker crashes";
bench/load/gc_reentry_repro.py shows it without any extension module).

The workaround: no automatic collections in a web worker (``install``), and a collection at
the end of each request when one is due (``collect_if_due``, same generation thresholds as
CPython's), where no attribute is being set. gunicorn.conf.py calls both in its workers;
``init_app`` does the same in the development server (``flask run``, ``make run``), which
segfaulted twice in 7,000 requests without it. It acts only on requests served by Werkzeug's
server (``SERVER_SOFTWARE`` "Werkzeug/..."), so CLI commands, the test client and gunicorn
(whose hooks already do it) are left as they are. A process that serves many requests
through the test client itself (``python -m bench.scale pages`` and ``publish``) is a worker
too: it wraps its loop in ``between_requests`` and calls ``collect_if_due`` after each request
(without it, ``bench.scale pages`` segfaulted on its second page at 4,000 and 40,000
measures, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

#: CPython before 3.12 collects inside allocations
AFFECTED = sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """On by default where it is needed; TRACKER_GC_BETWEEN_REQUESTS=0 turns it off."""
    setting = environ.get("TRACKER_GC_BETWEEN_REQUESTS", "").strip().lower()
    if setting in {"0", "false", "no", "off"}:
        return False
    return AFFECTED or setting in {"1", "true", "yes", "on"}


def install(environ: Mapping[str, str] = os.environ) -> bool:
    """Turn automatic collection off in this process; True when it was turned off."""
    if not wanted(environ):
        return False
    gc.disable()
    return True


@contextmanager
def between_requests(environ: Mapping[str, str] = os.environ) -> Iterator[bool]:
    """For a process that serves many requests in its own loop (the benches' test clients):
    automatic collection off inside (when ``wanted``), as it was on the way out. Yields
    whether it was turned off; the loop calls ``collect_if_due`` after each request."""
    was_enabled = gc.isenabled()
    try:
        yield install(environ)
    finally:
        if was_enabled:
            gc.enable()


def collect_if_due() -> int | None:
    """Collect the oldest generation whose count is over its threshold, as CPython's
    automatic collection would have done during the request. Returns the generation
    collected, or None. Does nothing while automatic collection is on."""
    if gc.isenabled():
        return None
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] <= thresholds[0]:
        return None
    generation = 0
    for gen in (1, 2):
        if counts[gen] > thresholds[gen]:
            generation = gen
    gc.collect(generation)
    return generation


def _dev_server(environ: Mapping[str, Any]) -> bool:
    return str(environ.get("SERVER_SOFTWARE", "")).startswith("Werkzeug/")


def init_app(app: Any) -> None:
    """Guard the development server: automatic collection off from its first request (its
    serving process), a collection after each request when one is due."""
    from flask import request

    def guard() -> None:
        if _dev_server(request.environ) and gc.isenabled() and install():
            app.logger.info(
                "development server: cyclic garbage collected between requests "
                "(tracker/gc_guard.py)"
            )

    def collect(_exc: BaseException | None) -> None:
        if _dev_server(request.environ):
            collect_if_due()

    app.before_request(guard)
    app.teardown_request(collect)
