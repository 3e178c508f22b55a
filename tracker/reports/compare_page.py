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
from tracker.measures.standings import standings_of
from tracker.norms.models import Norm, Topic
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


@dataclass
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


def _lites(params: ReportParams, on: dt.date, include_drafts: bool) -> list[Lite]:
    scope = scope_statement(params, include_drafts=include_drafts)
    standings = standings_of(scope.with_only_columns(Measure.id), on, include_drafts=include_drafts)
    rows = db.session.execute(
        scope.with_only_columns(
            Measure.id,
            Measure.record_id,
            Measure.jurisdiction_code,
            sa.type_coerce(Measure.type, sa.String),
            Measure.year,
            sa.type_coerce(Measure.verification, sa.String),
        ).order_by(Measure.jurisdiction_code, Measure.record_id)
    )
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


def _keys(params: ReportParams, ids: Any) -> dict[int, set[str]]:
    """{measure id: the grid columns it belongs to} (norm letters or topic slugs)."""
    if params.by == "topic":
        stmt = (
            sa.select(measure_topics.c.measure_id, Topic.slug)
            .join(Topic, Topic.id == measure_topics.c.topic_id)
            .where(measure_topics.c.measure_id.in_(ids))
        )
    else:
        stmt = (
            sa.select(Mapping.measure_id, Norm.letter)
            .join(Norm, Norm.id == Mapping.norm_id)
            .where(Mapping.measure_id.in_(ids), Norm.letter.in_(params.norms))
        )
    keys: dict[int, set[str]] = defaultdict(set)
    for measure_id, key in db.session.execute(stmt):
        keys[measure_id].add(key)
    return keys


def build_comparison(
    params: ReportParams, *, include_drafts: bool = False
) -> tuple[Report, dict[str, SectionCounts]]:
    """The comparison page's data: a ``Report`` whose grid cells count every measure and
    whose sections and citations hold the few measures the page details, and how many
    measures each section has in all."""
    params = params.resolved()
    assert params.as_of is not None
    on, now = params.as_of, today()
    version = data_version(params, include_drafts=include_drafts)
    lites = _lites(params, on, include_drafts)
    scope_ids = scope_statement(params, include_drafts=include_drafts).with_only_columns(Measure.id)
    keys = _keys(params, scope_ids.scalar_subquery())
    compared = [m for m in lites if m.status in lifecycle.COMPARED]
    codes = list(params.jurisdictions)
    names = {
        j.code: j.name
        for j in db.session.scalars(
            sa.select(Jurisdiction).where(
                Jurisdiction.code.in_({*codes, *(m.jurisdiction_code for m in lites)})
            )
        )
    }
    orgs_of = memberships(codes)
    columns = _columns(params)
    covering = lifecycle.COVERING.standings
    by_code: dict[str, list[Lite]] = defaultdict(list)
    for m in compared:
        by_code[m.jurisdiction_code].append(m)

    rows: list[Row] = []
    via_used: dict[str, list[str]] = {}
    for code in codes:
        applies = [code, *orgs_of.get(code, [])]
        cells: list[Cell] = []
        for col in columns:
            cell = GridCell(col.key, link=_list_link(params, code, col.key, include_drafts))
            for org in applies:
                for m in by_code.get(org, []):
                    if col.key not in keys.get(m.id, ()):
                        continue
                    via = org if org != code else None
                    (cell.items if m.status in covering else cell.pending).append(
                        CellItem(m, via)  # type: ignore[arg-type]
                    )
                    if via and m.status in covering:
                        members = via_used.setdefault(via, [])
                        if code not in members:
                            members.append(code)
            cell.items.sort(key=_significance)
            cell.pending.sort(key=_significance)
            cell.named = cell.items[:CELL_SHOWN]
            cell.pending_total = len(cell.pending)
            cell.pending = cell.pending[:CELL_SHOWN]
            cells.append(cell)
        rows.append(Row(code, names.get(code, code), cells))

    # the details: each jurisdiction's own measures in the grid, the first few of each kind
    section_codes = [*codes, *(org for org in via_used if org not in codes)]
    chosen: dict[str, dict[str, list[Lite]]] = {}
    counts: dict[str, SectionCounts] = {}
    for code in section_codes:
        own = sorted(
            (m for m in lites if m.jurisdiction_code == code and keys.get(m.id)),
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
    _name([item.measure for row in rows for c in row.cells for item in _named(c)])  # type: ignore[misc]
    measures = _load(
        {m.id for c in chosen.values() for ms in c.values() for m in ms}, include_drafts
    )
    successors = successor_labels(list(measures.values()), include_drafts=include_drafts)
    entries = {i: full_entry(m, on, now, successors) for i, m in measures.items()}

    def section(code: str) -> Section:
        picked = chosen[code]
        return Section(
            code=code,
            name=names.get(code, code),
            measures=[entries[m.id] for m in picked["measures"] if m.id in entries],
            pending=[entries[m.id] for m in picked["pending"] if m.id in entries],
            ended=[entries[m.id] for m in picked["ended"] if m.id in entries],
            via=[(o, names.get(o, o)) for o in orgs_of.get(code, []) if o in via_used],
            applies_to=[names.get(m, m) for m in via_used.get(code, [])],
        )

    sections = [section(code) for code in section_codes]
    citations, groups = _number_citations(sections, sources_by_record(list(measures.values())))
    listed = [m for m in lites if m.jurisdiction_code in section_codes and keys.get(m.id)]
    counted = [m for m in listed if m.status in covering]
    figures = {
        **lifecycle.count(m.status for m in listed).as_dict(),
        "measures": len(counted),
        "verified": sum(m.verification == "verified" for m in counted),
        "secondary": sum(m.verification == "secondary" for m in counted),
        "unverified": sum(m.verification == "unverified" for m in counted),
        "pending": sum(c.pending for c in counts.values()),
        "ended": sum(c.ended for c in counts.values()),
    }
    report = Report(
        params=params,
        drafts=include_drafts,
        title=_title(params, names),
        subtitle=_subtitle(params, columns),
        as_of=on,
        as_of_is_today=on == now,
        columns=columns,
        rows=rows,
        sections=sections,
        citations=citations,
        citation_groups=groups,
        summary=[],
        figures=figures,
        version=version,
    )
    report.summary = summary.sentences(report)
    in_grid = [m for m in lites if m.jurisdiction_code in section_codes and keys.get(m.id)]
    listed_now = [m for m in in_grid if m.status in covering or m.status in LISTED]
    report.charts = charts.from_entries(
        report, charts.chart_entries(listed_now, keys, params.by), orgs_of
    )
    if report_sections.has_attributions(params):
        from tracker.attribution import sections as attribution

        report.attributions = attribution.attribution_section(
            codes,
            params.as_of,
            include_drafts=include_drafts,
            orgs_of={c: orgs_of.get(c, []) for c in codes},
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
