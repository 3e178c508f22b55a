"""search vocabulary: the words of the index, for "Did you mean ...?" suggestions

``search_vocab`` holds every word of the index once (tracker/search/models.py
``SearchWord``), filled here from the existing entries and kept current by every
reindex. On PostgreSQL the pg_trgm extension gives a trigram GIN index over it;
where the extension cannot be created (a database user without the right), the
migration goes on without it and suggestions use the portable lookup
(tracker/search/suggest.py). The topic labels and synonyms added to the index in
the same change reach existing entries with ``flask search reindex`` (run by
``flask setup``).

Revision ID: 0016
Revises: 0011
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

TRGM_INDEX = 'ix_search_vocab_word_trgm'
WORD = re.compile(r'[^\W\d_]{4,}')


def upgrade() -> None:
    op.create_table(
        'search_vocab',
        sa.Column('word', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('word', name=op.f('pk_search_vocab')),
    )
    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':
        try:
            with conn.begin_nested():
                conn.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
        except sa.exc.DBAPIError:
            pass  # no trigram index: suggestions fall back to the portable lookup
        else:
            op.execute(
                f'CREATE INDEX {TRGM_INDEX} ON search_vocab USING gin (word gin_trgm_ops)'
            )
    # Existing entries give the first vocabulary (the rule of tracker.search.vocab.words_of,
    # copied so that this migration does not change when the application does).
    entries = sa.table(
        'search_entries', sa.column('title', sa.Text()), sa.column('alt', sa.Text()),
        sa.column('body', sa.Text()),
    )
    vocab = sa.table('search_vocab', sa.column('word', sa.String(40)))
    words: set[str] = set()
    for title, alt, body in conn.execute(sa.select(entries.c.title, entries.c.alt, entries.c.body)):
        for text in (title, alt, body):
            words.update(w for w in WORD.findall((text or '').lower()) if len(w) <= 40)
    ordered = sorted(words)
    for start in range(0, len(ordered), 500):
        conn.execute(vocab.insert(), [{'word': w} for w in ordered[start : start + 500]])


def downgrade() -> None:
    op.execute(f'DROP INDEX IF EXISTS {TRGM_INDEX}')
    op.drop_table('search_vocab')
