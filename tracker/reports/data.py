"""The data of a report: plain dataclasses, filled by tracker.reports.queries and read by
the templates (the page, the HTML preview and the PDF). Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from tracker.measures import lifecycle
from tracker.modelbase import DatePrecision, format_partial_date
from tracker.reports.params import ReportParams


@dataclass
class Citation:
    number: int
    title: str
    url: str | None
    accessed: str | None
    #: the measure the citation supports (its label)
    measure: str


@dataclass
class CitationGroup:
    measure: str
    jurisdiction: str
    citations: list[Citation]


@dataclass
class NormLink:
    letter: str
    locator: str | None
    rationale: str | None


@dataclass
class TimelineEvent:
    label: str
    text: str
    note: str | None
    after_as_of: bool


@dataclass
class MeasureEntry:
    record_id: int
    jurisdiction_code: str
    jurisdiction_name: str
    title_original: str
    title_lang: str
    title_en: str | None
    short_name: str | None
    type_label: str
    issuing_body: str | None
    identifier: str | None
    official_url: str | None
    status: lifecycle.StandingOn
    recorded_status: str
    status_note: str | None
    norms: list[NormLink]
    topics: list[tuple[str, str]]
    description: Markup
    verification: str
    verification_label: str
    verification_note: str | None
    timeline: list[TimelineEvent]
    sort_date: dt.date
    citations: list[int] = field(default_factory=list)
    #: the dated events, as tracker.measures.lifecycle reads them (for the findings)
    events: list[lifecycle.LifeEvent] = field(default_factory=list)
    #: the measure type's value ("law"), for the rule that chooses what a brief describes
    type_key: str = ""
    #: described in the brief (tracker.reports.selection); otherwise only counted
    detailed: bool = True

    @property
    def anchor(self) -> str:
        return f"m{self.record_id}"

    @property
    def label(self) -> str:
        return self.short_name or self.title_en or self.title_original

    @property
    def norm_letters(self) -> set[str]:
        return {n.letter for n in self.norms}

    @property
    def topic_slugs(self) -> set[str]:
        return {slug for slug, _name in self.topics}


@dataclass
class CellItem:
    measure: MeasureEntry
    #: the organisation through which the measure applies ("EU"), or None for own measures
    via: str | None = None


@dataclass
class Cell:
    key: str
    items: list[CellItem] = field(default_factory=list)
    #: listed, but not in force on the date (pending, adopted not yet in force, undated):
    #: they do not fill the gap
    pending: list[CellItem] = field(default_factory=list)
    #: at most this many measures named in the cell (None: all); set by the selection
    cap: int | None = None

    @property
    def shown(self) -> list[CellItem]:
        """The measures named in the cell: those the brief describes, at most ``cap``."""
        items = [i for i in self.items if i.measure.detailed]
        return items if self.cap is None else items[: self.cap]

    @property
    def shown_pending(self) -> list[CellItem]:
        items = [i for i in self.pending if i.measure.detailed]
        return items if self.cap is None else items[: self.cap]

    @property
    def more(self) -> int:
        """Measures in force counted in the cell but not named there."""
        return len(self.items) - len(self.shown)

    @property
    def more_pending(self) -> int:
        return len(self.pending) - len(self.shown_pending)

    @property
    def gap(self) -> bool:
        return not self.items

    @property
    def via_only(self) -> bool:
        return bool(self.items) and all(i.via for i in self.items)


@dataclass
class Column:
    key: str
    label: str
    title: str


@dataclass
class Row:
    code: str
    name: str
    cells: list[Cell]


@dataclass
class Section:
    code: str
    name: str
    measures: list[MeasureEntry]
    pending: list[MeasureEntry]
    ended: list[MeasureEntry]
    #: for an organisation's section: the selected members its measures apply to
    applies_to: list[str] = field(default_factory=list)
    #: for a member's section: (code, name) of organisations whose measures apply to it
    via: list[tuple[str, str]] = field(default_factory=list)
    #: measures of the section that the brief counts but does not describe (selection)
    more_measures: int = 0
    more_pending: int = 0
    more_ended: int = 0
    #: the named counts of all its measures (tracker.measures.lifecycle.count)
    counts: lifecycle.Counts | None = None

    @property
    def anchor(self) -> str:
        return f"j-{self.code.lower()}"

    @property
    def listed(self) -> list[MeasureEntry]:
        return [*self.measures, *self.pending, *self.ended]


@dataclass
class Selection:
    """How a brief at any data size stays a brief: which measures it describes and why.

    Set on the report only when the brief leaves measures out (tracker.reports.selection).
    """

    #: the stated rule, printed in the brief
    rule: str
    per_jurisdiction: int
    total: int
    #: measures described / measures in the selection
    described: int
    counted: int
    #: the measure export with the same filters (a path on the site)
    export_path: str
    #: the full annex's limit (tracker.reports.selection.FULL_ANNEX_MAX)
    full_annex_max: int
    #: every section before trimming, with its named counts (the counts table)
    sections: list[Section] = field(default_factory=list)
    #: jurisdictions counted in the grid but without a section of their own
    without_section: int = 0
    #: past selection.CELL_ROWS rows the counts table stands for the grid (one line each)
    grid_as_counts: bool = False


@dataclass
class NormInfo:
    letter: str
    reference: str
    short_title: str
    official_text: str
    verification: str
    verification_label: str
    commitments: list[dict[str, Any]]


@dataclass
class DataVersion:
    digest: str
    date: dt.date | None

    @property
    def short(self) -> str:
        return self.digest[:10]

    @property
    def date_text(self) -> str:
        return format_partial_date(self.date, DatePrecision.DAY) if self.date else "no records"


@dataclass
class GapLine:
    """One row of the gap section: a norm, topic or catalogue action and how it is covered."""

    number: str
    label: str
    #: "full", "partial" or "none"
    state: str
    state_label: str
    #: the measures that count ("NIS2 via EU"), then those listed but not counted
    measures: list[str]
    others: list[str]
    #: catalogue actions: "verbatim" (quoted) or "summary" (labelled, never quoted)
    wording: str | None = None


@dataclass
class GapGroup:
    title: str
    #: "Norm (i)" inside a catalogue, else None
    heading: str | None
    lines: list[GapLine]


@dataclass
class GapSummary:
    """The gap section of a country brief (measures in force today, not on the as-of date)."""

    code: str
    name: str
    orgs: list[str]
    counts: dict[str, int]
    groups: list[GapGroup]
    note: str


@dataclass
class Report:
    params: ReportParams
    drafts: bool
    title: str
    subtitle: str
    as_of: dt.date
    as_of_is_today: bool
    columns: list[Column]
    rows: list[Row]
    sections: list[Section]
    citations: list[Citation]
    citation_groups: list[CitationGroup]
    summary: list[str]
    figures: dict[str, int]
    version: DataVersion
    norm: NormInfo | None = None
    rule: str = lifecycle.RULE_TEXT
    #: country briefs as of today: the gap analysis of the jurisdiction
    gaps: GapSummary | None = None
    #: compare (opt-in) and country briefs: each jurisdiction's attribution statements
    attributions: Any = None  # tracker.attribution.sections.AttributionSection
    #: norm briefs: statements invoking the norm (StatementSummary list)
    norm_statements: list[Any] | None = None
    #: the "At a glance" findings (tracker.reports.findings.Finding list)
    findings: list[Any] = field(default_factory=list)
    #: the rule and counts of a brief that describes only some of its measures
    selection: Selection | None = None
    #: the heat map and the timeline (tracker.reports.charts.Charts)
    charts: Any = None

    @property
    def as_of_text(self) -> str:
        return format_partial_date(self.as_of, DatePrecision.DAY)

    @property
    def transposed(self) -> bool:
        """One jurisdiction: the grid lists norms (or topics) down the page instead."""
        return len(self.rows) == 1

    @property
    def keywords(self) -> list[str]:
        words = [
            "cyber norms",
            "A/70/174",
            *[c.label for c in self.columns],
            *[r.name for r in self.rows],
        ]
        return list(dict.fromkeys(words))

    @property
    def measure_count(self) -> int:
        return sum(len(s.measures) for s in self.sections)
