"""Accounts: sign-in and sign-out, open redirects, session fixation, the users CLI and the
audit log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tracker.accounts import passwords
from tracker.accounts.models import AuditAction, AuditEvent, Role, User
from tracker.extensions import db

PASSWORD = "correct horse battery"


@pytest.fixture
def account(app, make_user):
    """An editor with a real (Argon2id) password."""
    with app.app_context():
        user = make_user("editor", email="signin@example.org")
        user = db.session.get(User, user.id)
        user.password_hash = passwords.hash_password(PASSWORD)
        db.session.commit()
        return user


def sign_in(app, client, email="signin@example.org", password=PASSWORD, next_=None, **kw):
    data = {"csrf_token": csrf_token(app, client), "email": email, "password": password}
    if next_ is not None:
        data["next"] = next_
    return client.post("/login", data=data, **kw)


def audit_actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


def test_hash_is_argon2id(app_ctx, account):
    user = db.session.get(User, account.id)
    assert user.password_hash.startswith("$argon2id$")
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert not passwords.verify_password(user.password_hash, PASSWORD + "x")


def test_sign_in_and_out(app, client, account):
    response = sign_in(app, client)
    assert response.status_code == 302 and response.headers["Location"] == "/review/"
    with client.session_transaction() as session:
        assert session["_user_id"] == account.get_id()
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" in page

    # Sign-out is a POST with a CSRF token; a GET is not allowed.
    assert client.get("/logout").status_code == 405
    response = client.post("/logout", data={"csrf_token": csrf_token(app, client)})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert audit_actions(app) == [AuditAction.LOGIN, AuditAction.LOGOUT]


def test_wrong_password_and_unknown_account_look_the_same(app, client, account):
    wrong = sign_in(app, client, password="not the password")
    unknown = sign_in(app, client, email="nobody@example.org")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Wrong e-mail address or password." in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == [AuditAction.LOGIN_FAILED] * 2
        assert events[0].details == {"email": "signin@example.org", "reason": "wrong password"}
        assert events[0].subject == f"user:{account.id}"
        assert events[1].details["reason"] == "no such account"
        assert events[0].remote_addr == "127.0.0.1"


def test_deactivated_account_cannot_sign_in_and_loses_its_session(app, client, account, runner):
    assert sign_in(app, client).status_code == 302
    result = runner.invoke(args=["users", "deactivate", "signin@example.org"])
    assert result.exit_code == 0, result.output
    # The open session no longer counts.
    assert client.get("/measures/new").status_code == 302
    other = app.test_client()
    response = sign_in(app, other)
    assert response.status_code == 200 and "Wrong e-mail address or password." in response.get_data(
        as_text=True
    )
    with app.app_context():
        last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last.action is AuditAction.LOGIN_FAILED and last.details["reason"] == "inactive"


def test_session_is_cleared_at_sign_in(app, client, account):
    """Nothing planted in the session before sign-in survives it (session fixation)."""
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert sign_in(app, client).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == account.get_id()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " /measures/new",
        "/measures/new\r\nLocation: https://evil.example",
        "evil.example",
    ],
)
def test_next_refuses_other_sites(app, client, account, target):
    response = sign_in(app, client, next_=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/review/"


def test_next_keeps_a_path_on_this_site(app, client, account):
    response = sign_in(app, client, next_="/measures/new?x=1")
    assert response.headers["Location"] == "/measures/new?x=1"
    # The login page carries a validated next into its form.
    other = app.test_client()
    page = other.get("/login?next=//evil.example").get_data(as_text=True)
    assert "evil.example" not in page
    page = other.get("/login?next=/measures/new").get_data(as_text=True)
    assert 'value="/measures/new"' in page


def test_signed_out_staff_page_redirects_to_sign_in_with_next(client):
    response = client.get("/measures/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/measures/new"


def test_login_without_csrf_token_is_400_and_does_not_sign_in(app, client, account):
    response = client.post("/login", data={"email": "signin@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "security token is missing or has expired" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert audit_actions(app) == []


def test_session_cookie_flags(app, client, account):
    """Production settings: Secure, HttpOnly, SameSite=Lax (tests run as development)."""
    from tracker.config import DEFAULTS

    assert DEFAULTS["SESSION_COOKIE_SECURE"] is True
    assert DEFAULTS["SESSION_COOKIE_HTTPONLY"] is True
    assert DEFAULTS["SESSION_COOKIE_SAMESITE"] == "Lax"
    cookie = sign_in(app, client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- CLI ---------------------------------------------------------------------------


def test_cli_create_reads_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["users", "create", "New@Example.org", "--role", "reviewer", "--name", "N. Ew"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
        assert user.role is Role.REVIEWER and user.name == "N. Ew"
        assert passwords.verify_password(user.password_hash, "a long enough password")
    client = app.test_client()
    assert (
        sign_in(app, client, email="NEW@example.org", password="a long enough password").status_code
        == 302
    )
    assert AuditAction.USER_CREATED in audit_actions(app)


def test_cli_create_refuses_short_passwords_duplicates_and_bad_roles(app, runner):
    assert (
        runner.invoke(
            args=["users", "create", "a@example.org", "--role", "editor"], input="short\n"
        ).exit_code
        != 0
    )
    assert (
        runner.invoke(
            args=["users", "create", "a@example.org", "--role", "boss"],
            input="a long enough password\n",
        ).exit_code
        != 0
    )
    assert (
        runner.invoke(
            args=["users", "create", "a@example.org", "--role", "editor"],
            input="a long enough password\n",
        ).exit_code
        == 0
    )
    again = runner.invoke(
        args=["users", "create", "A@example.org", "--role", "editor"],
        input="a long enough password\n",
    )
    assert again.exit_code != 0 and "exists already" in again.output


def test_cli_list_set_role_and_deactivate_are_audited(app, runner):
    runner.invoke(
        args=["users", "create", "b@example.org", "--role", "reviewer"],
        input="a long enough password\n",
    )
    result = runner.invoke(args=["users", "set-role", "b@example.org", "editor"])
    assert result.exit_code == 0 and "reviewer -> editor" in result.output
    assert runner.invoke(args=["users", "deactivate", "b@example.org"]).exit_code == 0
    listing = runner.invoke(args=["users", "list"]).output
    assert "b@example.org" in listing and "editor" in listing and "deactivated" in listing
    assert runner.invoke(args=["users", "set-role", "nobody@example.org", "editor"]).exit_code != 0
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == [
            AuditAction.USER_CREATED,
            AuditAction.ROLE_CHANGED,
            AuditAction.DEACTIVATED,
        ]
        assert events[1].details == {"old": "reviewer", "new": "editor", "via": "cli"}
        assert all(e.remote_addr == "cli" for e in events)


# --- Audit log page ----------------------------------------------------------------


def test_audit_log_is_for_admins_only(app, client, login, account):
    sign_in(app, app.test_client(), password="wrong password here")
    login(client, "editor")
    assert client.get("/admin/audit").status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Failed sign-in" in text and "signin@example.org" in text
    assert admin.get("/admin/audit?action=login_failed").status_code == 200
    assert admin.get("/admin/audit?action=nonsense").status_code == 400


def test_cli_create_prompts_twice_on_a_terminal(app, runner, monkeypatch):
    monkeypatch.setattr("tracker.accounts.cli._interactive", lambda: True)
    result = runner.invoke(
        args=["users", "create", "t@example.org", "--role", "admin"],
        input="first password 1\nsecond password 2\nthe real password\nthe real password\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "t@example.org"))
        assert passwords.verify_password(user.password_hash, "the real password")
    # --password-stdin reads one line even on a terminal.
    result = runner.invoke(
        args=["users", "set-password", "t@example.org", "--password-stdin"],
        input="another password here\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "t@example.org"))
        assert passwords.verify_password(user.password_hash, "another password here")


def test_sign_in_e_mail_field_uses_an_autocomplete_token_valid_for_email_inputs(client) -> None:
    """Issue 15 item 8: ``autocomplete="username"`` is not allowed on ``type="email"`` (the Nu
    HTML checker refuses it); ``email`` is, and password managers still fill it."""
    page = client.get("/login").get_data(as_text=True)
    field = re.search(r"<input[^>]*name=\"email\"[^>]*>", page)
    assert field is not None
    assert 'type="email"' in field.group(0) and 'autocomplete="email"' in field.group(0)
    assert "username" not in field.group(0)
