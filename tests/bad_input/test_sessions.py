"""A session reused after sign-out. Sessions are signed cookies held by the browser, so
sign-out cannot delete a copy someone kept (from a shared computer, a proxy log or
malware). Each session names its user as "<id>:<session token>" (``User.get_id``);
sign-out, a password change and deactivation give the user a new token, and every
cookie holding the old one is anonymous from then on.

Deactivation is in tests/test_accounts.py
(test_deactivated_account_cannot_sign_in_and_loses_its_session).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.bad_input.editors import MEASURES, open_form, post, state
from tests.conftest import csrf_token
from tracker.accounts import passwords
from tracker.accounts.models import User
from tracker.extensions import db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(app, make_user):
    with app.app_context():
        user = db.session.get(User, make_user("editor", email="session@example.org").id)
        user.password_hash = passwords.hash_password(PASSWORD)
        db.session.commit()
        return user


def sign_in(app, client):
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(app, client),
            "email": "session@example.org",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    return client.get_cookie("session").value


def with_cookie(app, value):
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def signed_in(client) -> bool:
    return client.get("/measures/new").status_code == 200


def test_a_session_cookie_copied_before_sign_out_is_anonymous_after(app, client, editor):
    stolen = sign_in(app, client)
    assert signed_in(with_cookie(app, stolen))  # the copy works while the session lives
    assert client.post("/logout", data={"csrf_token": csrf_token(app, client)}).status_code == 302
    thief = with_cookie(app, stolen)
    response = thief.get("/measures/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "Sign out" not in thief.get("/").get_data(as_text=True)
    # It cannot write either: the CSRF token in the copied session is valid, the user is not.
    before = state(app)
    fields = open_form(client_signed_in_again(app), MEASURES.new_path)
    response = post(thief, MEASURES.new_path, fields, **MEASURES.new_values)
    assert response.status_code in (400, 401)
    assert state(app) == before


def client_signed_in_again(app):
    other = app.test_client()
    sign_in(app, other)
    return other


def test_signing_in_again_gives_a_working_session_and_the_old_copy_stays_dead(app, client, editor):
    stolen = sign_in(app, client)
    client.post("/logout", data={"csrf_token": csrf_token(app, client)})
    fresh = client_signed_in_again(app)
    assert signed_in(fresh)
    assert not signed_in(with_cookie(app, stolen))


def test_sign_out_ends_the_users_other_sessions_too(app, client, editor):
    """One token per user: signing out on one computer signs out everywhere. The price
    of ending copied sessions without a server-side session store."""
    laptop, phone = app.test_client(), app.test_client()
    sign_in(app, laptop)
    sign_in(app, phone)
    assert signed_in(laptop) and signed_in(phone)
    laptop.post("/logout", data={"csrf_token": csrf_token(app, laptop)})
    assert not signed_in(phone)


def test_a_password_change_ends_every_session(app, client, editor, runner):
    stolen = sign_in(app, client)
    result = runner.invoke(
        args=["users", "set-password", "session@example.org", "--password-stdin"],
        input="another long passphrase here\n",
    )
    assert result.exit_code == 0, result.output
    assert not signed_in(client)
    assert not signed_in(with_cookie(app, stolen))


@pytest.mark.parametrize(
    "forged",
    [
        "{id}",
        "{id}:",
        "{id}:wrong",
        "{id}:{token}x",
        " {id}:{token}",
        "{id}:{token}:x",
        "x:{token}",
        "",
    ],
)
def test_a_session_naming_a_user_without_the_current_token_is_anonymous(app, editor, forged):
    """Even with the signing key (or an old cookie format "5"), the id alone is not enough."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = forged.format(id=editor.id, token=editor.session_token)
        session["_fresh"] = True
    assert not signed_in(client)


def test_every_account_gets_its_own_token(app, make_user):
    a, b = make_user("editor"), make_user("editor")
    assert a.session_token != b.session_token and len(a.session_token) == 32
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(User).where(User.session_token.is_(None))
            )
            == 0
        )
