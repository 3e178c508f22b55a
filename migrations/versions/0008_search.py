"""search index: entries and facets, with FTS5 (SQLite) or a tsvector + GIN index (PostgreSQL)

The portable tables match tracker/search/models.py. The full-text objects differ
per database and are created here only (tracker/search/schema.py keeps them out
of the model comparison):

* SQLite: ``search_fts``, an FTS5 table with external content ``search_entries``
  (porter stemming over unicode61, diacritics removed), kept in step by three
  triggers. NOTE: a later batch migration that recreates ``search_entries`` drops
  these triggers; such a migration must create them again (``flask search reindex``
  also rebuilds the FTS table from ``search_entries``).
* PostgreSQL: ``search_entries.document``, a stored generated ``tsvector``
  ('english' configuration; title and alternative names weight A, body B, the
  accent-folded copy D) with a GIN index.

The index starts empty: ``flask search reindex`` (run by ``flask setup``) fills it
once; from then on every save keeps it current (tracker/search/index.py).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FTS_COLUMNS = "title, alt, body, folded"

SQLITE_DDL = [
    f"""CREATE VIRTUAL TABLE search_fts USING fts5(
        {FTS_COLUMNS},
        content='search_entries', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.alt, new.body, new.folded);
    END""",
    f"""CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.alt, old.body, old.folded);
    END""",
    f"""CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.id, old.title, old.alt, old.body, old.folded);
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.id, new.title, new.alt, new.body, new.folded);
    END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_entries_au",
    "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_ai",
    "DROP TABLE IF EXISTS search_fts",
]

PG_DDL = [
    """ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(alt, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, coalesce(folded, '')), 'D')
    ) STORED""",
    "CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)",
]


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("ref", sa.String(length=120), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("alt", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.Column("verification", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
    )
    op.create_index("ix_search_entries_owner", "search_entries", ["owner", "owner_id"], unique=False)
    op.create_table(
        "search_facets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["search_entries.id"],
            name=op.f("fk_search_facets_entry_id_search_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_facets")),
    )
    op.create_index(op.f("ix_search_facets_entry_id"), "search_facets", ["entry_id"], unique=False)
    op.create_index("ix_search_facets_facet_value", "search_facets", ["facet", "value"], unique=False)

    dialect = op.get_bind().dialect.name
    statements = SQLITE_DDL if dialect == "sqlite" else PG_DDL if dialect == "postgresql" else []
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DROP:
            op.execute(statement)
    op.drop_index("ix_search_facets_facet_value", table_name="search_facets")
    op.drop_index(op.f("ix_search_facets_entry_id"), table_name="search_facets")
    op.drop_table("search_facets")
    # The PostgreSQL column and GIN index go with the table.
    op.drop_index("ix_search_entries_owner", table_name="search_entries")
    op.drop_table("search_entries")
