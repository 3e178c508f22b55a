"""The comparison grid and the per-jurisdiction sections of a report, from its entries.

Pure functions over plain data (tracker.reports.data); the database work is done by
tracker.reports.queries before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.measures import lifecycle
from tracker.reports.data import Cell, CellItem, Column, MeasureEntry, Row, Section

#: standings listed beside the grid without filling a cell
LISTED = frozenset(
    {lifecycle.Standing.PENDING, lifecycle.Standing.ADOPTED, lifecycle.Standing.UNDATED}
)


@dataclass
class Layout:
    """What the grid is laid over: the rows' jurisdictions, the columns, who belongs to what."""

    codes: list[str]
    columns: list[Column]
    names: dict[str, str]
    orgs_of: dict[str, list[str]]
    by: str
    #: organisation -> the rows its measures fill (filled by :func:`rows`)
    via_used: dict[str, list[str]] = field(default_factory=dict)
    #: each shown entry's place in the report's order (filled by :func:`rows`)
    position: dict[int, int] = field(default_factory=dict)

    def matches(self, entry: MeasureEntry, key: str) -> bool:
        return key in (entry.topic_slugs if self.by == "topic" else entry.norm_letters)

    def name(self, code: str) -> str:
        return self.names.get(code, code)


def _by_code(entries: list[MeasureEntry]) -> dict[str, list[MeasureEntry]]:
    """Entries by jurisdiction, each list in the order given (one pass)."""
    out: dict[str, list[MeasureEntry]] = {}
    for e in entries:
        out.setdefault(e.jurisdiction_code, []).append(e)
    return out


def _cell(layout: Layout, code: str, key: str, by_code: dict[str, list[MeasureEntry]]) -> Cell:
    applies = {code, *layout.orgs_of.get(code, [])}
    cell = Cell(key)
    # in the entries' order (not by jurisdiction): the same order as the sections
    candidates = [e for c in applies for e in by_code.get(c, [])]
    if len(applies) > 1:
        candidates.sort(key=lambda e: layout.position[id(e)])
    for e in candidates:
        if not layout.matches(e, key):
            continue
        via = e.jurisdiction_code if e.jurisdiction_code != code else None
        (cell.items if e.status.covers else cell.pending).append(CellItem(e, via))
        if via and e.status.covers:
            members = layout.via_used.setdefault(via, [])
            if code not in members:
                members.append(code)
    return cell


def rows(layout: Layout, shown: list[MeasureEntry]) -> list[Row]:
    """One row per jurisdiction, one cell per column (measures in force fill a cell)."""
    layout.position = {id(e): i for i, e in enumerate(shown)}
    by_code = _by_code(shown)
    return [
        Row(code, layout.name(code), [_cell(layout, code, c.key, by_code) for c in layout.columns])
        for code in layout.codes
    ]


def _section(layout: Layout, code: str, entries: list[MeasureEntry]) -> Section:
    """``entries``: the jurisdiction's own, in the report's order."""
    own = [e for e in entries if any(layout.matches(e, c.key) for c in layout.columns)]
    return Section(
        code=code,
        name=layout.name(code),
        measures=[e for e in own if e.status.covers],
        pending=[e for e in own if e.status.standing in LISTED],
        ended=[e for e in own if e.status.standing is lifecycle.Standing.ENDED],
        via=[(o, layout.name(o)) for o in layout.orgs_of.get(code, []) if o in layout.via_used],
    )


def sections(layout: Layout, entries: list[MeasureEntry]) -> list[Section]:
    """A section per row, then one per organisation whose measures fill a row (after
    :func:`rows`)."""
    own = _by_code(entries)
    out = [_section(layout, code, own.get(code, [])) for code in layout.codes]
    by_code = {s.code: s for s in out}
    for org, members in layout.via_used.items():
        section = by_code.get(org)
        if section is None:
            section = _section(layout, org, own.get(org, []))
            out.append(section)
        section.applies_to = [layout.name(m) for m in members]
    return out
