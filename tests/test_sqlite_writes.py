"""SQLite: a request that may write takes the write lock when its transaction begins, so
concurrent saves queue (up to the busy timeout) instead of failing at once.

Found by the load test (bench/load): with deferred transactions, a save that read the
record, then found another save committed in between, got "database is locked" with no
wait at all, and the editor a 503. These tests use a SQLite file whatever the suite's
database is, because the transaction handling they check exists only on SQLite.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import standalone_app
from tracker.extensions import db


def other_writer(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    return conn


@pytest.fixture
def sqlite_app(tmp_path: Path):
    path = tmp_path / "writes.db"
    with standalone_app(f"sqlite:///{path}", DB_LOCK_TIMEOUT_MS=2000) as app:
        with app.app_context():
            db.session.execute(sa.text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
            db.session.execute(sa.text("INSERT INTO counter VALUES (1, 0)"))
            db.session.commit()
        yield app, path


def test_a_post_request_holds_the_write_lock_from_its_first_query(sqlite_app) -> None:
    app, path = sqlite_app
    other = other_writer(path)
    with app.test_request_context("/measures/1/edit", method="POST"):
        assert db.session.scalar(sa.text("SELECT n FROM counter")) == 0  # a read only
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        db.session.rollback()
    other.execute("BEGIN IMMEDIATE")  # free again once the request's transaction ended
    other.execute("ROLLBACK")
    other.close()


def test_a_get_request_reads_without_blocking_writers(sqlite_app) -> None:
    app, path = sqlite_app
    other = other_writer(path)
    with app.test_request_context("/measures/", method="GET"):
        assert db.session.scalar(sa.text("SELECT n FROM counter")) == 0
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE counter SET n = 5")
        other.execute("COMMIT")
        db.session.rollback()
    other.close()


def test_read_then_write_saves_from_many_threads_all_succeed(sqlite_app) -> None:
    """The pattern of every save (read the record, then write it) from 8 threads at once:
    none fails, and no increment is lost."""
    app, _path = sqlite_app
    errors: list[BaseException] = []

    def save() -> None:
        try:
            with app.test_request_context("/save", method="POST"):
                n = db.session.scalar(sa.text("SELECT n FROM counter WHERE id = 1"))
                time.sleep(0.01)  # another save may commit meanwhile
                db.session.execute(sa.text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT n FROM counter")) == 8
