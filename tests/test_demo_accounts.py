"""A newcomer's first sign-in: `flask setup` (what `make run` calls) in development creates
one demo account per role in an empty database and prints their passwords once."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.conftest import standalone_app
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.workinggroups.models import WorkingGroupMember

LINE = re.compile(r"^\s+(admin|editor|reviewer)\s+(\S+@demo\.test)\s+password: (\S+)$", re.M)


def _setup(app) -> str:
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    return result.output


def _sign_in(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client, client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}
    )


def test_setup_prints_three_working_demo_accounts_once(fresh_database_url) -> None:
    with standalone_app(fresh_database_url, WTF_CSRF_ENABLED=True) as app:
        accounts = LINE.findall(_setup(app))
        assert [role for role, _, _ in accounts] == ["admin", "editor", "reviewer"]

        for role, email, password in accounts:
            client, response = _sign_in(app, email, password)
            assert response.status_code == 302, f"{role} could not sign in"
            assert response.headers["Location"] == "/review/"  # staff land on their queue
            assert client.get("/review/").status_code == 200

        with app.app_context():
            stored = db.session.scalars(sa.select(User.password_hash)).all()
            assert all(h and h.startswith("$argon2id$") for h in stored)
            assert not any(p in h for _, _, p in accounts for h in stored)
            reviewer = db.session.scalar(sa.select(User).where(User.email == accounts[2][1]))
            member = db.session.scalar(
                sa.select(WorkingGroupMember).where(WorkingGroupMember.user_id == reviewer.id)
            )
            assert member is not None and "development only" in member.group.name

        again = _setup(app)
        assert not LINE.search(again) and "password" not in again
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 3


def test_sign_in_page_names_the_demo_accounts_in_development_only(fresh_database_url) -> None:
    with standalone_app(fresh_database_url) as app:
        _setup(app)
        page = app.test_client().get("/login").get_data(as_text=True)
        assert "Development mode" in page and "editor@demo.test" in page
        assert "make user EMAIL=" in page
        assert not re.search(r"password: \S+", page)
    with standalone_app(fresh_database_url, ENV="production", TESTING=False) as app:
        page = app.test_client().get("/login").get_data(as_text=True)
        assert "Development mode" not in page and "demo.test" not in page


def test_no_demo_accounts_outside_development(fresh_database_url) -> None:
    with standalone_app(fresh_database_url, ENV="production") as app:
        output = _setup(app)
        assert "demo.test" not in output
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
