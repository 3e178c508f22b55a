"""quotes: verbatim/summary flag on catalogue actions, whole-instrument mappings, staff-only notes

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-07 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

#: tables that get a staff-only provenance note (never shown on public surfaces)
STAFF_NOTE_TABLES = ('norms', 'commitments', 'catalogues', 'sources')


def upgrade() -> None:
    # Existing actions are marked 'summary' until the data file says they are verbatim:
    # a text is never presented as a quotation by default.
    with op.batch_alter_table('catalogue_actions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'wording',
                sa.Enum('verbatim', 'summary', name='wording', native_enum=False,
                        create_constraint=True, length=32),
                nullable=False,
                server_default='summary',
            )
        )
    with op.batch_alter_table('mappings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('whole_instrument', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    for table in STAFF_NOTE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('staff_note', sa.Text(), nullable=True))


def downgrade() -> None:
    for table in reversed(STAFF_NOTE_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('staff_note')
    with op.batch_alter_table('mappings', schema=None) as batch_op:
        batch_op.drop_column('whole_instrument')
    with op.batch_alter_table('catalogue_actions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_catalogue_actions_wording'), type_='check')
        batch_op.drop_column('wording')
