"""The search index: one entry per searchable thing, with its facet values.

``search_entries`` holds the text of each indexed thing (a measure copy, a paper
copy and each of its recommendations, an attribution copy, a norm, a commitment)
and ``search_facets`` its facet values (kind, jurisdiction, norm, topic, type,
status, year). Both are ordinary tables, the same on every database.

The full-text structures are database-specific and live only in migration 0008
(see tracker.search.schema): on SQLite an FTS5 table ``search_fts`` that mirrors
``search_entries`` through triggers, on PostgreSQL a generated ``tsvector`` column
``search_entries.document`` with a GIN index.

An entry never decides who may see it: the search joins each entry to the
content row it came from (``owner``/``owner_id``) through
``tracker.records.queries.visibility_clause``. A stale entry can therefore cost
recall, never leak a draft.
"""

from __future__ import annotations

from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import Base


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (sa.Index("ix_search_entries_owner", "owner", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the content row the entry was built from: measure, paper, attribution, norm, commitment
    owner: Mapped[str] = mapped_column(sa.String(20))
    owner_id: Mapped[int]
    #: what the entry shows: measure, paper, recommendation, attribution, norm, commitment
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: the record of a reviewable thing (for links), None for reference data
    record_id: Mapped[Optional[int]]
    #: a reference within the page: norm letter, commitment key, recommendation number
    ref: Mapped[Optional[str]] = mapped_column(sa.String(120))
    #: display title (index form: see tracker.search.text)
    title: Mapped[str] = mapped_column(sa.Text, default="")
    #: other names: original titles, short name, identifiers, parties
    alt: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: searchable text that is never shown: the accent-folded copy of title, alt and body
    #: when folding changes them (PostgreSQL matches "resilience" to "résilience" through
    #: it), then the synonyms of tracker.search.synonyms that apply; empty if neither
    folded: Mapped[str] = mapped_column(sa.Text, default="")
    verification: Mapped[Optional[str]] = mapped_column(sa.String(20))

    facets: Mapped[list[SearchFacet]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="SearchFacet.id"
    )


class SearchFacet(Base):
    __tablename__ = "search_facets"
    __table_args__ = (sa.Index("ix_search_facets_facet_value", "facet", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("search_entries.id", ondelete="CASCADE"), index=True
    )
    facet: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[str] = mapped_column(sa.String(80))


class SearchWord(Base):
    """The vocabulary of the index: every word (lower case, 4 to 40 letters) any entry holds.

    It only grows between rebuilds, so it may hold words of records since changed or of
    drafts; a suggestion is therefore offered only when it finds something the reader may
    see (tracker.search.suggest). On PostgreSQL a trigram index (pg_trgm, migration 0016)
    finds similar words; elsewhere the ``word`` primary key bounds the candidates to a
    prefix range.
    """

    __tablename__ = "search_vocab"

    word: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
