"""Charts of coverage and dates: a heat map (norms and supply-chain topics against
jurisdictions) and a timeline of adoptions, entries into force and application stages.

The data comes from the records only: a cell's number is the ``in_force`` count of
:func:`tracker.measures.lifecycle.count` over the standings of the measures that apply in
that place under that norm or topic (only measures in force fill a cell), and the timeline's
events are the measures' dated events as :mod:`tracker.measures.lifecycle` reads them. The
layout (positions in SVG user units) is computed here too, so the templates
(``templates/reports/_charts.html``) only place rectangles, lines and text.

Both charts are bounded: at most :data:`MAX_COLUMNS` jurisdictions and
:data:`MAX_EVENTS` events, chosen by a rule each chart states.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.modelbase import DatePrecision, format_partial_date

#: the most jurisdictions a heat map shows (the comparison's own limit)
MAX_COLUMNS = 30
#: the most events a timeline shows
MAX_EVENTS = 12

#: text of the charts: the brief's sans-serif face, then the CJK faces for titles in Japanese,
#: Korean or Chinese
FONT = "Noto Sans, DejaVu Sans, Noto Sans CJK JP, sans-serif"
#: ink of labels and axes (on the white page: 12.6:1)
INK = "#1a1a1a"
#: cell borders: every cell, whatever its fill, is outlined against the page (8.5:1)
BORDER = "#4d4d4d"
#: year lines of the timeline (decoration: the year labels carry the scale)
GRID = "#bdbdbd"
PAGE = "#ffffff"


@dataclass(frozen=True)
class Level:
    """A band of the heat map: its fill, the ink of the number printed on it, its legend."""

    key: str
    least: int
    fill: str
    ink: str
    label: str


#: Bands by the number of measures in force. Each fill is 3:1 or more against the next band
#: and the page, and each number is 4.5:1 or more on its fill (tests/test_charts.py computes
#: both); the number in every cell says the same as the colour.
LEVELS: tuple[Level, ...] = (
    Level("none", 0, "#ffffff", INK, "0: no measure in force (a gap)"),
    Level("one", 1, "#5b8fc7", "#000000", "1 measure in force"),
    Level("more", 2, "#08306b", "#ffffff", "2 or more measures in force"),
)


def level_of(n: int) -> Level:
    return [lv for lv in LEVELS if n >= lv.least][-1]


@dataclass(frozen=True)
class Marker:
    """How the timeline draws one kind of event: a shape and a colour, never the colour alone."""

    kind: str
    shape: str
    colour: str
    label: str


#: the events a timeline shows, and their markers (each colour 4.5:1 or more on the page)
MARKERS: dict[str, Marker] = {
    "adopted": Marker("adopted", "circle", "#08306b", "adopted"),
    "in_force": Marker("in_force", "square", "#8a3b00", "in force"),
    "applies_from": Marker("applies_from", "diamond", "#2e6b30", "applies"),
}


class Style:
    """The colours and face the templates draw with (one place, tested for contrast)."""

    font = FONT
    ink = INK
    border = BORDER
    grid = GRID
    page = PAGE

    as_of: dt.date

    @property
    def as_of_text(self) -> str:
        return _day(self.as_of)


# --------------------------------------------------------------------------- heat map

LABEL_W, CELL_W, CELL_H, HEAD_H, BLOCK_H, LEGEND_H = 290, 44, 24, 24, 24, 34
LEGEND_W = 600
#: characters of a row label before it is shortened (the table gives it in full)
LABEL_CHARS = 46


@dataclass
class HeatCell:
    code: str
    count: int
    level: Level
    x: int = 0
    y: int = 0

    @property
    def text(self) -> str:
        return str(self.count)


@dataclass
class HeatRow:
    key: str
    label: str
    cells: list[HeatCell]
    y: int = 0

    @property
    def short(self) -> str:
        return shorten(self.label, LABEL_CHARS)


@dataclass
class HeatBlock:
    title: str
    rows: list[HeatRow]
    y: int = 0


@dataclass
class HeatMap(Style):
    """Measures in force per norm and per topic (rows) in each jurisdiction (columns)."""

    columns: list[tuple[str, str]]
    blocks: list[HeatBlock]
    as_of: dt.date
    #: jurisdictions left out by the column limit
    omitted: int = 0
    width: int = 0
    height: int = 0
    legend_y: int = 0
    column_x: list[int] = field(default_factory=list)
    cell_w: int = CELL_W
    cell_h: int = CELL_H

    @property
    def title(self) -> str:
        places = ", ".join(name for _code, name in self.columns)
        return f"Heat map: measures in force on {_day(self.as_of)} by norm and topic, {places}"

    @property
    def description(self) -> str:
        parts = []
        for block in self.blocks:
            for row in block.rows:
                cells = "; ".join(f"{c.code} {c.count}" for c in row.cells)
                parts.append(f"{row.label}: {cells}")
        rule = (
            f" Shows {len(self.columns)} of {len(self.columns) + self.omitted} jurisdictions, "
            "those with the most measures in force."
            if self.omitted
            else ""
        )
        return (
            "Each cell gives the number of measures in force; darker cells have more, "
            f"a cell with 0 is a gap.{rule} " + ". ".join(parts) + "."
        )

    @property
    def empty(self) -> bool:
        return not self.columns or not any(b.rows for b in self.blocks)

    def layout(self) -> HeatMap:
        self.column_x = [LABEL_W + i * CELL_W for i in range(len(self.columns))]
        y = HEAD_H
        for block in self.blocks:
            block.y = y
            y += BLOCK_H
            for row in block.rows:
                row.y = y
                for x, cell in zip(self.column_x, row.cells, strict=True):
                    cell.x, cell.y = x, y
                y += CELL_H
        self.legend_y = y + 10
        self.height = self.legend_y + LEGEND_H
        self.width = max(LABEL_W + len(self.columns) * CELL_W + 2, LEGEND_W)
        return self

    @property
    def legend(self) -> list[tuple[int, Level]]:
        return [(i * (LEGEND_W // len(LEVELS)), lv) for i, lv in enumerate(LEVELS)]


def heat_row(key: str, label: str, standings: dict[str, list[Any]]) -> HeatRow:
    """One row: for each jurisdiction (in the order of ``standings``), the ``in_force``
    count of the standings of the measures that apply there."""
    cells = []
    for code, found in standings.items():
        n = lifecycle.count(found).in_force
        cells.append(HeatCell(code, n, level_of(n)))
    return HeatRow(key, label, cells)


def bounded_columns(
    columns: list[tuple[str, str]], blocks: list[HeatBlock]
) -> tuple[list[tuple[str, str]], list[HeatBlock], int]:
    """At most :data:`MAX_COLUMNS` jurisdictions: those with the most measures in force
    over all rows, then in the order given."""
    if len(columns) <= MAX_COLUMNS:
        return columns, blocks, 0
    totals = {code: 0 for code, _name in columns}
    for block in blocks:
        for row in block.rows:
            for cell in row.cells:
                totals[cell.code] += cell.count
    order = {code: i for i, (code, _name) in enumerate(columns)}
    kept = set(sorted(totals, key=lambda c: (-totals[c], order[c]))[:MAX_COLUMNS])
    for block in blocks:
        for row in block.rows:
            row.cells = [c for c in row.cells if c.code in kept]
    return [c for c in columns if c[0] in kept], blocks, len(columns) - len(kept)


def heat_map(columns: list[tuple[str, str]], blocks: list[HeatBlock], as_of: dt.date) -> HeatMap:
    columns, blocks, omitted = bounded_columns(columns, [b for b in blocks if b.rows])
    return HeatMap(columns, blocks, as_of, omitted).layout()


# --------------------------------------------------------------------------- timeline

TL_W, TL_PAD, TL_TOP, TL_ROW, TL_LEGEND = 680, 14, 40, 20, 34
#: average advance of a character of the 11 px label face, for fitting labels
CHAR_W = 6.2
#: longest label beside a marker: WeasyPrint lays SVG text out letter by letter, each letter
#: costing about as much as a short line of body text (the description and table say it all)
POINT_LABEL_CHARS = 44


@dataclass
class TimelinePoint:
    date: dt.date
    date_text: str
    short_date: str
    measure: str
    kind: str
    stage: str | None
    #: after the chart's date: drawn hollow
    ahead: bool
    marker: Marker = field(init=False)
    x: float = 0
    y: float = 0
    anchor: str = "start"
    label: str = ""

    def __post_init__(self) -> None:
        self.marker = MARKERS[self.kind]

    @property
    def what(self) -> str:
        """The event in words: its kind and, for a stage, what enters into force or applies."""
        return self.marker.label + (f": {self.stage}" if self.stage else "")

    @property
    def full(self) -> str:
        return f"{self.date_text}: {self.measure}, {self.what}"

    @property
    def short(self) -> str:
        """The label beside the marker: the date abbreviated ("7 Nov 2024"), as WeasyPrint
        lays SVG text out letter by letter (the table and the description say it in full)."""
        return f"{self.short_date}: {self.measure}, {self.what}"


@dataclass
class Timeline(Style):
    points: list[TimelinePoint]
    as_of: dt.date
    #: every event the rule chose from
    total: int
    ticks: list[tuple[float, str]] = field(default_factory=list)
    as_of_x: float | None = None
    #: the as-of label stays inside the chart: centred, or ending or starting at its line
    as_of_anchor: str = "middle"
    width: int = TL_W
    height: int = 0
    legend_y: int = 0

    @property
    def rule(self) -> str:
        return (
            f"At most {MAX_EVENTS} dated events: adoptions, entries into force and application "
            f"stages of the measures listed, those nearest to {_day(self.as_of)}."
        )

    @property
    def title(self) -> str:
        shown = len(self.points)
        return (
            f"Timeline: {shown} of {self.total} dated events (adoption, entry into force, "
            f"application) nearest to {_day(self.as_of)}"
        )

    @property
    def description(self) -> str:
        return " ".join(f"{p.full}." for p in self.points)

    @property
    def empty(self) -> bool:
        return not self.points

    @property
    def legend(self) -> list[tuple[int, Marker]]:
        return [(i * 130, m) for i, m in enumerate(MARKERS.values())]

    def layout(self) -> Timeline:
        if not self.points:
            return self
        # the axis spans the events and the chart's date, whole years
        dates = [p.date for p in self.points] + [self.as_of]
        first, last = min(dates).year, max(dates).year + 1
        start, end = dt.date(first, 1, 1), dt.date(last, 1, 1)
        span = (end - start).days
        inner = TL_W - 2 * TL_PAD

        def x_of(d: dt.date) -> float:
            return round(TL_PAD + inner * (d - start).days / span, 1)

        step = max(1, -(-(last - first) // 10))
        self.ticks = [(x_of(dt.date(y, 1, 1)), str(y)) for y in range(first, last + 1, step)]
        if start <= self.as_of <= end:
            self.as_of_x = x_of(self.as_of)
            half = len(self.as_of_text) * CHAR_W / 2 + 4
            if self.as_of_x + half > TL_W:
                self.as_of_anchor = "end"
            elif self.as_of_x - half < 0:
                self.as_of_anchor = "start"
        for i, p in enumerate(self.points):
            p.x, p.y = x_of(p.date), TL_TOP + i * TL_ROW + TL_ROW / 2
            right, left = TL_W - p.x - 10, p.x - 10
            needed = len(p.short) * CHAR_W
            # the side where the whole label fits, the right first; else the roomier side
            fits_right = needed <= right or (needed > left and right >= left)
            p.anchor = "start" if fits_right else "end"
            room = int((right if fits_right else left) / CHAR_W)
            p.label = shorten(p.short, min(room, POINT_LABEL_CHARS))
        self.legend_y = TL_TOP + len(self.points) * TL_ROW + 12
        self.height = self.legend_y + TL_LEGEND
        return self


def timeline(
    measures: Iterable[tuple[str, Sequence[lifecycle.LifeEvent]]], as_of: dt.date
) -> Timeline:
    """The :data:`MAX_EVENTS` adoptions, entries into force and application stages nearest
    to ``as_of``, in date order, from (measure label, its events) pairs."""
    return timeline_of_rows(
        (
            (label, e.kind, e.date, e.precision, e.stage)
            for label, events in measures
            for e in events
        ),
        as_of,
    )


#: an event as the timeline reads it: (measure label, kind, date, precision, stage)
EventRow = tuple[str, str, dt.date, str, str | None]


def timeline_of_rows(rows: Iterable[EventRow], as_of: dt.date) -> Timeline:
    """:func:`timeline` from plain event rows. A comparison reads tens of thousands of
    events: they are ranked as tuples (the nearest first, then by date, then by measure),
    and only the chosen few become points with their dates formatted."""
    ranked = [
        (abs((date - as_of).days), date, label, kind, precision, stage)
        for label, kind, date, precision, stage in rows
        if kind in MARKERS
    ]
    nearest = heapq.nsmallest(MAX_EVENTS, ranked, key=lambda r: r[:3])
    points = []
    for _days, date, label, kind, precision, stage in nearest:
        e = lifecycle.LifeEvent(kind, date, precision, stage)
        points.append(
            TimelinePoint(
                date=date,
                date_text=e.text,
                short_date=short_date(e),
                measure=label,
                kind=kind,
                stage=stage,
                ahead=e.effective > as_of,
            )
        )
    chosen = sorted(points, key=lambda p: (p.date, p.measure, p.kind))
    return Timeline(chosen, as_of, len(ranked)).layout()


# --------------------------------------------------------------------------- sources


@dataclass
class Charts:
    """The two charts of a page or brief."""

    heat: HeatMap
    timeline: Timeline


def norm_row_label(letter: str, short_title: str) -> str:
    return f"({letter}) {short_title}"


def for_report(report: Any, orgs_of: dict[str, list[str]]) -> Charts:
    """The charts of a comparison or brief (a ``tracker.reports.data.Report``): the grid's
    own rows from its cells, and the other axis (topics for a grid by norm, norms for a
    grid by topic) from the same measures, applying where the grid applies them (a member
    State with its organisations' measures)."""
    seen: set[int] = set()
    entries = []
    # a brief that describes only some measures keeps every section before trimming
    sections = report.selection.sections if report.selection else report.sections
    for s in sections:
        for e in [*s.measures, *s.pending]:
            if e.record_id not in seen:
                seen.add(e.record_id)
                entries.append(e)
    return from_entries(report, entries, orgs_of)


def from_entries(
    report: Any,
    entries: Sequence[Any],
    orgs_of: dict[str, list[str]],
    line: Timeline | None = None,
) -> Charts:
    """The charts of a report's grid (``report.rows``, every measure in force in its cells)
    and of ``entries``, every measure listed for it (each with ``record_id``,
    ``jurisdiction_code``, ``status``, ``norm_letters``, ``topic_slugs``, ``label`` and
    ``events``); ``line``, the timeline when it is read apart (:func:`scope_timeline`)."""
    p = report.params
    codes = [r.code for r in report.rows]
    cell_of = {(r.code, c.key): c for r in report.rows for c in r.cells}
    by_topic = p.by == "topic"
    grid_rows = [
        heat_row(
            c.key,
            c.label if by_topic else norm_row_label(c.key, c.title),
            {
                code: [i.measure.status for i in [*cell.items, *cell.pending]]
                for code in codes
                for cell in [cell_of[code, c.key]]
            },
        )
        for c in report.columns
    ]
    # every entry once: {code: {key: standings of the entries that apply there}}
    places: dict[str, list[str]] = {}
    for code in codes:
        for place in (code, *orgs_of.get(code, ())):
            places.setdefault(place, []).append(code)
    found: dict[str, dict[str, list[Any]]] = {code: {} for code in codes}
    for e in entries:
        applies = places.get(e.jurisdiction_code)
        if not applies:
            continue
        for key in e.norm_letters if by_topic else e.topic_slugs:
            for code in applies:
                found[code].setdefault(key, []).append(e.status)
    other_rows = [
        heat_row(key, label, {code: found[code].get(key, []) for code in codes})
        for key, label in _other_axis(p)
    ]
    norms = HeatBlock("Norms of A/70/174 para. 13", grid_rows if not by_topic else other_rows)
    topics = HeatBlock("Supply-chain topics", other_rows if not by_topic else grid_rows)
    heat = heat_map([(r.code, r.name) for r in report.rows], [norms, topics], report.as_of)
    if line is None:
        several = len(codes) != 1
        line = timeline(
            (
                (f"{e.label} ({e.jurisdiction_code})" if several else e.label, e.events)
                for e in entries
            ),
            report.as_of,
        )
    return Charts(heat, line)


def _other_axis(params: Any) -> list[tuple[str, str]]:
    """Rows of the axis the grid does not show: topics (all, or those chosen) or norms."""
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.norms.models import Norm, Topic

    if params.by == "topic":
        norms = db.session.execute(
            sa.select(Norm.letter, Norm.short_title)
            .where(Norm.letter.in_(params.norms))
            .order_by(Norm.letter)
        )
        return [(letter, norm_row_label(letter, title)) for letter, title in norms]
    stmt = sa.select(Topic.slug, Topic.name).order_by(Topic.position, Topic.slug)
    if params.topics:
        stmt = stmt.where(Topic.slug.in_(params.topics))
    return [(slug, name) for slug, name in db.session.execute(stmt)]


def for_jurisdiction(
    code: str,
    name: str,
    *,
    norms: Sequence[Any],
    topics: Sequence[Any],
    ids: Sequence[int],
    letters: dict[int, list[str]],
    slugs: dict[int, list[str]],
    standings: dict[int, lifecycle.Standing],
    on: dt.date,
) -> Charts:
    """The charts of a jurisdiction page: its one column, over every measure that applies
    there (its own and its organisations', ``ids``) with their standings on ``on``. The
    measures are not loaded: the timeline reads the dated events of the measures in the
    comparison's standings, as rows, in two queries."""

    def row(key: str, label: str, tags: dict[int, list[str]]) -> HeatRow:
        found = [standings[i] for i in ids if i in standings and key in tags.get(i, ())]
        n = lifecycle.count(found).in_force
        return HeatRow(key, label, [HeatCell(code, n, level_of(n))])

    if not ids:
        return Charts(heat_map([], [], on), timeline([], on))
    blocks = [
        HeatBlock(
            "Norms of A/70/174 para. 13",
            [row(n.letter, norm_row_label(n.letter, n.short_title), letters) for n in norms],
        ),
        HeatBlock("Supply-chain topics", [row(t.slug, t.name, slugs) for t in topics]),
    ]
    listed = [i for i in ids if standings.get(i) in lifecycle.COMPARED]
    line = timeline(_dated(listed), on)
    return Charts(heat_map([(code, name)], blocks, on), line)


def _dated(ids: Sequence[int]) -> list[tuple[str, list[lifecycle.LifeEvent]]]:
    """(label, the events the timeline marks) of the measures ``ids`` that have such events."""
    found = _marked(ids)
    return [found[i] for i in sorted(found)]


def _marked(ids: Sequence[int]) -> dict[int, tuple[str, list[lifecycle.LifeEvent]]]:
    """{measure id: (label, its adoptions, entries into force and application stages)} of the
    measures ``ids`` that have such events: one query of rows."""
    from tracker.measures.models import Measure, MeasureEvent

    found: dict[int, tuple[str, list[lifecycle.LifeEvent]]] = {}
    for measure_id, short, english, original, kind, date, precision, stage in db.session.execute(
        sa.select(
            Measure.id,
            Measure.short_name,
            Measure.title_en,
            Measure.title_original,
            sa.type_coerce(MeasureEvent.kind, sa.String),
            MeasureEvent.date,
            sa.type_coerce(MeasureEvent.precision, sa.String),
            MeasureEvent.stage,
        )
        .join(MeasureEvent, MeasureEvent.measure_id == Measure.id)
        .where(
            Measure.id.in_(sorted(set(ids))),
            sa.type_coerce(MeasureEvent.kind, sa.String).in_(sorted(MARKERS)),
        )
        .order_by(MeasureEvent.date, MeasureEvent.id)
    ):
        label = short or english or original
        found.setdefault(measure_id, (label, []))[1].append(
            lifecycle.LifeEvent(kind, date, precision, stage)
        )
    return found


@dataclass
class ChartEntry:
    """What the charts read of a measure the comparison page counts (a flat row)."""

    record_id: int
    jurisdiction_code: str
    status: lifecycle.Standing
    label: str
    norm_letters: Collection[str]
    topic_slugs: Collection[str]
    events: list[lifecycle.LifeEvent]


def chart_entries(
    items: Sequence[Any], grid_keys: Mapping[int, Collection[str]], by: str
) -> list[ChartEntry]:
    """Chart entries for flat measure rows (``id``, ``record_id``, ``jurisdiction_code``,
    ``status``) whose grid columns are ``grid_keys``. The other axis's keys come in one
    query; the timeline is read apart (:func:`scope_timeline`), so the entries carry no
    events."""
    from tracker.measures.models import Mapping, measure_topics
    from tracker.norms.models import Norm, Topic
    from tracker.records.queries import in_ids, plain_rows

    # one statement, with or without measures (the page's count stays constant)
    ids = [m.id for m in items]
    # tuples of strings, which the collector stops tracking (one per measure)
    other: dict[int, tuple[str, ...]] = {}
    stmt = (
        sa.select(Mapping.measure_id, Norm.letter)
        .join(Norm, Norm.id == Mapping.norm_id)
        .where(in_ids(Mapping.measure_id, ids))
        if by == "topic"
        else sa.select(measure_topics.c.measure_id, Topic.slug)
        .join(Topic, Topic.id == measure_topics.c.topic_id)
        .where(in_ids(measure_topics.c.measure_id, ids))
    )
    for measure_id, key in plain_rows(stmt):
        found = other.get(measure_id, ())
        if key not in found:
            other[measure_id] = (*found, key)
    empty: tuple[str, ...] = ()
    out = []
    for m in items:
        grid, rest = grid_keys.get(m.id, empty), other.get(m.id, empty)
        letters, slugs = (rest, grid) if by == "topic" else (grid, rest)
        out.append(ChartEntry(m.record_id, m.jurisdiction_code, m.status, "", letters, slugs, []))
    return out


def scope_timeline(items: Sequence[Any], as_of: dt.date, several: bool) -> Timeline:
    """The timeline of flat measure rows (``id``, ``jurisdiction_code``): their marked
    events read as rows with the measure's name, in one query; "(code)" follows the name
    when ``several`` jurisdictions are shown."""
    from tracker.measures.models import Measure, MeasureEvent
    from tracker.records.queries import in_ids, plain_rows

    # the rows in the order of ``items``, each measure's by date (as :func:`timeline` reads
    # (label, events) pairs: equal dates and names keep that order), sorted here rather
    # than by the database (tens of thousands of rows)
    position = {m.id: i for i, m in enumerate(items)}
    stmt = (
        sa.select(
            MeasureEvent.measure_id,
            MeasureEvent.date,
            MeasureEvent.id,
            Measure.jurisdiction_code,
            Measure.short_name,
            Measure.title_en,
            Measure.title_original,
            sa.type_coerce(MeasureEvent.kind, sa.String),
            sa.type_coerce(MeasureEvent.precision, sa.String),
            MeasureEvent.stage,
        )
        .join(Measure, Measure.id == MeasureEvent.measure_id)
        .where(
            in_ids(MeasureEvent.measure_id, position),
            sa.type_coerce(MeasureEvent.kind, sa.String).in_(sorted(MARKERS)),
        )
    )
    rows = sorted(plain_rows(stmt), key=lambda r: (position[r[0]], r[1], r[2]))
    return timeline_of_rows(
        (
            (
                f"{short or english or original} ({code})"
                if several
                else short or english or original,
                kind,
                date,
                precision,
                stage,
            )
            for _id, date, _event, code, short, english, original, kind, precision, stage in rows
        ),
        as_of,
    )


# --------------------------------------------------------------------------- helpers


def short_date(event: lifecycle.LifeEvent) -> str:
    """'7 Nov 2024', 'Nov 2024' or '2024', at the precision the date is known."""
    precision = DatePrecision(event.precision or "day")
    if precision is DatePrecision.YEAR:
        return str(event.date.year)
    month = event.date.strftime("%b %Y")
    return month if precision is DatePrecision.MONTH else f"{event.date.day} {month}"


def shorten(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 1)].rstrip() + "…"


def _day(value: dt.date) -> str:
    return format_partial_date(value, DatePrecision.DAY)
