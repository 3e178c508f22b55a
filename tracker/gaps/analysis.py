"""Build the gap matrix: rows (norms, topics, actions, recommendations) by jurisdictions.

Everything is read in a fixed number of queries, whatever the number of
jurisdictions, rows or measures, and only through ``visible()``. A cell says:

* ``full``: a current measure covers the row (for an action or recommendation:
  a measure linked to it with degree *full*);
* ``partial``: only links of degree *partial* from current measures;
* ``none``: a gap.

"Current" means in force today: the "measures in force" count of
tracker.measures.lifecycle, the same rule as the comparison grid and the briefs.
Pending, not yet in force, ended and undated measures are listed beside the cell
but never close a gap. A measure of an organisation a State belongs to (the EU for DE) counts for
that State and is marked ``via`` the organisation. Actions and recommendations
count only through explicit links (``MeasureImplementation``), never through
topics or norms.
"""

from __future__ import annotations

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
from tracker.measures.queries import measure_standings
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
    standing: lifecycle.StandingOn

    @property
    def current(self) -> bool:
        """In force today (lifecycle.COVERING): it closes the gap."""
        return self.standing.covers


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
    #: current measures (they decide the state)
    measures: list[Found] = field(default_factory=list)
    #: proposed, superseded or rescinded measures (shown, never counted)
    others: list[Found] = field(default_factory=list)

    @property
    def only_via(self) -> bool:
        """Covered only by an organisation's measures (e.g. only via EU)."""
        return bool(self.measures) and all(f.via for f in self.measures)


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


class _Measures:
    """The visible measures of a set of jurisdictions and what they are linked to."""

    def __init__(
        self,
        scope: Iterable[str],
        *,
        include_drafts: bool,
        norm_ids: Iterable[int],
        action_ids: Iterable[int],
        recommendation_ids: Iterable[int],
    ) -> None:
        base = visible(Measure, include_drafts=include_drafts).where(
            Measure.jurisdiction_code.in_(sorted(set(scope)))
        )
        ids = base.with_only_columns(Measure.id).scalar_subquery()
        self.refs: dict[int, MeasureRef] = {}
        found = list(db.session.scalars(base.options(selectinload(Measure.events))))
        standings = measure_standings(found, lifecycle.today(), include_drafts=include_drafts)
        for m in found:
            self.refs[m.id] = MeasureRef(
                m.record_id, m.label, m.title, m.title_lang, m.jurisdiction_code, standings[m.id]
            )
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


def _cell(
    jurisdiction: JurisdictionRef,
    found: dict[int, Optional[ImplementationDegree]],
    refs: dict[int, MeasureRef],
    *,
    graded: bool,
) -> Cell:
    scope = {jurisdiction.code, *jurisdiction.orgs}
    items = []
    for measure_id, degree in found.items():
        ref = refs.get(measure_id)
        if ref is None or ref.jurisdiction_code not in scope:
            continue
        via = ref.jurisdiction_code if ref.jurisdiction_code != jurisdiction.code else None
        items.append(Found(ref, via, degree))
    items.sort(
        key=lambda f: (
            f.via is not None,
            f.degree is not ImplementationDegree.FULL,
            f.measure.label.lower(),
        )
    )
    counted = [f for f in items if f.measure.current]
    others = [f for f in items if not f.measure.current]
    if not counted:
        state = Coverage.NONE
    elif not graded or any(f.degree is ImplementationDegree.FULL for f in counted):
        state = Coverage.FULL
    else:
        state = Coverage.PARTIAL
    return Cell(jurisdiction.code, state, counted, others)


def _fill(
    rows: list[Row],
    targets: list[dict[int, Any]],
    jurisdictions: list[JurisdictionRef],
    refs: dict[int, MeasureRef],
    *,
    graded: bool,
) -> None:
    for row, found in zip(rows, targets, strict=True):
        row.cells = [_cell(j, found, refs, graded=graded) for j in jurisdictions]


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
) -> GapMatrix:
    """The gap matrix for ``codes`` (already validated), in a fixed number of queries.

    ``catalogues`` defaults to every catalogue; ``papers`` adds one section per paper
    with its recommendations.
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
    sections = []

    rows = [Row("norm", n.letter, f"({n.letter})", n.short_title, n.official_text) for n in norms]
    _fill(
        rows,
        [dict.fromkeys(found.by_norm[n.id]) for n in norms],
        jurisdictions,
        found.refs,
        graded=False,
    )
    sections.append(
        Section(
            "norms",
            "Supply-chain norms",
            "Measures mapped to the norm (A/70/174 para. 13).",
            [RowGroup(None, None, rows)],
        )
    )

    rows = [Row("topic", t.slug, "", t.name, t.definition) for t in topics]
    _fill(
        rows,
        [dict.fromkeys(found.by_topic[t.id]) for t in topics],
        jurisdictions,
        found.refs,
        graded=False,
    )
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
            _fill([row], [found.by_action[action.id]], jurisdictions, found.refs, graded=True)
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
            _fill(
                [row],
                [found.by_recommendation[rec.recommendation_id]],
                jurisdictions,
                found.refs,
                graded=True,
            )
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
    return GapMatrix(jurisdictions, sections)
