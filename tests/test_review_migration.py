"""Migration 0009 (review workflow) goes down and up again with workflow data present."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import standalone_app
from tracker.extensions import db


def test_0009_downgrades_and_upgrades_with_workflow_data(fresh_database_url) -> None:
    with standalone_app(fresh_database_url) as app:
        runner = app.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO audit_log (created_at, action, details) VALUES "
                    "(CURRENT_TIMESTAMP, 'record_submitted', '{}'),"
                    " (CURRENT_TIMESTAMP, 'login', '{}')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO working_groups (key, name, topic, period_start, created_at)"
                    " VALUES ('wg-test', 'Test group', 'test topic', 2024, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO records (kind, state, version, created_at, updated_at, "
                    "working_group_id)"
                    " SELECT 'measure', 'in_review', 1, CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP, id FROM working_groups"
                )
            )
        result = runner.invoke(args=["db", "downgrade", "0008"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert "review_comments" not in inspector.get_table_names()
            assert "working_group_id" not in {c["name"] for c in inspector.get_columns("records")}
            # The older list of audit actions holds again: workflow events were removed, the rest
            # kept.
            assert connection.execute(sa.text("SELECT action FROM audit_log")).scalars().all() == [
                "login"
            ]
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO audit_log (created_at, action, details) VALUES "
                    "(CURRENT_TIMESTAMP, 'record_approved', '{}')"
                )
            )
            assert connection.execute(sa.text("SELECT count(*) FROM records")).scalar() == 1
