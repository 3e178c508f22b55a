"""Keeping the index in step with the content, in the same transaction.

How it stays right
    A session listener (``after_flush``) notes every content row that was
    inserted, changed or deleted, and the content rows whose children changed
    (a measure's mappings, a paper's recommendations, an attribution's parties),
    as (owner, id) pairs. Before the transaction commits (``before_commit``) the
    entries of those owners are rebuilt from the rows as they now are; a row that
    no longer exists loses its entries. So every save, restore, import, publish
    (which swaps or deletes copies) and demo load updates the index in the same
    transaction as the change, and a rollback undoes both.

    Publication state is never stored in the index: the search joins each entry
    to its content row through ``records.queries.visibility_clause``. Publishing,
    withdrawing, deleting and restoring therefore need no index writes at all,
    and the record signals (tracker.records.signals) are not needed for
    correctness.

    ``flask search reindex`` rebuilds everything (after upgrading to migration
    0008 or 0016, or after a bulk SQL change that bypassed the ORM). Each reindex also
    adds the words it writes to the vocabulary (tracker.search.vocab).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.search import vocab
from tracker.search.documents import SOURCES, owners_of
from tracker.search.models import SearchEntry, SearchFacet
from tracker.search.schema import FTS_TABLE

PENDING = "search_pending"
BATCH = 200


def reindex(session: Session, owners: Iterable[tuple[str, int]]) -> int:
    """Rebuild the entries of these (owner, id) pairs; returns how many entries were written."""
    by_owner: dict[str, set[int]] = defaultdict(set)
    for owner, owner_id in owners:
        if owner in SOURCES and owner_id is not None:
            by_owner[owner].add(owner_id)
    written = 0
    words: set[str] = set()
    for owner, ids in by_owner.items():
        source = SOURCES[owner]
        ordered = sorted(ids)
        for start in range(0, len(ordered), BATCH):
            chunk = ordered[start : start + BATCH]
            session.execute(
                sa.delete(SearchEntry)
                .where(SearchEntry.owner == owner, SearchEntry.owner_id.in_(chunk))
                .execution_options(synchronize_session=False)
            )
            stmt = source.options(sa.select(source.model).where(source.model.id.in_(chunk)))
            for row in session.scalars(stmt):
                for doc in source.build(row):
                    columns = doc.columns()
                    words.update(vocab.words_of(columns["title"], columns["alt"], columns["body"]))
                    entry = SearchEntry(owner=owner, owner_id=row.id, **columns)
                    entry.facets = [
                        SearchFacet(facet=facet, value=value)
                        for facet, values in sorted(doc.facets.items())
                        for value in sorted(values)
                    ]
                    session.add(entry)
                    written += 1
    session.flush()
    vocab.record(session, words)
    return written


def rebuild(session: Session) -> int:
    """Empty the index and build it again from every content row."""
    session.execute(sa.delete(SearchFacet).execution_options(synchronize_session=False))
    session.execute(sa.delete(SearchEntry).execution_options(synchronize_session=False))
    vocab.clear(session)
    if session.get_bind().dialect.name == "sqlite":
        # Re-read the external content (also repairs an FTS table that drifted).
        session.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"))  # noqa: S608 - a constant
    total = 0
    for owner, source in SOURCES.items():
        ids = list(session.scalars(sa.select(source.model.id)))
        total += reindex(session, ((owner, i) for i in ids))
    return total


# --- Session hooks --------------------------------------------------------------------------


def _collect(session: Session, _flush_context: Any) -> None:
    pending: set[tuple[str, int]] = session.info.setdefault(PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        for owner, owner_id in owners_of(obj):
            if owner_id is not None:
                pending.add((owner, owner_id))


def flush_pending(session: Session) -> None:
    """Bring the index up to date with this session's changes (called before commit and search)."""
    session.flush()
    while session.info.get(PENDING):
        pending = session.info.pop(PENDING)
        reindex(session, pending)


def _before_commit(session: Session) -> None:
    if session.info.get(PENDING) or session.new or session.dirty or session.deleted:
        flush_pending(session)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def install() -> None:
    """Listen to every ORM session (idempotent)."""
    for name, fn in (
        ("after_flush", _collect),
        ("before_commit", _before_commit),
        ("after_rollback", _after_rollback),
    ):
        if not sa.event.contains(Session, name, fn):
            sa.event.listen(Session, name, fn)
