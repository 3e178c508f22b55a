"""A brief is a brief: at any data size it describes a bounded number of measures.

Every measure in the brief's scope is counted (tracker.measures.lifecycle.count, per
jurisdiction and in the grid's cells); when there are more than :data:`TOTAL`, the brief
describes the most significant ones, chosen by a rule it prints (:func:`rule_text`):

1. measures in force on the as-of date, then those listed but not in force, then ended ones;
2. within each, binding instruments first (:data:`BINDING`: laws, regulations, executive
   orders, procurement rules), then everything else;
3. then the most recent first adoption (undated ones last), then the label;
4. at most :func:`per_jurisdiction` per jurisdiction and :data:`TOTAL` in all.

The grid then names at most :data:`CELL_MAX` described measures per cell and counts the
rest; past :data:`CELL_ROWS` rows the table of counts per jurisdiction stands for it.

The full list is the measure export with the same filters (:func:`export_path`), and the
full annex (``annex=full``) up to :data:`FULL_ANNEX_MAX` measures.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.norms.models import Topic
from tracker.reports.data import MeasureEntry, Row, Section, Selection
from tracker.reports.params import ReportParams

#: measures a brief describes at most (about 40 pages with the grid, counts and sources)
TOTAL = 60
#: ... and at least this many per jurisdiction while the total allows
PER_JURISDICTION_MIN = 3
#: measures named in one cell of the grid when the brief leaves measures out; past
#: CELL_ROWS rows the counts table stands for the grid
CELL_MAX, CELL_ROWS = 4, 30
#: the full annex describes every measure in scope; above this many it is refused
FULL_ANNEX_MAX = 300

#: measure types that bind, in the order the rule prefers them
BINDING = ("law", "regulation", "executive_order", "procurement_rule")
BINDING_TEXT = "laws, regulations, executive orders and procurement rules"


def per_jurisdiction(sections: int) -> int:
    return max(PER_JURISDICTION_MIN, TOTAL // max(1, sections))


def _tier(entry: MeasureEntry) -> int:
    if entry.status.covers:
        return 0
    return 2 if entry.status.standing is lifecycle.Standing.ENDED else 1


def rank(entry: MeasureEntry) -> tuple[int, int, int, str]:
    """Sort key of the rule: lower comes first."""
    binding = BINDING.index(entry.type_key) if entry.type_key in BINDING else len(BINDING)
    recent = -entry.sort_date.toordinal() if entry.sort_date != dt.date.max else 0
    return (_tier(entry), binding, recent, entry.label)


def choose(sections: list[Section]) -> set[int] | None:
    """Record ids the brief describes; None when every measure fits (nothing is left out)."""
    candidates = [(e, s.code) for s in sections for e in s.listed]
    if len(candidates) <= TOTAL:
        return None
    per = per_jurisdiction(len(sections))
    taken: Counter[str] = Counter()
    chosen: set[int] = set()
    for entry, code in sorted(candidates, key=lambda c: rank(c[0])):
        if len(chosen) >= TOTAL:
            break
        if taken[code] < per:
            taken[code] += 1
            chosen.add(entry.record_id)
    return chosen


def trim(sections: list[Section], chosen: set[int], *, keep: set[str]) -> list[Section]:
    """Sections with only the chosen measures, counting the others; a section with none
    chosen stays only when its jurisdiction was chosen by the reader (``keep``)."""
    out = []
    for s in sections:
        s.counts = lifecycle.count(e.status for e in s.listed)
        for e in s.listed:
            e.detailed = e.record_id in chosen
        lists = {"measures": s.measures, "pending": s.pending, "ended": s.ended}
        for name, entries in lists.items():
            kept = [e for e in entries if e.detailed]
            setattr(s, name, kept)
            setattr(s, f"more_{name}", len(entries) - len(kept))
        if s.listed or s.code in keep:
            out.append(s)
    return out


def cap_cells(rows: list[Row]) -> None:
    cap = CELL_MAX if len(rows) <= CELL_ROWS else 0
    for row in rows:
        for cell in row.cells:
            cell.cap = cap


def export_args(p: ReportParams, drafts: bool = False) -> dict[str, Any]:
    """Filters of the measure export that select the measures of this brief (see
    tracker.reports.queries.scope_statement: jurisdictions with their organisations, norms,
    topics; by topic without chosen topics, a measure needs any topic; and the standing on
    the as-of date, whose standings the export computes with the brief's own function)."""
    topics = list(p.topics)
    if p.by == "topic" and not topics:
        topics = list(db.session.scalars(sa.select(Topic.slug).order_by(Topic.slug)))
    as_of = p.resolved().as_of
    return {
        "jurisdiction": list(p.jurisdictions),
        "norm": list(p.norms),
        "topic": topics,
        "as_of": as_of.isoformat() if as_of else None,
        "standing": "compared",
        "drafts": 1 if drafts else None,
    }


def export_path(p: ReportParams, drafts: bool = False) -> str:
    """The CSV export of the brief's measures, as a path on the site (the same in every
    render of the brief, whichever host or worker renders it)."""
    args = [(k, v) for k, v in export_args(p, drafts).items() if v not in (None, [], "")]
    return "/export/measures.csv?" + urlencode(args, doseq=True)


def rule_text(selection: Selection, as_of_text: str) -> str:
    return (
        f"This brief describes {selection.described} of the {selection.counted} measures "
        f"in its selection, and counts them all. It chooses them by a fixed rule: measures "
        f"in force on {as_of_text} first, then those listed but not in force, then ended "
        f"ones; within each, binding instruments first ({BINDING_TEXT}), then the most "
        f"recent adoption (undated ones last); at most {selection.per_jurisdiction} per "
        f"jurisdiction and {selection.total} in all."
    )


def select(
    p: ReportParams, rows: list[Row], sections: list[Section], as_of_text: str, drafts: bool
) -> tuple[list[Section], Selection | None]:
    """Bound the brief (unless it fits, or the full annex was asked for): which sections
    it shows, trimmed, and the stated selection."""
    chosen = None if p.annex_full else choose(sections)
    if chosen is None:
        return sections, None
    counted = sum(len(s.listed) for s in sections)
    keep = set(p.jurisdictions) | {p.subject}
    shown = trim(sections, chosen, keep=keep)
    cap_cells(rows)
    selection = Selection(
        rule="",
        per_jurisdiction=per_jurisdiction(len(sections)),
        total=TOTAL,
        described=len(chosen),
        counted=counted,
        export_path=export_path(p, drafts),
        full_annex_max=FULL_ANNEX_MAX,
        sections=sections,
        without_section=len(sections) - len(shown),
        grid_as_counts=len(rows) > CELL_ROWS,
    )
    selection.rule = rule_text(selection, as_of_text)
    return shown, selection


def refuse_full_annex(count: int) -> str | None:
    """The message refusing a full annex of ``count`` measures, or None when it is allowed."""
    if count <= FULL_ANNEX_MAX:
        return None
    return (
        f"The full annex of this selection would describe {count} measures; it is made for "
        f"at most {FULL_ANNEX_MAX}. Narrow the selection (fewer jurisdictions, norms or "
        "topics), or download the full list from the measure export with the same filters."
    )
