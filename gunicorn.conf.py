"""gunicorn settings read from the working directory (the Procfile's ``web`` process).

Web workers collect cyclic garbage between requests instead of inside allocations: on
CPython 3.11 a collection inside an allocation can corrupt the heap through SQLAlchemy's
weakref callbacks (tracker/gc_guard.py; bench/load/README.md, "Worker crashes"). The
hooks import it in the worker, so the master does not import the app.
"""


def post_fork(server, worker):
    from tracker import gc_guard

    if gc_guard.install():
        server.log.info(
            "worker %s: cyclic garbage collected between requests (tracker/gc_guard.py)", worker.pid
        )


def post_worker_init(worker):
    """Render the site's lists once before taking requests (tracker/pagecache.py): the first
    reader of a new worker does not pay for the figures every worker computes once."""
    from flask import Flask

    from tracker import gc_guard, pagecache

    if not isinstance(worker.wsgi, Flask):  # the app failed to load: gunicorn shows why
        return
    try:
        rendered = pagecache.warm_worker(worker.wsgi)
    except Exception:  # a warm-up: the worker serves without it
        worker.log.exception("worker %s: public pages not rendered before serving", worker.pid)
        return
    gc_guard.collect_if_due()
    worker.log.info("worker %s: %d public pages rendered before serving", worker.pid, rendered)


def post_request(worker, req, environ, resp):  # noqa: ARG001 - gunicorn's hook signature
    from tracker import gc_guard

    gc_guard.collect_if_due()
