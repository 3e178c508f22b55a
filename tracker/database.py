"""Engine set-up that differs per database: SQLite pragmas and transaction handling."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

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
        connection.exec_driver_sql("BEGIN")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, app.config["DB_LOCK_TIMEOUT_MS"])


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"
