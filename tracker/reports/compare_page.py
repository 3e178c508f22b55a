"""The comparison page (/compare): the grid of the brief, bounded for the web.

A brief lists every measure in its scope; the page must answer in the same time for three
jurisdictions with thousands of measures as for three with a handful. So the page's grid
counts every measure in force on the date in each cell (standings from
tracker.measures.standings, decided by tracker.measures.lifecycle) from flat rows, and
names only the most significant few (:data:`CELL_RULE`), linking to the filtered measure
list for the rest; the details under the grid list the first few measures of each
jurisdiction the same way. Only the measures named are loaded as objects.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures import lifecycle
from tracker.measures.models import Mapping, Measure, MeasureType, measure_topics
from tracker.measures.standings import standings_of, standings_of_listed
from tracker.norms.models import Norm, Topic
from tracker.records.queries import in_ids, plain_rows
from tracker.reports import charts, summary
from tracker.reports import sections as report_sections
from tracker.reports.data import Cell, CellItem, Report, Row, Section
from tracker.reports.entries import full_entry, sources_by_record, successor_labels
from tracker.reports.params import ReportParams, today
from tracker.reports.queries import (
    LISTED,
    _columns,
    _number_citations,
    _subtitle,
    _title,
    data_version,
    memberships,
    scope_statement,
)

#: measures named in a grid cell; the count covers all of them
CELL_SHOWN = 3
#: measures detailed per jurisdiction under the grid (in force; listed; ended)
SECTION_SHOWN = 5
#: how the named measures are chosen, as the page states it
CELL_RULE = (
    f"Each cell counts every measure in force on the date and names up to {CELL_SHOWN}: "
    "the jurisdiction's own before those applying through an organisation, then by kind of "
    "instrument (laws, regulations, executive orders, strategies, standards or guidance, "
    "programmes, procurement rules), then the most recent first. The count links to all of "
    "them in the measure list."
)

_TYPE_RANK = {t.value: i for i, t in enumerate(MeasureType)}


@dataclass(slots=True)
class Lite:
    """What the grid and the summary read of a measure (a flat row, never an ORM object);
    the names are read only for the measures the page names (:func:`_name`)."""

    id: int
    record_id: int
    jurisdiction_code: str
    #: the MeasureType value
    type: str
    year: int | None
    #: the Verification value
    verification: str
    status: lifecycle.Standing
    short_name: str | None = None
    title_en: str | None = None
    title_original: str = ""
    title_lang: str = "en"
    verification_label: str = ""

    @property
    def label(self) -> str:
        return self.short_name or self.title_en or self.title_original


@dataclass
class GridCell(Cell):
    """A cell whose ``items`` (in force) and ``pending`` hold every measure as a flat row;
    ``named`` are those the page names, ``link`` the filtered list of all of them."""

    named: list[CellItem] = field(default_factory=list)
    link: dict[str, Any] = field(default_factory=dict)
    #: measures listed but not in force, of which ``pending`` holds the first few
    pending_total: int = 0

    @property
    def more(self) -> int:
        return len(self.items) - len(self.named)


@dataclass
class SectionCounts:
    measures: int
    pending: int
    ended: int

    def more(self, section: Section) -> int:
        """Measures of the section that the page does not detail."""
        shown = len(section.measures) + len(section.pending) + len(section.ended)
        return self.measures + self.pending + self.ended - shown


def _named(cell: Cell) -> list[CellItem]:
    """The items of a grid cell that the page names."""
    assert isinstance(cell, GridCell)
    return [*cell.named, *cell.pending]


def _significance(item: CellItem) -> tuple[Any, ...]:
    m: Any = item.measure  # a Lite
    return (item.via is not None, _TYPE_RANK[m.type], -(m.year or 0), -m.record_id)


def _lites(scope: sa.Select[Any], on: dt.date, include_drafts: bool) -> list[Lite]:
    # plain tuples of ints and strings: the collector stops tracking them at its first pass
    rows = [
        (i, record, code, kind, year, verification)
        for i, record, code, kind, year, verification in plain_rows(
            scope.with_only_columns(
                Measure.id,
                Measure.record_id,
                Measure.jurisdiction_code,
                sa.type_coerce(Measure.type, sa.String),
                Measure.year,
                sa.type_coerce(Measure.verification, sa.String),
            ).order_by(Measure.jurisdiction_code, Measure.record_id)
        )
    ]
    ids = scope.with_only_columns(Measure.id)
    if not include_drafts and on == lifecycle.today():
        # the public's standings today: the snapshot, with no second scope query
        standings = standings_of_listed([row[0] for row in rows], ids)
    else:
        standings = standings_of(ids, on, include_drafts=include_drafts)
    return [Lite(*row, standings[row[0]]) for row in rows if row[0] in standings]


def _name(lites: list[Lite]) -> None:
    """Read the names of the measures the page names (one query)."""
    by_id = {m.id: m for m in lites}
    if not by_id:
        return
    stmt = sa.select(
        Measure.id,
        Measure.short_name,
        Measure.title_en,
        Measure.title_original,
        Measure.title_lang,
        Measure.verification,
    ).where(Measure.id.in_(sorted(by_id)))
    for measure_id, short, title_en, original, lang, verification in db.session.execute(stmt):
        m = by_id[measure_id]
        m.short_name, m.title_en, m.title_original = short, title_en, original
        m.title_lang, m.verification_label = lang or "en", verification.label


def _keys(params: ReportParams, ids: list[int]) -> dict[int, tuple[str, ...]]:
    """{measure id: the grid columns it belongs to} (norm letters or topic slugs) of the
    measures ``ids``: tuples of strings, which the collector stops tracking."""
    if params.by == "topic":
        stmt = (
            sa.select(measure_topics.c.measure_id, Topic.slug)
            .join(Topic, Topic.id == measure_topics.c.topic_id)
            .where(in_ids(measure_topics.c.measure_id, ids))
        )
    else:
        stmt = (
            sa.select(Mapping.measure_id, Norm.letter)
            .join(Norm, Norm.id == Mapping.norm_id)
            .where(in_ids(Mapping.measure_id, ids), Norm.letter.in_(params.norms))
        )
    keys: dict[int, tuple[str, ...]] = {}
    for measure_id, key in plain_rows(stmt):
        found = keys.get(measure_id, ())
        if key not in found:
            keys[measure_id] = (*found, key)
    return keys


@dataclass
class _Scope:
    """What the page's grid and details are built from: every measure in scope as a flat
    row, its grid columns, and the jurisdictions' names and organisations."""

    params: ReportParams
    include_drafts: bool
    lites: list[Lite]
    keys: dict[int, tuple[str, ...]]
    names: dict[str, str]
    orgs_of: dict[str, list[str]]
    #: organisation -> the compared jurisdictions its measures fill a cell of
    via_used: dict[str, list[str]] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return list(self.params.jurisdictions)

    def in_grid(self, codes: list[str]) -> list[Lite]:
        """The measures of ``codes`` that belong to a column of the grid."""
        wanted = set(codes)
        return [m for m in self.lites if m.jurisdiction_code in wanted and self.keys.get(m.id)]


def _scope(params: ReportParams, on: dt.date, include_drafts: bool) -> _Scope:
    statement = scope_statement(params, include_drafts=include_drafts)
    lites = _lites(statement, on, include_drafts)
    codes = list(params.jurisdictions)
    names = {
        j.code: j.name
        for j in db.session.scalars(
            sa.select(Jurisdiction).where(
                Jurisdiction.code.in_({*codes, *(m.jurisdiction_code for m in lites)})
            )
        )
    }
    return _Scope(
        params,
        include_drafts,
        lites,
        _keys(params, [m.id for m in lites]),
        names,
        memberships(codes),
    )


def _grid_cell(
    scope: _Scope,
    code: str,
    key: str,
    by_code: dict[str, list[Lite]],
    made: dict[tuple[int, str | None], CellItem],
) -> GridCell:
    """One cell: every measure in force counted, the most significant few named
    (``by_code`` lists each jurisdiction's measures by significance, :func:`_grid`; a
    measure's item is ``made`` once for all the cells it fills)."""
    covering = lifecycle.COVERING.standings
    cell = GridCell(key, link=_list_link(scope.params, code, key, scope.include_drafts))
    keys = scope.keys
    orgs = scope.orgs_of.get(code, [])
    for org in [code, *orgs]:
        via = org if org != code else None
        for m in by_code.get(org, []):
            if key not in keys.get(m.id, ()):
                continue
            item = made.get((m.id, via))
            if item is None:
                item = made[m.id, via] = CellItem(m, via)  # type: ignore[arg-type]
            (cell.items if m.status in covering else cell.pending).append(item)
            if via and m.status in covering:
                members = scope.via_used.setdefault(via, [])
                if code not in members:
                    members.append(code)
    if len(orgs) > 1:  # own measures first, each list in order: merge the organisations'
        cell.items.sort(key=_significance)
        cell.pending.sort(key=_significance)
    cell.named = cell.items[:CELL_SHOWN]
    cell.pending_total = len(cell.pending)
    cell.pending = cell.pending[:CELL_SHOWN]
    return cell


def _grid(scope: _Scope, columns: list[Any]) -> list[Row]:
    # each jurisdiction's measures by significance once, not in every cell
    by_code: dict[str, list[Lite]] = defaultdict(list)
    for m in scope.lites:
        if m.status in lifecycle.COMPARED:
            by_code[m.jurisdiction_code].append(m)
    for listed in by_code.values():
        listed.sort(key=lambda m: (_TYPE_RANK[m.type], -(m.year or 0), -m.record_id))
    made: dict[tuple[int, str | None], CellItem] = {}
    return [
        Row(
            code,
            scope.names.get(code, code),
            [_grid_cell(scope, code, col.key, by_code, made) for col in columns],
        )
        for code in scope.codes
    ]


def _chosen(
    scope: _Scope, section_codes: list[str]
) -> tuple[dict[str, dict[str, list[Lite]]], dict[str, SectionCounts]]:
    """Each section's first few measures of each kind (by kind of instrument, then the most
    recent), and how many it has in all."""
    covering = lifecycle.COVERING.standings
    chosen: dict[str, dict[str, list[Lite]]] = {}
    counts: dict[str, SectionCounts] = {}
    for code in section_codes:
        own = sorted(
            scope.in_grid([code]),
            key=lambda m: (_TYPE_RANK[m.type], -(m.year or 0), -m.record_id),
        )
        kinds = {
            "measures": [m for m in own if m.status in covering],
            "pending": [m for m in own if m.status in LISTED],
            "ended": [m for m in own if m.status is lifecycle.Standing.ENDED],
        }
        chosen[code] = {k: v[:SECTION_SHOWN] for k, v in kinds.items()}
        counts[code] = SectionCounts(
            len(kinds["measures"]), len(kinds["pending"]), len(kinds["ended"])
        )
    return chosen, counts


def _sections(
    scope: _Scope,
    section_codes: list[str],
    chosen: dict[str, dict[str, list[Lite]]],
    on: dt.date,
) -> tuple[list[Section], dict[int, Measure]]:
    """The details under the grid: the chosen measures loaded in full (a bounded number)."""
    measures = _load(
        {m.id for c in chosen.values() for ms in c.values() for m in ms}, scope.include_drafts
    )
    successors = successor_labels(list(measures.values()), include_drafts=scope.include_drafts)
    entries = {i: full_entry(m, on, today(), successors) for i, m in measures.items()}
    names = scope.names

    def section(code: str) -> Section:
        picked = chosen[code]
        return Section(
            code=code,
            name=names.get(code, code),
            measures=[entries[m.id] for m in picked["measures"] if m.id in entries],
            pending=[entries[m.id] for m in picked["pending"] if m.id in entries],
            ended=[entries[m.id] for m in picked["ended"] if m.id in entries],
            via=[(o, names.get(o, o)) for o in scope.orgs_of.get(code, []) if o in scope.via_used],
            applies_to=[names.get(m, m) for m in scope.via_used.get(code, [])],
        )

    return [section(code) for code in section_codes], measures


def _page_figures(listed: list[Lite], counts: dict[str, SectionCounts]) -> dict[str, int]:
    counted = [m for m in listed if m.status in lifecycle.COVERING.standings]
    return {
        **lifecycle.count(m.status for m in listed).as_dict(),
        "measures": len(counted),
        "verified": sum(m.verification == "verified" for m in counted),
        "secondary": sum(m.verification == "secondary" for m in counted),
        "unverified": sum(m.verification == "unverified" for m in counted),
        "pending": sum(c.pending for c in counts.values()),
        "ended": sum(c.ended for c in counts.values()),
    }


def build_comparison(
    params: ReportParams, *, include_drafts: bool = False
) -> tuple[Report, dict[str, SectionCounts]]:
    """The comparison page's data: a ``Report`` whose grid cells count every measure and
    whose sections and citations hold the few measures the page details, and how many
    measures each section has in all."""
    params = params.resolved()
    assert params.as_of is not None
    on = params.as_of
    version = data_version(params, include_drafts=include_drafts)
    scope = _scope(params, on, include_drafts)
    columns = _columns(params)
    rows = _grid(scope, columns)
    section_codes = [*scope.codes, *(o for o in scope.via_used if o not in scope.codes)]
    chosen, counts = _chosen(scope, section_codes)
    _name([item.measure for row in rows for c in row.cells for item in _named(c)])  # type: ignore[misc]
    sections, measures = _sections(scope, section_codes, chosen, on)
    citations, groups = _number_citations(sections, sources_by_record(list(measures.values())))
    listed = scope.in_grid(section_codes)
    report = Report(
        params=params,
        drafts=include_drafts,
        title=_title(params, scope.names),
        subtitle=_subtitle(params, columns),
        as_of=on,
        as_of_is_today=on == today(),
        columns=columns,
        rows=rows,
        sections=sections,
        citations=citations,
        citation_groups=groups,
        summary=[],
        figures=_page_figures(listed, counts),
        version=version,
    )
    report.summary = summary.sentences(report)
    shown = [m for m in listed if m.status in lifecycle.COVERING.standings or m.status in LISTED]
    report.charts = charts.from_entries(
        report,
        charts.chart_entries(shown, scope.keys, params.by),
        scope.orgs_of,
        charts.scope_timeline(shown, on, several=len(rows) != 1),
    )
    if report_sections.has_attributions(params):
        from tracker.attribution import sections as attribution

        report.attributions = attribution.attribution_section(
            scope.codes,
            params.as_of,
            include_drafts=include_drafts,
            orgs_of={c: scope.orgs_of.get(c, []) for c in scope.codes},
            names={r.code: r.name for r in rows},
        )
    return report, counts


def _list_link(
    params: ReportParams, code: str, key: str | None, include_drafts: bool
) -> dict[str, Any]:
    """Arguments of the measure list that shows every measure a cell counts: the
    jurisdiction with its organisations (as the cell), the column, and the standing."""
    args: dict[str, Any] = {
        "jurisdiction": code,
        "as_of": params.as_of.isoformat() if params.as_of else None,
    }
    if params.by == "topic":
        args["topic"] = [key] if key else list(params.topics) or None
        args["norm"] = list(params.norms)
    else:
        args["norm"] = [key] if key else list(params.norms)
        args["topic"] = list(params.topics) or None
    args["standing"] = "in_force" if key else "compared"
    args["drafts"] = 1 if include_drafts else None
    return args


def _load(ids: set[int], include_drafts: bool) -> dict[int, Measure]:
    """The measures the page details (a few per jurisdiction), with what an entry shows."""
    if not ids:
        return {}
    stmt = (
        sa.select(Measure)
        .where(Measure.id.in_(sorted(ids)))
        .options(
            # a few hundred at most: one statement per collection ("selectin")
            selectinload(Measure.jurisdiction),
            selectinload(Measure.topics),
            selectinload(Measure.mappings).selectinload(Mapping.norm),
            selectinload(Measure.events),
            selectinload(Measure.sources),
        )
    )
    return {m.id: m for m in db.session.scalars(stmt)}
