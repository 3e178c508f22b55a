"""Engine set-up that differs per database: SQLite pragmas and transaction handling."""

from __future__ import annotations

import contextlib
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request

from tracker.extensions import db


def _configure_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so SAVEPOINTs and rollbacks behave as on
        # PostgreSQL (pysqlite's own transaction handling defeats them).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # ANALYZE and PRAGMA optimize read a sample of each index, so they stay cheap at scale.
        cursor.execute("PRAGMA analysis_limit=1000")
        if engine.url.database not in (None, "", ":memory:"):
            # Readers do not block the writer, and the online backup API copies a consistent state.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine.pool, "close")
    def _on_close(dbapi_connection: Any, _record: Any) -> None:
        # SQLite's advice: keep the planner's statistics current when a connection closes.
        with contextlib.suppress(Exception):  # closing must not fail over statistics
            dbapi_connection.execute("PRAGMA optimize")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")


#: request methods that read only; every other request may write
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _writing_request() -> bool:
    """A request that may write takes SQLite's write lock when its transaction begins.

    A deferred transaction that reads first and writes later cannot wait for the lock:
    if another connection committed in between, SQLite answers "database is locked" at
    once, without using the busy timeout (its snapshot is stale). Under concurrent saves
    (the load test: sign-ins and editors saving) that was a 503 in about 1 save in 5.
    Taking the lock at BEGIN makes such requests queue for up to DB_LOCK_TIMEOUT_MS
    instead; pages that only read keep deferred transactions and never wait for writers.
    """
    return has_request_context() and request.method not in SAFE_METHODS and not g.get("reads_only")


def reads_only() -> None:
    """The rest of this request only reads (the 503 page after a failed save): its
    queries must not wait for the write lock that made the save fail."""
    g.reads_only = True


def analyze() -> None:
    """Refresh the query planner's statistics (after setup, imports, demo loads, bulk writes).

    SQLite plans without statistics otherwise (and chose a by-norm index for the scope
    query, thousands of times slower at scale); PostgreSQL's autovacuum would catch up
    later, this makes it current at once. Commits the session first.
    """
    db.session.commit()
    engine = db.engine
    if not isinstance(engine, sa.Engine):
        return  # bound to one outer connection (the test suite's rolled-back transaction)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("PRAGMA optimize")
            connection.commit()
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, app.config["DB_LOCK_TIMEOUT_MS"])
