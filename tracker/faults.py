"""When the database is unreachable or locked: a 503 that keeps what the user typed.

Every save runs in one transaction, so a failure rolls everything back: no partial
rows. The page re-posts the submitted fields (with a fresh CSRF token) so nothing
typed is lost; the user presses "Try again" when the database is back.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, render_template, request

from tracker import engine
from tracker.extensions import db

#: form fields never echoed back (the token is replaced; passwords are not kept in pages)
NOT_KEPT = {"csrf_token", "password", "password_confirm", "new_password"}

MESSAGE = (
    "The database did not answer (it may be busy or restarting). Nothing was saved, "
    "and nothing was half-saved. What you typed is kept below: press “Try again” in a "
    "moment to send it again."
)


def is_unavailable(error: BaseException) -> bool:
    """Connection lost, refused, timed out, or (SQLite) locked: worth retrying."""
    if isinstance(error, (sa.exc.OperationalError, sa.exc.TimeoutError)):
        return True
    return isinstance(error, sa.exc.DBAPIError) and bool(error.connection_invalidated)


def kept_fields() -> list[tuple[str, str]]:
    return [
        (name, value)
        for name in request.form
        if name not in NOT_KEPT
        for value in request.form.getlist(name)
    ]


def handle_database_error(error: sa.exc.SQLAlchemyError) -> Any:
    if not is_unavailable(error):
        raise error
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.remove()
    engine.reads_only()  # the page below loads the signed-in user; it must not need the lock
    current_app.logger.error(
        "database unavailable on %s %s: %s", request.method, request.path, error
    )
    if request.path.startswith("/api/"):
        body = {"error": {"status": 503, "title": "Temporarily unavailable", "message": MESSAGE}}
        return body, 503, {"Retry-After": "10"}
    fields = kept_fields() if request.method == "POST" else []
    return (
        render_template(
            "errors/unavailable.html",
            message=MESSAGE,
            fields=fields,
            retry_url=request.full_path.rstrip("?") if request.method == "POST" else None,
            has_files=bool(request.files),
        ),
        503,
        {"Retry-After": "10", "Cache-Control": "no-store"},
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(sa.exc.SQLAlchemyError, handle_database_error)
