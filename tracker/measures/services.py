"""Snapshots, copies and restores of measure content (registered with tracker.records)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.measures import history, implementations
from tracker.measures.models import (
    EventKind,
    Mapping,
    MappingBasis,
    MappingState,
    Measure,
    MeasureEvent,
    MeasureRelation,
    MeasureStatus,
    MeasureType,
    RelationKind,
    Source,
)
from tracker.modelbase import Verification, parse_partial_date, partial_date_text
from tracker.norms.models import Commitment, Norm, Topic
from tracker.records import services as records
from tracker.records.models import Record, RecordKind

SCALAR_FIELDS = (
    "jurisdiction_code",
    "title_original",
    "title_lang",
    "title_en",
    "short_name",
    "type",
    "issuing_body",
    "status",
    "status_note",
    "official_identifier",
    "official_url",
    "description",
    "verification",
    "verification_note",
)
ENUM_FIELDS = {"type": MeasureType, "status": MeasureStatus, "verification": Verification}


def snapshot(measure: Measure) -> dict[str, Any]:
    """A JSON-ready picture of the measure, with children by stable keys rather than ids."""
    data: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        value = getattr(measure, name)
        data[name] = value.value if hasattr(value, "value") else value
    data["events"] = [
        {
            "kind": e.kind.value,
            "date": partial_date_text(e.date, e.precision),
            "stage": e.stage,
            "note": e.note,
            "successor_record_id": e.successor_record_id,
            "successor_key": e.successor_record.key if e.successor_record else None,
        }
        for e in measure.events
    ]
    data["sources"] = [
        {
            "url": s.url,
            "title": s.title,
            "accessed": s.accessed.isoformat() if s.accessed else None,
            "staff_note": s.staff_note,
        }
        for s in measure.sources
    ]
    data["topics"] = [t.slug for t in measure.topics]
    data["relations"] = [
        {
            "kind": r.kind.value,
            "target_record_id": r.target_record_id,
            "target_key": r.target_record.key if r.target_record else None,
            "note": r.note,
        }
        for r in measure.relations
    ]
    data["mappings"] = [
        {
            "norm": m.norm.letter if m.norm else None,
            "commitment": m.commitment.key if m.commitment else None,
            "locator": m.locator,
            "whole_instrument": m.whole_instrument,
            "rationale": m.rationale,
            "basis": m.basis.value,
        }
        for m in measure.mappings
    ]
    # Links to recommendations and catalogue actions (papers issue).
    data["implementations"] = implementations.snapshot(measure)
    return data


def clone(measure: Measure) -> Measure:
    """A new, unsaved measure row with the same content and copied children."""
    new = Measure(record_id=measure.record_id)
    for name in SCALAR_FIELDS:
        setattr(new, name, getattr(measure, name))
    new.year = measure.year
    new.events = [
        MeasureEvent(
            kind=e.kind,
            date=e.date,
            precision=e.precision,
            note=e.note,
            stage=e.stage,
            successor_record_id=e.successor_record_id,
        )
        for e in measure.events
    ]
    new.sources = [
        Source(
            position=s.position,
            url=s.url,
            title=s.title,
            accessed=s.accessed,
            staff_note=s.staff_note,
        )
        for s in measure.sources
    ]
    new.topics = list(measure.topics)
    new.relations = [
        MeasureRelation(kind=r.kind, target_record_id=r.target_record_id, note=r.note)
        for r in measure.relations
    ]
    new.mappings = [
        Mapping(
            norm_id=m.norm_id,
            commitment_id=m.commitment_id,
            locator=m.locator,
            whole_instrument=m.whole_instrument,
            rationale=m.rationale,
            basis=m.basis,
            state=MappingState.DRAFT,
        )
        for m in measure.mappings
    ]
    new.implementations = implementations.clone(measure)
    return new


def apply(measure: Measure, data: dict[str, Any]) -> None:
    """Make ``measure`` hold exactly the content of a snapshot (used by restore and import)."""
    for name in SCALAR_FIELDS:
        value = data.get(name)
        if name in ENUM_FIELDS and value is not None:
            value = ENUM_FIELDS[name](value)
        setattr(measure, name, value)
    measure.events = [_event(e) for e in data.get("events", [])]
    measure.sources = [
        Source(
            position=i,
            url=s.get("url"),
            title=s["title"],
            accessed=dt.date.fromisoformat(s["accessed"]) if s.get("accessed") else None,
            staff_note=s.get("staff_note"),
        )
        for i, s in enumerate(data.get("sources", []))
    ]
    slugs = data.get("topics", [])
    topics = {t.slug: t for t in db.session.scalars(sa.select(Topic).where(Topic.slug.in_(slugs)))}
    measure.topics = [topics[s] for s in slugs if s in topics]
    measure.relations = _relations(data.get("relations", []))
    measure.mappings = _mappings(data.get("mappings", []), measure.is_live)
    implementations.apply(measure, data.get("implementations", []))
    measure.compute_year()


def _record_id(key: str | None, record_id: int | None) -> int | None:
    """The record a snapshot names by its key (the demo file), else by its id."""
    by_key = db.session.scalar(sa.select(Record.id).where(Record.key == key)) if key else None
    return by_key or record_id


def _event(e: dict[str, Any]) -> MeasureEvent:
    date, precision = parse_partial_date(e["date"])
    return MeasureEvent(
        kind=EventKind(e["kind"]),
        date=date,
        precision=precision,
        note=e.get("note"),
        stage=e.get("stage"),
        successor_record_id=_record_id(e.get("successor_key"), e.get("successor_record_id")),
    )


def _relations(items: list[dict[str, Any]]) -> list[MeasureRelation]:
    """Relations to the records that exist (one named by an unknown key is dropped)."""
    relations = []
    for r in items:
        target_id = _record_id(r.get("target_key"), r.get("target_record_id"))
        if target_id is not None:
            relations.append(
                MeasureRelation(
                    kind=RelationKind(r["kind"]), target_record_id=target_id, note=r.get("note")
                )
            )
    return relations


def _mappings(items: list[dict[str, Any]], live: bool) -> list[Mapping]:
    """Mappings to norms (by letter) or commitments (by key); ValueError naming any unknown."""
    norms = {n.letter: n.id for n in db.session.scalars(sa.select(Norm))}
    keys = [m["commitment"] for m in items if m.get("commitment")]
    commitments = {
        key: id_
        for key, id_ in db.session.execute(
            sa.select(Commitment.key, Commitment.id).where(Commitment.key.in_(keys))
        )
    }
    unknown = [
        m.get("norm") or m.get("commitment")
        for m in items
        if m.get("norm") not in norms and m.get("commitment") not in commitments
    ]
    if unknown:
        raise ValueError(
            f"mapping to an unknown norm or commitment: {', '.join(map(str, unknown))}"
        )
    return [
        Mapping(
            norm_id=norms.get(m["norm"]) if m.get("norm") else None,
            commitment_id=commitments.get(m["commitment"]) if m.get("commitment") else None,
            locator=m.get("locator"),
            whole_instrument=bool(m.get("whole_instrument")),
            rationale=m.get("rationale"),
            basis=MappingBasis(m.get("basis") or "inferred"),
            state=MappingState.PUBLISHED if live else MappingState.DRAFT,
        )
        for m in items
    ]


# --- Checks shared by the editor form and publication ---------------------------------

#: event kinds that cannot happen before the measure is adopted
AFTER_ADOPTION = (
    EventKind.PUBLISHED,
    EventKind.IN_FORCE,
    EventKind.APPLIES_FROM,
    EventKind.AMENDED,
    EventKind.SUPERSEDED,
    EventKind.RESCINDED,
)


def _period(text: str) -> tuple[dt.date, dt.date]:
    """First and last day a partial date may stand for ('2024-03' -> 1 to 31 March)."""
    start, precision = parse_partial_date(text)
    if precision.value == "year":
        return start, dt.date(start.year, 12, 31)
    if precision.value == "month":
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return start, following - dt.timedelta(days=1)
    return start, start


def event_order_problems(events: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """(row index, message) for events dated in an impossible order.

    ``events`` are snapshot rows (kind, date as YYYY[-MM[-DD]]). Partial dates count
    as out of order only when no day within them could be in order: adopted "2024"
    and in force "2024-01-15" are fine.
    """
    dated = []
    for i, e in enumerate(events):
        try:
            dated.append((i, EventKind(e["kind"]), e["date"], *_period(e["date"])))
        except (KeyError, ValueError, TypeError):
            continue
    adopted = [d for d in dated if d[1] is EventKind.ADOPTED]
    if not adopted:
        return []
    first = min(adopted, key=lambda d: d[3])
    problems = []
    for i, kind, text, start, end in dated:
        if kind in AFTER_ADOPTION and end < first[3]:
            problems.append(
                (i, f"{kind.label} ({text}) cannot be before the adoption ({first[2]}).")
            )
        if kind in (EventKind.ANNOUNCED, EventKind.PROPOSED) and start > first[4]:
            problems.append(
                (i, f"{kind.label} ({text}) cannot be after the adoption ({first[2]}).")
            )
    return problems


def mapping_problems(mappings: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    """(row index, field, message) for mappings that may not be published as they stand.

    ``mappings`` are snapshot rows. Every mapping needs a rationale, and a pinpoint
    (``locator``) unless it is marked as concerning the whole instrument. The editor form
    shows these next to the fields; publication refuses with the same sentences.
    """
    problems = []
    for i, m in enumerate(mappings):
        target = f"norm ({m['norm']})" if m.get("norm") else (m.get("commitment") or "?")
        if not (m.get("rationale") or "").strip():
            problems.append(
                (i, "rationale", f"Mapping to {target}: say why the measure implements it.")
            )
        if not (m.get("locator") or "").strip() and not m.get("whole_instrument"):
            problems.append(
                (
                    i,
                    "locator",
                    f"Mapping to {target}: give the pinpoint (article, section) or mark the "
                    "mapping as concerning the whole instrument.",
                )
            )
    return problems


def publication_checks(measure: Measure) -> list[records.Check]:
    """The one list of publication checks for measures: the review workflow runs it at
    submission and at publication, and the review page shows it as a checklist."""
    data = snapshot(measure)
    mappings = mapping_problems(data["mappings"])
    return [
        records.Check(
            "At least one source",
            ()
            if data["sources"]
            else ("Add at least one source, so that readers can check the measure.",),
            "sources",
        ),
        records.Check(
            "Events dated in order",
            tuple(message for _i, message in event_order_problems(data["events"])),
            "events",
        ),
        records.Check(
            "Every mapping says why the measure implements it",
            tuple(message for _i, f, message in mappings if f == "rationale"),
            "mappings",
        ),
        records.Check(
            "Every mapping gives a pinpoint or concerns the whole instrument",
            tuple(message for _i, f, message in mappings if f == "locator"),
            "mappings",
        ),
    ]


def publication_problems(measure: Measure) -> list[str]:
    """Why this copy may not be published yet (an empty list: it may)."""
    return [p for check in publication_checks(measure) for p in check.problems]


def mark_published(measure: Measure) -> None:
    for mapping in measure.mappings:
        mapping.state = MappingState.PUBLISHED


records.register(
    RecordKind.MEASURE,
    records.ContentOps(
        model=Measure,
        snapshot=snapshot,
        clone=clone,
        apply=apply,
        on_publish=mark_published,
        publication_problems=publication_problems,
        publication_checks=publication_checks,
        compare=history.compare_snapshots,
        jurisdictions=lambda m: {m.jurisdiction_code} if m.jurisdiction_code else set(),
        fields=history.FIELDS,
    ),
)
