"""The calendar of upcoming dates (/calendar.ics): every entry into force and application
stage after today of a published measure, one all-day event each (RFC 5545).

Only dates recorded to the day are listed: a date known to the month or year has no day to
put in a calendar, and the tracker does not make one up (the measure page shows it).
Nothing in an event depends on the clock or on row order: the UID is built from the
measure's record number, the event kind and the stage label (event rows are copied, with new
ids, each time a measure is edited and published again), and DTSTAMP is the time the measure
was last published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from icalendar import Calendar, Event

from tracker.extensions import db
from tracker.follow.filters import FollowFilters
from tracker.measures import lifecycle
from tracker.measures import queries as measure_queries
from tracker.measures.models import EventKind, Measure, MeasureEvent
from tracker.modelbase import DatePrecision
from tracker.records.models import Record, RecordKind

#: the event kinds a calendar lists: entries into force and application stages
KINDS = (EventKind.IN_FORCE, EventKind.APPLIES_FROM)
#: what happens on the day, in the lifecycle's words
VERBS = {EventKind.IN_FORCE: "enters into force", EventKind.APPLIES_FROM: "applies"}
PRODID = "-//Cyber Norms Tracker//Upcoming dates//EN"


@dataclass(frozen=True)
class Stage:
    record_id: int
    label: str
    title: str
    kind: EventKind
    date: dt.date
    stage: str | None
    published_at: dt.datetime
    #: a part of the UID that tells apart two stages of one measure
    key: str

    @property
    def summary(self) -> str:
        head = f"{self.label} – {VERBS[self.kind]}"
        return f"{head}: {self.stage}" if self.stage else head


def _key(kind: EventKind, stage: str | None) -> str:
    return hashlib.sha256(f"{kind.value}\x1f{stage or ''}".encode()).hexdigest()[:12]


def upcoming(filters: FollowFilters, today: dt.date | None = None) -> list[Stage]:
    """The stages after ``today`` (default: lifecycle.today()) of the published measures
    matching ``filters``, by date (two queries, whatever the number of measures)."""
    if not filters.wants(RecordKind.MEASURE):
        return []
    today = today or lifecycle.today()
    ahead = (
        MeasureEvent.kind.in_(KINDS),
        MeasureEvent.precision == DatePrecision.DAY,
        MeasureEvent.date > today,
    )
    # From the few events ahead to their measures (not from every measure to its events).
    measures = {
        row.id: row
        for row in db.session.execute(
            measure_queries.filtered_measures(filters.measure_filters())
            .where(Measure.id.in_(sa.select(MeasureEvent.measure_id).where(*ahead)))
            .join(Record, Record.id == Measure.record_id)
            .with_only_columns(
                Measure.id,
                Measure.record_id,
                Measure.short_name,
                Measure.title_en,
                Measure.title_original,
                Record.published_at,
            )
            .order_by(None)
        )
    }
    if not measures:
        return []
    events = db.session.execute(
        sa.select(
            MeasureEvent.measure_id, MeasureEvent.kind, MeasureEvent.date, MeasureEvent.stage
        ).where(*ahead, MeasureEvent.measure_id.in_(sorted(measures)))
    ).all()
    rows = sorted(
        ((measures[e.measure_id], e) for e in events),
        key=lambda p: (p[1].date, p[0].record_id, p[1].kind.value, p[1].stage or ""),
    )
    seen = Counter((m.record_id, _key(e.kind, e.stage)) for m, e in rows)
    stages = []
    for m, e in rows:
        key = _key(e.kind, e.stage)
        if seen[(m.record_id, key)] > 1:  # the same stage twice: its date tells them apart
            key = f"{key}-{e.date.isoformat()}"
        title = m.title_en or m.title_original
        stages.append(
            Stage(
                record_id=m.record_id,
                label=m.short_name or title,
                title=title,
                kind=e.kind,
                date=e.date,
                stage=e.stage,
                published_at=m.published_at,
                key=key,
            )
        )
    return stages


def etag(filters: FollowFilters, host: str, today: dt.date | None = None) -> str:
    """What the calendar depends on: the measures' publication stamp (moved by every
    publication, withdrawal, deletion or restore of a measure), the day, the filters and
    the UID host."""
    from urllib.parse import urlencode

    from tracker.records import stamps

    today = today or lifecycle.today()
    query = urlencode(sorted((k, v) for k, vs in filters.as_args().items() for v in vs))
    text = f"{stamps.global_seq()}|{today.isoformat()}|{query}|{host}|{PRODID}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def uid(stage: Stage, host: str) -> str:
    return f"measure-{stage.record_id}-{stage.kind.value}-{stage.key}@{host}"


def ical(stages: list[Stage], host: str, url_of: Any, name: str) -> bytes:
    """The calendar of ``stages``; ``url_of(record_id)`` gives a measure's public page."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for s in stages:
        event = Event()
        event.add("uid", uid(s, host))
        stamp = s.published_at if s.published_at.tzinfo else s.published_at.replace(tzinfo=dt.UTC)
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", s.date)  # a date: VALUE=DATE, an all-day event
        event.add("dtend", s.date + dt.timedelta(days=1))
        event.add("summary", s.summary)
        what = s.stage or ("entry into force" if s.kind is EventKind.IN_FORCE else "application")
        event.add("description", f"{s.kind.label} {s.date.isoformat()}: {what}. {s.title}")
        event.add("url", url_of(s.record_id))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return bytes(cal.to_ical())
