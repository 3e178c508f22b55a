"""scale: publication stamps, the counters a brief's data version reads

``publication_stamps`` holds one counter per public scope (``*``, ``j:<code>``,
``n:<letter>``), moved in the same transaction as every publication, withdrawal,
deletion or restore (tracker/records/stamps.py). ``flask setup`` (and ``flask stamps
rebuild``) fill it from the existing data after the upgrade.

The indexes on ``is_live`` go: nearly every content row is live, and without statistics
SQLite chose them over the selective indexes (jurisdiction, measure id), scanning every
live measure for a ten-jurisdiction comparison.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

LIVE_TABLES = ("measures", "papers", "attributions")


def upgrade() -> None:
    op.create_table(
        "publication_stamps",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_publication_stamps")),
    )
    for table in LIVE_TABLES:
        op.drop_index(f"ix_{table}_is_live", table_name=table)


def downgrade() -> None:
    for table in LIVE_TABLES:
        op.create_index(f"ix_{table}_is_live", table, ["is_live"], unique=False)
    op.drop_table("publication_stamps")
