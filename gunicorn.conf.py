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


def post_request(worker, req, environ, resp):  # noqa: ARG001 - gunicorn's hook signature
    from tracker import gc_guard

    gc_guard.collect_if_due()
