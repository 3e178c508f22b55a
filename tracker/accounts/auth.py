"""Flask-Login wiring. Sign-in views are in views.py, the rate limit in throttle.py,
roles and permissions in permissions.py."""

from __future__ import annotations

import secrets

from flask import Flask

from tracker.accounts.models import User
from tracker.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user a session names, if the session is still valid.

    Sessions are signed cookies kept by the browser, so signing out cannot delete a copy
    of one. The session holds "<id>:<session token>" (``User.get_id``); signing out,
    a password change and deactivation give the user a new token, and every session
    holding the old one stops working.
    """
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
