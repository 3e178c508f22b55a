"""Sign-in, sign-out and the audit log."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import TooManyRequests

from tracker.accounts import audit, passwords
from tracker.accounts.demo import existing_demo_emails
from tracker.accounts.forms import LoginForm
from tracker.accounts.models import AuditAction, User, normalise_email
from tracker.accounts.permissions import Permission, public, requires
from tracker.accounts.throttle import account_key, address_key, throttle
from tracker.extensions import db
from tracker.modelbase import utcnow
from tracker.queryargs import page_arg

bp = Blueprint("accounts", __name__)

WRONG_CREDENTIALS = "Wrong e-mail address or password."


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects).

    Accepts only relative paths starting with a single "/": refuses absolute URLs,
    scheme-relative "//host", backslashes (browsers read "/\\host" as "//host"),
    any scheme ("javascript:") and control characters.
    """
    if not target or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


THROTTLED = (
    "Too many failed sign-in attempts for this account or from this address. "
    "Wait {wait}, then try again. If you have forgotten your password, ask an administrator."
)


def _wait_text(seconds: int) -> str:
    return "a minute" if seconds >= 55 else f"{seconds} second{'s' if seconds != 1 else ''}"


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if current_user.is_authenticated:
        return redirect(
            safe_next(form.next.data or request.args.get("next")) or url_for("site.index")
        )
    if not form.validate_on_submit():
        return _login_page(form)

    email = normalise_email(form.email.data)
    keys = [account_key(email), address_key(request.remote_addr)]
    wait = throttle().retry_after(keys)
    if wait is not None:
        current_app.logger.warning("sign-in refused (rate limit) for %s", request.remote_addr)
        raise TooManyRequests(THROTTLED.format(wait=_wait_text(wait)), retry_after=wait)

    user = db.session.scalar(sa.select(User).where(User.email == email))
    valid = passwords.verify_password(user.password_hash if user else None, form.password.data)
    if not valid or user is None or not user.active:
        throttle().failed(keys)
        reason = "no such account" if user is None else ("inactive" if valid else "wrong password")
        audit.record_event(
            AuditAction.LOGIN_FAILED,
            subject=f"user:{user.id}" if user else None,
            email=email[:254],
            reason=reason,
        )
        db.session.commit()
        form.password.errors = [WRONG_CREDENTIALS]
        return _login_page(form)

    throttle().succeeded(keys[0])
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(form.password.data)
    # Every account is staff: without a ``next``, their work starts at the review queue.
    target = safe_next(form.next.data) or url_for("review.queue")
    # A fresh session at sign-in: nothing from before (a planted session id) survives.
    session.clear()
    login_user(user)
    user.last_login_at = utcnow()
    audit.record_event(AuditAction.LOGIN, subject=f"user:{user.id}", actor_id=user.id)
    db.session.commit()
    return redirect(target)


def _login_page(form: LoginForm) -> str:
    """The sign-in page; in development it says which demo accounts `make run` created."""
    demo = existing_demo_emails() if current_app.config["ENV"] == "development" else []
    return render_template("accounts/login.html", form=form, demo_accounts=demo)


@bp.post("/logout")
@public
def logout() -> Any:
    if current_user.is_authenticated:
        audit.record_event(AuditAction.LOGOUT, subject=f"user:{current_user.id}")
        # A copy of this session cookie (or a remember cookie) must not outlive sign-out.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("site.index"))


@bp.get("/admin/audit")
@requires(Permission.ADMIN)
def audit_log() -> Any:
    action = request.args.get("action") or None
    if action is not None and action not in {a.value for a in AuditAction}:
        abort(400, f"Unknown action {action!r}.")
    page = db.paginate(
        audit.recent_events(action),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template("accounts/audit.html", page=page, action=action, actions=AuditAction)
