"""Missing, expired, foreign and malformed CSRF tokens on every editor's forms: a 400
page that says what happened and that nothing was saved, nothing written, and the
editor's next attempt (after reloading the form) works.

Every POST route without a token, and with a wrong one, is in tests/test_access.py
(test_every_post_without_csrf_token_is_400_and_changes_nothing); sign-in without a token
in tests/test_accounts.py. Here: expiry (WTF_CSRF_TIME_LIMIT), a token from another
session, JSON clients, and recovery.
"""

from __future__ import annotations

import secrets
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.bad_input.editors import EDITORS, open_form, record_id_of, state
from tests.conftest import csrf_token
from tests.pages import as_data, assert_inert, replace


def token_issued(app, client, seconds_ago: int) -> str:
    """A CSRF token for this client's session, signed ``seconds_ago``."""

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=Earlier).dumps(raw)


def targets(client, editor):
    """(path, fields) of the editor's new form and of an edit form."""
    new = replace(open_form(client, editor.new_path), **editor.new_values)
    rid = record_id_of(client.post(editor.new_path, data=as_data(new)))
    edit_path = editor.edit_path(rid)
    edit = replace(open_form(client, edit_path), **{editor.title_field: "Changed with a bad token"})
    return [
        (editor.new_path, replace(open_form(client, editor.new_path), **editor.new_values)),
        (edit_path, edit),
    ]


def assert_refused(app, response, before):
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "security token is missing or has expired" in html and "Nothing was saved" in html
    assert_inert(html)
    assert state(app) == before


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_an_expired_token_is_refused_and_a_fresh_one_works(app, client, login, editor):
    login(client, "editor")
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    for path, fields in targets(client, editor):
        before = state(app)
        stale = replace(fields, csrf_token=token_issued(app, client, limit + 60))
        assert_refused(app, client.post(path, data=as_data(stale)), before)
        # Just inside the limit it is still good (the limit is not shorter than configured).
        fresh = replace(fields, csrf_token=token_issued(app, client, limit - 60))
        response = client.post(path, data=as_data(fresh))
        assert response.status_code == 302, response.get_data(as_text=True)[:1000]


@pytest.mark.parametrize("editor", EDITORS, ids=str)
@pytest.mark.parametrize("bad", ["missing", "empty", "foreign session", "garbage", "truncated"])
def test_a_bad_token_is_refused_and_the_form_still_works_after_a_reload(
    app, client, login, editor, bad
):
    login(client, "editor")
    for path, fields in targets(client, editor):
        before = state(app)
        other = app.test_client()
        values = {
            "missing": None,
            "empty": "",
            "foreign session": csrf_token(app, other),
            "garbage": "<script>alert(1)</script>",
            "truncated": csrf_token(app, client)[:-5],
        }[bad]
        sent = [(k, v) for k, v in fields if k != "csrf_token"] + (
            [("csrf_token", values)] if values is not None else []
        )
        assert_refused(app, client.post(path, data=as_data(sent)), before)
        # Reloading the page gives a working form: nothing about the session is broken.
        reloaded = dict(open_form(client, path))
        response = client.post(
            path, data=as_data(replace(fields, csrf_token=reloaded["csrf_token"]))
        )
        assert response.status_code == 302


def test_json_clients_get_a_json_400(app, client, login):
    login(client, "editor")
    response = client.post(
        "/measures/new", data={"title_original": "x"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert "security token is missing or has expired" in response.get_json()["error"]["message"]


def test_sign_in_with_an_expired_token_is_refused(app, client, make_user):
    make_user("editor", email="late@example.org")
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    response = client.post(
        "/login",
        data={
            "csrf_token": token_issued(app, client, limit + 1),
            "email": "late@example.org",
            "password": "x" * 12,
        },
    )
    assert response.status_code == 400
    assert "has expired" in response.get_data(as_text=True)
