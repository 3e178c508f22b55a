"""Full-text search over measures, papers, recommendations, attributions, norms and commitments."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.search import index
    from tracker.search.views import bp

    app.register_blueprint(bp)
    index.install()
