"""Open data: exports with a codebook, the public changelog and feed, citations, OpenAPI."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.opendata.views import bp

    app.register_blueprint(bp)
