"""Queries over measures. Each returns a statement or a small result; views stay thin.

Every query starts from ``tracker.records.queries.visible`` so that the public
only ever sees live copies of records that are not deleted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import selectinload, subqueryload

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, JurisdictionKind, Membership
from tracker.measures import lifecycle
from tracker.measures.models import (
    Mapping,
    Measure,
    MeasureEvent,
    MeasureRelation,
    MeasureStatus,
    MeasureType,
    RelationKind,
    measure_topics,
)
from tracker.norms.models import Norm, Topic
from tracker.queryargs import InvalidArgument, list_arg
from tracker.records.kept import JURISDICTION_COUNTS, filter_key, public_or_kept
from tracker.records.models import Record
from tracker.records.queries import plain_rows, visible

YEAR_MIN, YEAR_MAX = 1900, 2100


@dataclass
class MeasureFilters:
    """Validated filters shared by the HTML list, the API and the exports."""

    jurisdictions: list[str] = field(default_factory=list)
    norms: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    types: list[MeasureType] = field(default_factory=list)
    statuses: list[MeasureStatus] = field(default_factory=list)
    year: int | None = None
    #: the date standings are computed for (None: today)
    as_of: dt.date | None = None
    #: keep measures with this standing on ``as_of`` (a count key or a standing value)
    standing: str | None = None

    @property
    def on(self) -> dt.date:
        return self.as_of or lifecycle.today()

    @property
    def active(self) -> bool:
        return bool(
            self.jurisdictions
            or self.norms
            or self.topics
            or self.types
            or self.statuses
            or self.year
            or self.standing
        )

    def as_args(self) -> dict[str, Any]:
        """Query-string arguments that reproduce these filters."""
        args: dict[str, Any] = {}
        if self.jurisdictions:
            args["jurisdiction"] = self.jurisdictions
        if self.norms:
            args["norm"] = self.norms
        if self.topics:
            args["topic"] = self.topics
        if self.types:
            args["type"] = [t.value for t in self.types]
        if self.statuses:
            args["status"] = [s.value for s in self.statuses]
        if self.year:
            args["year"] = self.year
        if self.as_of:
            args["as_of"] = self.as_of.isoformat()
        if self.standing:
            args["standing"] = self.standing
        return args


def parse_filters(args: MappingType[str, Any]) -> MeasureFilters:
    """Read filters from query arguments; raises InvalidArgument on a malformed value (the
    first, in the order of the fields)."""
    return MeasureFilters(
        jurisdictions=_jurisdictions(args),
        norms=_norms(args),
        topics=_topics(args),
        types=_choices(args, "type", MeasureType),
        statuses=_choices(args, "status", MeasureStatus),
        year=_year(args),
        as_of=_as_of(args),
        standing=_standing(args),
    )


def _jurisdictions(args: MappingType[str, Any]) -> list[str]:
    from tracker.jurisdictions.queries import known_codes

    return known_codes([c.upper() for c in list_arg(args, "jurisdiction")])


def _norms(args: MappingType[str, Any]) -> list[str]:
    letters = [n.lower() for n in list_arg(args, "norm")]
    bad = [n for n in letters if len(n) != 1 or n not in "abcdefghijk"]
    if bad:
        raise InvalidArgument(f"Unknown norm: {', '.join(bad)}. Norms are the letters a to k.")
    return letters


def _topics(args: MappingType[str, Any]) -> list[str]:
    slugs = list_arg(args, "topic")
    if not slugs:
        return []
    known = set(db.session.scalars(sa.select(Topic.slug).where(Topic.slug.in_(slugs))))
    unknown = [s for s in slugs if s not in known]
    if unknown:
        allowed = ", ".join(db.session.scalars(sa.select(Topic.slug).order_by(Topic.position)))
        raise InvalidArgument(f"Unknown topic: {', '.join(unknown)}. Topics are: {allowed}.")
    return slugs


def _choices(args: MappingType[str, Any], name: str, enum_cls: Any) -> list[Any]:
    try:
        return [enum_cls.parse(v) for v in list_arg(args, name)]
    except ValueError as exc:
        raise InvalidArgument(f"Invalid {name}: {exc}.") from None


def _year(args: MappingType[str, Any]) -> int | None:
    years = list_arg(args, "year")
    if not years:
        return None
    if len(years) > 1 or not years[0].isdigit() or not YEAR_MIN <= int(years[0]) <= YEAR_MAX:
        raise InvalidArgument(
            f"Invalid year {years[0]!r}: give one year as four digits, e.g. 2024."
        )
    return int(years[0])


def _as_of(args: MappingType[str, Any]) -> dt.date | None:
    as_of = list_arg(args, "as_of")
    if not as_of:
        return None
    try:
        if len(as_of) > 1:
            raise ValueError("give one date")
        return lifecycle.parse_as_of(as_of[0])
    except ValueError as exc:
        raise InvalidArgument(f"Invalid as_of: {exc}") from None


def _standing(args: MappingType[str, Any]) -> str | None:
    """A count key or a standing value (see lifecycle.parse_standing)."""
    standing = list_arg(args, "standing")
    if not standing:
        return None
    try:
        if len(standing) > 1:
            raise ValueError("give one standing")
        lifecycle.parse_standing(standing[0])
    except ValueError as exc:
        raise InvalidArgument(f"Invalid standing: {exc}.") from None
    return standing[0]


def jurisdiction_scope(code: str) -> list[str]:
    """The jurisdiction and the organisations whose measures apply to it (DE -> DE, EU)."""
    orgs = db.session.scalars(sa.select(Membership.org_code).where(Membership.member_code == code))
    return [code, *orgs]


def with_details(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """Eager-load what list and detail templates show, in a fixed number of queries."""
    return stmt.options(
        selectinload(Measure.jurisdiction),
        selectinload(Measure.topics),
        selectinload(Measure.mappings).selectinload(Mapping.norm),
        selectinload(Measure.mappings).selectinload(Mapping.commitment),
        selectinload(Measure.events),
    )


def filtered_measures(filters: MeasureFilters, *, include_drafts: bool = False) -> sa.Select[Any]:
    """Measures matching the filters, newest first. A jurisdiction filter includes measures
    that apply via an organisation the jurisdiction belongs to (EU measures for DE)."""
    stmt = visible(Measure, include_drafts=include_drafts)
    if filters.jurisdictions:
        codes = set(filters.jurisdictions)
        for code in filters.jurisdictions:
            codes.update(jurisdiction_scope(code))
        stmt = stmt.where(Measure.jurisdiction_code.in_(sorted(codes)))
    if filters.norms:
        stmt = stmt.where(
            sa.exists().where(
                Mapping.measure_id == Measure.id,
                # by measure id, never by norm, whatever the statistics (see reports.queries)
                (Mapping.norm_id + 0) == Norm.id,
                Norm.letter.in_(filters.norms),
            )
        )
    if filters.topics:
        stmt = stmt.where(
            sa.exists().where(
                measure_topics.c.measure_id == Measure.id,
                measure_topics.c.topic_id == Topic.id,
                Topic.slug.in_(filters.topics),
            )
        )
    if filters.types:
        stmt = stmt.where(Measure.type.in_(filters.types))
    if filters.statuses:
        stmt = stmt.where(Measure.status.in_(filters.statuses))
    if filters.year:
        stmt = stmt.where(Measure.year == filters.year)
    if filters.standing:
        # the measures of the other filters with the standing (every one of them is read):
        # for the public, once per data version for every page of the list and the API
        ids = public_or_kept(
            include_drafts,
            STANDING_IDS,
            filter_key(filters.as_args()),
            lambda: _with_standing(stmt, filters, include_drafts),
            size=STANDING_IDS_SIZE,
        )
        stmt = stmt.where(Measure.id.in_(ids))
    return stmt.order_by(Measure.year.desc().nulls_last(), Measure.jurisdiction_code, Measure.id)


#: the kind of kept figure of a standing filter's measures (tracker.records.kept), and how
#: many filter combinations are kept (each a list of up to every measure's id)
STANDING_IDS = "standing_ids"
STANDING_IDS_SIZE = 32


def _with_standing(
    stmt: sa.Select[Any], filters: MeasureFilters, include_drafts: bool
) -> tuple[int, ...]:
    """The ids of the measures ``stmt`` selects whose standing is ``filters.standing``."""
    from tracker.measures.standings import standings_of

    wanted = lifecycle.parse_standing(filters.standing or "")
    found = standings_of(
        stmt.with_only_columns(Measure.id), filters.as_of, include_drafts=include_drafts
    )
    return tuple(sorted(i for i, s in found.items() if s in wanted))


def measure_standings(
    measures: Iterable[Measure], on: dt.date, *, include_drafts: bool = False
) -> dict[int, lifecycle.StandingOn]:
    """{measure id: standing on ``on``} for measures whose events are loaded; successors are
    named only when the reader may see them (one query)."""
    measures = list(measures)
    ids = {e.successor_record_id for m in measures for e in m.events if e.successor_record_id}
    found = visible_measures_by_record(ids, include_drafts=include_drafts)
    successors = {rid: m.label for rid, m in found.items()}
    now = lifecycle.today()
    return {m.id: lifecycle.standing_of(m, on, now, successors) for m in measures}


class StandingRow(NamedTuple):
    """A measure's standing as a flat row (a tuple: tens of thousands are made for a count,
    and a frozen dataclass costs several times as much to build)."""

    id: int
    jurisdiction_code: str
    standing: lifecycle.Standing


def visible_standings(
    on: dt.date | None = None,
    *,
    include_drafts: bool = False,
    codes: Iterable[str] | None = None,
) -> list[StandingRow]:
    """Every visible measure's standing on ``on`` (today), in a fixed number of queries
    whatever the number of measures (no per-measure loading, no batched IN lists); with
    ``codes``, only the measures of those jurisdictions. The public's standings today come
    from the per-version snapshot (tracker.measures.standings)."""
    from tracker.measures import standings

    wanted = set(codes) if codes is not None else None
    if not include_drafts and (on is None or on == lifecycle.today()):
        rows = standings.snapshot().items()
        if wanted is None:
            return [StandingRow._make(row) for row in rows]
        return [StandingRow._make(row) for row in rows if row[1] in wanted]
    ids = None
    if wanted is not None:
        ids = (
            visible(Measure, include_drafts=include_drafts)
            .with_only_columns(Measure.id)
            .where(Measure.jurisdiction_code.in_(sorted(wanted)))
            .scalar_subquery()
        )
    found = standings.compute(ids, on, include_drafts=include_drafts)
    return [StandingRow(i, code, s.standing) for i, (code, s) in found.items()]


#: the columns of an event that a standing reads (rows, not ORM objects: tens of thousands
#: of them are read for a count, see tracker.measures.lifecycle.events_of)
EVENT_COLUMNS = (
    MeasureEvent.measure_id,
    MeasureEvent.kind,
    MeasureEvent.date,
    MeasureEvent.precision,
    MeasureEvent.stage,
    MeasureEvent.note,
    MeasureEvent.successor_record_id,
)


def event_rows(ids: Any) -> dict[int, list[Any]]:
    """{measure id: its events as rows, oldest first} for the measures ``ids`` (a subquery
    or a list), in one query."""
    events: dict[int, list[Any]] = defaultdict(list)
    for e in db.session.execute(
        sa.select(*EVENT_COLUMNS)
        .where(MeasureEvent.measure_id.in_(ids))
        .order_by(MeasureEvent.date, MeasureEvent.id)
    ):
        events[e.measure_id].append(e)
    return events


def standing_counts(
    on: dt.date | None = None,
    *,
    include_drafts: bool = False,
    codes: Iterable[str] | None = None,
) -> dict[str, lifecycle.Counts]:
    """{jurisdiction code: named counts of its own visible measures on ``on`` (today)}; with
    ``codes``, for those jurisdictions only."""
    grouped: dict[str, list[lifecycle.Standing]] = defaultdict(list)
    for row in visible_standings(on, include_drafts=include_drafts, codes=codes):
        grouped[row.jurisdiction_code].append(row.standing)
    return {code: lifecycle.count(items) for code, items in grouped.items()}


def get_measure(record_id: int, *, include_drafts: bool = False) -> Measure | None:
    """The copy of a measure record this reader may see, with everything the page shows."""
    stmt = with_details(visible(Measure, include_drafts=include_drafts)).where(
        Measure.record_id == record_id
    )
    stmt = stmt.options(
        selectinload(Measure.sources), selectinload(Measure.relations), selectinload(Measure.record)
    )
    return db.session.scalar(stmt)


def count_measures(*, include_drafts: bool = False) -> int:
    stmt = sa.select(sa.func.count()).select_from(
        visible(Measure, include_drafts=include_drafts).subquery()
    )
    return db.session.scalar(stmt) or 0


def count_jurisdictions_with_measures(*, include_drafts: bool = False) -> int:
    sub = (
        visible(Measure, include_drafts=include_drafts)
        .with_only_columns(Measure.jurisdiction_code)
        .distinct()
        .subquery()
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(sub)) or 0


def coverage(letters: list[str], *, include_drafts: bool = False) -> dict[str, dict[str, int]]:
    """Measures per jurisdiction and norm, in one grouped query: {code: {letter: n}}.

    Counts a measure once per norm however many mappings it has to that norm.
    """
    base = visible(Measure, include_drafts=include_drafts).subquery()
    stmt = (
        sa.select(base.c.jurisdiction_code, Norm.letter, sa.func.count(sa.distinct(base.c.id)))
        .join(Mapping, Mapping.measure_id == base.c.id)
        .join(Norm, Norm.id == Mapping.norm_id)
        .where(Norm.letter.in_(letters))
        .group_by(base.c.jurisdiction_code, Norm.letter)
    )
    grid: dict[str, dict[str, int]] = defaultdict(dict)
    for code, letter, n in db.session.execute(stmt):
        grid[code][letter] = n
    return dict(grid)


def recently_changed(limit: int = 8, *, include_drafts: bool = False) -> list[Measure]:
    """Newest publications first (drafts: newest saves), so that editing a draft does not
    reorder what the public sees."""
    changed = (
        Record.updated_at
        if include_drafts
        else sa.func.coalesce(Record.published_at, Record.updated_at)
    )
    stmt = (
        with_details(visible(Measure, include_drafts=include_drafts))
        .options(selectinload(Measure.record))
        .join(Record, Record.id == Measure.record_id)
        .order_by(changed.desc(), Measure.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


# -- Pages that list every measure of a norm or a jurisdiction ------------------------------
# These pages are not paginated, so they must not eager-load collections with selectinload
# (it issues one more query per 500 parents). They fetch flat rows in a fixed number of
# queries instead, however many measures there are.


def measures_for_norm(
    norm_id: int, *, include_drafts: bool = False
) -> list[tuple[Measure, Mapping]]:
    """(measure, mapping) pairs for every visible measure mapped to the norm, by jurisdiction."""
    stmt = (
        visible(Measure, include_drafts=include_drafts)
        .add_columns(Mapping)
        .join(Mapping, Mapping.measure_id == Measure.id)
        .where(Mapping.norm_id == norm_id)
        .options(selectinload(Measure.jurisdiction), subqueryload(Measure.events))
        .order_by(
            Measure.jurisdiction_code, Measure.year.desc().nulls_last(), Measure.id, Mapping.id
        )
    )
    return [(measure, mapping) for measure, mapping in db.session.execute(stmt)]


def norm_counts_by_jurisdiction(norm_id: int, *, include_drafts: bool = False) -> dict[str, int]:
    """{jurisdiction code: visible measures mapped to the norm} (one grouped query)."""
    # the measure's mappings by measure id (a norm has tens of thousands at scale)
    stmt = (
        visible(Measure, include_drafts=include_drafts)
        .with_only_columns(Measure.jurisdiction_code, sa.func.count())
        .where(sa.exists().where(Mapping.measure_id == Measure.id, Mapping.norm_id == norm_id))
        .group_by(Measure.jurisdiction_code)
    )
    return {code: n for code, n in db.session.execute(stmt)}


def norm_measures(norm_id: int, *, include_drafts: bool = False) -> sa.Select[Any]:
    """Visible measures mapped to the norm, as the norm page lists them: regional
    organisations first, then jurisdictions by name, newest first within each."""
    return (
        visible(Measure, include_drafts=include_drafts)
        .join(Jurisdiction, Jurisdiction.code == Measure.jurisdiction_code)
        .where(sa.exists().where(Mapping.measure_id == Measure.id, Mapping.norm_id == norm_id))
        # (jurisdictions: the page loads them for its summary; found in the session by key)
        .options(selectinload(Measure.events))
        .order_by(
            sa.case((Jurisdiction.kind == JurisdictionKind.REGIONAL_ORG, 0), else_=1),
            Jurisdiction.name,
            Measure.year.desc().nulls_last(),
            Measure.id,
        )
    )


def norm_mappings(measure_ids: list[int], norm_id: int) -> dict[int, list[Mapping]]:
    """{measure id: its mappings to the norm} for the listed measures (one query)."""
    found: dict[int, list[Mapping]] = defaultdict(list)
    if not measure_ids:
        return found
    stmt = (
        sa.select(Mapping)
        .where(Mapping.measure_id.in_(measure_ids), Mapping.norm_id == norm_id)
        .order_by(Mapping.measure_id, Mapping.id)
    )
    for mapping in db.session.scalars(stmt):
        found[mapping.measure_id].append(mapping)
    return found


def measures_in(codes: list[str], *, include_drafts: bool = False) -> list[Measure]:
    """Visible measures of these jurisdictions, newest first (no collections loaded)."""
    stmt = (
        visible(Measure, include_drafts=include_drafts)
        .where(Measure.jurisdiction_code.in_(codes))
        .options(selectinload(Measure.jurisdiction), subqueryload(Measure.events))
        .order_by(Measure.year.desc().nulls_last(), Measure.jurisdiction_code, Measure.id)
    )
    return list(db.session.scalars(stmt))


def norm_letters_by_measure(
    codes: list[str], *, include_drafts: bool = False
) -> dict[int, list[str]]:
    """{measure id: [norm letters]} for the visible measures of these jurisdictions."""
    ids = visible(Measure, include_drafts=include_drafts).where(
        Measure.jurisdiction_code.in_(codes)
    )
    stmt = (
        sa.select(Mapping.measure_id, Norm.letter)
        .join(Norm, Norm.id == Mapping.norm_id)
        .where(Mapping.measure_id.in_(ids.with_only_columns(Measure.id)))
        .distinct()
        .order_by(Mapping.measure_id, Norm.letter)
    )
    result: dict[int, list[str]] = defaultdict(list)
    for measure_id, letter in db.session.execute(stmt):
        result[measure_id].append(letter)
    return dict(result)


def topic_slugs_by_measure(
    codes: list[str], *, include_drafts: bool = False
) -> dict[int, list[str]]:
    """{measure id: [topic slugs]} for the visible measures of these jurisdictions."""
    ids = visible(Measure, include_drafts=include_drafts).where(
        Measure.jurisdiction_code.in_(codes)
    )
    stmt = (
        sa.select(measure_topics.c.measure_id, Topic.slug)
        .join(Topic, Topic.id == measure_topics.c.topic_id)
        .where(measure_topics.c.measure_id.in_(ids.with_only_columns(Measure.id)))
        .order_by(measure_topics.c.measure_id, Topic.position)
    )
    result: dict[int, list[str]] = defaultdict(list)
    for measure_id, slug in db.session.execute(stmt):
        result[measure_id].append(slug)
    return dict(result)


def counts_by_jurisdiction(*, include_drafts: bool = False) -> dict[str, int]:
    """{jurisdiction code: number of its own visible measures}, in one grouped query."""
    base = visible(Measure, include_drafts=include_drafts).subquery()
    stmt = sa.select(base.c.jurisdiction_code, sa.func.count()).group_by(base.c.jurisdiction_code)
    return {code: n for code, n in db.session.execute(stmt)}


def kept_counts_by_jurisdiction(*, include_drafts: bool = False) -> dict[str, int]:
    """``counts_by_jurisdiction``, for the public kept per data version (the list of
    measures, the list of jurisdictions and an organisation's page show it)."""
    return public_or_kept(
        include_drafts,
        JURISDICTION_COUNTS,
        None,
        lambda: counts_by_jurisdiction(include_drafts=include_drafts),
    )


def year_options(*, include_drafts: bool = False) -> list[int]:
    """Years that visible measures start in, newest first (for the year filter)."""
    base = visible(Measure, include_drafts=include_drafts).subquery()
    stmt = (
        sa.select(base.c.year)
        .where(base.c.year.is_not(None))
        .distinct()
        .order_by(base.c.year.desc())
    )
    return list(db.session.scalars(stmt))


def visible_measures_by_record(
    record_ids: set[int], *, include_drafts: bool = False
) -> dict[int, Measure]:
    """{record id: visible measure} for relation targets: a target the reader may not see is
    absent."""
    if not record_ids:
        return {}
    stmt = visible(Measure, include_drafts=include_drafts).where(
        Measure.record_id.in_(sorted(record_ids))
    )
    return {m.record_id: m for m in db.session.scalars(stmt)}


@dataclass
class CoverageCell:
    #: measures in force today (lifecycle.COVERING): the jurisdiction's own plus those of
    #: organisations it belongs to
    total: int = 0
    #: of which come from an organisation ("via EU")
    via: int = 0


@dataclass
class CoverageRow:
    jurisdiction: Jurisdiction
    cells: dict[str, CoverageCell]
    #: every measure that applies to the jurisdiction, whatever the norm
    measures: CoverageCell


def coverage_rows(letters: list[str], *, include_drafts: bool = False) -> list[CoverageRow]:
    """The start page's grid: a row per jurisdiction with measures (regional organisations
    first), a cell per norm, counting measures in force today (lifecycle.COVERING). Each
    cell counts what the filtered measure list behind its link shows (``standing=in_force``),
    so EU measures count for member States too (as "via EU")."""
    from tracker.jurisdictions.queries import memberships
    from tracker.norms.queries import jurisdictions_by_code

    standings = visible_standings(include_drafts=include_drafts)
    listed = {r.jurisdiction_code for r in standings}
    ids = visible(Measure, include_drafts=include_drafts).with_only_columns(Measure.id)
    # tuples of letters, which the collector stops tracking (one per measure)
    letters_of: dict[int, tuple[str, ...]] = {}
    for measure_id, letter in plain_rows(
        sa.select(Mapping.measure_id, Norm.letter)
        .join(Norm, Norm.id == Mapping.norm_id)
        .where(Mapping.measure_id.in_(ids.scalar_subquery()), Norm.letter.in_(letters))
    ):
        found = letters_of.get(measure_id, ())
        if letter not in found:
            letters_of[measure_id] = (*found, letter)
    own: dict[str, int] = defaultdict(int)
    grid: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in standings:
        if r.standing not in lifecycle.COVERING.standings:
            continue
        own[r.jurisdiction_code] += 1
        for letter in letters_of.get(r.id, ()):
            grid[r.jurisdiction_code][letter] += 1
    jurisdictions = jurisdictions_by_code(listed)
    orgs = memberships(sorted(listed))
    rows = []
    for code, jurisdiction in jurisdictions.items():
        via_orgs = orgs.get(code, [])
        cells = {}
        for letter in letters:
            via = sum(grid.get(org, {}).get(letter, 0) for org in via_orgs)
            cells[letter] = CoverageCell(grid.get(code, {}).get(letter, 0) + via, via)
        via_all = sum(own.get(org, 0) for org in via_orgs)
        rows.append(
            CoverageRow(jurisdiction, cells, CoverageCell(own.get(code, 0) + via_all, via_all))
        )
    rows.sort(key=lambda r: (not r.jurisdiction.is_org, r.jurisdiction.name))
    return rows


def inbound_relations(
    record_id: int,
    *,
    include_drafts: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[tuple[MeasureRelation, Measure]]:
    """Visible measures that point at this record (it is amended / implemented / ... by
    them), by kind, then oldest first; ``limit`` of them from ``offset``."""
    stmt = (
        visible(Measure, include_drafts=include_drafts)
        .add_columns(MeasureRelation)
        .join(MeasureRelation, MeasureRelation.measure_id == Measure.id)
        .where(MeasureRelation.target_record_id == record_id)
        .order_by(MeasureRelation.kind, Measure.year, Measure.id, MeasureRelation.id)
        .offset(offset)
        .limit(limit)
    )
    return [(relation, measure) for measure, relation in db.session.execute(stmt)]


def inbound_counts(record_id: int, *, include_drafts: bool = False) -> dict[RelationKind, int]:
    """{kind: number of visible measures pointing at this record that way} (one query)."""
    stmt = (
        visible(Measure, include_drafts=include_drafts)
        .join(MeasureRelation, MeasureRelation.measure_id == Measure.id)
        .where(MeasureRelation.target_record_id == record_id)
        .with_only_columns(MeasureRelation.kind, sa.func.count())
        .group_by(MeasureRelation.kind)
        .order_by(MeasureRelation.kind)
    )
    return {kind: n for kind, n in db.session.execute(stmt)}


@dataclass(frozen=True)
class MappingRuleCounts:
    """How many visible mappings meet the mapping rule, for the home page's sentence."""

    total: int
    with_rationale: int
    #: with a pinpoint (locator)
    pinpointed: int
    #: without a pinpoint, marked as concerning the whole instrument
    whole_instrument: int

    @property
    def without_pinpoint(self) -> int:
        return self.total - self.pinpointed - self.whole_instrument


def mapping_rule_counts(*, include_drafts: bool = False) -> MappingRuleCounts:
    """Counts of the mappings of visible measures, in one query."""
    base = visible(Measure, include_drafts=include_drafts).subquery()
    has_locator = sa.func.coalesce(sa.func.length(sa.func.trim(Mapping.locator)), 0) > 0
    has_rationale = sa.func.coalesce(sa.func.length(sa.func.trim(Mapping.rationale)), 0) > 0
    stmt = sa.select(
        sa.func.count(Mapping.id),
        sa.func.count(Mapping.id).filter(has_rationale),
        sa.func.count(Mapping.id).filter(has_locator),
        sa.func.count(Mapping.id).filter(sa.not_(has_locator), Mapping.whole_instrument),
    ).join(base, base.c.id == Mapping.measure_id)
    total, rationale, pinpointed, whole = db.session.execute(stmt).one()
    return MappingRuleCounts(total, rationale, pinpointed, whole)
