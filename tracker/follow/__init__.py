"""Following changes: filtered Atom feeds, the calendar of upcoming dates, e-mail alerts.

``filters`` reads the list filters a reader follows; the Atom feed (tracker.opendata),
``calendar`` and the alert digests (``digest``) all match through it.
"""

from __future__ import annotations

from flask import Flask

DEFAULTS = {
    #: the public address of the site, for links in mails sent outside a request (digests)
    "BASE_URL": None,
    #: subscriptions one client address may ask for (flask-limiter syntax)
    "ALERTS_SUBSCRIBE_RATE": "5/hour;20/day",
}


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    from tracker.extensions import csrf
    from tracker.follow import cli, views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.mail_bp)
    csrf.exempt(views.mail_bp)
    cli.init_app(app)
