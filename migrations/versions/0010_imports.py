"""spreadsheet import of measures: uploads kept between preview and commit; audit action

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD_AUDIT_ACTIONS = (
    'login', 'login_failed', 'logout', 'user_created', 'role_changed', 'password_changed',
    'deactivated', 'record_deleted', 'record_restored', 'revision_restored', 'record_published',
    'record_submitted', 'changes_requested', 'record_approved', 'record_withdrawn', 'record_reopened',
)
NEW_AUDIT_ACTIONS = OLD_AUDIT_ACTIONS + ('measures_imported',)


def _audit_check(actions: tuple[str, ...]) -> None:
    """Replace the CHECK constraint that lists the audit log's actions."""
    condition = "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")"
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_auditaction'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_auditaction'), sa.text(condition))


def upgrade() -> None:
    op.create_table('import_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('committed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('committed_by_id', sa.Integer(), nullable=True),
    sa.Column('created', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['committed_by_id'], ['users.id'], name=op.f('fk_import_uploads_committed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_import_uploads_uploader_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_uploads'))
    )
    with op.batch_alter_table('import_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_uploads_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_uploads_uploader_id'), ['uploader_id'], unique=False)

    _audit_check(NEW_AUDIT_ACTIONS)


def downgrade() -> None:
    # Import events cannot be expressed in the older list of actions: drop them first.
    op.execute(sa.text("DELETE FROM audit_log WHERE action = 'measures_imported'"))
    _audit_check(OLD_AUDIT_ACTIONS)

    with op.batch_alter_table('import_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_uploads_uploader_id'))
        batch_op.drop_index(batch_op.f('ix_import_uploads_sha256'))
    op.drop_table('import_uploads')
