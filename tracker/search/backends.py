"""The two full-text engines behind one interface: SQLite FTS5 and PostgreSQL tsvector.

Each backend answers two questions for a parsed query:

* ``matches``: a subquery of (entry_id, score), higher scores first;
* ``snippets``: for a few entry ids, the title with hits marked and the best
  fragment of the alternative names and of the body, hits marked with
  tracker.search.text.MARK_START / MARK_END.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.search.models import SearchEntry
from tracker.search.schema import FTS_TABLE, PG_DOCUMENT_COLUMN
from tracker.search.text import ELLIPSIS, MARK_END, MARK_START, ParsedQuery, to_fts5, to_websearch

SNIPPET_WORDS = 28


@dataclass
class Snippet:
    title: str
    alt: str
    body: str


class Backend(Protocol):
    #: whether visibility is best tested as ``owner_id IN (visible ids)`` (hashed once) rather
    #: than per hit (tracker.search.service.visible_entries)
    visibility_by_id_set: bool

    def matches(self, query: ParsedQuery) -> sa.Subquery: ...

    def snippets(
        self, session: Session, query: ParsedQuery, ids: list[int]
    ) -> dict[int, Snippet]: ...


class SQLiteBackend:
    """FTS5 with bm25 ranking (title and names weigh most); snippet() and highlight()."""

    #: bm25 weights of the columns title, alt, body, folded (folded only duplicates what
    #: FTS5's remove_diacritics already matches, so it does not count)
    WEIGHTS = "10.0, 6.0, 1.0, 0.0"
    visibility_by_id_set = False

    def matches(self, query: ParsedQuery) -> sa.Subquery:
        stmt = sa.text(
            f"SELECT rowid AS entry_id, -bm25({FTS_TABLE}, {self.WEIGHTS}) AS score "  # noqa: S608 - constants only
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query"
        )
        return (
            stmt.bindparams(fts_query=to_fts5(query))
            .columns(entry_id=sa.Integer, score=sa.Float)
            .subquery("matches")
        )

    def snippets(self, session: Session, query: ParsedQuery, ids: list[int]) -> dict[int, Snippet]:
        if not ids:
            return {}
        marks = f"'{MARK_START}', '{MARK_END}'"
        stmt = sa.text(
            f"SELECT rowid, highlight({FTS_TABLE}, 0, {marks}), "  # noqa: S608 - constants and bound values only
            f"snippet({FTS_TABLE}, 1, {marks}, '{ELLIPSIS}', {SNIPPET_WORDS // 2}), "
            f"snippet({FTS_TABLE}, 2, {marks}, '{ELLIPSIS}', {SNIPPET_WORDS}) "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_query AND rowid IN :ids"
        ).bindparams(sa.bindparam("ids", expanding=True))
        rows = session.execute(stmt, {"fts_query": to_fts5(query), "ids": ids})
        return {row[0]: Snippet(row[1] or "", row[2] or "", row[3] or "") for row in rows}


class PostgresBackend:
    """websearch_to_tsquery over the weighted tsvector column; ts_rank; ts_headline."""

    CONFIG: Any = sa.literal_column("'english'::regconfig")
    visibility_by_id_set = True
    DOCUMENT: Any = sa.literal_column(f"search_entries.{PG_DOCUMENT_COLUMN}")

    def tsquery(self, query: ParsedQuery) -> Any:
        plain = sa.func.websearch_to_tsquery(self.CONFIG, to_websearch(query))
        folded_text = to_websearch(query, folded=True)
        if folded_text == to_websearch(query):
            return plain
        # Accented query words also find the accent-folded copy of the text, and vice versa.
        return plain.op("||")(sa.func.websearch_to_tsquery(self.CONFIG, folded_text))

    def matches(self, query: ParsedQuery) -> sa.Subquery:
        tsquery = self.tsquery(query)
        return (
            sa.select(
                SearchEntry.id.label("entry_id"),
                sa.func.ts_rank(self.DOCUMENT, tsquery, 1).label("score"),
            )
            .where(self.DOCUMENT.op("@@")(tsquery))
            .subquery("matches")
        )

    def snippets(self, session: Session, query: ParsedQuery, ids: list[int]) -> dict[int, Snippet]:
        if not ids:
            return {}
        tsquery = self.tsquery(query)
        marks = f'StartSel="{MARK_START}", StopSel="{MARK_END}"'
        whole = f"{marks}, HighlightAll=true"
        fragments = (
            f"{marks}, MaxFragments=2, MaxWords={SNIPPET_WORDS}, MinWords=8, "
            f'FragmentDelimiter=" {ELLIPSIS} "'
        )
        stmt = sa.select(
            SearchEntry.id,
            sa.func.ts_headline(self.CONFIG, SearchEntry.title, tsquery, whole),
            sa.func.ts_headline(self.CONFIG, SearchEntry.alt, tsquery, fragments),
            sa.func.ts_headline(self.CONFIG, SearchEntry.body, tsquery, fragments),
        ).where(SearchEntry.id.in_(ids))
        return {
            row[0]: Snippet(row[1] or "", row[2] or "", row[3] or "")
            for row in session.execute(stmt)
        }


def backend_for(session: Session) -> Backend:
    """Chosen by the database the session talks to."""
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return SQLiteBackend()
    if name == "postgresql":
        return PostgresBackend()
    raise RuntimeError(f"full-text search is not available on {name}")
