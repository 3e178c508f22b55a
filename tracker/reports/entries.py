"""The measures of a brief as entries, in two steps whose cost does not grow with the page
count: every measure in scope as a light entry (columns, events, norm letters and topics, in
five queries, no ORM objects), enough to place it on the grid, count it
(tracker.measures.lifecycle) and rank it (tracker.reports.selection); then the full details
(provisions, timeline, description, sources) of the measures the brief describes only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import fields
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures import lifecycle
from tracker.measures.models import (
    Mapping,
    Measure,
    MeasureEvent,
    MeasureStatus,
    MeasureType,
    measure_topics,
)
from tracker.measures.queries import EVENT_COLUMNS
from tracker.modelbase import Verification, format_partial_date
from tracker.norms.models import Norm, Topic
from tracker.reports.data import MeasureEntry, NormLink, TimelineEvent
from tracker.text import render_markdown

#: (title, url, accessed) of each source of a described measure, the official text first
Sources = dict[int, list[tuple[str, str | None, str | None]]]


def _successors(record_ids: set[int], include_drafts: bool) -> dict[int, str]:
    """{record id: label} of the successors events name, if the reader may see them."""
    from tracker.measures.queries import visible_measures_by_record

    found = visible_measures_by_record(record_ids, include_drafts=include_drafts)
    return {rid: m.label for rid, m in found.items()}


def _events(ids: Any, include_drafts: bool) -> dict[int, list[lifecycle.LifeEvent]]:
    rows = db.session.execute(
        sa.select(*EVENT_COLUMNS)
        .where(MeasureEvent.measure_id.in_(ids))
        .order_by(MeasureEvent.date, MeasureEvent.id)
    ).all()
    successors = _successors({r[6] for r in rows if r[6]}, include_drafts)
    out: dict[int, list[lifecycle.LifeEvent]] = defaultdict(list)
    for measure_id, kind, date, precision, stage, note, successor in rows:
        out[measure_id].append(
            lifecycle.LifeEvent(
                kind.value,
                date,
                precision.value,
                stage,
                note,
                successors.get(successor) if successor is not None else None,
            )
        )
    return out


def _letters(ids: Any) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(Mapping.measure_id, Norm.letter)
        .join(Norm, Norm.id == Mapping.norm_id)
        .where(Mapping.measure_id.in_(ids))
        .order_by(Norm.letter)
    )
    for measure_id, letter in rows:
        out[measure_id].append(letter)
    return out


def _topics(ids: Any) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(measure_topics.c.measure_id, Topic.slug, Topic.name)
        .join(Topic, Topic.id == measure_topics.c.topic_id)
        .where(measure_topics.c.measure_id.in_(ids))
        .order_by(Topic.position)
    )
    for measure_id, slug, name in rows:
        out[measure_id].append((slug, name))
    return out


def _sort_date(events: list[lifecycle.LifeEvent]) -> dt.date:
    establishing = [e.effective for e in events if e.kind in lifecycle.ADOPTING]
    return min(establishing) if establishing else dt.date.max


def light_entries(
    scope: sa.Select[Any], on: dt.date, now: dt.date, *, include_drafts: bool
) -> list[MeasureEntry]:
    """Every measure of ``scope`` (a select of visible measures) as an entry without its
    details (``detailed`` False until :func:`fill_details`)."""
    ids = scope.with_only_columns(Measure.id).scalar_subquery()
    rows = db.session.execute(
        scope.with_only_columns(
            Measure.id,
            Measure.record_id,
            Measure.jurisdiction_code,
            Measure.title_original,
            Measure.title_lang,
            Measure.title_en,
            Measure.short_name,
            Measure.type,
            Measure.status,
            Measure.verification,
        ).order_by(Measure.jurisdiction_code, Measure.record_id)
    ).all()
    events, letters, topics = _events(ids, include_drafts), _letters(ids), _topics(ids)
    names = dict(
        db.session.execute(
            sa.select(Jurisdiction.code, Jurisdiction.name).where(
                Jurisdiction.code.in_({r[2] for r in rows})
            )
        ).all()
    )
    out = []
    for mid, record_id, code, original, lang, title_en, short, mtype, status, ver in rows:
        own = events.get(mid, [])
        out.append(
            _light(
                record_id,
                code,
                names.get(code, code),
                (original, lang, title_en, short),
                (mtype, status, ver),
                lifecycle.standing_on(own, status.value, on, now),
                [NormLink(letter, None, None) for letter in letters.get(mid, [])],
                topics.get(mid, []),
                own,
            )
        )
    return out


def _light(
    record_id: int,
    code: str,
    name: str,
    titles: tuple[str, str | None, str | None, str | None],
    kinds: tuple[MeasureType, MeasureStatus, Verification],
    status: lifecycle.StandingOn,
    norms: list[NormLink],
    topics: list[tuple[str, str]],
    events: list[lifecycle.LifeEvent],
) -> MeasureEntry:
    original, lang, title_en, short = titles
    mtype, recorded, ver = kinds
    return MeasureEntry(
        record_id=record_id,
        jurisdiction_code=code,
        jurisdiction_name=name,
        title_original=original,
        title_lang=lang or "en",
        title_en=title_en,
        short_name=short,
        type_label=mtype.label,
        issuing_body=None,
        identifier=None,
        official_url=None,
        status=status,
        recorded_status=recorded.label,
        status_note=None,
        norms=norms,
        topics=topics,
        description=Markup(""),
        verification=ver.value,
        verification_label=ver.label,
        verification_note=None,
        timeline=[],
        sort_date=_sort_date(events),
        events=events,
        type_key=mtype.value,
        detailed=False,
    )


def full_entry(m: Measure, on: dt.date, now: dt.date, successors: dict[int, str]) -> MeasureEntry:
    """A measure row with everything the brief prints about it (relations loaded)."""
    events = lifecycle.events_of(m, successors)
    return MeasureEntry(
        record_id=m.record_id,
        jurisdiction_code=m.jurisdiction_code,
        jurisdiction_name=m.jurisdiction.name,
        title_original=m.title_original,
        title_lang=m.title_lang or "en",
        title_en=m.title_en,
        short_name=m.short_name,
        type_label=m.type.label,
        issuing_body=m.issuing_body,
        identifier=m.official_identifier,
        official_url=m.official_url,
        status=lifecycle.standing_on(events, m.status.value, on, now),
        recorded_status=m.status.label,
        status_note=m.status_note,
        norms=sorted(
            (
                NormLink(
                    mp.norm.letter,
                    mp.locator or ("whole instrument" if mp.whole_instrument else None),
                    mp.rationale,
                )
                for mp in m.mappings
                if mp.norm is not None
            ),
            key=lambda n: n.letter,
        ),
        topics=[(t.slug, t.name) for t in m.topics],
        description=render_markdown(m.description),
        verification=m.verification.value,
        verification_label=m.verification.label,
        verification_note=m.verification_note,
        timeline=[
            TimelineEvent(
                e.kind.label,
                format_partial_date(e.date, e.precision),
                e.note,
                lifecycle.LifeEvent(e.kind.value, e.date, e.precision.value).effective > on,
            )
            for e in sorted(m.events, key=lambda e: (e.date, e.id))
        ],
        sort_date=_sort_date(events),
        events=events,
        type_key=m.type.value,
    )


_KEPT = {"citations", "detailed"}


def successor_labels(measures: list[Measure], *, include_drafts: bool) -> dict[int, str]:
    """{record id: label} of the successors the loaded measures' events name (one query)."""
    ids = {e.successor_record_id for m in measures for e in m.events if e.successor_record_id}
    return _successors(ids, include_drafts)


def sources_by_record(measures: list[Measure]) -> Sources:
    """The numbered sources of loaded measures, by record id (sources loaded)."""
    return {m.record_id: _sources(m) for m in measures}


def _sources(m: Measure) -> list[tuple[str, str | None, str | None]]:
    items: list[tuple[str, str | None, str | None]] = (
        [(f"Official text: {m.official_identifier or m.title_original}", m.official_url, None)]
        if m.official_url
        else []
    )
    return items + [
        (src.title, src.url, src.accessed.isoformat() if src.accessed else None)
        for src in m.sources
    ]


def fill_details(
    entries: list[MeasureEntry],
    scope: sa.Select[Any],
    on: dt.date,
    now: dt.date,
    *,
    include_drafts: bool,
) -> Sources:
    """Load the measures marked ``detailed`` in full (a bounded number) and complete their
    entries in place; returns their sources."""
    described = {e.record_id: e for e in entries if e.detailed}
    if not described:
        return {}
    stmt = scope.where(Measure.record_id.in_(sorted(described))).options(
        selectinload(Measure.jurisdiction),
        selectinload(Measure.topics),
        selectinload(Measure.mappings).selectinload(Mapping.norm),
        selectinload(Measure.events),
        selectinload(Measure.sources),
    )
    measures = list(db.session.scalars(stmt))
    ids = {e.successor_record_id for m in measures for e in m.events if e.successor_record_id}
    successors = _successors(ids, include_drafts)
    out: Sources = {}
    for m in measures:
        full = full_entry(m, on, now, successors)
        entry = described[m.record_id]
        for f in fields(MeasureEntry):
            if f.name not in _KEPT:
                setattr(entry, f.name, getattr(full, f.name))
        out[m.record_id] = _sources(m)
    return out
