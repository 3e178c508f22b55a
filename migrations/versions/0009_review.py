"""review workflow: working group on records, approvals, comments, notifications, audit actions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OLD_AUDIT_ACTIONS = (
    'login', 'login_failed', 'logout', 'user_created', 'role_changed', 'password_changed',
    'deactivated', 'record_deleted', 'record_restored', 'revision_restored', 'record_published',
)
NEW_AUDIT_ACTIONS = OLD_AUDIT_ACTIONS + (
    'record_submitted', 'changes_requested', 'record_approved', 'record_withdrawn', 'record_reopened',
)


def _audit_check(actions: tuple[str, ...]) -> None:
    """Replace the CHECK constraint that lists the audit log's actions."""
    condition = "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")"
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_auditaction'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_auditaction'), sa.text(condition))


def upgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('working_group_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_records_working_group_id'), ['working_group_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_records_working_group_id_working_groups'), 'working_groups',
            ['working_group_id'], ['id'], ondelete='SET NULL',
        )

    op.create_table('review_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('step_revision', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_review_approvals_record_id_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_approvals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_approvals')),
    sa.UniqueConstraint('record_id', 'revision_number', 'user_id', name=op.f('uq_review_approvals_record_id_revision_number_user_id'))
    )
    with op.batch_alter_table('review_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_approvals_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_approvals_user_id'), ['user_id'], unique=False)

    op.create_table('review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=64), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_review_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['review_comments.id'], name=op.f('fk_review_comments_parent_id_review_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_review_comments_record_id_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_review_comments_resolved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comments'))
    )
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_comments_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_comments_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_comments_record_id'), ['record_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('message', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_notifications_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_notifications_record_id_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_record_id'), ['record_id'], unique=False)
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)

    _audit_check(NEW_AUDIT_ACTIONS)


def downgrade() -> None:
    # Workflow events cannot be expressed in the older list of actions: drop them first.
    op.execute(sa.text(
        "DELETE FROM audit_log WHERE action IN ("
        + ", ".join(f"'{a}'" for a in NEW_AUDIT_ACTIONS if a not in OLD_AUDIT_ACTIONS) + ")"
    ))
    _audit_check(OLD_AUDIT_ACTIONS)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')
        batch_op.drop_index(batch_op.f('ix_notifications_record_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))
    op.drop_table('notifications')

    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_comments_record_id'))
        batch_op.drop_index(batch_op.f('ix_review_comments_parent_id'))
        batch_op.drop_index(batch_op.f('ix_review_comments_author_id'))
    op.drop_table('review_comments')

    with op.batch_alter_table('review_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_approvals_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_approvals_record_id'))
    op.drop_table('review_approvals')

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_records_working_group_id_working_groups'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_records_working_group_id'))
        batch_op.drop_column('working_group_id')
