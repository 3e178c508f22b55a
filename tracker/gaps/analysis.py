"""Build the gap matrix: rows (norms, topics, actions, recommendations) by jurisdictions.

Everything is read in a fixed number of queries, whatever the number of
jurisdictions, rows or measures, and only through ``visible()``. A cell says:

* ``full``: a current measure covers the row (for an action or recommendation:
  a measure linked to it with degree *full*);
* ``partial``: only links of degree *partial* from current measures;
* ``none``: a gap.

"Current" means in force today: the "measures in force" count of
tracker.measures.lifecycle, the same rule as the comparison grid and the briefs. The
standings come from tracker.measures.standings (the public's from the per-version
snapshot), read as flat rows for every measure that applies; only the measures a cell
names are loaded. With ``shown``, a cell names at most that many of each kind (counted
and not counted) and keeps the totals: the state is decided over all of them.
Pending, not yet in force, ended and undated measures are listed beside the cell
but never close a gap. A measure of an organisation a State belongs to (the EU for DE) counts for
that State and is marked ``via`` the organisation. Actions and recommendations
count only through explicit links (``MeasureImplementation``), never through
topics or norms.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.catalogues.models import Catalogue, CatalogueAction
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, Membership
from tracker.measures import lifecycle
from tracker.measures.models import (
    ImplementationDegree,
    Mapping,
    Measure,
    MeasureImplementation,
    measure_topics,
)
from tracker.measures.standings import standings_of_listed
from tracker.modelbase import LabelledEnum
from tracker.norms.models import Norm, Topic
from tracker.papers.models import Paper, PaperRecommendation
from tracker.records.queries import visible


class Coverage(LabelledEnum):
    #: a current measure covers it fully
    FULL = ("full", "Has a measure")
    #: current measures cover part of it
    PARTIAL = ("partial", "Partly")
    #: no current measure: a gap
    NONE = ("none", "Gap")


@dataclass(frozen=True)
class MeasureRef:
    """What a gap cell shows of a measure (no lazy loading in templates or PDFs)."""

    record_id: int
    label: str
    title: str
    title_lang: str
    jurisdiction_code: str
    standing: lifecycle.Standing

    @property
    def current(self) -> bool:
        """In force today (lifecycle.COVERING): it closes the gap."""
        return _covers(self.standing)


def _covers(standing: Optional[lifecycle.Standing]) -> bool:
    """In force today: the "measures in force" count (lifecycle.COVERING) closes a gap."""
    return standing in lifecycle.COVERING.standings


@dataclass(frozen=True)
class Found:
    """A measure found for a cell: ``via`` is the organisation it comes from, if not the State's
    own."""

    measure: MeasureRef
    via: Optional[str] = None
    degree: Optional[ImplementationDegree] = None


@dataclass
class Cell:
    jurisdiction_code: str
    state: Coverage
    #: current measures (they decide the state): the first ``shown`` of them, own before
    #: "via", full links before partial ones, then the newest first
    measures: list[Found] = field(default_factory=list)
    #: proposed, superseded or rescinded measures (shown, never counted), in the same order
    others: list[Found] = field(default_factory=list)
    #: how many there are of each, listed or not
    measures_total: int = 0
    others_total: int = 0
    #: at least one of the counted measures is the jurisdiction's own (not via an organisation)
    has_own: bool = False

    @property
    def only_via(self) -> bool:
        """Covered only by an organisation's measures (e.g. only via EU)."""
        return self.measures_total > 0 and not self.has_own

    @property
    def more_measures(self) -> int:
        return self.measures_total - len(self.measures)

    @property
    def more_others(self) -> int:
        return self.others_total - len(self.others)


#: how every surface explains the verbatim / summary labels of catalogue actions
WORDING_NOTE = (
    "Actions marked “verbatim” are the report’s words, as the sources quote them; actions "
    "marked “summary” are the tracker’s condensed wording of the guidance, not its text."
)


@dataclass
class Row:
    kind: str  # "norm", "topic", "action" or "recommendation"
    key: str
    number: str  # "(i)", "i.3", "3"; empty for topics
    label: str
    #: the longer text (official norm text, topic definition, the action as a phrase)
    text: str
    #: for actions: the source's shared phrase ("recommendations to suppliers on")
    context: Optional[str] = None
    cells: list[Cell] = field(default_factory=list)
    #: for actions: "verbatim" (the source's words, may be quoted) or "summary" (never quoted)
    wording: Optional[str] = None

    def cell(self, code: str) -> Cell:
        return next(c for c in self.cells if c.jurisdiction_code == code)


@dataclass
class RowGroup:
    heading: Optional[str]
    #: the source's phrase that introduces the group's items, if any
    lead_in: Optional[str]
    rows: list[Row]
    #: shown when there is no lead-in (the norm's short title)
    subtitle: Optional[str] = None


@dataclass
class Section:
    key: str  # "norms", "topics", "catalogue:<key>", "paper:<record id>"
    title: str
    intro: str
    groups: list[RowGroup]
    verification: Any = None
    sources: list[Any] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]


@dataclass(frozen=True)
class JurisdictionRef:
    code: str
    name: str
    #: organisations whose measures apply here ("EU")
    orgs: tuple[str, ...] = ()


@dataclass
class GapMatrix:
    jurisdictions: list[JurisdictionRef]
    sections: list[Section]

    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]

    def counts(self, code: str) -> dict[Coverage, int]:
        counts = dict.fromkeys(Coverage, 0)
        for row in self.rows():
            counts[row.cell(code).state] += 1
        return counts

    def gaps(self, code: str, section_key: Optional[str] = None) -> list[Row]:
        return [
            row
            for section in self.sections
            if section_key is None or section.key == section_key
            for row in section.rows
            if row.cell(code).state is Coverage.NONE
        ]

    def differences(self) -> list[Row]:
        """Rows where the jurisdictions do not all stand the same (for the summary)."""
        return [row for row in self.rows() if len({c.state for c in row.cells}) > 1]


# --- Loading -------------------------------------------------------------------------------


def jurisdiction_refs(codes: Sequence[str]) -> list[JurisdictionRef]:
    """The jurisdictions in the order asked, with the organisations they belong to (2 queries)."""
    stmt = sa.select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
    names = {code: name for code, name in db.session.execute(stmt)}
    orgs: dict[str, list[str]] = defaultdict(list)
    members = sa.select(Membership.member_code, Membership.org_code).where(
        Membership.member_code.in_(codes)
    )
    for member, org in db.session.execute(members):
        orgs[member].append(org)
    return [
        JurisdictionRef(code, names[code], tuple(sorted(orgs[code])))
        for code in codes
        if code in names
    ]


@dataclass(frozen=True)
class _Fact:
    """What deciding and ordering a cell reads of a measure (flat rows, no ORM objects)."""

    jurisdiction_code: str
    standing: lifecycle.Standing
    #: in force today: it closes a gap
    current: bool
    #: its place among the measures, newest first as the measure list orders them
    #: (year, jurisdiction, id)
    rank: int


@dataclass(frozen=True)
class _Hit:
    measure_id: int
    via: Optional[str]
    degree: Optional[ImplementationDegree]


class _Measures:
    """The visible measures of a set of jurisdictions, their standings today and what they
    are linked to, in a fixed number of queries whatever their number."""

    def __init__(
        self,
        scope: Iterable[str],
        *,
        include_drafts: bool,
        norm_ids: Iterable[int],
        action_ids: Iterable[int],
        recommendation_ids: Iterable[int],
    ) -> None:
        self.base = visible(Measure, include_drafts=include_drafts).where(
            Measure.jurisdiction_code.in_(sorted(set(scope)))
        )
        select_ids = self.base.with_only_columns(Measure.id)
        ids = select_ids.scalar_subquery()
        rows = db.session.execute(
            self.base.with_only_columns(Measure.id, Measure.jurisdiction_code, Measure.year)
        ).all()
        # decided by tracker.measures.lifecycle; the public's from the per-version snapshot
        standings = standings_of_listed(
            [measure_id for measure_id, _code, _year in rows],
            select_ids,
            include_drafts=include_drafts,
        )
        #: (a measure published after the snapshot's version was read has no standing yet:
        #: it is left out rather than given one)
        rows = sorted(rows, key=lambda r: (r[2] is None, -(r[2] or 0), r[1], r[0]))
        self.facts: dict[int, _Fact] = {
            measure_id: _Fact(code, standings[measure_id], _covers(standings[measure_id]), rank)
            for rank, (measure_id, code, _year) in enumerate(rows)
            if measure_id in standings
        }
        self.by_topic: dict[int, set[int]] = defaultdict(set)
        for measure_id, topic_id in db.session.execute(
            sa.select(measure_topics.c.measure_id, measure_topics.c.topic_id).where(
                measure_topics.c.measure_id.in_(ids)
            )
        ):
            self.by_topic[topic_id].add(measure_id)
        self.by_norm: dict[int, set[int]] = defaultdict(set)
        norm_ids = list(norm_ids)
        if norm_ids:
            for measure_id, norm_id in db.session.execute(
                sa.select(Mapping.measure_id, Mapping.norm_id).where(
                    Mapping.measure_id.in_(ids), Mapping.norm_id.in_(norm_ids)
                )
            ):
                if norm_id is not None:  # always: the query asks for these norms
                    self.by_norm[norm_id].add(measure_id)
        # target -> {measure id: best degree}
        self.by_action: dict[int, dict[int, ImplementationDegree]] = defaultdict(dict)
        self.by_recommendation: dict[int, dict[int, ImplementationDegree]] = defaultdict(dict)
        action_ids, recommendation_ids = list(action_ids), list(recommendation_ids)
        if action_ids or recommendation_ids:
            stmt = sa.select(
                MeasureImplementation.measure_id,
                MeasureImplementation.action_id,
                MeasureImplementation.recommendation_id,
                MeasureImplementation.degree,
            ).where(
                MeasureImplementation.measure_id.in_(ids),
                sa.or_(
                    MeasureImplementation.action_id.in_(action_ids),
                    MeasureImplementation.recommendation_id.in_(recommendation_ids),
                ),
            )
            for measure_id, action_id, recommendation_id, degree in db.session.execute(stmt):
                if action_id is not None:
                    target = self.by_action[action_id]
                elif recommendation_id is not None:
                    target = self.by_recommendation[recommendation_id]
                else:  # never: the query asks for links to an action or a recommendation
                    continue
                if target.get(measure_id) is not ImplementationDegree.FULL:
                    target[measure_id] = degree

    def refs(self, wanted: Optional[set[int]]) -> dict[int, MeasureRef]:
        """What the cells show of the measures ``wanted`` (None: every one), in one query."""
        stmt = self.base
        if wanted is not None:
            if not wanted:
                return {}
            stmt = stmt.where(Measure.id.in_(sorted(wanted)))
        return {
            m.id: MeasureRef(
                m.record_id,
                m.label,
                m.title,
                m.title_lang,
                m.jurisdiction_code,
                self.facts[m.id].standing,
            )
            for m in db.session.scalars(stmt)
            if m.id in self.facts
        }


#: a measure found for a cell: (its order key, its id, the degree of its link)
_Item = tuple[tuple[bool, bool, int], int, Optional[ImplementationDegree]]


class _Cells:
    """Decides each cell over all its measures and names the first ``shown`` of each kind
    (every one with None); the named measures are loaded together once every row is filled."""

    def __init__(
        self, found: _Measures, jurisdictions: list[JurisdictionRef], shown: Optional[int]
    ) -> None:
        self.found = found
        self.jurisdictions = jurisdictions
        self.shown = shown
        self.todo: list[tuple[Cell, list[_Hit], list[_Hit]]] = []

    def fill(self, rows: list[Row], targets: list[dict[int, Any]], *, graded: bool) -> None:
        for row, found in zip(rows, targets, strict=True):
            row.cells = [self.cell(j, found, graded=graded) for j in self.jurisdictions]

    def cell(
        self,
        jurisdiction: JurisdictionRef,
        found: dict[int, Optional[ImplementationDegree]],
        *,
        graded: bool,
    ) -> Cell:
        scope = {jurisdiction.code, *jurisdiction.orgs}
        facts = self.found.facts
        full = ImplementationDegree.FULL
        counted: list[_Item] = []
        others: list[_Item] = []
        for measure_id, degree in found.items():
            fact = facts.get(measure_id)
            if fact is None or fact.jurisdiction_code not in scope:
                continue
            # own before via an organisation, full links before partial ones, newest first
            key = (
                fact.jurisdiction_code != jurisdiction.code,
                degree is not None and degree is not full,
                fact.rank,
            )
            (counted if fact.current else others).append((key, measure_id, degree))
        if not counted:
            state = Coverage.NONE
        elif not graded or any(degree is full for _k, _i, degree in counted):
            state = Coverage.FULL
        else:
            state = Coverage.PARTIAL
        cell = Cell(
            jurisdiction.code,
            state,
            measures_total=len(counted),
            others_total=len(others),
            has_own=any(not key[0] for key, _i, _d in counted),
        )
        self.todo.append((cell, self.named(counted), self.named(others)))
        return cell

    def named(self, items: list[_Item]) -> list[_Hit]:
        """The first ``shown`` of ``items`` (all with None), in order."""
        first = sorted(items) if self.shown is None else heapq.nsmallest(self.shown, items)
        facts = self.found.facts
        return [
            _Hit(measure_id, facts[measure_id].jurisdiction_code if key[0] else None, degree)
            for key, measure_id, degree in first
        ]

    def name_measures(self) -> None:
        """Load the named measures (one query) and put them in their cells."""
        wanted = None
        if self.shown is not None:
            wanted = {h.measure_id for _cell, a, b in self.todo for h in (*a, *b)}
        refs = self.found.refs(wanted)
        for cell, counted, others in self.todo:
            cell.measures = [
                Found(refs[h.measure_id], h.via, h.degree) for h in counted if h.measure_id in refs
            ]
            cell.others = [
                Found(refs[h.measure_id], h.via, h.degree) for h in others if h.measure_id in refs
            ]
        self.todo = []


def all_catalogues() -> list[Catalogue]:
    stmt = (
        sa.select(Catalogue)
        .order_by(Catalogue.key)
        .options(
            selectinload(Catalogue.actions).selectinload(CatalogueAction.norm),
            selectinload(Catalogue.document),
        )
    )
    return list(db.session.scalars(stmt))


def visible_papers(include_drafts: bool, record_ids: Optional[Sequence[int]] = None) -> list[Paper]:
    """Papers with recommendations, for recommendation sections (newest first)."""
    stmt = (
        visible(Paper, include_drafts=include_drafts)
        .where(sa.exists().where(PaperRecommendation.paper_id == Paper.id))
        .options(selectinload(Paper.recommendations))
        .order_by(Paper.publication_date.desc().nulls_last(), Paper.id)
    )
    if record_ids is not None:
        stmt = stmt.where(Paper.record_id.in_(record_ids))
    return list(db.session.scalars(stmt))


def build_matrix(
    codes: Sequence[str],
    *,
    catalogues: Optional[Sequence[Catalogue]] = None,
    papers: Sequence[Paper] = (),
    include_drafts: bool = False,
    shown: Optional[int] = None,
) -> GapMatrix:
    """The gap matrix for ``codes`` (already validated), in a fixed number of queries.

    ``catalogues`` defaults to every catalogue; ``papers`` adds one section per paper
    with its recommendations. With ``shown``, each cell names at most that many measures
    counted and that many not counted (with the totals of both); states are decided over
    every measure either way.
    """
    jurisdictions = jurisdiction_refs(codes)
    scope = {j.code for j in jurisdictions} | {org for j in jurisdictions for org in j.orgs}
    norms = list(
        db.session.scalars(
            sa.select(Norm).where(Norm.letter.in_(Norm.SUPPLY_CHAIN_LETTERS)).order_by(Norm.letter)
        )
    )
    topics = list(db.session.scalars(sa.select(Topic).order_by(Topic.position)))
    if catalogues is None:
        catalogues = all_catalogues()
    action_ids = [a.id for c in catalogues for a in c.actions]
    recommendation_ids = [r.recommendation_id for p in papers for r in p.recommendations]
    found = _Measures(
        scope,
        include_drafts=include_drafts,
        norm_ids=[n.id for n in norms],
        action_ids=action_ids,
        recommendation_ids=recommendation_ids,
    )
    cells = _Cells(found, jurisdictions, shown)
    sections = []

    rows = [Row("norm", n.letter, f"({n.letter})", n.short_title, n.official_text) for n in norms]
    cells.fill(rows, [dict.fromkeys(found.by_norm[n.id]) for n in norms], graded=False)
    sections.append(
        Section(
            "norms",
            "Supply-chain norms",
            "Measures mapped to the norm (A/70/174 para. 13).",
            [RowGroup(None, None, rows)],
        )
    )

    rows = [Row("topic", t.slug, "", t.name, t.definition) for t in topics]
    cells.fill(rows, [dict.fromkeys(found.by_topic[t.id]) for t in topics], graded=False)
    sections.append(
        Section(
            "topics",
            "Supply-chain topics",
            "Measures tagged with the topic.",
            [RowGroup(None, None, rows)],
        )
    )

    for catalogue in catalogues:
        groups: list[RowGroup] = []
        for action in catalogue.actions:
            letter = action.norm.letter if action.norm else None
            heading = f"Norm ({letter})" if letter else None
            if not groups or groups[-1].heading != heading:
                subtitle = action.norm.short_title if action.norm else None
                groups.append(RowGroup(heading, catalogue.lead_in(letter), [], subtitle))
            row = Row(
                "action",
                action.key,
                action.number,
                action.phrase,
                action.text,
                action.context,
                wording=action.wording.value,
            )
            cells.fill([row], [found.by_action[action.id]], graded=True)
            groups[-1].rows.append(row)
        sections.append(
            Section(
                f"catalogue:{catalogue.key}",
                catalogue.title,
                "Only measures linked to the action count, with the degree given in the link. "
                + WORDING_NOTE,
                groups,
                catalogue.verification,
                list(catalogue.sources or []),
            )
        )

    for paper in papers:
        rows = []
        for rec in paper.recommendations:
            row = Row(
                "recommendation",
                str(rec.recommendation_id),
                rec.number,
                rec.text,
                rec.text,
                rec.addressee,
            )
            cells.fill([row], [found.by_recommendation[rec.recommendation_id]], graded=True)
            rows.append(row)
        sections.append(
            Section(
                f"paper:{paper.record_id}",
                f"Recommendations: {paper.title}",
                "Only measures linked to the recommendation count, with the degree given "
                "in the link.",
                [RowGroup(None, None, rows)],
                paper.verification,
            )
        )
    cells.name_measures()
    return GapMatrix(jurisdictions, sections)
