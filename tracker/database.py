"""Engine set-up that differs per database: SQLite pragmas and transaction handling."""

from __future__ import annotations

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
        if engine.url.database not in (None, "", ":memory:"):
            # Readers do not block the writer, and the online backup API copies a consistent state.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

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


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, app.config["DB_LOCK_TIMEOUT_MS"])
