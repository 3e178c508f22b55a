"""The one search interface: ``search(query, filters, audience) -> SearchResults``.

Views, the API and anything else call only this; the engine (FTS5 or
PostgreSQL) is picked by tracker.search.backends from the database in use.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from tracker.extensions import db
from tracker.modelbase import Verification
from tracker.records.queries import visibility_clause
from tracker.search import vocab
from tracker.search.backends import Backend, Snippet, backend_for
from tracker.search.documents import FACETS, SOURCES
from tracker.search.index import flush_pending
from tracker.search.models import SearchEntry, SearchFacet
from tracker.search.text import ParsedQuery, has_hit, highlight, parse_query, plain

PER_PAGE = 20
MAX_PAGE = 500
MAX_VALUES = 20


@dataclass(frozen=True)
class Audience:
    """Who is searching: the public sees live copies; staff may ask for working copies."""

    include_drafts: bool = False


@dataclass
class SearchFilters:
    """Facet values to keep, per facet (values of one facet are alternatives)."""

    values: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: MappingType[str, Any]) -> SearchFilters:
        """Read facet filters from query arguments, quietly dropping what cannot be a value."""
        getlist = getattr(args, "getlist", None)
        values: dict[str, list[str]] = {}
        for facet in FACETS:
            raw = getlist(facet) if getlist else ([args[facet]] if facet in args else [])
            kept: list[str] = []
            for item in raw:
                value = str(item).strip()[:80]
                if value and value not in kept and (facet != "year" or value.isdigit()):
                    kept.append(value)
            if kept:
                values[facet] = kept[:MAX_VALUES]
        return cls(values)

    @property
    def active(self) -> bool:
        return bool(self.values)

    def has(self, facet: str, value: str) -> bool:
        return value in self.values.get(facet, [])

    def as_args(self) -> dict[str, list[str]]:
        return {facet: list(values) for facet, values in self.values.items()}

    def toggled(self, facet: str, value: str) -> dict[str, list[str]]:
        """Query arguments with ``value`` added to, or removed from, ``facet``."""
        args = self.as_args()
        current = args.get(facet, [])
        args[facet] = [v for v in current if v != value] if value in current else [*current, value]
        return {k: v for k, v in args.items() if v}


@dataclass
class Hit:
    entry: SearchEntry
    score: float
    title: Markup
    snippet: Markup
    facets: dict[str, list[str]]
    #: the reader asked for drafts and this is a working copy that is not live
    unpublished: bool = False

    @property
    def verification(self) -> Verification | None:
        value = self.entry.verification
        known = {v.value for v in Verification}
        return Verification(value) if value is not None and value in known else None


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass
class SearchResults:
    query: str
    parsed: ParsedQuery
    filters: SearchFilters
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    #: the typed query with misspelled words corrected, when that finds something
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def visible_entries(audience: Audience, *, by_id_set: bool = False) -> sa.ColumnElement[bool]:
    """Entries whose content row this audience may see (see tracker.records.queries).

    ``by_id_set`` asks for an uncorrelated ``owner_id IN (visible ids)`` rather than a
    correlated EXISTS per entry: PostgreSQL hashes the visible ids once instead of probing
    the content and record tables for every hit (at 40,000 measures those per-hit probes
    also priced each statement over the JIT threshold, ~0.4 s of compilation each); SQLite
    would evaluate the list by walking the whole content table, so it probes per hit."""
    clauses = []
    for owner, source in SOURCES.items():
        if not source.reviewable:
            clauses.append(SearchEntry.owner == owner)
            continue
        model = source.model
        visible = visibility_clause(model, include_drafts=audience.include_drafts)
        row_visible: sa.ColumnElement[bool]
        if by_id_set:
            row_visible = SearchEntry.owner_id.in_(sa.select(model.id).where(visible))
        else:
            row_visible = (
                sa.select(model.id).where(model.id == SearchEntry.owner_id).where(visible).exists()
            )
        clauses.append(sa.and_(SearchEntry.owner == owner, row_visible))
    return sa.or_(*clauses)


def _filter_clauses(filters: SearchFilters) -> list[sa.ColumnElement[bool]]:
    return [
        SearchEntry.id.in_(
            sa.select(SearchFacet.entry_id).where(
                SearchFacet.facet == facet, SearchFacet.value.in_(values)
            )
        )
        for facet, values in filters.values.items()
    ]


def search(
    query: str | None,
    filters: SearchFilters | None = None,
    audience: Audience | None = None,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """Ranked, filtered, paginated hits with snippets and facet counts. Never raises on
    what the reader typed: the query is read by tracker.search.text.parse_query."""
    filters = filters or SearchFilters()
    audience = audience or Audience()
    page = min(max(page, 1), MAX_PAGE)
    parsed = parse_query(query)
    results = SearchResults(
        query=query or "", parsed=parsed, filters=filters, page=page, per_page=per_page
    )
    if parsed.empty:
        return results

    session = db.session()
    flush_pending(session)
    backend = backend_for(session)
    tally = _tally(backend, parsed, filters, audience, limit=per_page, offset=(page - 1) * per_page)
    results.total = tally.total
    if not results.total:

        def finds(corrected: str) -> bool:
            again = _found(backend, parse_query(corrected), filters, audience)
            return session.scalar(sa.select(sa.select(again.c.id).exists())) is True

        results.suggestion = vocab.suggest(session, results.query, parsed, finds)
        return results

    results.facets = {
        facet: _ordered(
            facet,
            [FacetValue(value, n, filters.has(facet, value)) for value, n in values.items()],
        )
        for facet in FACETS
        if (values := tally.counts.get(facet))
    }

    entries = {
        entry.id: entry
        for entry in session.scalars(
            sa.select(SearchEntry).where(SearchEntry.id.in_([i for i, _ in tally.page]))
        )
    }
    rows = [(entries[i], score) for i, score in tally.page if i in entries]
    ids = [entry.id for entry, _ in rows]
    snippets = backend.snippets(session, parsed, ids)
    facets_of = _facets_of(ids)
    unpublished = _unpublished([entry for entry, _ in rows]) if audience.include_drafts else set()
    for entry, score in rows:
        snippet = snippets.get(entry.id) or Snippet(entry.title, "", entry.body[:300])
        results.hits.append(
            Hit(
                entry=entry,
                score=float(score or 0),
                title=highlight(snippet.title or entry.title),
                snippet=_best_snippet(snippet),
                facets=facets_of.get(entry.id, {}),
                unpublished=(entry.owner, entry.owner_id) in unpublished,
            )
        )
    return results


def matching_owner_ids(
    owner: str, query: str, filters: SearchFilters, audience: Audience
) -> sa.Select[Any]:
    """Ids of the ``owner`` rows (e.g. measures) whose entries ``search`` would list for this
    query, filters and audience, on every page (for exports of a results page)."""
    parsed = parse_query(query)
    if parsed.empty:
        return sa.select(SearchEntry.owner_id).where(sa.false())
    session = db.session()
    flush_pending(session)
    found = _found(backend_for(session), parsed, filters, audience)
    return (
        sa.select(SearchEntry.owner_id)
        .join(found, found.c.id == SearchEntry.id)
        .where(SearchEntry.owner == owner)
    )


@dataclass
class _Tally:
    #: the number of hits
    total: int = 0
    #: hits per value, per facet
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    #: (entry id, score) of the requested page of hits, best first
    page: list[tuple[int, float]] = field(default_factory=list)


def _tally(
    backend: Backend,
    parsed: ParsedQuery,
    filters: SearchFilters,
    audience: Audience,
    *,
    limit: int,
    offset: int,
) -> _Tally:
    """The number of hits, the hits per facet value and the ids of one page of hits, in one
    statement that finds (and, on PostgreSQL, ranks) the hits once.

    Each row says what it is (``part``): the total, a facet value's count, or a hit of the
    page. The page's ids are picked from the narrow (id, score) rows, so the database keeps
    only the best few while it ranks (a top-N sort) instead of sorting every hit.

    An entry holds each (facet, value) at most once (tracker.search.documents keeps a set
    per facet), so a plain count of its facet rows is the number of entries; it lets the
    database aggregate by hashing instead of sorting every (facet, value, entry) row."""
    found = (
        _found_select(backend, parsed, filters, audience).cte("found").prefix_with("MATERIALIZED")
    )
    top = (
        sa.select(found.c.id, found.c.score)
        .order_by(found.c.score.desc(), found.c.id)
        .limit(limit)
        .offset(offset)
        .subquery("top")
    )
    text, number, real = sa.String(), sa.Integer(), sa.Float()
    total = sa.select(
        sa.literal("total", text).label("part"),
        sa.cast(sa.null(), text).label("facet"),
        sa.cast(sa.null(), text).label("value"),
        sa.func.count().label("n"),
        sa.cast(sa.null(), real).label("score"),
    ).select_from(found)
    per_value = (
        sa.select(
            sa.literal("facet", text),
            SearchFacet.facet,
            SearchFacet.value,
            sa.func.count(),
            sa.cast(sa.null(), real),
        )
        .where(SearchFacet.entry_id.in_(sa.select(found.c.id)))
        .group_by(SearchFacet.facet, SearchFacet.value)
    )
    hits = sa.select(
        sa.literal("hit", text),
        sa.cast(sa.null(), text),
        sa.cast(sa.null(), text),
        sa.cast(top.c.id, number),
        top.c.score,
    )
    tally = _Tally()
    for part, facet, value, n, score in db.session.execute(sa.union_all(total, per_value, hits)):
        if part == "total":
            tally.total = n
        elif part == "facet":
            tally.counts[facet][value] = n
        else:
            tally.page.append((n, score))
    tally.page.sort(key=lambda hit: (-(hit[1] or 0.0), hit[0]))
    return tally


def _found(
    backend: Backend, parsed: ParsedQuery, filters: SearchFilters, audience: Audience
) -> sa.Subquery:
    """(id, score) of the entries that match, that this audience may see and that pass the
    filters."""
    return _found_select(backend, parsed, filters, audience).subquery("found")


def _found_select(
    backend: Backend, parsed: ParsedQuery, filters: SearchFilters, audience: Audience
) -> sa.Select[Any]:
    matches = backend.matches(parsed)
    return (
        sa.select(SearchEntry.id.label("id"), matches.c.score.label("score"))
        .join(matches, matches.c.entry_id == SearchEntry.id)
        .where(
            visible_entries(audience, by_id_set=backend.visibility_by_id_set),
            *_filter_clauses(filters),
        )
    )


def _best_snippet(snippet: Snippet) -> Markup:
    """The body fragment with a hit, else the names fragment with one, else the body's start."""
    for text in (snippet.body, snippet.alt):
        if has_hit(text):
            return highlight(text)
    return highlight(plain(snippet.body))


def _ordered(facet: str, values: list[FacetValue]) -> list[FacetValue]:
    if facet == "year":
        return sorted(values, key=lambda v: -int(v.value) if v.value.isdigit() else 0)
    if facet == "norm":
        return sorted(values, key=lambda v: v.value)
    return sorted(values, key=lambda v: (-v.count, v.value))


def _facets_of(ids: list[int]) -> dict[int, dict[str, list[str]]]:
    result: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    if not ids:
        return {}
    stmt = (
        sa.select(SearchFacet.entry_id, SearchFacet.facet, SearchFacet.value)
        .where(SearchFacet.entry_id.in_(ids))
        .order_by(SearchFacet.entry_id, SearchFacet.facet, SearchFacet.value)
    )
    for entry_id, facet, value in db.session.execute(stmt):
        result[entry_id][facet].append(value)
    return {k: dict(v) for k, v in result.items()}


def _unpublished(entries: list[SearchEntry]) -> set[tuple[str, int]]:
    """(owner, id) of the listed reviewable rows that are not the live copy."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for e in entries:
        if SOURCES[e.owner].reviewable:
            wanted[e.owner].add(e.owner_id)
    found: set[tuple[str, int]] = set()
    for owner, ids in wanted.items():
        model = SOURCES[owner].model
        stmt = sa.select(model.id).where(model.id.in_(ids), sa.not_(model.is_live))
        found.update((owner, i) for i in db.session.scalars(stmt))
    return found
