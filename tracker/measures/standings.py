"""Standings of many measures at once: the counts of whole jurisdictions, the start page's
grid and the comparison grid read them for thousands of measures.

Each standing is still decided by :func:`tracker.measures.lifecycle.standing_on`; this module
only feeds it rows (no ORM objects) and keeps, per process, the public standings of every
visible measure today for one data version (the global publication stamp) and day. A
publication moves the stamp; the background task of the publication computes the new
snapshot (:func:`warm`), so the first reader after it does not wait for tens of thousands
of standings.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.measures.models import Measure
from tracker.records import stamps
from tracker.records.queries import visible


@dataclass(frozen=True)
class Snapshot:
    """The standing today of every measure the public sees, for one data version."""

    key: tuple[int, str]
    #: {measure id: (jurisdiction code, standing)}
    standings: dict[int, tuple[str, lifecycle.Standing]]


_lock = threading.Lock()


def compute(
    ids: Any = None, on: dt.date | None = None, *, include_drafts: bool = False
) -> dict[int, tuple[str, lifecycle.StandingOn]]:
    """{measure id: (jurisdiction code, standing on ``on``)} for the visible measures whose
    ids ``ids`` (a subquery; None: every visible measure) selects, in three queries. Events
    are read as plain values straight into :class:`lifecycle.LifeEvent` (tens of thousands
    of them for a count: no ORM objects, no enum conversions)."""
    from tracker.measures.models import MeasureEvent
    from tracker.measures.queries import visible_measures_by_record

    base = visible(Measure, include_drafts=include_drafts)
    if ids is not None:
        base = base.where(Measure.id.in_(ids))
    rows = db.session.execute(
        base.with_only_columns(
            Measure.id, Measure.jurisdiction_code, sa.type_coerce(Measure.status, sa.String)
        )
    ).all()
    raw = db.session.execute(
        sa.select(
            MeasureEvent.measure_id,
            sa.type_coerce(MeasureEvent.kind, sa.String),
            MeasureEvent.date,
            sa.type_coerce(MeasureEvent.precision, sa.String),
            MeasureEvent.stage,
            MeasureEvent.note,
            MeasureEvent.successor_record_id,
        )
        .where(MeasureEvent.measure_id.in_(base.with_only_columns(Measure.id).scalar_subquery()))
        .order_by(MeasureEvent.date, MeasureEvent.id)
    ).all()
    wanted = {row[6] for row in raw if row[6] is not None}
    found = visible_measures_by_record(wanted, include_drafts=include_drafts)
    successors = {rid: m.label for rid, m in found.items()}
    events: dict[int, list[lifecycle.LifeEvent]] = {}
    for measure_id, kind, date, precision, stage, note, successor in raw:
        events.setdefault(measure_id, []).append(
            lifecycle.LifeEvent(
                kind,
                date,
                precision,
                stage,
                note,
                successors.get(successor) if successor is not None else None,
            )
        )
    now = lifecycle.today()
    on = on or now
    return {
        measure_id: (code, lifecycle.standing_on(events.get(measure_id, []), status, on, now))
        for measure_id, code, status in rows
    }


def snapshot() -> Snapshot:
    """The public standings today, computed once per data version and day in this process."""
    key = (stamps.global_seq(), lifecycle.today().isoformat())
    kept: Snapshot | None = current_app.extensions.get("standings_snapshot")
    if kept is not None and kept.key == key:
        return kept
    with _lock:
        kept = current_app.extensions.get("standings_snapshot")
        if kept is not None and kept.key == key:
            return kept
        found = compute()
        fresh = Snapshot(key, {i: (code, s.standing) for i, (code, s) in found.items()})
        current_app.extensions["standings_snapshot"] = fresh
        return fresh


def warm() -> None:
    """Compute the snapshot of the current data version now (the publication's background
    task calls this, so that the next page does not)."""
    snapshot()


def standings_of(
    ids: Any, on: dt.date | None = None, *, include_drafts: bool = False
) -> dict[int, lifecycle.Standing]:
    """{measure id: standing on ``on`` (today)} for the visible measures ``ids`` selects (a
    select of measure ids). The public's standings today come from the snapshot (one query
    for the ids); others are computed for these measures only."""
    today = lifecycle.today()
    if not include_drafts and (on is None or on == today):
        known = snapshot().standings
        return {
            i: known[i][1] for i in db.session.scalars(sa.select(ids.subquery().c[0])) if i in known
        }
    found = compute(ids.scalar_subquery(), on, include_drafts=include_drafts)
    return {i: s.standing for i, (_code, s) in found.items()}


def standings_of_listed(
    ids: list[int], select: Any, *, include_drafts: bool = False
) -> dict[int, lifecycle.Standing]:
    """{measure id: standing today} for ``ids``, the visible measures that ``select`` (a
    select of their ids) finds: from the snapshot for the public, with no query for the ids;
    computed for these measures only for drafts."""
    if not include_drafts:
        known = snapshot().standings
        return {i: known[i][1] for i in ids if i in known}
    found = compute(select.scalar_subquery(), include_drafts=include_drafts)
    return {i: s.standing for i, (_code, s) in found.items()}
