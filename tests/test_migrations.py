"""The schema comes from Alembic: an empty database upgrades to head on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import make_app
from tracker.db import Base
from tracker.extensions import db


def test_upgrade_empty_database_to_head_matches_models(fresh_database_url) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = make_app(fresh_database_url)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            assert {"norms", "measures", "records", "revisions", "mappings"} <= tables
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_papers_migration_downgrades_and_upgrades_again(fresh_database_url) -> None:
    app = make_app(fresh_database_url)
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["db", "downgrade", "0001"], ["db", "upgrade"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    with app.app_context():
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
        db.engine.dispose()
    assert {"papers", "paper_recommendations", "recommendations", "catalogues", "catalogue_actions", "measure_implementations", "working_groups", "working_group_members"} <= tables
