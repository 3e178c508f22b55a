"""Names of the database-specific full-text objects, and the filters that keep them out of
model/migration comparisons.

Migration 0008 creates, besides the portable tables of tracker.search.models:

* SQLite: the FTS5 table ``search_fts`` (external content: it mirrors
  ``search_entries`` through three triggers) and the shadow tables FTS5 makes for it;
* PostgreSQL: the generated column ``search_entries.document`` (a weighted
  ``tsvector``) and its GIN index.

These objects cannot be declared in the SQLAlchemy metadata (a virtual table, a
dialect-only generated column), so Alembic's comparison would report them as
"to be dropped". ``include_name`` and ``include_object`` below hide exactly these
names, and nothing else, from autogenerate and from tests/test_migrations.py.
"""

from __future__ import annotations

from typing import Any

#: the FTS5 table (SQLite)
FTS_TABLE = "search_fts"
#: FTS5 creates these next to it
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")
#: the tsvector column and its index (PostgreSQL)
PG_DOCUMENT_COLUMN = "document"
PG_DOCUMENT_INDEX = "ix_search_entries_document"
ENTRIES_TABLE = "search_entries"
#: the trigram index of the search vocabulary (PostgreSQL with pg_trgm, migration 0016)
PG_VOCAB_TRGM_INDEX = "ix_search_vocab_word_trgm"


def is_fts_table(name: str | None) -> bool:
    return bool(name) and (
        name == FTS_TABLE or any(name == FTS_TABLE + s for s in FTS_SHADOW_SUFFIXES)
    )


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Alembic hook: skip the FTS5 tables before they are reflected."""
    return not (type_ == "table" and is_fts_table(name))


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic hook: skip the PostgreSQL tsvector column and its index (and FTS5 tables)."""
    if type_ == "table" and is_fts_table(name):
        return False
    table = getattr(getattr(obj, "table", None), "name", None)
    if type_ == "column" and table == ENTRIES_TABLE and name == PG_DOCUMENT_COLUMN:
        return False
    if type_ == "index" and name in (PG_DOCUMENT_INDEX, PG_VOCAB_TRGM_INDEX):
        return False
    return True


def comparison_options() -> dict[str, Any]:
    """Options for ``MigrationContext.configure(..., opts=...)`` and ``context.configure``."""
    return {"include_name": include_name, "include_object": include_object}
