"""Cyber Norms Tracker: how States turn the UN cyber norms into national policy."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from tracker import config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    config.load(app, test_config)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # WeasyPrint logs each layout step at INFO: noise in the server log and the CLI.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    from tracker import extensions, queryargs
    from tracker.models import import_all

    # Before any blueprint adds a rule: every <int:...> is bounded to the database's range.
    queryargs.init_app(app)

    import_all()

    extensions.db.init_app(app)
    extensions.csrf.init_app(app)
    extensions.login_manager.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    # a fixed window lets a client spend the limit twice across a window's edge
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    # Flask-Limiter keeps one "enabled" flag on the shared extension and defaults it to the
    # previous app's: an app built with limits off (the scale bench) would turn them off for
    # every app built after it in the process
    app.config.setdefault("RATELIMIT_ENABLED", True)
    extensions.limiter.init_app(app)

    from tracker import engine, faults, filters, gc_guard, inputs, web

    gc_guard.init_app(app)
    engine.init_app(app)
    web.init_app(app)
    filters.init_app(app)
    inputs.init_app(app)
    faults.init_app(app)
    if app.config.get("PROXY_FIX"):
        # Behind one reverse proxy: trust its X-Forwarded-For/-Proto (client address for
        # rate limits, https for HSTS and secure cookies).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    from tracker.accounts import auth, permissions, throttle
    from tracker.accounts.views import bp as accounts_bp
    from tracker.api.views import bp as api_bp
    from tracker.attribution.views import bp as attribution_bp
    from tracker.gaps.views import bp as gaps_bp
    from tracker.imports.views import bp as imports_bp
    from tracker.jurisdictions.views import bp as jurisdictions_bp
    from tracker.measures.views import bp as measures_bp
    from tracker.norms.views import bp as norms_bp
    from tracker.papers.views import bp as papers_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.review.views import bp as review_bp
    from tracker.site.views import bp as site_bp
    from tracker.workinggroups.views import bp as workinggroups_bp

    auth.init_app(app)
    permissions.init_app(app)
    throttle.init_app(app)
    for blueprint in (
        site_bp,
        accounts_bp,
        norms_bp,
        jurisdictions_bp,
        measures_bp,
        attribution_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    for blueprint in (papers_bp, gaps_bp, workinggroups_bp, review_bp, reports_bp, imports_bp):
        app.register_blueprint(blueprint)
    extensions.csrf.exempt(api_bp)

    from tracker import follow, opendata, search

    search.init_app(app)
    opendata.init_app(app)
    follow.init_app(app)

    # Content kinds register how they are copied and snapshotted.
    import tracker.attribution.services  # noqa: F401
    import tracker.measures.services  # noqa: F401
    import tracker.papers.services  # noqa: F401
    from tracker import cli, reports

    cli.init_app(app)
    reports.init_app(app)
    # last: its before_request runs after the rate limits and the authorisation check
    from tracker import pagecache

    pagecache.init_app(app)
    return app
