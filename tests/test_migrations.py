"""The schema comes from Alembic: an empty database upgrades to head on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import standalone_app
from tracker.extensions import db
from tracker.modelbase import Base
from tracker.search.schema import comparison_options


def test_upgrade_empty_database_to_head_matches_models(fresh_database_url) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with standalone_app(fresh_database_url) as app:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            assert {"norms", "measures", "records", "revisions", "mappings"} <= tables
            # FTS5 tables (SQLite) and the tsvector column and GIN index (PostgreSQL) exist
            # only in migration 0007; tracker.search.schema names them, and only them.
            context = MigrationContext.configure(connection, opts=comparison_options())
            diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
