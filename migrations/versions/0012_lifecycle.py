"""lifecycle: more event kinds (proposed, amended, superseded, lapsed), stage labels, successors

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD_KINDS = ('announced', 'adopted', 'published', 'in_force', 'applies_from', 'rescinded')
NEW_KINDS = OLD_KINDS + ('proposed', 'amended', 'superseded', 'lapsed')
#: kinds whose note, in the old schema, said what enters into force or applies
STAGED = ('in_force', 'applies_from')

events = sa.table(
    'measure_events',
    sa.column('id', sa.Integer()),
    sa.column('measure_id', sa.Integer()),
    sa.column('kind', sa.String(32)),
    sa.column('note', sa.String(500)),
    sa.column('stage', sa.String(300)),
    sa.column('successor_record_id', sa.Integer()),
)
measures = sa.table('measures', sa.column('id', sa.Integer()), sa.column('record_id', sa.Integer()))
relations = sa.table(
    'measure_relations',
    sa.column('measure_id', sa.Integer()),
    sa.column('kind', sa.String(32)),
    sa.column('target_record_id', sa.Integer()),
)


def _kind_check(kinds: tuple[str, ...]) -> None:
    condition = "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"
    with op.batch_alter_table('measure_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_measure_events_eventkind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_measure_events_eventkind'), sa.text(condition))


def upgrade() -> None:
    with op.batch_alter_table('measure_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('successor_record_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_measure_events_successor_record_id'), ['successor_record_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_measure_events_successor_record_id_records'), 'records', ['successor_record_id'], ['id'], ondelete='SET NULL')
    _kind_check(NEW_KINDS)

    conn = op.get_bind()
    # The note of an application stage, or of one of several entries into force (staged
    # commencement), said what it covers: it becomes the stage label. A single entry into
    # force keeps its note ("Rule effective" is not a stage).
    rows = conn.execute(
        sa.select(events.c.id, events.c.measure_id, events.c.kind, events.c.note).where(
            events.c.kind.in_(STAGED), events.c.note.is_not(None)
        )
    ).all()
    in_force_count = dict(
        conn.execute(
            sa.select(events.c.measure_id, sa.func.count())
            .where(events.c.kind == 'in_force')
            .group_by(events.c.measure_id)
        ).all()
    )
    for event_id, measure_id, kind, note in rows:
        if kind == 'applies_from' or in_force_count.get(measure_id, 0) > 1:
            conn.execute(events.update().where(events.c.id == event_id).values(stage=note[:300], note=None))
    # An "announced" event whose note says the bill was introduced is a proposal.
    conn.execute(
        events.update()
        .where(events.c.kind == 'announced', sa.func.lower(events.c.note).like('introduced%'))
        .values(kind='proposed')
    )
    # A rescission is linked to the measure that rescinds or supersedes the record.
    ended = conn.execute(
        sa.select(events.c.id, measures.c.record_id)
        .join(measures, measures.c.id == events.c.measure_id)
        .where(events.c.kind == 'rescinded')
    ).all()
    for event_id, record_id in ended:
        successor = conn.execute(
            sa.select(measures.c.record_id)
            .join(relations, relations.c.measure_id == measures.c.id)
            .where(relations.c.target_record_id == record_id, relations.c.kind.in_(('rescinds', 'supersedes')))
            .order_by(measures.c.record_id)
            .limit(1)
        ).scalar()
        if successor is not None:
            conn.execute(events.update().where(events.c.id == event_id).values(successor_record_id=successor))


def downgrade() -> None:
    conn = op.get_bind()
    # The old schema has no place for these: amendments and lapses are dropped, a proposal
    # becomes an announcement, a supersession a rescission, and a stage label the note.
    conn.execute(events.delete().where(events.c.kind.in_(('amended', 'lapsed'))))
    conn.execute(events.update().where(events.c.kind == 'proposed').values(kind='announced'))
    conn.execute(events.update().where(events.c.kind == 'superseded').values(kind='rescinded'))
    conn.execute(events.update().where(events.c.stage.is_not(None), events.c.note.is_(None)).values(note=events.c.stage))
    conn.execute(
        events.update()
        .where(events.c.stage.is_not(None), events.c.note.is_not(None), events.c.note != events.c.stage)
        .values(note=sa.func.substr(events.c.stage + ' (' + events.c.note + ')', 1, 500))
    )
    _kind_check(OLD_KINDS)
    with op.batch_alter_table('measure_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_measure_events_successor_record_id_records'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_measure_events_successor_record_id'))
        batch_op.drop_column('successor_record_id')
        batch_op.drop_column('stage')
