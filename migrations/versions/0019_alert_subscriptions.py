"""alert subscriptions: e-mail digests of the changes matching a filter

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum(
                "daily", "weekly", name="frequency", native_enum=False, create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_publication_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscriptions")),
        sa.UniqueConstraint("email", "query", name=op.f("uq_alert_subscriptions_email_query")),
    )


def downgrade() -> None:
    op.drop_table("alert_subscriptions")
