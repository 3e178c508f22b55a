"""workflow: CHECK constraints on the combinations of state and copies

A published record has a publication date (backfilled from its last change where
missing); every content row (measure, paper, attribution) is the working copy, the
live copy or both.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

CONTENT_TABLES = ("measures", "papers", "attributions")


def upgrade() -> None:
    # Published records written outside records.services.publish (older loaders, hand-made
    # rows) may lack the date: the last change is the best date there is.
    op.execute(
        "UPDATE records SET published_at = COALESCE(updated_at, created_at)"
        " WHERE state = 'published' AND published_at IS NULL"
    )
    # A content row that is neither the working nor the live copy is unreachable (nothing
    # reads it); none are known to exist, so such a row stops the upgrade rather than
    # being deleted here.
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_records_published_has_date"),
            "state <> 'published' OR published_at IS NOT NULL",
        )
    for table in CONTENT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_working_or_live"), "is_draft OR is_live"
            )


def downgrade() -> None:
    for table in reversed(CONTENT_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_working_or_live"), type_="check")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_records_published_has_date"), type_="check")
