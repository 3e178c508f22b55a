"""The filters a reader follows: the list filters (jurisdiction, norm, topic, type) and the
record kind, parsed by the lists' own parser and matched against the publications log.

A publication matches a content filter when its record's live copy matches it now: the
measures list's rules (a jurisdiction includes the organisations it belongs to, so DE
includes EU measures) and, for attribution statements, the attributing State and the
norms invoked. A withdrawn measure has no live copy: it matches by the last copy that was
public (the snapshot of its last published revision), never by its working copy. Policy
papers carry no jurisdiction, topic or type, so a content filter leaves them out; a
withdrawn attribution statement shows in the unfiltered feed only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tracker.attribution import queries as attribution_queries
from tracker.attribution.models import Attribution
from tracker.extensions import db
from tracker.measures import queries as measure_queries
from tracker.measures.models import Measure, MeasureType
from tracker.queryargs import InvalidArgument, list_arg
from tracker.records.models import Publication, Record, RecordKind

#: the query arguments a followed filter reads, in the order links write them
NAMES = ("jurisdiction", "norm", "topic", "type", "kind")


@dataclass(frozen=True)
class FollowFilters:
    jurisdictions: tuple[str, ...] = ()
    norms: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    types: tuple[MeasureType, ...] = ()
    #: record kinds (measure, paper, attribution), as the search page calls them
    kinds: tuple[RecordKind, ...] = field(default=())

    @property
    def active(self) -> bool:
        return bool(self.jurisdictions or self.norms or self.topics or self.types or self.kinds)

    @property
    def content(self) -> bool:
        """Filters on what a record is about (not only on its kind)."""
        return bool(self.jurisdictions or self.norms or self.topics or self.types)

    def wants(self, kind: RecordKind) -> bool:
        return not self.kinds or kind in self.kinds

    def as_args(self) -> dict[str, list[str]]:
        """Query arguments that reproduce these filters (for links and stored subscriptions)."""
        args: dict[str, list[str]] = {}
        if self.jurisdictions:
            args["jurisdiction"] = list(self.jurisdictions)
        if self.norms:
            args["norm"] = list(self.norms)
        if self.topics:
            args["topic"] = list(self.topics)
        if self.types:
            args["type"] = [t.value for t in self.types]
        if self.kinds:
            args["kind"] = [k.value for k in self.kinds]
        return args

    def measure_filters(self) -> measure_queries.MeasureFilters:
        return measure_queries.MeasureFilters(
            jurisdictions=list(self.jurisdictions),
            norms=list(self.norms),
            topics=list(self.topics),
            types=list(self.types),
        )


def _unique(values: list[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


def parse(args: Mapping[str, Any]) -> FollowFilters:
    """The followed filters in ``args``; InvalidArgument (a 400) names a bad value.

    Jurisdiction, norm, topic and type go through the measures list's parser, so they take
    the same values (repeated or comma-separated) and fail with the same messages."""
    getlist = getattr(args, "getlist", None)
    subset: MultiDict[str, Any] = MultiDict()
    for name in ("jurisdiction", "norm", "topic", "type"):
        for value in getlist(name) if getlist else ([args[name]] if name in args else []):
            subset.add(name, value)
    measures = measure_queries.parse_filters(subset)
    kinds = []
    for value in list_arg(args, "kind"):
        try:
            kinds.append(RecordKind(value.lower()))
        except ValueError:
            allowed = ", ".join(k.value for k in RecordKind)
            raise InvalidArgument(f"Unknown kind: {value[:40]!r}. Kinds are: {allowed}.") from None
    return FollowFilters(
        jurisdictions=_unique(measures.jurisdictions),
        norms=_unique(measures.norms),
        topics=_unique(measures.topics),
        types=_unique(measures.types),
        kinds=_unique(kinds),
    )


def from_stored(args: Mapping[str, Any]) -> FollowFilters:
    """A subscription's stored arguments (lists of strings) as filters."""
    multi: MultiDict[str, Any] = MultiDict()
    for name, values in args.items():
        for value in values if isinstance(values, list) else [values]:
            multi.add(name, value)
    return parse(multi)


def matching_records(filters: FollowFilters) -> sa.Select[Any] | None:
    """Record ids whose live copy matches the content filters (None: no content filter)."""
    if not filters.content:
        return None
    parts: list[sa.Select[Any]] = []
    if filters.wants(RecordKind.MEASURE):
        stmt = measure_queries.filtered_measures(filters.measure_filters())
        parts.append(stmt.with_only_columns(Measure.record_id).order_by(None))
    if filters.wants(RecordKind.ATTRIBUTION) and not (filters.topics or filters.types):
        wanted = attribution_queries.AttributionFilters(
            attributing=list(filters.jurisdictions), norms=list(filters.norms)
        )
        stmt = attribution_queries.filtered_attributions(wanted)
        parts.append(stmt.with_only_columns(Attribution.record_id).order_by(None))
    if not parts:
        return sa.select(Record.id).where(sa.false())
    return parts[0] if len(parts) == 1 else sa.select(sa.union(*parts).subquery().c[0])


def withdrawn_measures(filters: FollowFilters) -> list[int]:
    """Record ids of withdrawn measures (no live copy) whose last public copy matched the
    content filters, read from the snapshot of their last published revision."""
    from tracker.records.models import Revision, WorkflowState

    if not filters.content or not filters.wants(RecordKind.MEASURE):
        return []
    live = sa.select(Measure.record_id).where(Measure.is_live)
    withdrawn = (
        sa.select(Publication.record_id)
        .where(
            Publication.kind == RecordKind.MEASURE,
            Publication.action == "withdrawn",
            Publication.record_id.not_in(live),
        )
        .distinct()
    )
    last = (
        sa.select(Revision.record_id, sa.func.max(Revision.number).label("number"))
        .where(Revision.record_id.in_(withdrawn), Revision.state == WorkflowState.PUBLISHED)
        .group_by(Revision.record_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Revision.record_id, Revision.snapshot).join(
            last, sa.and_(Revision.record_id == last.c.record_id, Revision.number == last.c.number)
        )
    ).all()
    if not rows:
        return []
    codes: set[str] = set()
    for code in filters.jurisdictions:
        codes.update(measure_queries.jurisdiction_scope(code))
    types = {t.value for t in filters.types}

    def matches(snap: dict[str, Any]) -> bool:
        norms = {m.get("norm") for m in snap.get("mappings", [])}
        return (
            (not codes or snap.get("jurisdiction_code") in codes)
            and (not filters.norms or bool(norms & set(filters.norms)))
            and (not filters.topics or bool(set(snap.get("topics", [])) & set(filters.topics)))
            and (not types or snap.get("type") in types)
        )

    return sorted(rid for rid, snap in rows if isinstance(snap, dict) and matches(snap))


def publications(filters: FollowFilters) -> sa.Select[Any]:
    """Public changes matching ``filters``, newest first (records that are deleted left out)."""
    stmt = (
        sa.select(Publication)
        .join(Record, Record.id == Publication.record_id)
        .where(Record.deleted_at.is_(None))
    )
    if filters.kinds:
        stmt = stmt.where(Publication.kind.in_(filters.kinds))
    records = matching_records(filters)
    if records is not None:
        gone = withdrawn_measures(filters)
        clause = Publication.record_id.in_(records)
        stmt = stmt.where(sa.or_(clause, Publication.record_id.in_(gone)) if gone else clause)
    return stmt.order_by(Publication.at.desc(), Publication.id.desc())


def describe(filters: FollowFilters) -> str:
    """The filters in words, from the stored names (for mails and the alert form)."""
    from tracker.jurisdictions.models import Jurisdiction
    from tracker.norms.models import Norm, Topic

    parts = []
    if filters.kinds:
        parts.append(" or ".join(k.label.lower() + "s" for k in filters.kinds))
    if filters.jurisdictions:
        names = dict(
            db.session.execute(
                sa.select(Jurisdiction.code, Jurisdiction.name).where(
                    Jurisdiction.code.in_(filters.jurisdictions)
                )
            ).all()
        )
        parts.append("jurisdiction " + ", ".join(names.get(c, c) for c in filters.jurisdictions))
    if filters.norms:
        titles = dict(
            db.session.execute(
                sa.select(Norm.letter, Norm.short_title).where(Norm.letter.in_(filters.norms))
            ).all()
        )
        parts.append(
            "norm " + ", ".join(f"({n}) {titles.get(n, '')}".strip() for n in filters.norms)
        )
    if filters.topics:
        names = dict(
            db.session.execute(
                sa.select(Topic.slug, Topic.name).where(Topic.slug.in_(filters.topics))
            ).all()
        )
        parts.append("topic " + ", ".join(names.get(t, t) for t in filters.topics))
    if filters.types:
        parts.append("type " + ", ".join(t.label for t in filters.types))
    return "; ".join(parts) if parts else "every published change"
