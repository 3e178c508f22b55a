"""Data for the paper brief PDF: plain dataclasses, built before rendering.

The reports domain renders them (STYLE.md: data first, then a pure render
function); nothing here touches the database once ``paper_brief_data`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from tracker.measures import lifecycle
from tracker.measures.models import ImplementationDegree
from tracker.measures.queries import measure_standings
from tracker.modelbase import Verification
from tracker.papers import queries


@dataclass(frozen=True)
class ImplementingMeasure:
    record_id: int
    label: str
    title: str
    standing: lifecycle.StandingOn
    degree: ImplementationDegree
    basis: str
    locator: Optional[str]
    rationale: str

    @property
    def current(self) -> bool:
        """In force today (lifecycle.COVERING), as in the gap analysis and the briefs."""
        return self.standing.covers


@dataclass
class ImplementingJurisdiction:
    code: str
    name: str
    #: the best degree among its current measures, None if only non-current ones
    degree: Optional[ImplementationDegree]
    measures: list[ImplementingMeasure]
    #: for an organisation: the member States its measures apply to ("via EU")
    members: list[str] = field(default_factory=list)


@dataclass
class RecommendationBrief:
    number: str
    text: str
    addressee: Optional[str]
    norms: list[str]
    commitments: list[str]
    topics: list[str]
    jurisdictions: list[ImplementingJurisdiction]


@dataclass
class PaperBrief:
    record_id: int
    title: str
    working_group: Optional[str]
    working_group_key: Optional[str]
    authors: list[str]
    publication_date: str
    url: Optional[str]
    abstract: Optional[str]  # Markdown: render with tracker.text.render_markdown
    verification: Verification
    verification_note: Optional[str]
    sources: list[dict[str, Any]]
    recommendations: list[RecommendationBrief]
    #: the workflow state, for a DRAFT mark when staff render unpublished content
    state: str = "published"


def paper_brief_data(record_id: int, *, include_drafts: bool = False) -> Optional[PaperBrief]:
    """Everything the paper brief shows, or None when the reader may not see the paper."""
    paper = queries.get_paper(record_id, include_drafts=include_drafts)
    if paper is None:
        return None
    links = queries.implementations_of(
        [r.recommendation_id for r in paper.recommendations], include_drafts=include_drafts
    )
    orgs = {
        m.jurisdiction_code for pairs in links.values() for m, _ in pairs if m.jurisdiction.is_org
    }
    members = queries.members_of(orgs)
    standings = measure_standings(
        [m for pairs in links.values() for m, _ in pairs],
        lifecycle.today(),
        include_drafts=include_drafts,
    )
    recommendations = []
    for rec in paper.recommendations:
        by_code: dict[str, ImplementingJurisdiction] = {}
        for measure, link in links.get(rec.recommendation_id, []):
            entry = by_code.get(measure.jurisdiction_code)
            if entry is None:
                entry = by_code[measure.jurisdiction_code] = ImplementingJurisdiction(
                    measure.jurisdiction_code,
                    measure.jurisdiction.name,
                    None,
                    [],
                    members.get(measure.jurisdiction_code, []),
                )
            item = ImplementingMeasure(
                measure.record_id,
                measure.label,
                measure.title,
                standings[measure.id],
                link.degree,
                link.basis.value,
                link.locator,
                link.rationale,
            )
            entry.measures.append(item)
            if item.current and entry.degree is not ImplementationDegree.FULL:
                entry.degree = link.degree
        recommendations.append(
            RecommendationBrief(
                number=rec.number,
                text=rec.text,
                addressee=rec.addressee,
                norms=[n.label for n in rec.norms],
                commitments=[c.title for c in rec.commitments],
                topics=[t.name for t in rec.topics],
                jurisdictions=sorted(by_code.values(), key=lambda j: j.name),
            )
        )
    return PaperBrief(
        record_id=paper.record_id,
        title=paper.title,
        working_group=paper.working_group.name if paper.working_group else None,
        working_group_key=paper.working_group.key if paper.working_group else None,
        authors=[a.name + (f" ({a.affiliation})" if a.affiliation else "") for a in paper.authors],
        publication_date=paper.publication_date_text,
        url=paper.url,
        abstract=paper.abstract,
        verification=paper.verification,
        verification_note=paper.verification_note,
        sources=[{"url": s.url, "title": s.title, "accessed": s.accessed} for s in paper.sources],
        recommendations=recommendations,
        state=paper.record.state.value,
    )
