"""content copies: a plain index on record_id (SQLite never used the partial ones)

SQLite uses a partial index only when a query's WHERE repeats the index's condition word
for word; SQLAlchemy writes ``is_live`` as ``is_live = 1`` there, so finding a record's
live or working copy scanned the whole table (9 ms per look-up at 40,000 measures, on every
measure, attribution and paper page before its view ran). PostgreSQL used the partial
indexes already; the plain one costs it little.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 03:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = ("measures", "attributions", "papers")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(op.f(f"ix_{table}_record_id"), table, ["record_id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(op.f(f"ix_{table}_record_id"), table_name=table)
