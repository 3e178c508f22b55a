"""A jurisdiction page's summary: counts by norm and topic over every measure that applies,
and a bounded list under each (the newest first, as the filtered measure list orders them,
with a link to that list for the rest).

The page costs the same number of statements at any size: measure ids, norm letters and
topic slugs come as flat rows; standings from tracker.measures.standings; only the measures
shown are loaded as objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.measures import queries as measure_queries
from tracker.measures.models import Measure
from tracker.measures.standings import standings_of_listed
from tracker.norms import queries as norm_queries
from tracker.records.queries import visible

#: measures listed under each norm and topic; the rest are one link away
SHOWN = 10


@dataclass
class Listed:
    """``total`` measures, of which ``shown`` (the newest ``SHOWN``) are listed."""

    total: int
    shown: list[Measure] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


@dataclass
class Overview:
    total: int
    own: int
    counts: lifecycle.Counts
    covered: int
    by_norm: list[tuple[Any, Listed]]
    gaps: list[Any]
    unmapped: Listed
    by_topic: list[tuple[Any, Listed]]
    untagged: Listed
    #: every measure that applies (newest first), with its norm letters, topic slugs and
    #: standing today: what the page's charts read
    ids: list[int] = field(default_factory=list)
    letters: dict[int, list[str]] = field(default_factory=dict)
    slugs: dict[int, list[str]] = field(default_factory=dict)
    standings: dict[int, lifecycle.Standing] = field(default_factory=dict)
    norms: list[Any] = field(default_factory=list)
    topics: list[Any] = field(default_factory=list)


def overview(code: str, scope: list[str], *, include_drafts: bool = False) -> Overview:
    """Counts and bounded lists of the visible measures of ``scope`` (the jurisdiction and
    the organisations it belongs to) for the page of ``code``."""
    ids_stmt = visible(Measure, include_drafts=include_drafts).where(
        Measure.jurisdiction_code.in_(scope)
    )
    rows = db.session.execute(
        ids_stmt.with_only_columns(Measure.id, Measure.jurisdiction_code).order_by(
            Measure.year.desc().nulls_last(), Measure.jurisdiction_code, Measure.id
        )
    ).all()
    order = [measure_id for measure_id, _code in rows]
    letters = measure_queries.norm_letters_by_measure(scope, include_drafts=include_drafts)
    slugs = measure_queries.topic_slugs_by_measure(scope, include_drafts=include_drafts)
    standings = standings_of_listed(
        order, ids_stmt.with_only_columns(Measure.id), include_drafts=include_drafts
    )
    covering = lifecycle.COVERING.standings

    wanted: set[int] = set()

    def listed(ids: list[int]) -> Listed:
        wanted.update(ids[:SHOWN])
        return Listed(len(ids), [])

    norms, topics = list(norm_queries.all_norms()), list(norm_queries.all_topics())
    by_norm, gaps, covered = [], [], 0
    for norm in norms:
        matching = [i for i in order if norm.letter in letters.get(i, ())]
        if matching:
            by_norm.append((norm, listed(matching), matching[:SHOWN]))
        # a norm is covered, and not a gap, only with a measure in force today
        if any(standings.get(i) in covering for i in matching):
            covered += 1
        else:
            gaps.append(norm)
    by_topic = []
    for topic in topics:
        matching = [i for i in order if topic.slug in slugs.get(i, ())]
        if matching:
            by_topic.append((topic, listed(matching), matching[:SHOWN]))
    unmapped_ids = [i for i in order if not letters.get(i)]
    untagged_ids = [i for i in order if not slugs.get(i)]
    unmapped, untagged = listed(unmapped_ids), listed(untagged_ids)

    loaded = _load(wanted, include_drafts=include_drafts)
    for _key, group, ids in (*by_norm, *by_topic):
        group.shown = [loaded[i] for i in ids if i in loaded]
    unmapped.shown = [loaded[i] for i in unmapped_ids[:SHOWN] if i in loaded]
    untagged.shown = [loaded[i] for i in untagged_ids[:SHOWN] if i in loaded]
    return Overview(
        total=len(order),
        own=sum(1 for _i, c in rows if c == code),
        counts=lifecycle.count(standings.values()),
        covered=covered,
        by_norm=[(norm, group) for norm, group, _ids in by_norm],
        gaps=gaps,
        unmapped=unmapped,
        by_topic=[(topic, group) for topic, group, _ids in by_topic],
        untagged=untagged,
        ids=order,
        letters=letters,
        slugs=slugs,
        standings=standings,
        norms=norms,
        topics=topics,
    )


def _load(ids: set[int], *, include_drafts: bool) -> dict[int, Measure]:
    """The listed measures with what a list item shows (at most a few hundred). Their
    jurisdictions are the page's and its organisations', already in the session."""
    if not ids:
        return {}
    stmt = (
        visible(Measure, include_drafts=include_drafts)
        .where(Measure.id.in_(sorted(ids)))
        .options(selectinload(Measure.events))
    )
    return {m.id: m for m in db.session.scalars(stmt)}
