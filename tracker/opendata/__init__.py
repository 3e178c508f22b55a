"""Open data: exports with a codebook, the public changelog and feed, citations, OpenAPI."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.opendata.views import bp

    # streamed exports kept as files per data version (tracker/opendata/exportcache.py)
    app.config.setdefault("EXPORT_CACHE_DIR", None)
    app.config.setdefault("EXPORT_CACHE_MAX_BYTES", 1024**3)

    app.register_blueprint(bp)
