"""Queries over measures. Each returns a statement or a small result; views stay thin.

Every query starts from ``tracker.records.queries.visible`` so that the public
only ever sees live copies of records that are not deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import BadRequest

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, Membership
from tracker.measures.models import Mapping, Measure, MeasureStatus, MeasureType, measure_topics
from tracker.norms.models import Norm, Topic
from tracker.records.models import Record
from tracker.records.queries import visible

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

    @property
    def active(self) -> bool:
        return bool(self.jurisdictions or self.norms or self.topics or self.types or self.statuses or self.year)

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
        return args


def _values(args: MappingType[str, Any], name: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    raw = getlist(name) if getlist else ([args[name]] if name in args else [])
    values: list[str] = []
    for item in raw:
        values.extend(v.strip() for v in str(item).split(",") if v.strip())
    return values


def parse_filters(args: MappingType[str, Any]) -> MeasureFilters:
    """Read filters from query arguments; a malformed value is a 400 with a message."""
    filters = MeasureFilters()
    codes = [c.upper() for c in _values(args, "jurisdiction")]
    if codes:
        known = set(db.session.scalars(sa.select(Jurisdiction.code).where(Jurisdiction.code.in_(codes))))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise BadRequest(f"Unknown jurisdiction code: {', '.join(unknown)}. Use ISO 3166-1 alpha-2 codes such as DE or GB, or EU.")
        filters.jurisdictions = codes
    letters = [n.lower() for n in _values(args, "norm")]
    bad = [n for n in letters if len(n) != 1 or n not in "abcdefghijk"]
    if bad:
        raise BadRequest(f"Unknown norm: {', '.join(bad)}. Norms are the letters a to k.")
    filters.norms = letters
    slugs = _values(args, "topic")
    if slugs:
        known = set(db.session.scalars(sa.select(Topic.slug).where(Topic.slug.in_(slugs))))
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise BadRequest(f"Unknown topic: {', '.join(unknown)}.")
        filters.topics = slugs
    try:
        filters.types = [MeasureType.parse(v) for v in _values(args, "type")]  # type: ignore[misc]
        filters.statuses = [MeasureStatus.parse(v) for v in _values(args, "status")]  # type: ignore[misc]
    except ValueError as exc:
        raise BadRequest(f"Invalid filter: {exc}.") from None
    years = _values(args, "year")
    if years:
        if len(years) > 1 or not years[0].isdigit() or not YEAR_MIN <= int(years[0]) <= YEAR_MAX:
            raise BadRequest(f"Invalid year {years[0]!r}: give one year as four digits, e.g. 2024.")
        filters.year = int(years[0])
    return filters


def jurisdiction_scope(code: str) -> list[str]:
    """The jurisdiction and the organisations whose measures apply to it (DE -> DE, EU)."""
    orgs = db.session.scalars(sa.select(Membership.org_code).where(Membership.member_code == code))
    return [code, *orgs]


def member_codes(org_code: str) -> list[str]:
    return list(db.session.scalars(sa.select(Membership.member_code).where(Membership.org_code == org_code)))


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
            sa.exists().where(Mapping.measure_id == Measure.id, Mapping.norm_id == Norm.id, Norm.letter.in_(filters.norms))
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
    return stmt.order_by(Measure.year.desc().nulls_last(), Measure.jurisdiction_code, Measure.id)


def get_measure(record_id: int, *, include_drafts: bool = False) -> Measure | None:
    """The copy of a measure record this reader may see, with everything the page shows."""
    stmt = with_details(visible(Measure, include_drafts=include_drafts)).where(Measure.record_id == record_id)
    stmt = stmt.options(selectinload(Measure.sources), selectinload(Measure.relations), selectinload(Measure.record))
    return db.session.scalar(stmt)


def count_measures(*, include_drafts: bool = False) -> int:
    stmt = sa.select(sa.func.count()).select_from(visible(Measure, include_drafts=include_drafts).subquery())
    return db.session.scalar(stmt) or 0


def count_jurisdictions_with_measures(*, include_drafts: bool = False) -> int:
    sub = visible(Measure, include_drafts=include_drafts).with_only_columns(Measure.jurisdiction_code).distinct().subquery()
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
    stmt = (
        with_details(visible(Measure, include_drafts=include_drafts))
        .join(Record, Record.id == Measure.record_id)
        .order_by(Record.updated_at.desc(), Measure.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
