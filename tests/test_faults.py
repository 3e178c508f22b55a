"""Faults: the database failing, locked or gone during a save gives a 503 that keeps the
user's input and writes nothing; a worker killed mid-request leaves no partial write."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT, TEST_SECRET, create_database, drop_database, seed, standalone_app
from tests.pages import as_data, form_fields, replace
from tracker.extensions import db
from tracker.measures.models import Measure
from tracker.records.models import Record, Revision

NEW = {
    "jurisdiction_code": "DE",
    "title_original": "Störfallgesetz für Lieferketten (test)",
    "title_lang": "de",
    "short_name": "FaultTest",
    "type": "law",
    "status": "adopted",
    "verification": "unverified",
    "events-0-kind": "adopted",
    "events-0-date": "2024-03-01",
    "sources-0-title": "Example gazette",
    "sources-0-url": "https://example.org/gazette",
    "mappings-0-target": "norm:i",
    "mappings-0-locator": "§ 1",
    "mappings-0-rationale": "Typed before the outage.",
    "mappings-0-basis": "inferred",
}


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Record)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Measure)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Revision)),
    )


def new_measure_fields(client) -> list[tuple[str, str]]:
    page = client.get("/measures/new")
    assert page.status_code == 200
    return replace(form_fields(page.get_data(as_text=True), "/measures/new"), **NEW)


def test_commit_failure_gives_503_keeps_input_and_writes_nothing(
    app, client, login, monkeypatch
) -> None:
    login(client, "editor")
    fields = new_measure_fields(client)
    with app.app_context():
        before = counts()

    def broken_commit(*_args, **_kwargs):
        raise sa.exc.OperationalError(
            "COMMIT", {}, Exception("server closed the connection unexpectedly")
        )

    monkeypatch.setattr(db.session, "commit", broken_commit)
    response = client.post("/measures/new", data=as_data(fields))
    monkeypatch.undo()

    assert response.status_code == 503
    assert response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    kept = dict(form_fields(html, "/measures/new"))
    assert kept["title_original"] == NEW["title_original"]
    assert kept["mappings-0-rationale"] == "Typed before the outage."
    assert kept["csrf_token"]  # a fresh token, so "Try again" is accepted
    with app.app_context():
        assert counts() == before

    # Pressing "Try again" once the database is back saves it, exactly once.
    again = client.post("/measures/new", data=as_data(form_fields(html, "/measures/new")))
    assert again.status_code == 302
    with app.app_context():
        assert counts()[0] == before[0] + 1
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Measure)
                .where(Measure.title_original == NEW["title_original"])
            )
            == 1
        )


def test_a_locked_database_gives_503_and_the_retry_succeeds(tmp_path: Path) -> None:
    """A real lock held by another connection (SQLite: a write transaction; PostgreSQL:
    an exclusive table lock) makes the save wait, give up and say so."""
    url = create_database(tmp_path, "locked")
    try:
        with standalone_app(url, DB_LOCK_TIMEOUT_MS=300) as app:
            with app.app_context():
                seed(app, demo=False)
                from tracker.accounts.models import Role, User

                db.session.add(User(email="ed@example.org", role=Role.EDITOR, name="Ed"))
                db.session.commit()
                user_id = db.session.scalar(sa.select(User.id))
                session_id = db.session.get(User, user_id).get_id()
                before = counts()
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = session_id
            fields = new_measure_fields(client)

            locker = sa.create_engine(url, poolclass=sa.pool.NullPool)
            with locker.connect() as conn:
                if url.startswith("sqlite"):
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    conn.exec_driver_sql("BEGIN")
                    conn.exec_driver_sql("LOCK TABLE records IN ACCESS EXCLUSIVE MODE")
                response = client.post("/measures/new", data=as_data(fields))
                conn.rollback()
            locker.dispose()

            assert response.status_code == 503, response.get_data(as_text=True)[:500]
            html = response.get_data(as_text=True)
            with app.app_context():
                assert counts() == before
            again = client.post("/measures/new", data=as_data(form_fields(html, "/measures/new")))
            assert again.status_code == 302
            with app.app_context():
                assert counts()[0] == before[0] + 1
    finally:
        drop_database(url)


def test_unreachable_database_gives_503_page_and_json(tmp_path: Path) -> None:
    with standalone_app("postgresql+psycopg://nobody@127.0.0.1:1/none") as app:
        client = app.test_client()
        page = client.get("/measures/")
        assert page.status_code == 503
        assert "Temporarily unavailable" in page.get_data(as_text=True)
        api = client.get("/api/v1/measures")
        assert api.status_code == 503
        assert api.get_json()["error"]["status"] == 503


# --- A worker killed in the middle of a save -------------------------------------------

SERVER = r"""
import os, sys, time
import sqlalchemy as sa
sys.path.insert(0, os.environ["TRACKER_ROOT"])
from werkzeug.serving import make_server
from tracker import create_app
from tracker.extensions import db
from tracker.measures.models import Measure

app = create_app({"TESTING": True, "ENV": "development", "SECRET_KEY": os.environ["SECRET"],
                  "DATABASE_URL": os.environ["DB_URL"],
                  "SQLALCHEMY_DATABASE_URI": os.environ["DB_URL"], "REPORTS_PRERENDER": False})
marker = os.environ["MARKER"]

@sa.event.listens_for(sa.orm.Session, "after_flush")
def _stall(session, _ctx):
    # The save has written its rows inside the transaction: stop here, as if the worker hung.
    if any(isinstance(o, Measure) and o.title_original == marker for o in session.new):
        open(os.environ["FLAG"], "w").close()
        time.sleep(120)

server = make_server("127.0.0.1", int(os.environ["PORT"]), app)
print("ready", flush=True)
server.serve_forever()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_worker_killed_mid_save_leaves_no_partial_write(tmp_path: Path) -> None:
    url = create_database(tmp_path, "killed")
    try:
        with standalone_app(url) as app, app.app_context():
            seed(app, demo=False)
            from tracker.accounts.models import Role, User

            db.session.add(User(email="ed@example.org", role=Role.EDITOR, name="Ed"))
            db.session.commit()
            user_id = db.session.scalar(sa.select(User.id))
            session_id = db.session.get(User, user_id).get_id()
            before = counts()
            # A signed session cookie and a CSRF token for the server process.
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = session_id
            fields = new_measure_fields(client)
            cookie = client.get_cookie("session").value

        port, flag = free_port(), tmp_path / "flushed"
        env = {
            **os.environ,
            "TRACKER_ROOT": str(ROOT),
            "SECRET": TEST_SECRET,
            "DB_URL": url,
            "PORT": str(port),
            "MARKER": NEW["title_original"],
            "FLAG": str(flag),
        }
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert server.stdout.readline().strip() == b"ready"
            body = urllib.parse.urlencode(fields).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/measures/new",
                data=body,
                method="POST",
                headers={"Cookie": f"session={cookie}"},
            )

            def send() -> None:
                try:
                    urllib.request.urlopen(request, timeout=30)  # noqa: S310 - loopback test server
                except Exception:  # noqa: BLE001,S110 - the connection dies with the worker
                    pass

            thread = threading.Thread(target=send, daemon=True)
            thread.start()
            deadline = time.monotonic() + 20
            while not flag.exists():
                assert time.monotonic() < deadline, "the save never reached its flush"
                time.sleep(0.05)
            os.kill(server.pid, signal.SIGKILL)  # the worker dies holding an open transaction
            server.wait(timeout=10)
            thread.join(timeout=10)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
            server.stdout.close()

        with standalone_app(url) as app, app.app_context():
            assert counts() == before
            assert (
                db.session.scalar(
                    sa.select(Measure).where(Measure.title_original == NEW["title_original"])
                )
                is None
            )
    finally:
        drop_database(url)
