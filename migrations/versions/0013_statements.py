"""statements: an attribution holds one or more statements, each with its own parties,
date, form, source, passage (verbatim or summary), norms invoked and UN framework reference

Existing records held one statement with several parties, so whatever it invoked was
credited to every party. Each party now gets a statement of its own; the passage, the
norms and the UN framework reference stay only with the party that used the language:
the record's only attributing party, the parties of a single joint text, or, for the
records whose reference facts name the speaker (``SPEAKERS``), that party. Everyone else
gets "unknown". Downgrade collapses the statements back into one.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07 18:30:00
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

#: records (by key) whose reference facts say which party used the language they quote
SPEAKERS = {
    'ms-exchange-hafnium-2021': 'EU',
    'viasat-2022': 'EU',
    'solarwinds-2021': 'EU',
}
#: records whose statements the reference facts quote party by party: UN framework per party
FRAMEWORK_BY_PARTY = {
    'notpetya-2018': {'GB': 'no', 'US': 'no'},
    'apt10-cloud-hopper-2018': {'GB': 'no'},
}
#: records that are a single text issued jointly (an advisory co-sealed by several agencies)
JOINT_TEXTS = {'apt40-2024'}
#: records whose passage was taken from a statement by someone else (not a party)
FOREIGN_PASSAGE = {'opcw-gru-2018'}

ROLES = ('attributing', 'supporting', 'recalled')


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


FORM = ('statement', 'joint_statement', 'indictment', 'sanctions', 'technical_advisory')
FRAMEWORK = ('yes', 'no', 'unknown')
PRECISION = ('day', 'month', 'year')

attributions = sa.table(
    'attributions',
    sa.column('id', sa.Integer()),
    sa.column('record_id', sa.Integer()),
    sa.column('date', sa.Date()),
    sa.column('date_precision', sa.String(32)),
    sa.column('attributing_orgs', sa.JSON()),
    sa.column('supporting_orgs', sa.JSON()),
    sa.column('un_framework_invoked', sa.String(32)),
    sa.column('passage', sa.Text()),
)
records = sa.table('records', sa.column('id', sa.Integer()), sa.column('key', sa.String(120)))
forms_t = sa.table(
    'attribution_forms',
    sa.column('attribution_id', sa.Integer()),
    sa.column('form', sa.String(32)),
    sa.column('position', sa.Integer()),
)
old_parties = sa.table(
    'attribution_parties',
    sa.column('attribution_id', sa.Integer()),
    sa.column('role', sa.String(32)),
    sa.column('jurisdiction_code', sa.String(8)),
    sa.column('position', sa.Integer()),
)
old_norms = sa.table(
    'attribution_norms',
    sa.column('id', sa.Integer()),
    sa.column('attribution_id', sa.Integer()),
    sa.column('norm_id', sa.Integer()),
    sa.column('basis', sa.String(32)),
    sa.column('passage', sa.Text()),
    sa.column('locator', sa.String(300)),
)
statements = sa.table(
    'attribution_statements',
    sa.column('id', sa.Integer()),
    sa.column('attribution_id', sa.Integer()),
    sa.column('position', sa.Integer()),
    sa.column('role', sa.String(32)),
    sa.column('date', sa.Date()),
    sa.column('date_precision', sa.String(32)),
    sa.column('form', sa.String(32)),
    sa.column('orgs', sa.JSON()),
    sa.column('un_framework_invoked', sa.String(32)),
    sa.column('passage', sa.Text()),
    sa.column('passage_kind', sa.String(32)),
)
new_parties = sa.table(
    'statement_parties',
    sa.column('statement_id', sa.Integer()),
    sa.column('jurisdiction_code', sa.String(8)),
    sa.column('position', sa.Integer()),
)
new_norms = sa.table(
    'statement_norms',
    sa.column('id', sa.Integer()),
    sa.column('statement_id', sa.Integer()),
    sa.column('norm_id', sa.Integer()),
    sa.column('basis', sa.String(32)),
    sa.column('passage', sa.Text()),
    sa.column('locator', sa.String(300)),
)


def _create_new_tables() -> None:
    op.create_table(
        'attribution_statements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attribution_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('role', _enum('partyrole', *ROLES), nullable=False),
        sa.Column('date', sa.Date(), nullable=True),
        sa.Column('date_precision', _enum('dateprecision', *PRECISION), nullable=False),
        sa.Column('form', _enum('attributionform', *FORM), nullable=True),
        sa.Column('orgs', sa.JSON(), nullable=False),
        sa.Column('un_framework_invoked', _enum('frameworkinvoked', *FRAMEWORK), nullable=False),
        sa.Column('passage', sa.Text(), nullable=True),
        sa.Column('passage_kind', _enum('passagekind', 'verbatim', 'summary'), nullable=False),
        sa.Column('passage_source', sa.String(length=1000), nullable=True),
        sa.Column('source_title', sa.String(length=1000), nullable=True),
        sa.Column('source_url', sa.String(length=2000), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['attribution_id'], ['attributions.id'], name=op.f('fk_attribution_statements_attribution_id_attributions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attribution_statements')),
    )
    with op.batch_alter_table('attribution_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attribution_statements_attribution_id'), ['attribution_id'], unique=False)
    op.create_table(
        'statement_parties',
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('jurisdiction_code', sa.String(length=8), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['statement_id'], ['attribution_statements.id'], name=op.f('fk_statement_parties_statement_id_attribution_statements'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['jurisdiction_code'], ['jurisdictions.code'], name=op.f('fk_statement_parties_jurisdiction_code_jurisdictions')),
        sa.PrimaryKeyConstraint('statement_id', 'jurisdiction_code', name=op.f('pk_statement_parties')),
    )
    with op.batch_alter_table('statement_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_parties_jurisdiction_code'), ['jurisdiction_code'], unique=False)
    op.create_table(
        'statement_norms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('norm_id', sa.Integer(), nullable=False),
        sa.Column('basis', _enum('invocationbasis', 'explicit', 'implicit', 'unknown'), nullable=False),
        sa.Column('passage', sa.Text(), nullable=True),
        sa.Column('locator', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['statement_id'], ['attribution_statements.id'], name=op.f('fk_statement_norms_statement_id_attribution_statements'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['norm_id'], ['norms.id'], name=op.f('fk_statement_norms_norm_id_norms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_norms')),
    )
    with op.batch_alter_table('statement_norms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_norms_statement_id'), ['statement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_norms_norm_id'), ['norm_id'], unique=False)


def _create_old_tables() -> None:
    op.create_table(
        'attribution_norms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attribution_id', sa.Integer(), nullable=False),
        sa.Column('norm_id', sa.Integer(), nullable=False),
        sa.Column('basis', _enum('invocationbasis', 'explicit', 'implicit'), nullable=False),
        sa.Column('passage', sa.Text(), nullable=True),
        sa.Column('locator', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['attribution_id'], ['attributions.id'], name=op.f('fk_attribution_norms_attribution_id_attributions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['norm_id'], ['norms.id'], name=op.f('fk_attribution_norms_norm_id_norms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attribution_norms')),
    )
    with op.batch_alter_table('attribution_norms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attribution_norms_attribution_id'), ['attribution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attribution_norms_norm_id'), ['norm_id'], unique=False)
    op.create_table(
        'attribution_parties',
        sa.Column('attribution_id', sa.Integer(), nullable=False),
        sa.Column('role', _enum('partyrole', *ROLES), nullable=False),
        sa.Column('jurisdiction_code', sa.String(length=8), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['attribution_id'], ['attributions.id'], name=op.f('fk_attribution_parties_attribution_id_attributions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['jurisdiction_code'], ['jurisdictions.code'], name=op.f('fk_attribution_parties_jurisdiction_code_jurisdictions')),
        sa.PrimaryKeyConstraint('attribution_id', 'role', 'jurisdiction_code', name=op.f('pk_attribution_parties')),
    )
    with op.batch_alter_table('attribution_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attribution_parties_jurisdiction_code'), ['jurisdiction_code'], unique=False)


def _split(row: Any, key: str | None, forms: list[str], parties: dict[str, list[str]],
           norms: list[Any]) -> list[dict[str, Any]]:
    """The statements one old record becomes (see the module docstring)."""
    attributing_orgs = list(row.attributing_orgs or [])
    framework, passage = row.un_framework_invoked, row.passage
    if key in FOREIGN_PASSAGE:
        passage = None
    single = len(parties['attributing']) + len(attributing_orgs) == 1 or key in JOINT_TEXTS
    form = forms[0] if len(forms) == 1 else None
    out: list[dict[str, Any]] = []

    def add(role: str, codes: list[str], orgs: list[str], **content: Any) -> None:
        out.append({
            'role': role,
            'codes': codes,
            'orgs': orgs,
            'date': row.date if role == 'attributing' else None,
            'date_precision': row.date_precision if role == 'attributing' else 'day',
            'form': form if role == 'attributing' else None,
            'un_framework_invoked': content.get('framework', 'unknown'),
            'passage': content.get('passage'),
            'norms': content.get('norms', []),
        })

    if single:
        add('attributing', parties['attributing'], attributing_orgs,
            framework=framework, passage=passage, norms=norms)
    else:
        speaker = SPEAKERS.get(key or '')
        by_party = FRAMEWORK_BY_PARTY.get(key or '', {})
        for code in parties['attributing']:
            if code == speaker:
                add('attributing', [code], [], framework=framework, passage=passage, norms=norms)
            else:
                add('attributing', [code], [], framework=by_party.get(code, 'unknown'))
        for org in attributing_orgs:
            add('attributing', [], [org])
    for code in parties['supporting']:
        add('supporting', [code], [])
    for org in row.supporting_orgs or []:
        add('supporting', [], [org])
    for code in parties['recalled']:
        add('recalled', [code], [])
    return out


def upgrade() -> None:
    _create_new_tables()
    conn = op.get_bind()
    keys = dict(conn.execute(sa.select(records.c.id, records.c.key)).all())
    forms: dict[int, list[str]] = defaultdict(list)
    for a_id, form in conn.execute(
        sa.select(forms_t.c.attribution_id, forms_t.c.form).order_by(forms_t.c.position)
    ):
        forms[a_id].append(form)
    parties: dict[int, dict[str, list[str]]] = defaultdict(lambda: {r: [] for r in ROLES})
    for a_id, role, code in conn.execute(
        sa.select(old_parties.c.attribution_id, old_parties.c.role, old_parties.c.jurisdiction_code)
        .order_by(old_parties.c.position)
    ):
        parties[a_id][role].append(code)
    norms: dict[int, list[Any]] = defaultdict(list)
    for n in conn.execute(sa.select(old_norms).order_by(old_norms.c.id)):
        norms[n.attribution_id].append(n)

    for row in conn.execute(sa.select(attributions).order_by(attributions.c.id)).all():
        items = _split(row, keys.get(row.record_id), forms[row.id], parties[row.id], norms[row.id])
        for position, item in enumerate(items):
            statement_id = conn.execute(
                statements.insert().values(
                    attribution_id=row.id,
                    position=position,
                    role=item['role'],
                    date=item['date'],
                    date_precision=item['date_precision'],
                    form=item['form'],
                    orgs=item['orgs'],
                    un_framework_invoked=item['un_framework_invoked'],
                    passage=item['passage'],
                    passage_kind='summary',
                ).returning(statements.c.id)
            ).scalar_one()
            for i, code in enumerate(item['codes']):
                conn.execute(new_parties.insert().values(statement_id=statement_id, jurisdiction_code=code, position=i))
            for n in item['norms']:
                conn.execute(new_norms.insert().values(
                    statement_id=statement_id, norm_id=n.norm_id, basis=n.basis,
                    passage=n.passage, locator=n.locator,
                ))

    with op.batch_alter_table('attribution_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attribution_parties_jurisdiction_code'))
    op.drop_table('attribution_parties')
    with op.batch_alter_table('attribution_norms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attribution_norms_norm_id'))
        batch_op.drop_index(batch_op.f('ix_attribution_norms_attribution_id'))
    op.drop_table('attribution_norms')
    with op.batch_alter_table('attributions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_attributions_frameworkinvoked'), type_='check')
        batch_op.drop_column('passage')
        batch_op.drop_column('un_framework_invoked')
        batch_op.drop_column('supporting_orgs')
        batch_op.drop_column('attributing_orgs')


def downgrade() -> None:
    """One statement again: parties by role, organisations, the UN framework reference
    ("yes" if any attributing statement invokes it, "no" if all say no, else "unknown"),
    the first passage, and every explicit or implicit norm invocation."""
    with op.batch_alter_table('attributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attributing_orgs', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('supporting_orgs', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('un_framework_invoked', _enum('frameworkinvoked', *FRAMEWORK), nullable=True))
        batch_op.add_column(sa.Column('passage', sa.Text(), nullable=True))
    _create_old_tables()
    conn = op.get_bind()
    by_attribution: dict[int, list[Any]] = defaultdict(list)
    for s in conn.execute(sa.select(statements).order_by(statements.c.attribution_id, statements.c.position)):
        by_attribution[s.attribution_id].append(s)
    codes: dict[int, list[str]] = defaultdict(list)
    for statement_id, code in conn.execute(
        sa.select(new_parties.c.statement_id, new_parties.c.jurisdiction_code).order_by(new_parties.c.position)
    ):
        codes[statement_id].append(code)
    norms: dict[int, list[Any]] = defaultdict(list)
    for n in conn.execute(sa.select(new_norms).order_by(new_norms.c.id)):
        norms[n.statement_id].append(n)

    for (a_id,) in conn.execute(sa.select(attributions.c.id)).all():
        items = by_attribution.get(a_id, [])
        orgs: dict[str, list[str]] = {r: [] for r in ROLES}
        seen: dict[str, list[str]] = {r: [] for r in ROLES}
        for s in items:
            for org in s.orgs or []:
                if org not in orgs[s.role]:
                    orgs[s.role].append(org)
            for code in codes[s.id]:
                if code not in seen[s.role]:
                    seen[s.role].append(code)
        for role in ROLES:
            for i, code in enumerate(seen[role]):
                conn.execute(old_parties.insert().values(attribution_id=a_id, role=role, jurisdiction_code=code, position=i))
        values = [s.un_framework_invoked for s in items if s.role == 'attributing']
        framework = 'yes' if 'yes' in values else 'no' if values and set(values) == {'no'} else 'unknown'
        passage = next((s.passage for s in items if s.role == 'attributing' and s.passage), None)
        conn.execute(attributions.update().where(attributions.c.id == a_id).values(
            attributing_orgs=orgs['attributing'],
            supporting_orgs=orgs['supporting'],
            un_framework_invoked=framework,
            passage=passage,
        ))
        for s in items:
            for n in norms[s.id]:
                if n.basis in ('explicit', 'implicit'):
                    conn.execute(old_norms.insert().values(
                        attribution_id=a_id, norm_id=n.norm_id, basis=n.basis,
                        passage=n.passage, locator=n.locator,
                    ))

    with op.batch_alter_table('attributions', schema=None) as batch_op:
        batch_op.alter_column('attributing_orgs', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('supporting_orgs', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('un_framework_invoked', existing_type=_enum('frameworkinvoked', *FRAMEWORK), nullable=False)
    with op.batch_alter_table('statement_norms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_norms_norm_id'))
        batch_op.drop_index(batch_op.f('ix_statement_norms_statement_id'))
    op.drop_table('statement_norms')
    with op.batch_alter_table('statement_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_parties_jurisdiction_code'))
    op.drop_table('statement_parties')
    with op.batch_alter_table('attribution_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attribution_statements_attribution_id'))
    op.drop_table('attribution_statements')
