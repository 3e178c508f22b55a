"""Standings of many measures at once: the counts of whole jurisdictions, the start page's
grid and the comparison grid read them for thousands of measures.

Each standing is still decided by :func:`tracker.measures.lifecycle.standing_on`; this module
only feeds it rows (no ORM objects) and keeps the public standings of every visible measure
today for one data version (the global publication stamp) and day: in the process, and in
the report store (Redis, or the instance folder) for every other process. A publication
moves the stamp; its background task computes the new snapshot (:func:`warm`) and stores
it, so that no reader waits for tens of thousands of standings:

- a process that starts later reads the stored snapshot (one small blob);
- a new day recomputes only the measures with an event that takes effect between the two
  days (:func:`_moved`): no other standing today can differ from yesterday's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.measures.models import Measure
from tracker.records import stamps
from tracker.records.queries import visible

log = logging.getLogger(__name__)

#: the standings by position, as the stored snapshot writes them (one character each)
_ORDER = tuple(lifecycle.Standing)
_INDEX = {s.value: i for i, s in enumerate(_ORDER)}
#: the longest an event's effective day follows its recorded date (a year's last day)
_LAG = dt.timedelta(days=366)


@dataclass(frozen=True)
class Snapshot:
    """The standing today of every measure the public sees, for one data version.

    Two flat dictionaries of ints and strings: the garbage collector does not walk them, so
    tens of thousands of entries cost the pages' collections nothing."""

    #: (data version, day)
    key: tuple[str, str]
    #: {measure id: its standing's value}
    values: dict[int, str]
    #: {measure id: its jurisdiction's code}
    codes: dict[int, str]

    def items(self) -> Iterator[tuple[int, str, lifecycle.Standing]]:
        """(measure id, jurisdiction code, standing) of every measure, one at a time."""
        standing = {s.value: s for s in _ORDER}
        codes = self.codes
        return ((i, codes[i], standing[v]) for i, v in self.values.items())

    def dumps(self) -> bytes:
        ids = list(self.values)
        return json.dumps(
            {
                "key": list(self.key),
                "ids": ids,
                "codes": [self.codes[i] for i in ids],
                "standings": "".join(chr(48 + _INDEX[self.values[i]]) for i in ids),
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def loads(cls, data: bytes) -> Snapshot:
        raw = json.loads(data)
        ids, codes, standings = raw["ids"], raw["codes"], raw["standings"]
        if not len(ids) == len(codes) == len(standings):
            raise ValueError("a stored snapshot whose columns differ in length")
        values = [_ORDER[ord(c) - 48].value for c in standings]
        version, day = raw["key"]
        return cls(
            (str(version), str(day)),
            dict(zip(ids, values, strict=True)),
            dict(zip(ids, codes, strict=True)),
        )


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


def _version() -> str:
    """The data version a snapshot belongs to: the global publication stamp (its sequence and
    time) of this database."""
    seq, when = stamps.global_stamp()
    return f"{seq}-{when.isoformat() if when else ''}"


def _group() -> str:
    """The store's group of this database's snapshots (it keeps the newest of a group)."""
    where = db.session.get_bind().engine.url.render_as_string(hide_password=True)
    return "standings-" + hashlib.sha256(where.encode()).hexdigest()[:16]


def _shared() -> bool:
    """Snapshots go to the report store unless ``STANDINGS_SHARED`` is off (the default of
    tests, whose rolled-back data would outlive them there)."""
    return bool(current_app.config.get("STANDINGS_SHARED", not current_app.testing))


def _stored(version: str) -> Snapshot | None:
    from tracker.reports import cache

    if not _shared():
        return None
    try:
        data = cache.store().get_blob(_group(), _blob_key(version))
        found = Snapshot.loads(data) if data else None
    except Exception:  # a cache: a page never fails for it
        log.warning("could not read the stored standings", exc_info=True)
        return None
    return found if found is not None and found.key[0] == version else None


def _store(snap: Snapshot) -> None:
    from tracker.reports import cache

    if not _shared():
        return
    try:
        cache.store().put_blob(_group(), _blob_key(snap.key[0]), snap.dumps())
    except Exception:  # a cache: a page never fails for it
        log.warning("could not store the standings", exc_info=True)


def _blob_key(version: str) -> str:
    return hashlib.sha256(version.encode()).hexdigest()[:32]


def _moved(since: dt.date, day: dt.date) -> set[int]:
    """The measures with an event that takes effect after ``since`` and by ``day``: the only
    ones whose standing today can differ between the two days (a standing today reads the
    events in effect, and ``on >= today`` holds on both). The recorded dates are read over
    the longest lag of a month's or year's last day; :attr:`lifecycle.LifeEvent.effective`
    decides."""
    from tracker.measures.models import MeasureEvent

    rows = db.session.execute(
        sa.select(
            MeasureEvent.measure_id,
            MeasureEvent.date,
            sa.type_coerce(MeasureEvent.precision, sa.String),
        ).where(MeasureEvent.date > since - _LAG, MeasureEvent.date <= day)
    )
    return {
        measure_id
        for measure_id, date, precision in rows
        if since < lifecycle.LifeEvent("", date, precision).effective <= day
    }


def _fresh(version: str, day: dt.date, before: Snapshot | None) -> Snapshot:
    """The snapshot of ``version`` on ``day``: from ``before`` (the same version, an
    earlier day) with the measures that moved recomputed, else every measure computed."""
    key = (version, day.isoformat())
    if before is not None and before.key[0] == version and before.key[1] < key[1]:
        moved = _moved(dt.date.fromisoformat(before.key[1]), day)
        values, codes = dict(before.values), dict(before.codes)
        if len(moved) > len(values) // 4:  # most of them: as cheap to compute them all
            return _fresh(version, day, None)
        if moved:
            found = compute(sorted(moved))
            for i in moved:
                values.pop(i, None)
                codes.pop(i, None)
            for i, (code, s) in found.items():
                values[i], codes[i] = s.standing.value, code
        return Snapshot(key, values, codes)
    found = compute()
    return Snapshot(
        key,
        {i: s.standing.value for i, (_code, s) in found.items()},
        {i: code for i, (code, _s) in found.items()},
    )


def snapshot() -> Snapshot:
    """The public standings today, computed once per data version and day: kept in this
    process and in the report store for the others."""
    version, day = _version(), lifecycle.today()
    key = (version, day.isoformat())
    kept: Snapshot | None = current_app.extensions.get("standings_snapshot")
    if kept is not None and kept.key == key:
        return kept
    with _lock:
        kept = current_app.extensions.get("standings_snapshot")
        if kept is not None and kept.key == key:
            return kept
        stored = _stored(version)
        if stored is not None and stored.key == key:
            fresh = stored
        else:
            earlier = [s for s in (kept, stored) if s is not None and s.key[0] == version]
            fresh = _fresh(version, day, max(earlier, key=lambda s: s.key[1], default=None))
            _store(fresh)
        current_app.extensions["standings_snapshot"] = fresh
        return fresh


def warm() -> None:
    """Compute the snapshot of the current data version now and store it (the publication's
    background task calls this, so that no page does)."""
    snapshot()


_BY_VALUE = {s.value: s for s in lifecycle.Standing}


def standings_of(
    ids: Any, on: dt.date | None = None, *, include_drafts: bool = False
) -> dict[int, lifecycle.Standing]:
    """{measure id: standing on ``on`` (today)} for the visible measures ``ids`` selects (a
    select of measure ids). The public's standings today come from the snapshot (one query
    for the ids); others are computed for these measures only."""
    today = lifecycle.today()
    if not include_drafts and (on is None or on == today):
        known = snapshot().values
        found = db.session.scalars(sa.select(ids.subquery().c[0]))
        return {i: _BY_VALUE[known[i]] for i in found if i in known}
    computed = compute(ids.scalar_subquery(), on, include_drafts=include_drafts)
    return {i: s.standing for i, (_code, s) in computed.items()}


def standings_of_listed(
    ids: list[int], select: Any, *, include_drafts: bool = False
) -> dict[int, lifecycle.Standing]:
    """{measure id: standing today} for ``ids``, the visible measures that ``select`` (a
    select of their ids) finds: from the snapshot for the public, with no query for the ids;
    computed for these measures only for drafts."""
    if not include_drafts:
        known = snapshot().values
        return {i: _BY_VALUE[known[i]] for i in ids if i in known}
    found = compute(select.scalar_subquery(), include_drafts=include_drafts)
    return {i: s.standing for i, (_code, s) in found.items()}
