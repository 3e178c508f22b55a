"""Flask-Login wiring. Sign-in views are in views.py, the rate limit in throttle.py,
roles and permissions in permissions.py."""

from __future__ import annotations

from flask import Flask

from tracker.accounts.models import User
from tracker.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to see that page."
